// How typed text becomes bytes: as text in the connection's encoding, as text with escapes
// (\r \n \t \xHH \0 \u{…}), or as hex digits. The prompt offers the last sent texts and a button per
// mode; the chosen mode is remembered per workspace. Everything is parsed before a byte goes out.
import * as vscode from 'vscode';
import { inputBytes } from '../core/bytesInput';
import { EncodingName, LineEnding } from '../core/codec';
import { UsageError } from '../core/errors';
import { StorageKeys } from '../common/ids';
import { messageOf } from '../common/messages';

export const SEND_MODES = ['text', 'escapes', 'hex'] as const;
export type SendMode = (typeof SEND_MODES)[number];

/** A text and how to send it: what the prompt returns and the send history keeps. */
export interface HistoryEntry {
  text: string;
  mode: SendMode;
}

const MODE_KEY = StorageKeys.sendMode;

/** The mode from a caller's argument (default text), or a UsageError naming the choices. */
export function checkMode(mode: unknown): SendMode {
  if (mode === undefined) {
    return 'text';
  }
  if (typeof mode === 'string' && (SEND_MODES as readonly string[]).includes(mode)) {
    return mode as SendMode;
  }
  throw new UsageError(vscode.l10n.t('"mode" must be text, escapes or hex, not {0}.', JSON.stringify(mode)));
}

/** The bytes for `text` in `mode`; throws InputError (with the position) on bad hex or a bad escape. */
export function bytesFor(text: string, mode: SendMode, encoding: EncodingName, lineEnding: LineEnding): Buffer {
  return inputBytes(text, { encoding: mode === 'hex' ? 'hex' : encoding, escapes: mode === 'escapes', lineEnding });
}

export function rememberedMode(state: vscode.Memento): SendMode {
  const m = state.get<string>(MODE_KEY);
  return (SEND_MODES as readonly string[]).includes(m ?? '') ? (m as SendMode) : 'text';
}

export function modeLabel(mode: SendMode): string {
  return mode === 'hex' ? vscode.l10n.t('hex') : mode === 'escapes' ? vscode.l10n.t('text with escapes') : vscode.l10n.t('text');
}

const MODE_ICONS: Record<SendMode, string> = { text: 'symbol-text', escapes: 'symbol-string', hex: 'file-binary' };

function modeTooltip(mode: SendMode): string {
  return mode === 'hex'
    ? vscode.l10n.t('Send as hex (48 65 6c or 0x48,0x65)')
    : mode === 'escapes'
      ? vscode.l10n.t('Send as text with escapes (\\r \\n \\t \\xHH \\0)')
      : vscode.l10n.t('Send as text');
}

/** `typed`: the first item, always there, stands for whatever the box holds when Enter is pressed. */
/** How long after a change of the box the list may still show the items from before it. */
const SETTLE_MS = 100;

type Item = vscode.QuickPickItem & { entry?: HistoryEntry; clear?: boolean; typed?: boolean };

export interface AskSendOptions {
  title: string;
  state: vscode.Memento;
  history: HistoryEntry[];
  encoding: EncodingName;
  lineEnding: LineEnding;
  onClearHistory: () => Thenable<unknown>;
  /** Typed in already (the selection, for Repeat Send). */
  initial?: string;
}

function parses(text: string, mode: SendMode, encoding: EncodingName): boolean {
  try {
    bytesFor(text, mode, encoding, 'none');
    return true;
  } catch {
    return false;
  }
}

/** The first item: the box's text ready to send, why it cannot be sent, or what to do with an empty box. */
function typedItem(v: string, mode: SendMode, encoding: EncodingName): Item {
  if (v === '') {
    return { label: `$(send) ${vscode.l10n.t('Type the text to send, then Enter')}`, typed: true, alwaysShow: true };
  }
  try {
    bytesFor(v, mode, encoding, 'none');
    return { label: `$(send) ${v}`, description: modeLabel(mode), typed: true, alwaysShow: true };
  } catch (e) {
    return { label: `$(error) ${v}`, detail: messageOf(e), typed: true, alwaysShow: true };
  }
}

/** Asks for a text and a mode; resolves once with both (checked to parse) or undefined when cancelled. */
export function askSend(o: AskSendOptions): Promise<HistoryEntry | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  let mode = rememberedMode(o.state);
  let history = o.history;
  qp.ignoreFocusOut = true;
  qp.value = o.initial ?? '';
  const update = () => {
    qp.title = `${o.title} · ${modeLabel(mode)}`;
    qp.placeholder = mode === 'hex' ? vscode.l10n.t('Hex bytes, for example 48 65 6c 6c 6f') : vscode.l10n.t('Text to send ({0}, line ending: {1})', o.encoding, o.lineEnding);
    qp.buttons = SEND_MODES.map((m) => ({ iconPath: new vscode.ThemeIcon(m === mode ? 'check' : MODE_ICONS[m]), tooltip: modeTooltip(m) }));
    const v = qp.value;
    const items: Item[] = [typedItem(v, mode, o.encoding)];
    // Text that is bad in this mode but good in another: offer the other mode right here.
    if (items[0].label.startsWith('$(error)')) {
      for (const m of SEND_MODES.filter((x) => x !== mode && parses(v, x, o.encoding))) {
        items.push({ label: `$(${MODE_ICONS[m]}) ${v}`, description: vscode.l10n.t('send as {0}', modeLabel(m)), entry: { text: v, mode: m }, alwaysShow: true });
      }
    }
    items.push(...history.map((h) => ({ label: `$(history) ${h.text}`, description: modeLabel(h.mode), entry: h })));
    if (history.length > 0) {
      items.push({ label: `$(clear-all) ${vscode.l10n.t('Clear History')}`, clear: true, alwaysShow: true });
    }
    qp.items = items;
  };
  update();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: HistoryEntry | undefined) => {
      if (!done) {
        done = true;
        resolve(r);
        qp.dispose();
      }
    };
    // The item the user moved to (arrows, mouse) once the list had caught up with the box. Right after the
    // box changes (a paste), VS Code still shows the old items, sorted for the new text: whatever is active
    // then was not chosen, and Enter sends what is in the box.
    let valueChangedAt = 0;
    let chosen: Item | undefined;
    qp.onDidChangeValue(() => {
      valueChangedAt = Date.now();
      chosen = undefined;
      update();
    });
    qp.onDidChangeActive((active) => {
      if (Date.now() - valueChangedAt > SETTLE_MS) {
        chosen = active[0];
      }
    });
    qp.onDidTriggerButton((b) => {
      const i = qp.buttons.indexOf(b);
      if (i >= 0) {
        mode = SEND_MODES[i];
        void o.state.update(MODE_KEY, mode);
        update();
      }
    });
    qp.onDidAccept(() => {
      const active = qp.selectedItems[0] ?? qp.activeItems[0];
      const item = qp.value !== '' && active !== chosen ? qp.items[0] : active;
      if (item?.typed) {
        // What the box holds now, even when Enter came before the list caught up with a paste.
        if (qp.value !== '' && parses(qp.value, mode, o.encoding)) {
          finish({ text: qp.value, mode });
        } else {
          update();
        }
      } else if (item?.clear) {
        history = [];
        void o.onClearHistory();
        update();
      } else if (item?.entry) {
        finish(item.entry);
      }
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}
