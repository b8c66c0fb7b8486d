// The conversation timeline of one connection: what each endpoint's program wrote and what its `recv`
// got (chunks, not packets on the wire), with connect, FIN, RST, errors and the provoke actions marked.
// Where both ends are observed (our client to our server, the relay's legs) every read is paired with
// the writes it carried bytes of, by stream offset: "3 sends → 1 recv" is measured, not guessed.
// Memory is bounded: past `maxEvents` the oldest events are folded into per-stream counters.
import { Emitter } from '../events';

/** A lane is one endpoint (0 = the connecting side, 1 = the accepting side; a relay adds a middle one). */
export type Lane = number;

export interface ChunkEvent {
  kind: 'write' | 'read';
  seq: number;
  /** ms since the timeline started. */
  t: number;
  /** The writer's lane and the reader's lane: the bytes flow from → to. */
  from: Lane;
  to: Lane;
  size: number;
  /** Where the chunk starts in its stream (from → to), counted from the first byte. */
  offset: number;
  /** The first bytes of the chunk (at most PREVIEW_BYTES). */
  head: Buffer;
}

export type MarkKind =
  | 'connect' // lane connected to `peer`; `ms` = how long the connect took (when known)
  | 'fin' // lane sent FIN (shutdown(SHUT_WR) / end()): its peer's recv returns 0
  | 'rst' // lane sent a reset (or, with `seenBy`, a reset arrived there)
  | 'error' // an error with its errno code on lane
  | 'close' // the lane's socket closed
  | 'pause' // lane stopped reading (`queued` bytes waiting)
  | 'resume'
  | 'noDelay' // Nagle off (`on` = true means setNoDelay(true))
  | 'action'; // a provoke action, `text` names it

export interface MarkEvent {
  kind: MarkKind;
  seq: number;
  t: number;
  lane: Lane;
  peer?: Lane;
  ms?: number;
  code?: string;
  message?: string;
  queued?: number;
  on?: boolean;
  /** An action's words in English (the JSON export, reports); `say` and `n` let a view say it in its language. */
  text?: string;
  /** Which provoke action (`n` pieces `ms` apart, or `n` messages together). */
  say?: 'pieces' | 'together';
  n?: number;
}

export type TimelineEvent = ChunkEvent | MarkEvent;

/** A reset seen arriving (it has the receiver's errno) whose sending was already marked: not drawn twice. */
export function isRstEcho(timeline: Timeline, e: MarkEvent): boolean {
  return (
    e.kind === 'rst' && e.code !== undefined && timeline.events.some((x) => x.kind === 'rst' && x.seq < e.seq && x.lane === e.lane && (x as MarkEvent).code === undefined)
  );
}

export function isChunk(e: TimelineEvent): e is ChunkEvent {
  return e.kind === 'read' || e.kind === 'write';
}

/** Chunks and bytes folded away when the event list was full, per stream `from>to`. */
export interface Summary {
  events: number;
  chunks: number;
  bytes: number;
  untilT: number;
}

export interface TimelineOptions {
  /** One label per lane, e.g. ['127.0.0.1:51234 (session 3)', '127.0.0.1:7']. */
  lanes: string[];
  /** Events kept in detail; default 2000. */
  maxEvents?: number;
  /** How chunk text is decoded when drawn; default utf-8. */
  encoding?: string;
  /** Clock (ms); default Date.now. */
  now?: () => number;
}

export const PREVIEW_BYTES = 64;
export const DEFAULT_MAX_EVENTS = 2000;

export class Timeline {
  readonly lanes: string[];
  readonly startedAt: number;
  encoding: string;
  private readonly maxEvents: number;
  private readonly now: () => number;
  private readonly list: TimelineEvent[] = [];
  private head = 0;
  private nextSeq = 1;
  /** Bytes written / read so far per stream key `from>to`. */
  private readonly written = new Map<string, number>();
  private readonly readBytes = new Map<string, number>();
  readonly summary: Summary = { events: 0, chunks: 0, bytes: 0, untilT: 0 };
  private index?: { seq: number; map: Map<string, ChunkEvent[]> };
  private readonly _onDidChange = new Emitter<TimelineEvent>();
  /** Fires for every new event. */
  readonly onDidChange = this._onDidChange.event;

