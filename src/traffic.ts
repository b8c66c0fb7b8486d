// The traffic log: what went over each server and session, for a person to read. It is a ring buffer
// of entries shown as a read-only virtual document (`tcp-traffic:`), not an output channel, because an
// output channel only grows: a gigabyte of echo would become a gigabyte of text. Here memory stays flat:
// at most MAX_ENTRIES entries, each chunk cut to PREVIEW_BYTES, and past PER_SECOND chunks a second per
// source the rest is only counted ("… 1234 chunks, 80 MB not shown").
import * as vscode from 'vscode';
import { EncodingName, createDecoder, hexDump } from './core/codec';
import { formatBytes } from './format';
import { Throttle } from './throttle';

export const TRAFFIC_SCHEME = 'tcp-traffic';
const MAX_ENTRIES = 2000;
const PREVIEW_BYTES = 256;
const PER_SECOND = 50;

export type Direction = 'in' | 'out' | 'note';

export interface TrafficEntry {
  time: number;
  /** `server:<id>` or `session:<id>`. */
  source: string;
  sourceLabel: string;
  peer: string;
  direction: Direction;
  text: string;
}

interface Budget {
  second: number;
  count: number;
  skippedChunks: number;
  skippedBytes: number;
  sourceLabel: string;
  peer: string;
}

export class TrafficLog implements vscode.Disposable {
  private readonly ring: (TrafficEntry | undefined)[] = new Array(MAX_ENTRIES);
  private next = 0;
  private size = 0;
  private readonly budgets = new Map<string, Budget>();
  private flushTimer?: ReturnType<typeof setTimeout>;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  /** Fires at most a few times a second. */
  readonly onDidChange = this._onDidChange.event;
  private readonly changed = new Throttle(() => this._onDidChange.fire(), 500);

  /** Records one chunk; cheap when over budget (only counts). */
  record(source: string, sourceLabel: string, peer: string, direction: 'in' | 'out', bytes: Buffer, encoding: EncodingName): void {
    const now = Date.now();
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
      this.scheduleFlush();
      return;
    }
    b.count++;
    this.push({ time: now, source, sourceLabel, peer, direction, text: preview(bytes, encoding) });
  }

  /** A line that is not data: connected, closed, refused. */
  note(source: string, sourceLabel: string, peer: string, text: string): void {
    this.push({ time: Date.now(), source, sourceLabel, peer, direction: 'note', text });
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
      return vscode.l10n.t('No traffic yet. Start a server or connect, then send something.') + '\n';
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
      const text = vscode.l10n.t('… {0} more chunks ({1}) not shown', b.skippedChunks, formatBytes(b.skippedBytes));
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
      const second = Math.floor(Date.now() / 1000);
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
export function preview(bytes: Buffer, encoding: EncodingName): string {
  const head = bytes.subarray(0, PREVIEW_BYTES);
  const d = createDecoder(encoding);
  let text = d.write(head) + d.end();
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
function looksBinary(text: string): boolean {
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

function formatEntry(e: TrafficEntry): string {
  const t = new Date(e.time);
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
  // ← data that came to us from the peer, → data we sent to it.
  const arrow = e.direction === 'in' ? '←' : e.direction === 'out' ? '→' : '·';
  return `${time}  ${e.sourceLabel} ${arrow} ${e.peer}  ${e.text}`;
}

/** Serves `tcp-traffic:/<title>.log?<source>` documents from the log, refreshed while open. */
export class TrafficDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly log: TrafficLog) {
    this.sub = log.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === TRAFFIC_SCHEME) {
          this._onDidChange.fire(doc.uri);
        }
      }
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.log.render(uri.query === '' ? undefined : decodeURIComponent(uri.query));
  }

  static uri(title: string, source?: string): vscode.Uri {
    const safe = title.replace(/[\\/:*?"<>|]/g, '_');
    return vscode.Uri.from({ scheme: TRAFFIC_SCHEME, path: `/${safe}.log`, query: source === undefined ? '' : encodeURIComponent(source) });
  }

  async show(title: string, source?: string, preserveFocus = false): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(TrafficDocuments.uri(title, source));
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus, viewColumn: preserveFocus ? vscode.ViewColumn.Beside : undefined });
  }

  dispose(): void {
    this.sub.dispose();
    this._onDidChange.dispose();
  }
}
