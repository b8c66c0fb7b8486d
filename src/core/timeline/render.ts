// Draws a timeline as a self-contained SVG (no scripts, no remote resources): one vertical lane per
// endpoint, time flowing down, an arrow per chunk a program's recv got (or per send whose reader is not
// observed), the writes each read carried drawn into it, FIN / RST / errors marked and the notes beside
// them. A plain function of the model, so the webview, the CLI and the `.tcp` HTML report draw the same.
import { TextDecoder } from 'node:util';
import { ChunkEvent, MarkEvent, Timeline, TimelineEvent, isChunk, isRstEcho } from './timeline';
import { Note, explain } from './explain';
import { TIMELINE_STRINGS, TimelineStrings, fill } from './strings';
import { RowCache } from './rowCache';

export interface RenderOptions {
  /** Sentences to use (the editor passes localized ones); default English. */
  strings?: TimelineStrings;
  /** Show chunk data as hex instead of text. */
  hex?: boolean;
  /** Draw only the newest N events (the rest is summarized in one line). */
  last?: number;
  /** An idle gap longer than this (ms) gets its own row; default 1000. */
  gapMs?: number;
  /** Events whose row is highlighted (a `.tcp` block's failed step). */
  highlight?: ReadonlySet<number>;
  /** A live view's rows kept between redraws: only rows that changed are drawn again. */
  cache?: RowCache;
}

const ROW = 30;
const TIME_W = 120;
const LANE_GAP = 320;
const NOTE_W = 420;
const TOP = 70;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** Escapes text for the SVG; most labels have nothing to escape and are returned as they are. */
const esc = (s: string): string => (/[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => ENTITIES[c]) : s);

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The first bytes of a chunk as printable text (control bytes as ·) or hex. */
export function previewOf(e: ChunkEvent, hex: boolean, encoding: string): string {
  const more = e.size > e.head.length ? '…' : '';
  if (hex) {
    return e.head.toString('hex', 0, 16).replace(/(..)(?=.)/g, '$1 ') + (e.head.length > 16 || more ? ' …' : '');
  }
  // Node decodes UTF-8 itself faster than a TextDecoder; other encodings go through one.
  const decoder = /^utf-?8$/i.test(encoding) ? undefined : decoderFor(encoding);
  let text = decoder ? decoder.decode(e.head) : e.head.toString(/^utf-?8$/i.test(encoding) ? 'utf8' : 'latin1');
  text = text.replace(/[\u0000-\u001f\u007f]/g, '·');
  return (text.length > 28 ? text.slice(0, 28) + '…' : text + more) || '';
}

const decoders = new Map<string, TextDecoder | undefined>();

/** One decoder per encoding (making one per chunk costs more than the drawing); undefined: latin1. */
function decoderFor(encoding: string): TextDecoder | undefined {
  if (!decoders.has(encoding)) {
    let d: TextDecoder | undefined;
    try {
      d = encoding === 'hex' ? undefined : new TextDecoder(encoding, { fatal: false });
    } catch {
      d = undefined;
    }
    decoders.set(encoding, d);
  }
  return decoders.get(encoding);
}

/** A drawing in parts, for a live view that sends only what changed: the frame and one row per event. */
export interface DrawnRows {
  width: number;
  height: number;
  /** Background, the honest note, the lanes and the summary line: redrawn every time (small). */
  head: string;
  /** One row per drawn event at y = 0 (an idle gap before it at y = -ROW), to be placed at `y`. */
  rows: { seq: number; y: number; svg: string }[];
}

export function renderSvg(timeline: Timeline, options: RenderOptions = {}): string {
  return svgOf(drawRows(timeline, options));
}

/** The whole SVG of a drawing in parts. */
export function svgOf(d: DrawnRows): string {
  return [
    svgOpen(d),
    `<style>${TIMELINE_CSS}</style>`,
    `<defs>${MARKERS}</defs>`,
    `<g class="head">${d.head}</g>`,
    `<g class="rows">`,
    ...d.rows.map(placeRow),
    '</g>',
    '</svg>',
  ].join('\n');
}

