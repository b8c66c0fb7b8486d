// Open Terminal: a session as the tutorials' chat client, in the editor's own terminal. Type a line,
// Enter sends it with the line ending; what arrives is printed as it comes, decoded as a stream in the
// session's encoding, or as hex rows while the session's hex view is on. Closing the terminal keeps the
// connection (disconnect from the Connections view); the connection closing ends the terminal's input.
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { LineEnding } from '../core/codec';
import { DisposableMap, DisposableStore } from '../core/events';
import { HexDumpStream } from '../core/traffic/hexView';
import { isOptions, sessionOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError, showError } from '../common/showError';
import { sessionAddress } from '../state/sessionManager';
import { connectionMarks } from '../state/connectionMarks';

/** What a terminal keeps of its own output for the test API, ANSI sequences removed. */
const TRANSCRIPT_CHARS = 64 * 1024;
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** A session's open terminal; disposing it closes the terminal. */
interface OpenTerminal {
  terminal: vscode.Terminal;
  pty: SessionPty;
  dispose(): void;
}

const open = new DisposableMap<number, OpenTerminal>();

/** The text a session's terminal has printed (for integration tests), or undefined when none is open. */
export function terminalTranscript(sessionId: number): string | undefined {
  return open.get(sessionId)?.pty.transcript;
}

class SessionPty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  transcript = '';
  private line = '';
  private ended = false;
  private lastWasCr = false;
  private readonly listening = new DisposableStore();
  private readonly hex = new HexDumpStream();

  constructor(
    private readonly svc: Services,
    private readonly s: ClientSession,
    private readonly onGone: () => void,
  ) {}

  open(): void {
    this.print(vscode.l10n.t('Connected to {0}. Type a line and press Enter to send it; closing this terminal keeps the connection.', sessionAddress(this.s)) + '\n');
    this.listening.add(this.s.onData((d) => this.received(d.bytes, d.text)));
    this.listening.add(
      this.s.onDidClose((c) => {
        const why = c.reason === 'closed-by-peer' ? vscode.l10n.t('closed by peer') : c.reason === 'closed-by-us' ? vscode.l10n.t('closed by you') : vscode.l10n.t('error');
        this.ended = true;
        this.line = '';
        this.print(`\n${vscode.l10n.t('Connection closed: {0}. Press any key to close the terminal.', why)}\n`);
      }),
    );
  }

  close(): void {
    this.listening.clear();
    this.onGone();
  }

  handleInput(data: string): void {
    if (this.ended) {
      this.close();
      this.closeEmitter.fire();
      return;
    }
    // Escape sequences (arrow keys, function keys) are not editing we support: drop them whole.
    for (const ch of data.replace(/\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]/g, '')) {
      const cr = this.lastWasCr;
      this.lastWasCr = ch === '\r';
      if (ch === '\r' || (ch === '\n' && !cr)) {
        this.submit();
      } else if (ch === '\x7f' || ch === '\b') {
        const chars = [...this.line];
        const gone = chars.pop();
        if (gone !== undefined) {
          this.line = chars.join('');
          this.writeEmitter.fire(WIDE.test(gone) ? '\b\b  \b\b' : '\b \b');
        }
      } else if (ch === '\x03') {
        this.line = '';
        this.writeEmitter.fire('^C\r\n');
      } else if (ch >= ' ' && ch !== '\n') {
        this.line += ch;
        this.writeEmitter.fire(ch);
      }
    }
  }

  private submit(): void {
    const text = this.line;
    this.line = '';
    this.writeEmitter.fire('\r\n');
    this.keep(text + '\n');
    this.s.send(text, lineEndingOf(this.svc, this.s)).catch((e: unknown) => {
      showError(this.svc.log, e);
      this.print(`${(e as Error).message}\n`);
    });
  }

  private received(bytes: Buffer, text: string): void {
    let out: string;
    if (this.svc.trafficDocs.layoutOf(`session:${this.s.id}`) !== 'text') {
      out = [...this.hex.write(bytes), ...this.hex.flush()].join('\n') + '\n';
    } else {
      out = text;
    }
    // The line being typed goes below what arrived, so input and output never mix on one line.
    const typing = this.line;
    if (typing) {
      // Erase only the typed text (not a partial line that arrived before it), then print, then retype.
      const columns = [...typing].reduce((n, ch) => n + (WIDE.test(ch) ? 2 : 1), 0);
      this.writeEmitter.fire(`\x1b[${columns}D\x1b[K`);
    }
    this.print(out);
    if (typing) {
      this.writeEmitter.fire((out.endsWith('\n') ? '' : '\r\n') + typing);
    }
  }

  /** Writes text with terminal line breaks and keeps it in the transcript. */
  private print(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
    this.keep(text);
  }

  private keep(text: string): void {
    this.transcript = (this.transcript + text).slice(-TRANSCRIPT_CHARS);
  }
}

/**
 * The session's own line ending when it has one, else the setting's; "none" becomes \n here, because Enter
 * in a terminal means "this line is done" (the tutorials' servers read lines).
 */
function lineEndingOf(svc: Services, s: ClientSession): LineEnding {
  const own = connectionMarks.get(s).lineEnding;
  const le = own ?? svc.configOrUndefined()?.lineEnding ?? 'lf';
  return le === 'none' ? 'lf' : le;
}

async function pickSession(svc: Services): Promise<ClientSession | undefined> {
  const list = svc.sessions.sessions().filter((s) => s.state === 'connected');
  if (list.length <= 1) {
    return list[0];
  }
  const p = await vscode.window.showQuickPick(
    list.map((s) => ({ label: sessionAddress(s), description: vscode.l10n.t('Session {0}', s.id), s })),
    { title: vscode.l10n.t('Open Terminal') },
  );
  return p?.s;
}

export function registerSessionTerminal(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.openTerminal', async (arg) => {
    const s = sessionOf(svc, arg) ?? (isOptions(arg) ? undefined : (svc.sessions.current ?? (await pickSession(svc))));
    if (!s) {
      if (isOptions(arg) || svc.sessions.sessions().length === 0) {
        throw new UserError(vscode.l10n.t('Connect to a server first: the terminal talks over a session.'));
      }
      return undefined;
    }
    if (s.state !== 'connected') {
      throw new UserError(vscode.l10n.t('Session {0} is not open.', String(s.id)));
    }
    const name = `TCP ${sessionAddress(s)}`;
    let t = open.get(s.id);
    if (!t) {
      // The terminal closed by itself: forget it without disposing it again.
      const pty = new SessionPty(svc, s, () => open.take(s.id));
      const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('plug') });
      t = { terminal, pty, dispose: () => terminal.dispose() };
      open.set(s.id, t);
    }
    t.terminal.show();
    return { sessionId: s.id, name };
  });
  svc.context.subscriptions.push(open);
}
