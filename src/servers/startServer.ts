// Starting a server entry: the folder a file server serves, the warning for a non-loopback host, and
// the "port in use" recovery (a free port, or another one) when the user is there to choose.
import * as vscode from 'vscode';
import { formatHostPort } from '../core/hostPort';
import { StartResult } from '../state/commands';
import { Config, isLoopback, resolveFileRoot } from '../common/config';
import { messageOf } from '../common/messages';
import { Services } from '../state/services';
import { UserError, showError } from '../common/showError';
import { askFolder, onlyWorkspaceFolder, pickFolder } from '../ui/folders';
import { askPort } from '../ui/prompts';
import { PortInUseError, ServerEntry, StartOverrides } from '../state/serverEntry';

let warnedHost = false;

export function serveFolderPurpose(): string {
  return vscode.l10n.t('Choose the folder the file server serves');
}

async function fileRootFor(entry: ServerEntry, cfg: Config, over: StartOverrides, interactive: boolean): Promise<string | undefined> {
  if (over.root ?? entry.spec.root) {
    return over.root ?? entry.spec.root;
  }
  const purpose = serveFolderPurpose();
  let ws = onlyWorkspaceFolder();
  if (!ws && cfg.fileRoot === '' && interactive) {
    return pickFolder(purpose);
  }
  if (!ws && interactive && (vscode.workspace.workspaceFolders?.length ?? 0) > 1) {
    ws = await pickFolder(purpose);
  }
  const root = resolveFileRoot(cfg.fileRoot, ws ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  if (root) {
    return root;
  }
  if (!interactive) {
    throw new UserError(vscode.l10n.t('No folder is open: pass a root or open a folder to serve.'));
  }
  return askFolder(purpose);
}

/** Starts an entry; with `interactive`, a busy port offers a free port or another one instead of failing. */
export async function startEntry(svc: Services, entry: ServerEntry, over: StartOverrides, interactive: boolean): Promise<StartResult | undefined> {
  const cfg = svc.config();
  const host = over.host ?? cfg.host;
  if (!isLoopback(host) && !warnedHost) {
    warnedHost = true;
    const msg = vscode.l10n.t('Servers listen on {0}: they are reachable from the network, not only from this machine.', host);
    svc.log.warn(msg);
    void vscode.window.showWarningMessage(msg);
  }
  if (entry.kind === 'file') {
    const root = await fileRootFor(entry, cfg, over, interactive);
    if (!root) {
      return undefined; // the user closed the folder dialog
    }
    over = { ...over, root };
  }
  try {
    const a = await svc.servers.start(entry, cfg, over);
    const address = formatHostPort(a.host, a.port);
    if (interactive) {
      vscode.window.setStatusBarMessage(vscode.l10n.t('{0} listening on {1}', entry.label, address), 5000);
    }
    return { id: entry.id, address, port: a.port };
  } catch (e) {
    if (e instanceof PortInUseError && interactive) {
      offerOtherPort(svc, e, over);
      return undefined;
    }
    throw e;
  }
}

function offerOtherPort(svc: Services, e: PortInUseError, over: StartOverrides): void {
  const msg = messageOf(e);
  svc.log.error(msg);
  const free = vscode.l10n.t('Use a Free Port');
  const change = vscode.l10n.t('Change Port…');
  void vscode.window.showErrorMessage(msg, free, change).then(async (choice) => {
    try {
      let port: number | undefined;
      if (choice === free) {
        port = 0;
      } else if (choice === change) {
        port = await askPort(e.port + 1);
      }
      if (port !== undefined) {
        const r = await startEntry(svc, e.entry, { ...over, port }, true);
        if (r && port !== 0) {
          svc.servers.update(e.entry, { port });
        }
      }
    } catch (err) {
      showError(svc.log, err);
    }
  });
}