export const svgOpen = (d: { width: number; height: number }): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" class="tcp-timeline" width="${d.width}" height="${d.height}" viewBox="0 0 ${d.width} ${d.height}">`;

/** A row moved into place; `data-seq` lets a live view find it again. */
export const placeRow = (r: DrawnRows['rows'][number]): string => `<g transform="translate(0,${r.y})" data-seq="${r.seq}">${r.svg}</g>`;

export function drawRows(timeline: Timeline, options: RenderOptions = {}): DrawnRows {
  const s = options.strings ?? TIMELINE_STRINGS;
  const all = timeline.events;
  const shown = options.last !== undefined && all.length > options.last ? all.slice(all.length - options.last) : all;
  const hidden = all.length - shown.length + timeline.summary.events;
  const notes = new Map<number, Note[]>();
  for (const n of explain(timeline, shown)) {
    notes.set(n.seq, [...(notes.get(n.seq) ?? []), n]);
  }
  const laneX = (l: number) => TIME_W + 40 + l * LANE_GAP;
  const lanesW = laneX(Math.max(0, timeline.lanes.length - 1)) + 40;
  const width = lanesW + NOTE_W;
  options.cache?.begin(s, options.hex === true, timeline.encoding);
  const rows: DrawnRows['rows'] = [];
  const rowOf = new Map<number, number>();
  let y = TOP;
  let prevT: number | undefined;
  const summary = hidden > 0 ? `<text class="summary" x="${TIME_W}" y="${y}">${esc(fill(s.summarized, hidden))}</text>` : '';
  if (hidden > 0) {
    y += ROW;
  }
  for (const e of shown) {
    if (prevT !== undefined && e.t - prevT > (options.gapMs ?? 1000)) {
      y += ROW;
    }
    rowOf.set(e.seq, y);
    const lines = (notes.get(e.seq) ?? []).map((n) => fill(s.notes[n.code], ...n.args));
    // Each row is drawn at y = 0 and moved into place, so a live view's RowCache can reuse it as the window moves.
    const pairs = isChunk(e) && e.kind === 'read' ? pairRows(timeline, e, rowOf).map((wy) => wy - y) : [];
    const prev = prevT;
    const draw = () => drawRow(timeline, e, prev, pairs, lines, laneX, lanesW, options, s);
    let row: string;
    if (options.cache) {
      // What the row shows beyond the event itself: the previous time, its notes, pairings, whether it is drawn as a send or an echo.
      const state = isChunk(e) ? (e.kind === 'write' ? String(timeline.seesReads(e.from, e.to)) : pairs.join(',')) : e.kind === 'rst' ? String(isRstEcho(timeline, e)) : '';
      const lit = options.highlight?.has(e.seq) ? '!' : '';
      row = options.cache.row(e.seq, `${lit}${prev}|${state}|${lines.join('\n')}`, draw);
    } else {
      row = draw();
    }
    rows.push({ seq: e.seq, y, svg: row });
    y += ROW + Math.max(0, lines.length - 1) * 14;
    prevT = e.t;
  }
  options.cache?.end();
  const height = y + 20;
  const lanes = timeline.lanes
    .map((label, i) => {
      const x = laneX(i);
      return `<text class="lane" x="${x}" y="24" text-anchor="middle">${esc(label)}</text><line class="laneLine" x1="${x}" y1="34" x2="${x}" y2="${height - 10}"/>`;
    })
    .join('');
  const head = [`<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`, `<text class="honest" x="8" y="50">${esc(s.honest)}</text>`, lanes, summary].join('\n');
  return { width, height, head, rows };
}

/** The rows (y) of the writes a read carried bytes of, where they are drawn. */
function pairRows(timeline: Timeline, e: ChunkEvent, rowOf: Map<number, number>): number[] {
  return timeline
    .writesOf(e)
    .map((w) => rowOf.get(w.seq))
    .filter((r): r is number => r !== undefined);
}

