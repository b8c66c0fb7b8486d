// Repeat Send: one payload every N ms over a session or a server's client, N times or until stopped
// (the core Repeater). The status bar says what is repeating and how often it has gone out; a click
// stops it. A closed connection (session disconnected, server stopped) stops its repeater by itself.
import * as vscode from 'vscode';
import { MAX_REPEAT_COUNT, MAX_REPEAT_INTERVAL_MS, MIN_REPEAT_INTERVAL_MS, RepeatStop, Repeater } from '../core/sessions/repeater';
import { Throttle } from '../core/throttle';
import { isInteractive, isOptions } from '../state/commandArgs';
import { asCommand, registerCommand } from '../state/commands';
import { ContextKey } from '../common/contextKey';
import { ContextKeys, StatusBarIds } from '../common/ids';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { bytesFor, checkMode } from '../ui/sendMode';
import { Connection, connectionMarks } from '../state/connectionMarks';
import { askSendTo } from './sendCommands';
import { SendHistory } from '../ui/sendHistory';
import { Target, resolveTarget, targetOf } from './sendTargets';

interface Running {
  id: number;
  connection: Connection;
  target: string;
  text: string;
  repeater: Repeater;
}

const running = new Map<number, Running>();
let nextId = 1;

function askNumber(title: string, prompt: string, value: string, min: number, max: number, optional: boolean): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    validateInput: (v) => {
      if (optional && v.trim() === '') {
        return undefined;
      }
      const n = Number(v);
      return Number.isInteger(n) && n >= min && n <= max ? undefined : vscode.l10n.t('A whole number from {0} to {1}.', min, max);
    },
  });
}

function selectionText(): string | undefined {
  const e = vscode.window.activeTextEditor;
  return e && !e.selection.isEmpty ? e.document.getText(e.selection) : undefined;
}

/** Text, mode, interval and count from the user; undefined when any step is cancelled. */
async function askRepeat(svc: Services, t: Target, history: SendHistory) {
  const title = vscode.l10n.t('Repeat Send to {0}', t.label);
  const input = await askSendTo(svc, t, history, selectionText(), title);
  if (!input) {
    return undefined;
  }
  const every = await askNumber(title, vscode.l10n.t('Send every how many milliseconds?'), '1000', MIN_REPEAT_INTERVAL_MS, MAX_REPEAT_INTERVAL_MS, false);
  if (every === undefined) {
    return undefined;
  }
  const count = await askNumber(title, vscode.l10n.t('How many times? Empty: until you stop it.'), '', 1, MAX_REPEAT_COUNT, true);
  if (count === undefined) {
    return undefined;
  }
  return { ...input, everyMs: Number(every), count: count.trim() === '' ? undefined : Number(count) };
}

export function registerRepeatCommands(svc: Services): void {
  const history = new SendHistory(svc.context.workspaceState);
  const item = vscode.window.createStatusBarItem(StatusBarIds.repeat, vscode.StatusBarAlignment.Left, 9);
  item.name = vscode.l10n.t('TCP Workbench Repeat Send');
  item.command = asCommand({ command: 'tcpWorkbench.stopRepeat', title: vscode.l10n.t('Stop Repeat') });
  const repeating = new ContextKey<boolean>(ContextKeys.repeating);
  const update = () => {
    const all = [...running.values()];
    repeating.set(all.length > 0);
    if (all.length === 0) {
      item.hide();
      return;
    }
    item.text =
      all.length === 1
        ? `$(sync~spin) ${vscode.l10n.t('Repeating {0} ×{1}', all[0].target, all[0].repeater.count)}`
        : `$(sync~spin) ${vscode.l10n.t('{0} repeats', all.length)}`;
    item.tooltip = all.map((r) => vscode.l10n.t('"{0}" to {1}: sent {2} times', r.text, r.target, r.repeater.count)).join('\n') + '\n' + vscode.l10n.t('Click to stop');
    item.show();
  };
  const redraw = new Throttle(update, 250);
  svc.context.subscriptions.push(item, { dispose: () => redraw.dispose() }, { dispose: () => running.forEach((r) => r.repeater.dispose()) });

  const stopOne = (r: Running): RepeatStop => {
    r.repeater.stop();
    return { reason: 'stopped', sent: r.repeater.count };
  };

  registerCommand(svc.context, svc.log, 'tcpWorkbench.repeatSend', async (arg) => {
    const t = await resolveTarget(svc, arg, vscode.l10n.t('Repeat Send to which connection?'));
    if (!t) {
      return undefined;
    }
    const o = isOptions(arg)
      ? { text: String(arg.text ?? ''), mode: checkMode(arg.mode), everyMs: Number(arg.everyMs), count: arg.count === undefined ? undefined : Number(arg.count) }
      : await askRepeat(svc, t, history);
    if (!o) {
      return undefined;
    }
    const payload = bytesFor(o.text, o.mode, t.encoding, t.lineEnding);
    if (payload.length === 0) {
      throw new UserError(vscode.l10n.t('Nothing to repeat: the text is empty.'));
    }
    // One repeater per connection: a new one replaces the old.
    [...running.values()].filter((r) => r.connection === t.connection).forEach(stopOne);
    const repeater = new Repeater(t.link, payload, { everyMs: o.everyMs, count: o.count });
    const r: Running = { id: nextId++, connection: t.connection, target: t.label, text: o.text, repeater };
    running.set(r.id, r);
    connectionMarks.set(t, { repeater });
    repeater.onTick(() => redraw.schedule());
    repeater.onDidStop((stop) => {
      running.delete(r.id);
      if (connectionMarks.get(t.connection).repeater === repeater) {
        connectionMarks.set(t, { repeater: undefined });
      }
      svc.log.info(vscode.l10n.t('Repeat to {0} ended after {1} sends ({2})', t.label, stop.sent, stop.reason) + (stop.error ? `: ${stop.error.message}` : ''));
      update();
    });
    if (isInteractive(arg)) {
      await history.add({ text: o.text, mode: o.mode });
    }
    update();
    return { repeatId: r.id, bytes: payload.length, target: t.label };
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.stopRepeat', async (arg) => {
    let chosen: Running[];
    const repeatId = isOptions(arg) ? (arg as { repeatId?: unknown }).repeatId : undefined;
    if (typeof repeatId === 'number') {
      chosen = [...running.values()].filter((r) => r.id === repeatId);
    } else if (targetOf(svc, arg)) {
      const c = (targetOf(svc, arg) as Target).connection;
      chosen = [...running.values()].filter((r) => r.connection === c);
    } else if (isOptions(arg) || running.size <= 1) {
      chosen = [...running.values()];
    } else {
      type Item = vscode.QuickPickItem & { runs: Running[] };
      const items: Item[] = [...running.values()].map((r) => ({ label: `$(debug-stop) ${r.target}`, description: `"${r.text}" ×${r.repeater.count}`, runs: [r] }));
      items.push({ label: `$(close-all) ${vscode.l10n.t('Stop All Repeats')}`, runs: [...running.values()] });
      const p = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Stop which repeat?') });
      if (!p) {
        return undefined;
      }
      chosen = p.runs;
    }
    const sent = chosen.map(stopOne).reduce((n, s) => n + s.sent, 0);
    update();
    return { stopped: chosen.length, sent };
  });
}
