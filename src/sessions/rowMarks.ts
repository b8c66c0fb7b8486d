// How a row of the Connections or Servers view says a connection is recorded or repeating, and its counters.
import * as vscode from 'vscode';
import { formatBytes } from '../core/format';
import { Marks } from '../state/connectionMarks';

/** Appended to a row's description. */
export function markText(m: Marks): string {
  return (m.recorder ? ` · ${vscode.l10n.t('recording')}` : '') + (m.repeater ? ` · ${vscode.l10n.t('repeating ×{0}', m.repeater.count)}` : '');
}

/** Lines for a row's tooltip. */
export function markLines(m: Marks): string[] {
  const out: string[] = [];
  if (m.recorder) {
    out.push(vscode.l10n.t('Recording into {0} ({1} so far)', m.recorder.file, formatBytes(m.recorder.bytes)));
  }
  if (m.repeater) {
    out.push(vscode.l10n.t('Repeating every {0} ms, sent {1} times', m.repeater.options.everyMs, m.repeater.count));
  }
  if (m.lineEnding) {
    out.push(vscode.l10n.t('Line ending: {0}', m.lineEnding));
  }
  return out;
}

export function counterText(c: { bytesIn: number; bytesOut: number; chunksIn: number; chunksOut: number }): string {
  return vscode.l10n.t('In: {0} in {1} chunks · Out: {2} in {3} chunks', formatBytes(c.bytesIn), c.chunksIn, formatBytes(c.bytesOut), c.chunksOut);
}