/** One event's row at y = 0: its time, Δ since the previous event, the arrow or mark, its notes. */
function drawRow(
  timeline: Timeline,
  e: TimelineEvent,
  prevT: number | undefined,
  pairs: number[],
  lines: string[],
  laneX: (l: number) => number,
  lanesW: number,
  options: RenderOptions,
  s: TimelineStrings,
): string {
  const out: string[] = [];
  if (options.highlight?.has(e.seq)) {
    out.push(`<rect class="failedRow" x="0" y="${-ROW / 2}" width="${lanesW + NOTE_W}" height="${ROW}"/>`);
  }
  out.push(`<text class="time" x="8" y="4">+${esc(formatMs(e.t))}</text>`);
  if (prevT !== undefined && e.t - prevT > (options.gapMs ?? 1000)) {
    out.push(`<text class="gap" x="${TIME_W + 40}" y="${-ROW}">${esc(fill(s.idle, formatMs(e.t - prevT)))}</text>`);
  }
  if (prevT !== undefined) {
    out.push(`<text class="delta" x="8" y="16">Δ ${esc(formatMs(e.t - prevT))}</text>`);
  }
  out.push(isChunk(e) ? drawChunk(timeline, e, 0, laneX, pairs, options, s) : drawMark(timeline, e, 0, laneX, s));
  lines.forEach((line, i) => out.push(`<text class="note" x="${lanesW + 10}" y="${4 + i * 14}">${esc(line)}</text>`));
  return out.join('');
}

function drawChunk(timeline: Timeline, e: ChunkEvent, y: number, laneX: (l: number) => number, pairs: number[], options: RenderOptions, s: TimelineStrings): string {
  const x1 = laneX(e.from);
  const x2 = laneX(e.to);
  const dir = x2 > x1 ? 1 : -1;
  const label = `${formatBytes(e.size)}  ${previewOf(e, options.hex === true, timeline.encoding)}`;
  const mid = (x1 + x2) / 2;
  const text = `<text class="size" x="${mid}" y="${y - 5}" text-anchor="middle">${esc(label)}</text>`;
  const title = `<title>${esc(previewOf(e, true, timeline.encoding))}</title>`;
  if (e.kind === 'write' && timeline.seesReads(e.from, e.to)) {
    // The reader is observed: the write is a dot on its lane, drawn into the reads it became.
    return `<g class="send" data-size="${e.size}" data-from="${e.from}"><circle cx="${x1}" cy="${y}" r="4"/><text class="sendLabel" x="${x1 + dir * 8}" y="${y + 4}" text-anchor="${dir > 0 ? 'start' : 'end'}">${esc(fill(s.send, formatBytes(e.size)))}</text>${title}</g>`;
  }
  const lines = pairs.map((wy) => `<line class="pair" x1="${x1}" y1="${wy}" x2="${x2}" y2="${y}"/>`).join('');
  const cls = e.kind === 'read' ? 'chunk recv' : 'chunk unread';
  const main = `<line class="arrow" x1="${x1}" y1="${y}" x2="${x2 - dir * 2}" y2="${y}" marker-end="url(#tl-a)"/>`;
  return `<g class="${cls}" data-kind="${e.kind}" data-size="${e.size}" data-from="${e.from}" data-to="${e.to}">${lines}${main}${text}${title}</g>`;
}

