// Export Local CA…: the CA that signs the generated certificate of TLS servers (kept in the extension's
// global storage, files 0600), copied where the user wants it so clients and their own code can trust it.
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { localCertificate } from '../core/tls/certStore';
import { isInteractive, isOptions } from '../state/commandArgs';
import { ExportLocalCaArgs, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';

export function registerLocalCaCommand(svc: Services): void {
  const { context, log } = svc;
  registerCommand(context, log, 'tcpWorkbench.exportLocalCa', async (arg) => {
    const a: ExportLocalCaArgs = isOptions(arg) ? arg : {};
    // Generated on first use (the same files a TLS server of this window uses), reused afterwards.
    const local = await localCertificate(context.globalStorageUri.fsPath);
    if (local.generated) {
      log.info(vscode.l10n.t('Generated the local CA {0} in {1} ms', local.caFile, local.generationMs));
    }
    let dest = a.path;
    if (!dest) {
      const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(base, 'tcp-workbench-ca.pem'),
        filters: { PEM: ['pem', 'crt'] },
        title: vscode.l10n.t('Export Local CA'),
      });
      if (!uri) {
        return undefined;
      }
      dest = uri.fsPath; // the save dialog has asked before choosing an existing file
    } else if (fs.existsSync(dest) && a.overwrite !== true) {
      throw new UserError(vscode.l10n.t('{0} exists already: pass overwrite: true to replace it.', dest));
    }
    // The certificate only (public): a CA's key never leaves the global storage.
    fs.writeFileSync(dest, local.caPem);
    log.info(vscode.l10n.t('Local CA exported to {0}', dest));
    if (isInteractive(arg)) {
      const reveal = vscode.l10n.t('Reveal in File Explorer');
      void vscode.window.showInformationMessage(vscode.l10n.t('Local CA exported to {0}: trust it in clients that connect to your TLS servers.', dest), reveal).then((c) => {
        if (c === reveal) {
          void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dest));
        }
      });
    }
    return { path: dest, caFile: local.caFile, fingerprint256: new X509Certificate(local.caPem).fingerprint256 };
  });
}
