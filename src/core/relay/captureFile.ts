// The capture's file. What the pcap writer writes is copied, while hot, into reused 1 MiB buffers
// ("arenas"), and each arena goes to the file in one write: a file write is a round trip to libuv's
// thread pool (~15 µs whatever its size), and a payload written from the relay's own buffers is
// copied by the kernel long after, from memory gone cold (three times the cost, measured).
//
// A regular file is written with positional writes, and — where the system allows it — a full arena
// goes around the page cache (O_DIRECT) from a page-aligned buffer: a capture then never fills the
// page cache with gigabytes nobody reads back, and on a virtual machine that hands freed memory back
// to its host (free page reporting), new page-cache pages cost ~1.1 ms per MiB to fault back in — more
// than the whole relay. What an arena holds before it is full still reaches the file within the
// batch time, written through the page cache at the same position: the same bytes written twice
// wherever they land first, so no write waits for another. Anything else (a pipe, a device) is
// written in order, one write at a time.
import * as fs from 'node:fs';

/** A multiple of 4096, so that full arenas start at positions direct I/O accepts. */
export const ARENA = 1024 * 1024;
/** Free arenas kept for the next batches beyond the aligned ones. */
const KEEP = 4;
const POSITIONAL_WRITES = 3;
/** At most this much in one write (a batch of arenas that follow each other). */
const BATCH_BYTES = 4 * ARENA;

interface Arena {
  buf: Buffer;
  /** From the aligned pool: may go to the file with direct I/O. */
  aligned: boolean;
  /** Its position in the file (positional mode). */
  at: number;
  used: number;
  /** Bytes of it already handed to a write. */
  shown: number;
  /** Writes reading from it. */
  writes: number;
  /** No more bytes go into it; it is reused once its writes are done. */
  retired: boolean;
}

interface Job {
  arena: Arena;
  from: number;
  to: number;
  /** null: write at the descriptor's position (in order). */
  position: number | null;
  direct: boolean;
  /** Bytes this write brings to the file for the first time. */
  fresh: number;
  /** drained() calls waiting for this job among others. */
  barriers?: Barrier[];
}

interface Barrier {
  left: number;
  resolve: () => void;
}

/** `b` starts where `a` ends, both written the same way: one write can take both. */
function follows(a: Job, b: Job): boolean {
  return a.direct === b.direct && (a.position === null ? b.position === null : b.position === a.position + (a.to - a.from));
}

type WasmMemory = new (d: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };

/** Page-aligned arenas: a WebAssembly memory is mapped by V8 on page boundaries. */
function alignedArenas(count: number): Buffer[] {
  const Memory = (globalThis as { WebAssembly?: { Memory: WasmMemory } }).WebAssembly?.Memory;
  if (!Memory || count <= 0) {
    return [];
  }
  try {
    const pages = Math.ceil((count * ARENA) / 65536);
    const buffer = new Memory({ initial: pages, maximum: pages }).buffer;
    return Array.from({ length: count }, (_, i) => Buffer.from(buffer, i * ARENA, ARENA));
  } catch {
    return [];
  }
}

export interface CaptureFileHooks {
  /** A write finished (the pending count went down). */
  written(): void;
  /** The first write error; nothing more is written. */
  failed(e: Error): void;
}

export class CaptureFile {
  private cur?: Arena;
  /** Where the next arena starts (positional mode). */
  private end = 0;
  private readonly free: Arena[] = [];
  private readonly queue: Job[] = [];
  /** Writes under way (batches). */
  private inFlight = 0;
  /** Jobs not done yet: queued or in a write under way. */
  private readonly open = new Set<Job>();
  private pendingBytes = 0;
  private error?: Error;
  private closed = false;
  private filledCount = 0;

  private constructor(
    private readonly fd: number,
    private direct: number | undefined,
    private readonly positional: boolean,
    private readonly hooks: CaptureFileHooks,
    alignedCount: number,
  ) {
    for (const buf of direct === undefined ? [] : alignedArenas(alignedCount)) {
      this.free.push({ buf, aligned: true, at: 0, used: 0, shown: 0, writes: 0, retired: true });
    }
    if (this.free.length === 0) {
      this.closeDirect();
    }
  }

  /**
   * Wraps `fd` (opened for writing by the caller, who reports its errors); `file` is opened a second
   * time for direct I/O where that works. `alignedCount` bounds the aligned arenas (the writer's mark).
   */
  static async from(fd: number, file: string, hooks: CaptureFileHooks, alignedCount: number): Promise<CaptureFile> {
    const regular = await new Promise<boolean>((resolve) => fs.fstat(fd, (e, st) => resolve(!e && st.isFile())));
    const O_DIRECT = fs.constants.O_DIRECT as number | undefined;
    let direct: number | undefined;
    if (regular && O_DIRECT) {
      direct = await new Promise<number | undefined>((resolve) => fs.open(file, fs.constants.O_WRONLY | O_DIRECT, (e, d) => resolve(e ? undefined : d)));
    }
    return new CaptureFile(fd, direct, regular, hooks, alignedCount);
  }

  /** Bytes handed in and not yet in the file. */
  get pending(): number {
    return this.pendingBytes;
  }

  /** A write is queued or under way (its callback will come). */
  get writing(): boolean {
    return this.open.size > 0;
  }

  /** Arenas filled so far. */
  get filled(): number {
    return this.filledCount;
  }