function drawMark(timeline: Timeline, e: MarkEvent, y: number, laneX: (l: number) => number, s: TimelineStrings): string {
  const x = laneX(e.lane);
  const peer = e.peer ?? (e.lane === 0 ? 1 : 0);
  const px = laneX(Math.min(peer, timeline.lanes.length - 1));
  const arrow = (cls: string, label: string) =>
    `<g class="mark ${cls}" data-kind="${e.kind}"><line class="arrow" x1="${x}" y1="${y}" x2="${px}" y2="${y}" marker-end="url(#tl-${cls})"/><text x="${(x + px) / 2}" y="${y - 5}" text-anchor="middle">${esc(label)}</text></g>`;
  const tag = (cls: string, label: string) => `<g class="mark ${cls}" data-kind="${e.kind}"><text x="${x}" y="${y + 4}" text-anchor="middle">${esc(label)}</text></g>`;
  switch (e.kind) {
    case 'connect':
      return arrow('connect', e.ms !== undefined ? fill(s.connectIn, formatMs(e.ms)) : s.connect);
    case 'fin':
      return arrow('fin', s.fin);
    case 'rst':
      // Seen arriving after we drew it leaving: the receiver's errno on its lane, not a second arrow.
      return isRstEcho(timeline, e)
        ? `<g class="mark rstSeen" data-kind="rst"><text x="${px}" y="${y + 4}" text-anchor="middle">${esc(e.code ?? '')}</text></g>`
        : arrow('rst', s.rst);
    case 'error':
      return tag('error', `${e.code ?? ''} ${e.message ?? ''}`.trim());
    case 'close':
      return tag('close', s.closed);
    case 'pause':
      return tag('pause', fill(s.paused, formatBytes(e.queued ?? 0)));
    case 'resume':
      return tag('resume', s.resumed);
    case 'noDelay':
      return tag('nodelay', e.on ? s.nagleOff : s.nagleOn);
    default:
      return tag('action', actionText(e, s));
  }
}

/** A provoke action in the view's language; any other action as its own words. */
function actionText(e: MarkEvent, s: TimelineStrings): string {
  if (e.say === 'pieces') {
    return fill(s.sendPieces, e.n ?? 0, e.ms ?? 0);
  }
  return e.say === 'together' ? fill(s.sendTogether, e.n ?? 0) : (e.text ?? '');
}

/** A self-contained HTML page around the SVG (for export and reports). */
export function renderHtml(timeline: Timeline, options: RenderOptions = {}, title = 'TCP timeline'): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="margin:0;background:#fff">${renderSvg(timeline, options)}</body></html>`;
}

export type { TimelineEvent };

const MARKERS = Object.entries({ a: '#0969da', fin: '#1a7f37', rst: '#cf222e', connect: '#8250df' })
  .map(
    ([id, color]) =>
      `<marker id="tl-${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
  )
  .join('');

/** The drawing's rules, also for pages whose CSP refuses the SVG's own <style> (the webview). */
export const TIMELINE_CSS = `
.bg{fill:#ffffff}
text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;fill:#1f2328}
.lane{font-weight:bold;font-size:12px}
.laneLine{stroke:#8c959f;stroke-width:2}
.honest{fill:#57606a;font-style:italic}
.time{fill:#57606a}.delta{fill:#8c959f;font-size:10px}
.arrow{stroke:#0969da;stroke-width:1.6}
.chunk.unread .arrow{stroke-dasharray:5 3}
.pair{stroke:#54aeff;stroke-width:1;stroke-dasharray:2 2}
.send circle{fill:#0969da}.sendLabel{fill:#0969da}
.note{fill:#9a6700}
.mark.fin .arrow{stroke:#1a7f37}.mark.fin text{fill:#1a7f37;font-weight:bold}
.mark.rst .arrow{stroke:#cf222e;stroke-width:2.5}.mark.rst text{fill:#cf222e;font-weight:bold}
.mark.error text,.mark.rstSeen text{fill:#cf222e}
.mark.connect .arrow{stroke:#8250df}.mark.connect text{fill:#8250df}
.mark.action text,.mark.pause text,.mark.resume text,.mark.nodelay text,.mark.close text{fill:#57606a;font-style:italic}
.gap,.summary{fill:#8c959f;font-style:italic}
.failedRow{fill:#ffebe9;stroke:#cf222e}
`;
