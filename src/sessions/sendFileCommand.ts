// Send File…: the bytes of a workspace file to a session or a server's client, streamed by the core
// with backpressure, in a cancellable progress notification (percentage as the socket takes the bytes).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SendFileResult } from '../core/fileSender';
import { formatBytes } from '../core/format';
import { isInteractive, isOptions } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { Target, resolveTarget, revealTraffic } from './sendTargets';

function fileOf(arg: unknown): string | undefined {
  const uri = arg instanceof vscode.Uri ? arg : isOptions(arg) ? arg.uri : undefined;
  if (uri instanceof vscode.Uri) {
    return uri.fsPath;
  }
  if (typeof uri === 'string' && uri !== '') {
    // A path, or a file: URI as text.
    return uri.startsWith('file:') ? vscode.Uri.parse(uri).fsPath : path.resolve(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(), uri);
  }
  if (isOptions(arg)) {
    throw new UserError(vscode.l10n.t('"uri" must name the file to send.'));
  }
  return undefined;
}

function sendVia(t: Target, file: string, signal: AbortSignal, onProgress: (p: { sent: number; total: number }) => void): Promise<SendFileResult> {
  if (t.session) {
    return t.session.sendFile(file, { signal, onProgress });
  }
  const c = t.client as NonNullable<Target['client']>;
  return c.server.sendFile(c.id, file, { signal, onProgress });
}

export function registerSendFileCommand(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.sendFile', async (arg) => {
    let file = fileOf(arg);
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Send which file?'),
        canSelectMany: false,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      file = picked?.[0]?.fsPath;
      if (!file) {
        return undefined;
      }
    }
    // An Explorer URI names the file, not the connection: pick it (or take the only one).
    const t = await resolveTarget(svc, arg instanceof vscode.Uri ? undefined : arg, vscode.l10n.t('Send {0} to which connection?', path.basename(file)));
    if (!t) {
      return undefined;
    }
    const name = path.basename(file);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Sending {0} to {1}', name, t.label), cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let shown = 0;
        return sendVia(t, file, abort.signal, ({ sent, total }) => {
          const pct = total > 0 ? Math.floor((sent / total) * 100) : 100;
          if (pct > shown) {
            progress.report({ increment: pct - shown, message: `${formatBytes(sent)} / ${formatBytes(total)}` });
            shown = pct;
          }
        }).finally(() => sub.dispose());
      },
    );
    svc.log.info(vscode.l10n.t('Sent {0} ({1}) to {2}', name, formatBytes(result.bytes), t.label));
    vscode.window.setStatusBarMessage(vscode.l10n.t('Sent {0} ({1}) to {2}', name, formatBytes(result.bytes), t.label), 5000);
    if (isInteractive(arg)) {
      await revealTraffic(svc, t);
    }
    return { ...result, target: t.label };
  });
}
