// Small prompts shared by the commands: a port, an echo mode, a relay's target, one item out of a list (text to send: sendMode.ts).
import * as vscode from 'vscode';
import { EchoMode } from '../core/echoServer';
import { parseHostPort, parsePort } from '../core/hostPort';
import { messageOf } from '../common/messages';

/** A port typed by the user, checked as they type; undefined when cancelled. */
export async function askPort(suggestion: number, allowZero = true): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Port'),
    prompt: allowZero ? vscode.l10n.t('A port from 1 to 65535, or 0 for any free port') : vscode.l10n.t('A port from 1 to 65535'),
    value: String(suggestion),
    validateInput: (v) => {
      try {
        parsePort(v, allowZero);
        return undefined;
      } catch (err) {
        return messageOf(err);
      }
    },
  });
  return text === undefined ? undefined : parsePort(text, allowZero);
}

export async function pickEchoMode(current: EchoMode): Promise<EchoMode | undefined> {
  const items: (vscode.QuickPickItem & { mode: EchoMode })[] = [
    { mode: 'echo', label: 'echo', description: vscode.l10n.t('send every byte back (RFC 862)') },
    { mode: 'reply', label: 'reply', description: vscode.l10n.t('answer each message with a fixed text') },
    { mode: 'manual', label: 'manual', description: vscode.l10n.t('send nothing by itself; you answer with Send to Client…') },
  ];
  const p = await vscode.window.showQuickPick(
    items.map((i) => ({ ...i, picked: i.mode === current })),
    { title: vscode.l10n.t('Echo server mode') },
  );
  return p?.mode;
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

/** Asks for the relay's target, checked as it is typed. */
export async function askTarget(host: string): Promise<string | undefined> {
  const v = await vscode.window.showInputBox({
    title: vscode.l10n.t('Relay to which server?'),
    prompt: vscode.l10n.t('host:port of the target server (a bare port means {0})', host),
    placeHolder: '127.0.0.1:9007',
    validateInput: (text) => {
      try {
        parseHostPort(text.trim(), host);
        return undefined;
      } catch (e) {
        return messageOf(e);
      }
    },
  });
  return v?.trim() || undefined;
}