  /** True while full arenas are written around the page cache. */
  get isDirect(): boolean {
    return this.direct !== undefined;
  }

  /** Copies `b` in; every arena that fills goes to the file at once. */
  add(b: Uint8Array): void {
    if (this.error || this.closed) {
      return;
    }
    this.pendingBytes += b.length;
    for (let off = 0; off < b.length;) {
      const a = (this.cur ??= this.take());
      const n = Math.min(b.length - off, a.buf.length - a.used);
      a.buf.set(b.subarray(off, off + n), a.used);
      off += n;
      a.used += n;
      if (a.used === a.buf.length) {
        this.retire(a);
      }
    }
  }

  /** Sends what the current arena holds and nothing has written yet. */
  flush(): void {
    const a = this.cur;
    if (!a || a.used === a.shown || this.error) {
      return;
    }
    if (this.positional) {
      // The arena stays current; its full write later covers these bytes again.
      this.send({ arena: a, from: a.shown, to: a.used, position: a.at + a.shown, direct: false, fresh: a.used - a.shown });
      a.shown = a.used;
    } else {
      this.retire(a);
    }
  }

  /**
   * Resolves once every byte handed in so far is in the file (or a write failed) — not waiting for
   * the writes of bytes that come after the call, so a copy of a running capture is never held up.
   */
  drained(): Promise<void> {
    this.flush();
    if (this.open.size === 0 || this.error) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const barrier = { left: this.open.size, resolve };
      for (const job of this.open) {
        (job.barriers ??= []).push(barrier);
      }
    });
  }

  /** Writes what is left and closes the descriptors; resolves with the first write error, if any. */
  async close(): Promise<Error | undefined> {
    if (!this.closed) {
      await this.drained();
      this.closed = true;
      this.closeDirect();
      const e = await new Promise<Error | null>((resolve) => fs.close(this.fd, resolve));
      if (e && !this.error) {
        this.error = e;
      }
    }
    return this.error;
  }

  private take(): Arena {
    const a = this.free.pop() ?? { buf: Buffer.allocUnsafeSlow(ARENA), aligned: false, at: 0, used: 0, shown: 0, writes: 0, retired: true };
    a.at = this.end;
    a.used = 0;
    a.shown = 0;
    a.retired = false;
    this.end += ARENA;
    return a;
  }

  private retire(a: Arena): void {
    this.cur = undefined;
    this.filledCount++;
    a.retired = true;
    const from = this.positional ? 0 : a.shown;
    this.send({
      arena: a,
      from,
      to: a.used,
      position: this.positional ? a.at : null,
      direct: this.positional && a.aligned && a.used === a.buf.length,
      fresh: a.used - a.shown,
    });
    a.shown = a.used;
  }

  private send(job: Job): void {
    job.arena.writes++;
    this.open.add(job);
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    const most = this.positional ? POSITIONAL_WRITES : 1;
    while (this.inFlight < most && this.queue.length > 0 && !this.error) {
      // Arenas that wait for the disk go in one write when they follow each other in the file.
      const batch = [this.queue.shift() as Job];
      let bytes = batch[0].to - batch[0].from;
      for (let next = this.queue[0]; next && bytes < BATCH_BYTES && follows(batch[batch.length - 1], next); next = this.queue[0]) {
        batch.push(this.queue.shift() as Job);
        bytes += next.to - next.from;
      }
      this.write(batch, bytes);
    }
  }

  private write(batch: Job[], bytes: number): void {
    this.inFlight++;
    const useDirect = batch[0].direct && this.direct !== undefined;
    const fd = useDirect ? (this.direct as number) : this.fd;
    const views = batch.map((j) => j.arena.buf.subarray(j.from, j.to));
    fs.writev(fd, views, batch[0].position, (e, n) => {
      this.inFlight--;
      if (e && useDirect && e.code === 'EINVAL') {
        // This file system (or device) wants other alignment after all: the page cache it is.
        this.closeDirect();
        this.queue.unshift(...batch);
      } else if (e || n !== bytes) {
        this.fail(e ?? new Error(`short write (${n} of ${bytes} bytes)`));
      } else {
        for (const j of batch) {
          this.pendingBytes -= j.fresh;
          this.done(j.arena);
          this.settle(j);
        }
      }
      this.pump();
      this.hooks.written();
    });
  }

  /** A job is done: the drained() calls that waited for it and nothing else resolve. */
  private settle(job: Job): void {
    this.open.delete(job);
    for (const b of job.barriers ?? []) {
      if (--b.left === 0) {
        b.resolve();
      }
    }
    job.barriers = undefined;
  }

  private settleAll(): void {
    for (const job of [...this.open]) {
      job.barriers?.forEach((b) => b.resolve());
      job.barriers = undefined;
    }
    this.open.clear();
  }

  private done(a: Arena): void {
    a.writes--;
    if (a.retired && a.writes === 0 && (a.aligned || this.free.length < KEEP)) {
      this.free.push(a);
    }
  }

  private fail(e: Error): void {
    if (this.error) {
      return;
    }
    this.error = e;
    this.queue.length = 0;
    this.settleAll();
    this.hooks.failed(e);
  }

  private closeDirect(): void {
    if (this.direct !== undefined) {
      fs.close(this.direct, () => undefined);
      this.direct = undefined;
    }
  }
}
