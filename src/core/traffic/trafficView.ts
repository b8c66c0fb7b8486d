// How a traffic document lays out the ring's entries: as text lines, as a hex dump (offset, hex, ASCII), or
// as hex with the decoded text beside it. The ring keeps each chunk's bytes, so switching layouts only
// re-renders; nothing is lost. vscode-free, so the unit tests render exactly what the documents show.
import { createDecoder } from '../codec';
import { HEX_ROW_BYTES, hexRow } from './hexView';
import { TrafficEntry, formatEntry } from './trafficLog';

export const LAYOUTS = ['text', 'hex', 'textAndHex'] as const;
export type TrafficLayout = (typeof LAYOUTS)[number];

/**
 * `full`: the general log (time, source, arrow, peer, data); `peer`: a server's document (time, arrow,
 * client, data); `compact`: one connection's own document (time, arrow, data), whose title names the peer.
 */
export type LineStyle = 'full' | 'peer' | 'compact';

export function isLayout(x: unknown): x is TrafficLayout {
  return typeof x === 'string' && (LAYOUTS as readonly string[]).includes(x);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatTime(time: number): string {
  const t = new Date(time);
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
}

function arrowOf(e: TrafficEntry): string {
  return e.direction === 'in' ? '←' : e.direction === 'out' ? '→' : '·';
}

/** The line heading an entry, in the given style, followed by `rest`. */
function head(e: TrafficEntry, style: LineStyle, rest: string): string {
  if (style === 'full') {
    return formatEntry({ ...e, text: rest });
  }
  const who = style === 'peer' ? ` ${e.peer}` : '';
  return `${formatTime(e.time)}  ${arrowOf(e)}${who}  ${rest}`;
}

/** Printable characters of decoded text; control characters as '.', so a row stays one line. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '.');
}

/** A row with the decoded text in place of the ASCII column; a character split across rows shows on the row it ends in. */
function textRows(bytes: Buffer, decode: (b: Buffer) => string): string[] {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += HEX_ROW_BYTES) {
    const part = bytes.subarray(i, i + HEX_ROW_BYTES);
    const hex = hexRow(i, part);
    rows.push(`${hex.slice(0, hex.indexOf('|'))}|${printable(decode(part))}|`);
  }
  return rows;
}

/** The rows of one data entry under the given layout (not `text`). */
export function dumpRows(e: TrafficEntry, layout: 'hex' | 'textAndHex'): string[] {
  const bytes = e.bytes ?? Buffer.alloc(0);
  let rows: string[];
  if (layout === 'hex') {
    rows = [];
    for (let i = 0; i < bytes.length; i += HEX_ROW_BYTES) {
      rows.push(hexRow(i, bytes.subarray(i, i + HEX_ROW_BYTES)));
    }
  } else {
    const d = createDecoder(e.encoding === undefined || e.encoding === 'hex' ? 'utf-8' : e.encoding);
    rows = textRows(bytes, (b) => d.write(b));
    const rest = d.end();
    if (rest && rows.length) {
      rows[rows.length - 1] = rows[rows.length - 1].replace(/\|$/, `${printable(rest)}|`);
    }
  }
  const cut = (e.size ?? bytes.length) - bytes.length;
  if (cut > 0) {
    rows.push(`… (+${cut} B)`);
  }
  return rows.map((r) => `    ${r}`);
}

/** The document text for these entries; `empty` when there are none. */
export function renderEntries(entries: readonly TrafficEntry[], layout: TrafficLayout, style: LineStyle, empty: string): string {
  if (entries.length === 0) {
    return empty + '\n';
  }
  const lines: string[] = [];
  for (const e of entries) {
    if (layout === 'text' || e.direction === 'note' || !e.bytes) {
      lines.push(head(e, style, e.text));
    } else {
      lines.push(head(e, style, `${e.size ?? e.bytes.length} B`), ...dumpRows(e, layout));
    }
  }
  return lines.join('\n') + '\n';
}
