// Send Selection, Send Text and Disconnect: text from the editor to a session.
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { formatBytes } from '../core/format';
import { isInteractive, isOptions, sessionOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { TRAFFIC_SCHEME } from '../state/trafficDocuments';
import { pickOne } from '../ui/prompts';
import { HistoryEntry, SendMode, askSend, bytesFor, checkMode, modeLabel, rememberedMode } from '../ui/sendMode';
import { SendHistory } from '../ui/sendHistory';
import { Target, revealTraffic, sessionTarget } from './sendTargets';
import { pickAddress } from './addressPicker';
import { connectTo, sessionInfo } from './connectCommand';
import { sessionAddress } from '../state/sessionManager';

/** The active session, a pick among several, or a new connection. */
async function chooseSession(svc: Services): Promise<ClientSession | undefined> {
  const current = svc.sessions.current;
  if (current) {
    return current;
  }
  const all = svc.sessions.sessions();
  if (all.length === 0) {
    const target = await pickAddress(svc, vscode.l10n.t('Not connected: connect to which server?'), 'echo', true);
    return target ? connectTo(svc, target, true, undefined, target.tls ? { options: {}, interactive: true } : undefined) : undefined;
  }
  const s = await pickOne(all, vscode.l10n.t('Send to which connection?'), sessionItem);
  if (s) {
    svc.sessions.setCurrent(s);
  }
  return s;
}

function sessionItem(s: ClientSession): vscode.QuickPickItem {
  return { label: sessionAddress(s), description: vscode.l10n.t('Session {0}', s.id) };
}

/** The texts Send Selection sends: each selection in document order, an empty one as its whole line. */
function selectedTexts(editor: vscode.TextEditor): string[] {
  const sels = [...editor.selections].sort((a, b) => a.start.compareTo(b.start));
  return sels.map((s) => (s.isEmpty ? editor.document.lineAt(s.active.line).text : editor.document.getText(s)));
}

async function sendAll(svc: Services, s: ClientSession, texts: string[], mode: SendMode): Promise<number> {
  const t = sessionTarget(svc, s);
  // Every text is parsed before the first goes out: a typo in the last selection sends nothing.
  const payloads = texts.map((x) => bytesFor(x, mode, t.encoding, t.lineEnding));
  let n = 0;
  for (const b of payloads) {
    // Counted here (not from bytesOut) so the figure is what this command sent, whatever else is in flight.
    n += b.length;
    await s.send(b);
  }
  const how = mode === 'text' ? '' : ` (${modeLabel(mode)})`;
  vscode.window.setStatusBarMessage(vscode.l10n.t('Sent {0} to {1}', formatBytes(n), sessionAddress(s)) + how, 3000);
  return n;
}

/**
 * The editor Send Selection reads: the active one, else the only text editor in view — a button in the
 * walkthrough or a notification takes focus away from the text editor the user means.
 */
function editorToSend(): vscode.TextEditor | undefined {
  if (vscode.window.activeTextEditor) {
    return vscode.window.activeTextEditor;
  }
  const visible = vscode.window.visibleTextEditors.filter((e) => e.document.uri.scheme !== TRAFFIC_SCHEME && e.document.uri.scheme !== 'output');
  return visible.length === 1 ? visible[0] : undefined;
}

/** The send prompt for one connection: its encoding and line ending, the history, the mode buttons. */
export function askSendTo(svc: Services, t: Target, history: SendHistory, initial?: string, title = vscode.l10n.t('Send to {0}', t.label)): Promise<HistoryEntry | undefined> {
  return askSend({
    initial,
    title,
    state: svc.context.workspaceState,
    history: history.list(),
    encoding: t.encoding,
    lineEnding: t.lineEnding,
    onClearHistory: () => history.clear(),
  });
}

export function registerSendCommands(svc: Services): void {
  const { context, log } = svc;
  const history = new SendHistory(context.workspaceState);

  registerCommand(context, log, 'tcpWorkbench.sendSelection', async (args) => {
    const editor = editorToSend();
    if (!editor) {
      throw new UserError(vscode.l10n.t('Open a file and select the text to send.'));
    }
    const texts = selectedTexts(editor);
    const s = sessionOf(svc, args) ?? (await chooseSession(svc));
    if (!s) {
      return undefined;
    }
    const mode = isOptions(args) ? checkMode(args.mode) : rememberedMode(context.workspaceState);
    const bytes = await sendAll(svc, s, texts, mode);
    if (isInteractive(args)) {
      await revealTraffic(svc, sessionTarget(svc, s));
    }
    return { ...sessionInfo(s), bytes };
  });

  registerCommand(context, log, 'tcpWorkbench.sendText', async (arg) => {
    const s = sessionOf(svc, arg) ?? (await chooseSession(svc));
    if (!s) {
      return undefined;
    }
    const given = isOptions(arg) && typeof arg.text === 'string' ? { text: arg.text, mode: checkMode(arg.mode) } : undefined;
    const input = given ?? (await askSendTo(svc, sessionTarget(svc, s), history));
    if (input === undefined) {
      return undefined;
    }
    svc.sessions.setCurrent(s);
    const bytes = await sendAll(svc, s, [input.text], input.mode);
    await history.add(input);
    if (isInteractive(arg)) {
      await revealTraffic(svc, sessionTarget(svc, s));
    }
    return { ...sessionInfo(s), bytes };
  });

  registerCommand(context, log, 'tcpWorkbench.disconnect', async (arg) => {
    const all = svc.sessions.sessions();
    if (!sessionOf(svc, arg) && all.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No connection is open.'));
      return;
    }
    const s = sessionOf(svc, arg) ?? (await pickOne(all, vscode.l10n.t('Disconnect which connection?'), sessionItem));
    if (s) {
      await svc.sessions.close(s);
    }
  });
}
