// Download File…: server → file (from its listing, or typed) → folder → progress → Open / Reveal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DownloadError, DownloadResult, ExistingPolicy, NotFoundError, TargetExistsError, download, list, localNameFor } from './core/downloader';
import { HostPort, formatHostPort } from './core/hostPort';
import { Config } from './config';
import { parseAddressArg, pickAddress } from './connectCommand';
import { registerCommand, UserError } from './errors';
import { askFolder, pickFolder } from './folders';
import { formatBytes, formatDuration, formatRate } from './format';
import { Services } from './services';
import { showTypedQuickPick } from './typedQuickPick';

/** Arguments for a download without UI (tests, the walkthrough). */
export interface DownloadArgs {
  /** `host:port` of the file server. */
  address: string;
  /** The name as the server knows it. */
  name: string;
  /** Target folder; default the workspace folder plus the downloadFolder setting. */
  folder?: string;
  /** Default 'fail'. */
  existing?: ExistingPolicy;
}

export interface DownloadInfo {
  path: string;
  bytes: number;
  durationMs: number;
  sha256: string;
}

type NameItem = vscode.QuickPickItem & { name?: string; folder?: string };

/** A file name from the server's listing (folders open), or typed; undefined when cancelled. */
async function pickName(svc: Services, target: HostPort, cfg: Config): Promise<string | undefined> {
  const where = formatHostPort(target.host, target.port);
  let folder = '';
  // Bounded: each round is one user action, and the user can always type or cancel.
  for (let round = 0; round < 100; round++) {
    let names: string[] = [];
    try {
      names = await list(target.host, target.port, folder || undefined, { encoding: cfg.encoding === 'hex' ? 'utf-8' : cfg.encoding, timeoutMs: 3000 });
    } catch (e) {
      svc.log.warn(vscode.l10n.t('No listing from {0}: {1}', where, (e as Error).message));
    }
    const items: NameItem[] = [];
    if (folder) {
      items.push({ label: '$(arrow-up) ..', folder: folder.replace(/[^/]*\/$/, '') });
    }
    for (const n of names) {
      if (n.endsWith('/')) {
        items.push({ label: `$(folder) ${n}`, folder: folder + n });
      } else {
        items.push({ label: `$(file) ${n}`, name: folder + n });
      }
    }
    const picked = await showTypedQuickPick<NameItem, NameItem>({
      title: vscode.l10n.t('Download from {0}', where) + (folder ? ` — ${folder}` : ''),
      placeholder:
        names.length > 0 ? vscode.l10n.t('Pick a file, or type its name as the server knows it') : vscode.l10n.t('Type the file name as the server knows it (the server sent no listing)'),
      known: items,
      typed: (v) => (v ? { label: `$(cloud-download) ${v}`, description: vscode.l10n.t('typed'), name: folder + v, alwaysShow: true } : undefined),
      accept: (item) => item,
    });
    if (!picked) {
      return undefined;
    }
    if (picked.name !== undefined) {
      return picked.name;
    }
    folder = picked.folder ?? '';
  }
  return undefined;
}

/** The workspace folder (asking in multi-root, a dialog with none) plus the downloadFolder setting. */
async function defaultFolder(cfg: Config): Promise<string | undefined> {
  const base = await pickFolder(vscode.l10n.t('Download into which folder?'));
  if (!base) {
    return undefined;
  }
  return cfg.downloadFolder ? path.resolve(base, cfg.downloadFolder) : base;
}

