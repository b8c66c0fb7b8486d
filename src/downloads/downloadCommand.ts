// Download File…: server → file (from its listing, or typed) → folder → progress → Open / Reveal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DownloadError, DownloadResult, ExistingPolicy, download, localNameFor } from '../core/downloads/downloader';
import { formatBytes, formatDuration, formatRate } from '../core/format';
import { HostPort, formatHostPort } from '../core/hostPort';
import { addressOf, isOptions } from '../state/commandArgs';
import { DownloadArgs, DownloadInfo, registerCommand } from '../state/commands';
import { Config } from '../common/config';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { pickAddress } from '../sessions/addressPicker';
import { askFolder, pickFolder } from '../ui/folders';
import { pickRemoteName } from './remoteNamePicker';

/** What to download, where to, and what to do with a file of that name. */
interface Plan {
  target: HostPort;
  name: string;
  folder: string;
  existing: ExistingPolicy;
}

export function registerDownloadCommand(svc: Services): void {
  const handler = async (arg?: DownloadArgs | vscode.Uri): Promise<DownloadInfo | undefined> => {
    const cfg = svc.config();
    const plan = isOptions(arg) ? planFromArgs(svc, cfg, arg as DownloadArgs) : await askPlan(svc, cfg, arg);
    if (!plan) {
      return undefined;
    }
    const where = formatHostPort(plan.target.host, plan.target.port);
    svc.log.info(vscode.l10n.t('Downloading "{0}" from {1} into {2}', plan.name, where, plan.folder));
    const result = await withProgress(plan, cfg, svc);
    if (!result) {
      return undefined;
    }
    const size = formatBytes(result.bytes);
    const time = formatDuration(result.durationMs);
    svc.log.info(vscode.l10n.t('Downloaded "{0}" ({1}) in {2} to {3}, sha256 {4}', plan.name, size, time, result.path, result.sha256));
    await svc.sessions.remember(where);
    offerOpen(result.path, vscode.l10n.t('Downloaded {0} ({1}) in {2}.', path.basename(result.path), size, time));
    return { path: result.path, bytes: result.bytes, durationMs: result.durationMs, sha256: result.sha256 };
  };
  registerCommand(svc.context, svc.log, 'tcpWorkbench.downloadFile', handler);
  // The Explorer's "Download from TCP Server…" on a folder: same command, a title that says where.
  registerCommand(svc.context, svc.log, 'tcpWorkbench.downloadFileHere', handler);
}

/** A caller's options: nothing is asked; a missing piece is an error. */
function planFromArgs(svc: Services, cfg: Config, args: DownloadArgs): Plan {
  const target = addressOf(svc, args.address);
  if (typeof args.name !== 'string' || !args.name.trim()) {
    throw new UserError(vscode.l10n.t('No file name given.'));
  }
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const folder = args.folder ?? (ws ? path.resolve(ws, cfg.downloadFolder) : undefined);
  if (!folder) {
    throw new UserError(vscode.l10n.t('No folder is open: pass a folder to download into.'));
  }
  fs.mkdirSync(folder, { recursive: true });
  return { target, name: args.name, folder, existing: args.existing ?? 'fail' };
}

/** The user's choices, step by step; undefined as soon as one is cancelled. */
async function askPlan(svc: Services, cfg: Config, arg: unknown): Promise<Plan | undefined> {
  // Invoked on a folder (or a file) in the Explorer: download there.
  const explorerFolder = arg instanceof vscode.Uri && arg.scheme === 'file' ? (isFolder(arg.fsPath) ? arg.fsPath : path.dirname(arg.fsPath)) : undefined;
  const target = await pickAddress(svc, vscode.l10n.t('Download from which file server?'), 'file');
  const name = target && (await pickRemoteName(svc, target, cfg));
  if (!target || !name?.trim()) {
    return undefined;
  }
  const folder = explorerFolder ?? (await defaultFolder(cfg)) ?? (await askFolder(vscode.l10n.t('Download into which folder?')));
  if (!folder) {
    return undefined;
  }
  await fs.promises.mkdir(folder, { recursive: true });
  const local = path.join(folder, localNameFor(name));
  const existing = fs.existsSync(local) ? await askExisting(local) : 'fail';
  return existing && { target, name, folder, existing };
}

/** Runs the download under a cancellable progress notification; undefined when the user cancelled. */
async function withProgress(plan: Plan, cfg: Config, svc: Services): Promise<DownloadResult | undefined> {
  const ac = new AbortController();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0}', plan.name), cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        const started = Date.now();
        let shown = 0;
        // The last figures are the final ones (reports are throttled), and the notification closes with the
        // promise, before "Downloaded …" is shown: never a stale "Downloading" beside the result.
        const done = (r: DownloadResult) => {
          progress.report({ message: `${formatBytes(r.bytes)} · ${formatRate(r.bytes, Math.max(1, r.durationMs))}`, increment: 100 });
          return r;
        };
        return download({
          host: plan.target.host,
          port: plan.target.port,
          name: plan.name,
          destDir: plan.folder,
          encoding: cfg.encoding === 'hex' ? 'utf-8' : cfg.encoding,
          existing: plan.existing,
          signal: ac.signal,
          onProgress: (bytes) => {
            const now = Date.now();
            if (now - shown >= 250) {
              shown = now;
              progress.report({ message: `${formatBytes(bytes)} · ${formatRate(bytes, now - started)}` });
            }
          },
        }).then(done);
      },
    );
  } catch (e) {
    if (e instanceof DownloadError && ac.signal.aborted) {
      svc.log.info(vscode.l10n.t('Download of "{0}" cancelled after {1}; no file was kept.', plan.name, formatBytes(e.bytesReceived)));
      void vscode.window.showInformationMessage(vscode.l10n.t('Download cancelled; no file was kept.'));
      return undefined;
    }
    throw e;
  }
}

function offerOpen(file: string, message: string): void {
  const open = vscode.l10n.t('Open');
  const reveal = vscode.l10n.t('Reveal in Explorer');
  const uri = vscode.Uri.file(file);
  void vscode.window.showInformationMessage(message, open, reveal).then(async (c) => {
    if (c === open) {
      await vscode.commands.executeCommand('vscode.open', uri);
    } else if (c === reveal) {
      await vscode.commands.executeCommand('revealInExplorer', uri);
    }
  });
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
