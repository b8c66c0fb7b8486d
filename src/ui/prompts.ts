// Small prompts shared by the commands: a port, an echo mode, a relay's target, one item out of a list (text to send: sendMode.ts).
import * as vscode from 'vscode';
import { EchoMode } from '../core/servers/echoServer';
import { parseHostPort, parsePort } from '../core/hostPort';
import { messageOf } from '../common/messages';

/** What the port box says: which ports it takes. */
export function portPrompt(allowZero = true): string {
  return allowZero ? vscode.l10n.t('A port from 1 to 65535, or 0 for any free port') : vscode.l10n.t('A port from 1 to 65535');
}

/** Why `text` is not a port (in the user's language), or undefined when it is one. */
export function portProblem(text: string, allowZero = true): string | undefined {
  try {
    parsePort(text, allowZero);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/** A port typed by the user, checked as they type; undefined when cancelled. */
export async function askPort(suggestion: number, allowZero = true): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Port'),
    prompt: portPrompt(allowZero),
    value: String(suggestion),
    validateInput: (v) => portProblem(v, allowZero),
  });
  return text === undefined ? undefined : parsePort(text, allowZero);
}

/** The three echo modes as pick items. */
export function echoModeItems(): (vscode.QuickPickItem & { mode: EchoMode })[] {
  return [
    { mode: 'echo', label: 'echo', description: vscode.l10n.t('send every byte back (RFC 862)') },
    { mode: 'reply', label: 'reply', description: vscode.l10n.t('answer each message with a fixed text') },
    { mode: 'manual', label: 'manual', description: vscode.l10n.t('send nothing by itself; you answer with Send to Client…') },
  ];
}

/** The only item without asking, else a pick; undefined when there is none or the user cancels. */
export async function pickOne<T>(all: readonly T[], title: string, item: (x: T) => vscode.QuickPickItem): Promise<T | undefined> {
  if (all.length <= 1) {
    return all[0];
  }
  const p = await vscode.window.showQuickPick(
    all.map((x) => ({ ...item(x), value: x })),
    { title },
  );
  return p?.value;
}

/** The placeholder of a relay target box. */
export const TARGET_EXAMPLE = '127.0.0.1:9007';

/** What the relay target box says; a bare port means `host`. */
export function targetPrompt(host: string): string {
  return vscode.l10n.t('host:port of the target server (a bare port means {0}; tls://host:port connects with TLS)', host);
}

/** Why `text` is not a relay target (host:port, or a bare port on `host`), or undefined when it is one. */
export function targetProblem(text: string, host: string): string | undefined {
  try {
    parseHostPort(text.trim().replace(/^(tls|tcp):\/\//i, ''), host);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}