async function askExisting(file: string): Promise<ExistingPolicy | undefined> {
  const overwrite = vscode.l10n.t('Overwrite');
  const keepBoth = vscode.l10n.t('Keep Both');
  const c = await vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists.', path.basename(file)), { modal: true, detail: file }, overwrite, keepBoth);
  return c === overwrite ? 'overwrite' : c === keepBoth ? 'keep-both' : undefined;
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function registerDownloadCommand(svc: Services): void {
  const handler = async (arg?: DownloadArgs | vscode.Uri): Promise<DownloadInfo | undefined> => {
    const cfg = svc.config();
    const args = arg && !(arg instanceof vscode.Uri) && typeof arg === 'object' && 'address' in arg ? arg : undefined;
    const interactive = !args;
    // Invoked on a folder in the Explorer: download there.
    const explorerFolder = arg instanceof vscode.Uri && arg.scheme === 'file' ? (isFolder(arg.fsPath) ? arg.fsPath : path.dirname(arg.fsPath)) : undefined;

    const target = args ? parseAddressArg(svc, args.address) : await pickAddress(svc, vscode.l10n.t('Download from which file server?'), 'file');
    if (!target) {
      return undefined;
    }
    const name = args ? args.name : await pickName(svc, target, cfg);
    if (typeof name !== 'string' || !name.trim()) {
      if (args) {
        throw new UserError(vscode.l10n.t('No file name given.'));
      }
      return undefined;
    }
    let folder = args?.folder ?? explorerFolder ?? (interactive ? await defaultFolder(cfg) : undefined);
    if (!folder && args) {
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      folder = ws ? path.resolve(ws, cfg.downloadFolder) : undefined;
      if (!folder) {
        throw new UserError(vscode.l10n.t('No folder is open: pass a folder to download into.'));
      }
    }
    if (!folder) {
      folder = await askFolder(vscode.l10n.t('Download into which folder?'));
      if (!folder) {
        return undefined;
      }
    }
    await fs.promises.mkdir(folder, { recursive: true });

    let existing: ExistingPolicy = args?.existing ?? 'fail';
    const local = path.join(folder, localNameFor(name));
    if (interactive && fs.existsSync(local)) {
      const choice = await askExisting(local);
      if (!choice) {
        return undefined;
      }
      existing = choice;
    }
    const where = formatHostPort(target.host, target.port);
    svc.log.info(vscode.l10n.t('Downloading "{0}" from {1} into {2}', name, where, folder));
    const ac = new AbortController();
    let result: DownloadResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0}', name), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => ac.abort());
          const started = Date.now();
          let shown = 0;
          return download({
            host: target.host,
            port: target.port,
            name,
            destDir: folder,
            encoding: cfg.encoding === 'hex' ? 'utf-8' : cfg.encoding,
            existing,
            signal: ac.signal,
            onProgress: (bytes) => {
              const now = Date.now();
              if (now - shown >= 250) {
                shown = now;
                progress.report({ message: `${formatBytes(bytes)} · ${formatRate(bytes, now - started)}` });
              }
            },
          });
        },
      );
    } catch (e) {
      if (e instanceof NotFoundError) {
        throw new UserError(vscode.l10n.t('"{0}" was not found on the server {1}.', name, where));
      }
      if (e instanceof TargetExistsError) {
        throw new UserError(vscode.l10n.t('{0} already exists; nothing was downloaded.', e.path));
      }
      if (e instanceof DownloadError && ac.signal.aborted) {
        svc.log.info(vscode.l10n.t('Download of "{0}" cancelled after {1}; no file was kept.', name, formatBytes(e.bytesReceived)));
        void vscode.window.showInformationMessage(vscode.l10n.t('Download cancelled; no file was kept.'));
        return undefined;
      }
      throw e;
    }
    const size = formatBytes(result.bytes);
    const time = formatDuration(result.durationMs);
    svc.log.info(vscode.l10n.t('Downloaded "{0}" ({1}) in {2} to {3}, sha256 {4}', name, size, time, result.path, result.sha256));
    await svc.sessions.remember(where);
    const open = vscode.l10n.t('Open');
    const reveal = vscode.l10n.t('Reveal in Explorer');
    const uri = vscode.Uri.file(result.path);
    void vscode.window.showInformationMessage(vscode.l10n.t('Downloaded {0} ({1}) in {2}.', path.basename(result.path), size, time), open, reveal).then(async (c) => {
      if (c === open) {
        await vscode.commands.executeCommand('vscode.open', uri);
      } else if (c === reveal) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
      }
    });
    return { path: result.path, bytes: result.bytes, durationMs: result.durationMs, sha256: result.sha256 };
  };
  registerCommand(svc.context, svc.log, 'tcpWorkbench.downloadFile', handler);
  // The Explorer's "Download from TCP Server…" on a folder: same command, a title that says where.
  registerCommand(svc.context, svc.log, 'tcpWorkbench.downloadFileHere', handler);
}
