// The traffic log: what went over each server and session, for a person to read. A ring buffer of
// entries, because a log that only grows would turn a gigabyte of echo into a gigabyte of text. Memory
// stays flat: at most MAX_ENTRIES entries, each chunk cut to PREVIEW_BYTES, and past PER_SECOND chunks a
// second per source the rest is only counted ("… 1234 chunks, 80 MB not shown").
import { EncodingName, createDecoder, hexDump } from '../codec';
import { Disposable, Emitter } from '../events';
import { formatBytes } from '../format';
import { Throttle } from '../throttle';

export const MAX_ENTRIES = 2000;
export const PREVIEW_BYTES = 256;
export const PER_SECOND = 50;

export type Direction = 'in' | 'out' | 'note';

export interface TrafficEntry {
  time: number;
  /** `server:<id>` or `session:<id>`. */
  source: string;
  sourceLabel: string;
  peer: string;
  direction: Direction;
  text: string;
  /** A data chunk's first PREVIEW_BYTES (a copy), so a view can re-render it as hex or text. */
  bytes?: Buffer;
  /** The chunk's full length (bytes may be cut). */
  size?: number;
  encoding?: EncodingName;
}

/** The sentences the log writes itself; the extension passes localized ones. */
export interface TrafficTexts {
  skipped(chunks: number, size: string): string;
  empty(): string;
}

const ENGLISH: TrafficTexts = {
  skipped: (chunks, size) => `… ${chunks} more chunks (${size}) not shown`,
  empty: () => 'No traffic yet. Start a server or connect, then send something.',
};

interface Budget {
  second: number;
  count: number;
  skippedChunks: number;
  skippedBytes: number;
  sourceLabel: string;
  peer: string;
}

export class TrafficLog implements Disposable {
  private readonly ring: (TrafficEntry | undefined)[] = new Array(MAX_ENTRIES);
  private next = 0;
  private size = 0;
  private readonly budgets = new Map<string, Budget>();
  private flushTimer?: ReturnType<typeof setTimeout>;
  private readonly _onDidChange = new Emitter<void>();
  /** Fires at most twice a second. */
  readonly onDidChange = this._onDidChange.event;
  private readonly changed = new Throttle(() => this._onDidChange.fire(), 500);
  /** Chunks previewed and chunks only counted, since the start. */
  readonly counts = { previewed: 0, skipped: 0 };

  constructor(
    private readonly texts: TrafficTexts = ENGLISH,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records one chunk; cheap when over budget (only counts). `decoded` is the chunk's text from the
   * connection's stream decoder, so a character split across chunks shows whole in the entry that completes it.
   */
  record(source: string, sourceLabel: string, peer: string, direction: 'in' | 'out', bytes: Buffer, encoding: EncodingName, decoded?: string): void {
    const now = this.now();
    const second = Math.floor(now / 1000);
    let b = this.budgets.get(source);
    if (!b) {
      b = { second, count: 0, skippedChunks: 0, skippedBytes: 0, sourceLabel, peer };
      this.budgets.set(source, b);
    }
    if (b.second !== second) {
      this.flushSkipped(source, b);
      b.second = second;
      b.count = 0;
    }
    if (b.count >= PER_SECOND) {
      b.skippedChunks++;
      b.skippedBytes += bytes.length;
      b.peer = peer;
      this.counts.skipped++;
      this.scheduleFlush();
      return;
    }
    b.count++;
    this.counts.previewed++;
    // A copy: the entry must not pin the caller's (possibly large) chunk.
    const head = Buffer.from(bytes.subarray(0, PREVIEW_BYTES));
    this.push({ time: now, source, sourceLabel, peer, direction, text: preview(bytes, encoding, decoded), bytes: head, size: bytes.length, encoding });
  }

  /** A line that is not data: connected, closed, refused. */
  note(source: string, sourceLabel: string, peer: string, text: string): void {
    this.push({ time: this.now(), source, sourceLabel, peer, direction: 'note', text });
  }

  entries(source?: string): TrafficEntry[] {
    const out: TrafficEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.next - this.size + i + MAX_ENTRIES) % MAX_ENTRIES];
      if (e && (source === undefined || e.source === source)) {
        out.push(e);
      }
    }
    return out;
  }

  render(source?: string): string {
    const lines = this.entries(source).map(formatEntry);
    if (lines.length === 0) {
      return this.texts.empty() + '\n';
    }
    return lines.join('\n') + '\n';
  }

  /** Forgets the rate-limit state of a source that is gone. */
  forget(source: string): void {
    const b = this.budgets.get(source);
    if (b) {
      this.flushSkipped(source, b);
      this.budgets.delete(source);
    }
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.changed.dispose();
    this._onDidChange.dispose();
  }

  private push(e: TrafficEntry): void {
    this.ring[this.next] = e;
    this.next = (this.next + 1) % MAX_ENTRIES;
    this.size = Math.min(this.size + 1, MAX_ENTRIES);
    this.changed.schedule();
  }

  private flushSkipped(source: string, b: Budget): void {
    if (b.skippedChunks > 0) {
      const text = this.texts.skipped(b.skippedChunks, formatBytes(b.skippedBytes));
      b.skippedChunks = 0;
      b.skippedBytes = 0;
      this.note(source, b.sourceLabel, b.peer, text);
    }
  }

  /** A flood that stops mid-second still gets its "not shown" line. */
  private scheduleFlush(): void {
    if (this.flushTimer) {
      return;
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const second = Math.floor(this.now() / 1000);
      for (const [source, b] of this.budgets) {
        if (b.second !== second) {
          this.flushSkipped(source, b);
        } else if (b.skippedChunks > 0) {
          this.scheduleFlush();
        }
      }
    }, 1000);
  }
}

/**
 * Up to PREVIEW_BYTES in the encoding, control characters escaped, the rest counted. Bytes that are not
 * text in the encoding (a binary file, say) are shown as a hex dump instead of mojibake.
 */
export function preview(bytes: Buffer, encoding: EncodingName, decoded?: string): string {
  const head = bytes.subarray(0, PREVIEW_BYTES);
  let text: string;
  if (decoded !== undefined && encoding !== 'hex') {
    text = decoded.slice(0, PREVIEW_BYTES);
  } else {
    const d = createDecoder(encoding);
    text = d.write(head) + d.end();
  }
  if (encoding !== 'hex') {
    if (looksBinary(text)) {
      const shown = head.subarray(0, PREVIEW_BYTES / 4);
      return `[hex] ${hexDump(shown)}${bytes.length > shown.length ? ` … (+${bytes.length - shown.length} B)` : ''}`;
    }
    text = JSON.stringify(text).slice(1, -1);
  }
  const rest = bytes.length - head.length;
  return rest > 0 ? `${text} … (+${rest} B)` : text;
}

/** Undecodable bytes (other than a character cut at the end of the chunk) or mostly control characters. */
export function looksBinary(text: string): boolean {
  const body = text.slice(0, -2);
  if (body.includes('\ufffd')) {
    return true;
  }
  const controls = text.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls > text.length / 10;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `hh:mm:ss.mmm  label ← peer  text`: ← came to us from the peer, → we sent, · a note. */
export function formatEntry(e: TrafficEntry): string {
  const t = new Date(e.time);
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
  const arrow = e.direction === 'in' ? '←' : e.direction === 'out' ? '→' : '·';
  return `${time}  ${e.sourceLabel} ${arrow} ${e.peer}  ${e.text}`;
}
