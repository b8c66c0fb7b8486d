// The capture's file written around the page cache: the optional fast path beside the plain stream
// (captureStream.ts), chosen by PcapWriter.open for a regular file whose file system takes O_DIRECT,
// unless TCP_WORKBENCH_CAPTURE_DIRECT_IO=0 or the `directIo: false` option. It pays where new
// page-cache pages are dear — on a virtual machine that hands freed memory back to its host (free page
// reporting), ~1.1 ms per MiB to fault back in, more than the whole relay: at the CLI's 1 GiB cap the
// relay keeps 0.88× of its speed with it, 0.62× with the plain stream (docs/PERFORMANCE.md).
//
// What the pcap writer writes is copied, while hot, into reused 1 MiB "arenas" of page-aligned memory
// (a WebAssembly memory); a full arena goes to the file in one direct write at its own position. What
// an arena holds before it is full still reaches the file within the batch time, written through the
// page cache at the same position; the full arena's direct write later carries the same bytes again, so
// the order of the two does not matter. Up to 3 writes at a time (captureWrites.ts).
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
  /** Its position in the file. */
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
  /** Where the next arena starts. */
  private end = 0;
  private readonly free: Arena[] = [];
  private pendingBytes = 0;
  private closed = false;
  private filledCount = 0;
  private readonly writes: CaptureWrites;

  private constructor(fd: number, direct: number, hooks: CaptureFileHooks, arenas: Buffer[]) {
    this.writes = new CaptureWrites(fd, direct, hooks);
    for (const buf of arenas) {
      this.free.push({ buf, aligned: true, at: 0, used: 0, shown: 0, writes: 0, retired: true });
    }
  }

  /**
   * Wraps `fd` (opened for writing by the caller, who reports its errors) when it is a regular file that
   * `file` opens a second time for direct I/O; undefined otherwise (a pipe, a device, a file system
   * without O_DIRECT): the caller then writes the plain stream. `alignedCount` bounds the aligned arenas.
   */
  static async from(fd: number, file: string, hooks: CaptureFileHooks, alignedCount: number): Promise<CaptureFile | undefined> {
    const regular = await new Promise<boolean>((resolve) => fs.fstat(fd, (e, st) => resolve(!e && st.isFile())));
    const O_DIRECT = fs.constants.O_DIRECT as number | undefined;
    const arenas = regular && O_DIRECT ? alignedArenas(alignedCount) : [];
    if (arenas.length === 0 || !O_DIRECT) {
      return undefined;
    }
    const direct = await new Promise<number | undefined>((resolve) => fs.open(file, fs.constants.O_WRONLY | O_DIRECT, (e, d) => resolve(e ? undefined : d)));
    return direct === undefined ? undefined : new CaptureFile(fd, direct, hooks, arenas);
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
    // The arena stays current; its full write later covers these bytes again.
    this.send(a, a.shown, a.used, a.at + a.shown, false);
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
    this.send(a, 0, a.used, a.at, a.aligned && a.used === a.buf.length);
  }

  /** Writes a[from, to) at `position`; the bytes past `shown` are new to the file. */
  private send(a: Arena, from: number, to: number, position: number, direct: boolean): void {
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
