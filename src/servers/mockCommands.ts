// Start Mock Server (the CodeLens `▶ Start server` above a listen block calls it), and Restart on save:
// a saved .tcp file whose block runs offers a restart; a parse error keeps the running mock.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatHostPort } from '../core/hostPort';
import { ListenBlock, parseScript } from '../core/script';
import { isInteractive, isOptions } from '../state/commandArgs';
import { StartResult, registerCommand } from '../state/commands';
import { messageOf } from '../common/messages';
import { Services } from '../state/services';
import { UserError, showError } from '../common/showError';
import { listenBlockAt, parseMock, scriptText } from './mockEntry';
import { ServerEntry } from '../state/serverEntry';
import { startEntry } from './startServer';

function uriOf(text: string): vscode.Uri {
  return /^[a-z][\w+.-]+:/i.test(text) && !/^[a-z]:[\\/]/i.test(text) ? vscode.Uri.parse(text) : vscode.Uri.file(text);
}

/** The active editor's .tcp file and one of its listen blocks, chosen in a QuickPick. */
async function pickBlock(): Promise<{ file: string; line: number } | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file' || path.extname(doc.uri.fsPath) !== '.tcp') {
    throw new UserError(vscode.l10n.t('Open a .tcp file with a listen block first.'));
  }
  const blocks = parseScript(doc.getText()).blocks.filter((b): b is ListenBlock => b.kind === 'listen');
  if (blocks.length === 0) {
    throw new UserError(vscode.l10n.t('{0} has no listen block.', path.basename(doc.uri.fsPath)));
  }
  const items = blocks.map((b) => ({ label: b.title, description: `listen ${formatHostPort(b.host, b.port)}`, detail: vscode.l10n.t('line {0}', b.startLine + 1), b }));
  const p = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Start which mock server?') });
  return p && { file: doc.uri.fsPath, line: p.b.startLine };
}

function mocksOf(svc: Services, file: string): ServerEntry[] {
  return svc.servers.list().filter((e) => e.kind === 'mock' && e.spec.file === file);
}

/** Says where a mock started from its CodeLens listens (the Servers view may be out of sight). */
function notifyStarted(svc: Services, r: StartResult | undefined): void {
  const entry = r && svc.servers.get(r.id);
  if (entry) {
    const show = vscode.l10n.t('Show Traffic');
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} listening on {1}', entry.label, r.address), show).then((choice) => {
      if (choice === show) {
        void vscode.commands.executeCommand('tcpWorkbench.showTraffic', { entryId: entry.id });
      }
    });
  }
}

export function registerMockCommands(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.startScriptServer', async (args) => {
    const r = await startScriptServer(svc, args);
    if (isOptions(args) && args.notify === true) {
      notifyStarted(svc, r);
    }
    return r;
  });

  svc.context.subscriptions.push(vscode.workspace.onDidSaveTextDocument((doc) => void offerRestart(svc, doc)));
}

async function startScriptServer(svc: Services, args: unknown): Promise<StartResult | undefined> {
  const interactive = isInteractive(args);
  const where = isOptions(args) ? { file: uriOf(String(args.uri)).fsPath, line: Number(args.line) } : await pickBlock();
  if (!where) {
    return undefined;
  }
  if (!Number.isInteger(where.line) || where.line < 0) {
    throw new UserError(vscode.l10n.t('"line" must be a line number (0-based), not {0}.', String(where.line)));
  }
  const block = listenBlockAt(parseScript(scriptText(where.file)), where.line);
  const entry = mocksOf(svc, where.file).find((e) => (block ? e.spec.label === block.title : e.spec.line === where.line));
  if (entry && entry.state !== 'stopped') {
    return { id: entry.id, address: entry.addressText ?? '?', port: entry.address?.port ?? 0 } satisfies StartResult;
  }
  if (entry) {
    return startEntry(svc, entry, {}, interactive);
  }
  // A new entry that cannot start (a parse error, no block there) is not left behind.
  const added = svc.servers.add({ kind: 'mock', file: where.file, line: where.line, label: block?.title });
  try {
    const r = await startEntry(svc, added, {}, interactive);
    if (!r) {
      await svc.servers.remove(added);
    }
    return r;
  } catch (e) {
    await svc.servers.remove(added);
    throw e;
  }
}

async function offerRestart(svc: Services, doc: vscode.TextDocument): Promise<void> {
  const running = mocksOf(svc, doc.uri.fsPath).filter((e) => e.state === 'listening');
  for (const entry of running) {
    let port: number;
    try {
      // A block on "any free port" keeps the port it has, so its clients can reconnect.
      port = parseMock(entry).block.port || (entry.address?.port ?? 0);
    } catch (e) {
      // The old mock keeps serving: a half-typed edit must not take it away.
      const msg = vscode.l10n.t('{0} keeps running: the file has an error: {1}', entry.label, messageOf(e));
      svc.log.warn(msg);
      void vscode.window.showWarningMessage(msg);
      continue;
    }
    const restart = vscode.l10n.t('Restart');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('{0} changed while its mock server runs.', entry.label), restart);
    if (choice === restart) {
      try {
        await svc.servers.stop(entry);
        await startEntry(svc, entry, { port }, true);
      } catch (e) {
        showError(svc.log, e);
      }
    }
  }
}
