// Send Selection, Send Text and Disconnect: text from the editor to a session.
import * as vscode from 'vscode';
import { ClientSession } from './core/clientSession';
import { LINE_ENDINGS, encodeText } from './core/codec';
import { formatBytes } from './format';
import { connectTo, pickAddress, sessionInfo } from './connectCommand';
import { registerCommand, UserError } from './errors';
import { Services } from './services';
import { sessionAddress } from './sessionManager';
import { TRAFFIC_SCHEME } from './traffic';

export interface SessionArgs {
  sessionId?: number;
}

function sessionOf(svc: Services, arg: unknown): ClientSession | undefined {
  if (arg instanceof ClientSession) {
    return arg;
  }
  if (arg && typeof arg === 'object' && typeof (arg as SessionArgs).sessionId === 'number') {
    const s = svc.sessions.get((arg as SessionArgs).sessionId as number);
    if (!s) {
      throw new UserError(vscode.l10n.t('Session {0} is not open.', String((arg as SessionArgs).sessionId)));
    }
    return s;
  }
  return undefined;
}

/** The active session, a pick among several, or (offerConnect) a new connection. */
async function chooseSession(svc: Services, offerConnect: boolean): Promise<ClientSession | undefined> {
  const current = svc.sessions.current;
  if (current) {
    return current;
  }
  const all = svc.sessions.sessions();
  if (all.length === 0) {
    if (!offerConnect) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No connection is open.'));
      return undefined;
    }
    const target = await pickAddress(svc, vscode.l10n.t('Not connected: connect to which server?'), 'echo');
    return target ? connectTo(svc, target, true) : undefined;
  }
  const p = await vscode.window.showQuickPick(
    all.map((s) => ({ label: sessionAddress(s), description: vscode.l10n.t('Session {0}', s.id), session: s })),
    { title: vscode.l10n.t('Send to which connection?') },
  );
  if (p) {
    svc.sessions.setCurrent(p.session);
  }
  return p?.session;
}

/** The texts Send Selection sends: each selection in document order, an empty one as its whole line. */
export function selectedTexts(editor: vscode.TextEditor): string[] {
  const sels = [...editor.selections].sort((a, b) => a.start.compareTo(b.start));
  return sels.map((s) => (s.isEmpty ? editor.document.lineAt(s.active.line).text : editor.document.getText(s)));
}

async function sendAll(svc: Services, s: ClientSession, texts: string[]): Promise<number> {
  const cfg = svc.config();
  let n = 0;
  for (const t of texts) {
    // Counted here (not from bytesOut) so the figure is what this command sent, whatever else is in flight.
    n += encodeText(t, s.encoding).length + LINE_ENDINGS[cfg.lineEnding].length;
    await s.send(t, cfg.lineEnding);
  }
  vscode.window.setStatusBarMessage(vscode.l10n.t('Sent {0} to {1}', formatBytes(n), sessionAddress(s)), 3000);
  return n;
}

/** Lines to try Send Selection on (the walkthrough opens them); the last shows a non-ASCII round trip. */
const SAMPLE_MESSAGES = ['hello, echo server', 'PING 1', 'PING 2', 'PING 3', '你好，TCP — Grüße, café', 'bye'];

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

export function registerSendCommands(svc: Services): void {
  const { context, log } = svc;

  registerCommand(context, log, 'tcpWorkbench.openSampleMessages', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: SAMPLE_MESSAGES.join('\n') + '\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside });
    // The first line selected: Send Selection has something to send at once.
    editor.selection = new vscode.Selection(0, 0, 0, SAMPLE_MESSAGES[0].length);
    return doc.uri.toString();
  });

  registerCommand(context, log, 'tcpWorkbench.sendSelection', async (args?: SessionArgs) => {
    const editor = editorToSend();
    if (!editor) {
      throw new UserError(vscode.l10n.t('Open a file and select the text to send.'));
    }
    const texts = selectedTexts(editor);
    const s = sessionOf(svc, args) ?? (await chooseSession(svc, true));
    if (!s) {
      return undefined;
    }
    return { ...sessionInfo(s), bytes: await sendAll(svc, s, texts) };
  });

  registerCommand(context, log, 'tcpWorkbench.sendText', async (arg?: ClientSession | (SessionArgs & { text?: string })) => {
    const s = sessionOf(svc, arg) ?? (await chooseSession(svc, true));
    if (!s) {
      return undefined;
    }
    const cfg = svc.config();
    let text = arg && !(arg instanceof ClientSession) ? arg.text : undefined;
    text ??= await vscode.window.showInputBox({
      title: vscode.l10n.t('Send to {0}', sessionAddress(s)),
      prompt: cfg.encoding === 'hex' ? vscode.l10n.t('Hex bytes, for example 48 65 6c 6c 6f') : vscode.l10n.t('Text to send ({0}, line ending: {1})', cfg.encoding, cfg.lineEnding),
    });
    if (text === undefined) {
      return undefined;
    }
    svc.sessions.setCurrent(s);
    return { ...sessionInfo(s), bytes: await sendAll(svc, s, [text]) };
  });

  registerCommand(context, log, 'tcpWorkbench.disconnect', async (arg?: ClientSession | SessionArgs) => {
    let s = sessionOf(svc, arg);
    if (!s) {
      const all = svc.sessions.sessions();
      if (all.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No connection is open.'));
        return;
      }
      s =
        all.length === 1
          ? all[0]
          : (
              await vscode.window.showQuickPick(
                all.map((x) => ({ label: sessionAddress(x), description: vscode.l10n.t('Session {0}', x.id), session: x })),
                { title: vscode.l10n.t('Disconnect which connection?') },
              )
            )?.session;
    }
    if (s) {
      await svc.sessions.close(s);
    }
  });

  registerCommand(context, log, 'tcpWorkbench.showSessionTraffic', async (arg?: ClientSession | SessionArgs) => {
    const s = sessionOf(svc, arg) ?? svc.sessions.current;
    if (!s) {
      await svc.trafficDocs.show(vscode.l10n.t('Traffic'));
      return;
    }
    svc.sessions.setCurrent(s);
    await svc.trafficDocs.show(vscode.l10n.t('Traffic - {0}', sessionAddress(s)), `session:${s.id}`, true);
  });
}