  constructor(options: TimelineOptions) {
    this.lanes = [...options.lanes];
    this.maxEvents = Math.max(10, options.maxEvents ?? DEFAULT_MAX_EVENTS);
    this.encoding = options.encoding ?? 'utf-8';
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** The events kept in detail, oldest first. */
  get events(): readonly TimelineEvent[] {
    return this.head === 0 ? this.list : this.list.slice(this.head);
  }

  get size(): number {
    return this.list.length - this.head;
  }

  /** Bytes written so far on the stream from → to (all of them, summarized ones too). */
  bytesWritten(from: Lane, to: Lane): number {
    return this.written.get(`${from}>${to}`) ?? 0;
  }

  bytesRead(from: Lane, to: Lane): number {
    return this.readBytes.get(`${from}>${to}`) ?? 0;
  }

  /** `from` wrote bytes toward `to` (the program's send()). */
  write(from: Lane, to: Lane, bytes: Uint8Array, at?: number): ChunkEvent {
    return this.chunk('write', from, to, bytes, this.written, at);
  }

  /** `to`'s recv got bytes that `from` sent. */
  read(from: Lane, to: Lane, bytes: Uint8Array, at?: number): ChunkEvent {
    return this.chunk('read', from, to, bytes, this.readBytes, at);
  }

  mark(kind: MarkKind, lane: Lane, extra: Omit<Partial<MarkEvent>, 'kind' | 'seq' | 't' | 'lane'> & { at?: number } = {}): MarkEvent {
    const { at, ...rest } = extra;
    const e: MarkEvent = { kind, seq: this.nextSeq++, t: this.time(at), lane, ...rest };
    this.push(e);
    return e;
  }

  /** The writes (still kept) whose bytes a read carried; empty when the writer is not observed. */
  writesOf(read: ChunkEvent): ChunkEvent[] {
    return this.overlapping('write', read);
  }

  /** The reads (still kept) that got bytes of a write. */
  readsOf(write: ChunkEvent): ChunkEvent[] {
    return this.overlapping('read', write);
  }

  /** Chunks of `kind` on c's stream overlapping c's bytes: a binary search in the stream's chunks, by offset. */
  private overlapping(kind: 'write' | 'read', c: ChunkEvent): ChunkEvent[] {
    const list = this.streamIndex().get(`${kind}:${c.from}>${c.to}`) ?? [];
    const end = c.offset + c.size;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].offset + list[mid].size <= c.offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const out: ChunkEvent[] = [];
    for (let i = lo; i < list.length && list[i].offset < end; i++) {
      if (list[i].size > 0) {
        out.push(list[i]);
      }
    }
    return out;
  }

  /** The kept chunks per kind and stream, in offset order; rebuilt when events were added since. */
  private streamIndex(): Map<string, ChunkEvent[]> {
    if (this.index?.seq !== this.nextSeq) {
      const map = new Map<string, ChunkEvent[]>();
      for (const e of this.events) {
        if (isChunk(e)) {
          const key = `${e.kind}:${e.from}>${e.to}`;
          const list = map.get(key);
          if (list) {
            list.push(e);
          } else {
            map.set(key, [e]);
          }
        }
      }
      this.index = { seq: this.nextSeq, map };
    }
    return this.index.map;
  }

  /** True when writes on from → to are observed (so reads can be paired with them). */
  seesWrites(from: Lane, to: Lane): boolean {
    return this.written.has(`${from}>${to}`);
  }

  seesReads(from: Lane, to: Lane): boolean {
    return this.readBytes.has(`${from}>${to}`);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }

  private chunk(kind: 'write' | 'read', from: Lane, to: Lane, bytes: Uint8Array, counter: Map<string, number>, at?: number): ChunkEvent {
    const key = `${from}>${to}`;
    const offset = counter.get(key) ?? 0;
    counter.set(key, offset + bytes.length);
    const head = Buffer.from(bytes.subarray(0, PREVIEW_BYTES));
    const e: ChunkEvent = { kind, seq: this.nextSeq++, t: this.time(at), from, to, size: bytes.length, offset, head };
    this.push(e);
    return e;
  }

  private time(at?: number): number {
    return Math.max(0, (at ?? this.now()) - this.startedAt);
  }

  private push(e: TimelineEvent): void {
    this.list.push(e);
    while (this.list.length - this.head > this.maxEvents) {
      const old = this.list[this.head++];
      this.summary.events++;
      this.summary.untilT = old.t;
      if (old.kind === 'read' || (old.kind === 'write' && !this.seesReads(old.from, old.to))) {
        this.summary.chunks++;
        this.summary.bytes += old.size;
      }
    }
    // Compact now and then, so the dropped head does not hold memory.
    if (this.head > this.maxEvents) {
      this.list.splice(0, this.head);
      this.head = 0;
    }
    this._onDidChange.fire(e);
  }
}
