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
// written in order (captureWrites.ts).
import * as fs from 'node:fs';
import { CaptureWrites, CaptureWritesHooks } from './captureWrites';

/** A multiple of 4096, so that full arenas start at positions direct I/O accepts. */
export const ARENA = 1024 * 1024;
/** Free arenas kept for the next batches beyond the aligned ones. */
const KEEP = 4;

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

export type CaptureFileHooks = CaptureWritesHooks;

export class CaptureFile {
  private cur?: Arena;
  /** Where the next arena starts (positional mode). */
  private end = 0;
  private readonly free: Arena[] = [];
  private pendingBytes = 0;
  private closed = false;
  private filledCount = 0;
  private readonly writes: CaptureWrites;

  private constructor(
    fd: number,
    direct: number | undefined,
    private readonly positional: boolean,
    hooks: CaptureFileHooks,
    alignedCount: number,
  ) {
    this.writes = new CaptureWrites(fd, direct, positional, hooks);
    for (const buf of direct === undefined ? [] : alignedArenas(alignedCount)) {
      this.free.push({ buf, aligned: true, at: 0, used: 0, shown: 0, writes: 0, retired: true });
    }
    if (this.free.length === 0) {
      this.writes.closeDirect();
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
    return this.writes.writing;
  }

  /** Arenas filled so far. */
  get filled(): number {
    return this.filledCount;
  }

  /** True while full arenas are written around the page cache. */
  get isDirect(): boolean {
    return this.writes.isDirect;
  }

  /** Copies `b` in; every arena that fills goes to the file at once. */
  add(b: Uint8Array): void {
    if (this.writes.error || this.closed) {
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
    if (!a || a.used === a.shown || this.writes.error) {
      return;
    }
    if (this.positional) {
      // The arena stays current; its full write later covers these bytes again.
      this.send(a, a.shown, a.used, a.at + a.shown, false);
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
    return this.writes.drained();
  }

  /** Writes what is left and closes the descriptors; resolves with the first write error, if any. */
  async close(): Promise<Error | undefined> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
      return this.writes.close();
    }
    return this.writes.error;
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
    if (this.positional) {
      this.send(a, 0, a.used, a.at, a.aligned && a.used === a.buf.length);
    } else {
      this.send(a, a.shown, a.used, null, false);
    }
  }

  /** Writes a[from, to) at `position`; the bytes past `shown` are new to the file. */
  private send(a: Arena, from: number, to: number, position: number | null, direct: boolean): void {
    const fresh = to - a.shown;
    a.shown = to;
    a.writes++;
    this.writes.send({
      buf: a.buf,
      from,
      to,
      position,
      direct,
      written: () => {
        this.pendingBytes -= fresh;
        a.writes--;
        if (a.retired && a.writes === 0 && (a.aligned || this.free.length < KEEP)) {
          this.free.push(a);
        }
      },
    });
  }
}
