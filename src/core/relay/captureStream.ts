// The capture's file as one ordered stream of appends. Bytes handed in are copied into a 1 MiB batch
// (the relay lends its read buffers only for the length of a call, so nothing handed in is kept); a
// batch goes to the file when it is full or when flush() is called (the writer's 10 ms timer, sync(),
// close()). One write at a time, at the descriptor's position, through the page cache: the file — or
// pipe, or device — receives the bytes in order, so whatever the file holds is a prefix of the capture.
// It knows nothing of pcap: any file format that is a stream of bytes can be written through it. This
// is the plain path; a regular file is written around the page cache instead where that works and the
// switch allows it (captureFile.ts, chosen by PcapWriter.open).
import * as fs from 'node:fs';

/** Bytes copied into one buffer before it goes to the file. */
export const BATCH_BYTES = 1024 * 1024;
/** At most this many batches in one writev. */
const BATCHES_PER_WRITE = 8;
/** Empty batch buffers kept for reuse. */
const KEEP = 4;

export interface CaptureStreamHooks {
  /** A write finished. */
  written(): void;
  /** The first write error; nothing more is written. */
  failed(e: Error): void;
}

interface Waiter {
  /** Resolves once this many bytes are written. */
  upTo: number;
  resolve: () => void;
}

export class CaptureStream {
  private batch: Buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private used = 0;
  /** Batches waiting for the write under way: each a buffer and how much of it is filled. */
  private readonly queue: { buf: Buffer; used: number }[] = [];
  private readonly spare: Buffer[] = [];
  private writingNow = false;
  private added = 0;
  private done = 0;
  private fullBatches = 0;
  private waiters: Waiter[] = [];
  private failure?: Error;
  private closed = false;

  /** `fd` is opened for writing by the caller (who reports its errors); this stream closes it. */
  constructor(
    private readonly fd: number,
    private readonly hooks: CaptureStreamHooks,
  ) {}

  /** Bytes handed in and not yet in the file. */
  get pending(): number {
    return this.added - this.done;
  }

  /** A write is under way (its callback will come). */
  get writing(): boolean {
    return this.writingNow;
  }

  /** Batches that went out full so far (the writer's timer waits while this grows). */
  get filled(): number {
    return this.fullBatches;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Copies `b` in; every batch that fills goes to the file. */
  add(b: Uint8Array): void {
    if (this.failure || this.closed) {
      return;
    }
    this.added += b.length;
    for (let off = 0; off < b.length;) {
      const n = Math.min(b.length - off, BATCH_BYTES - this.used);
      this.batch.set(b.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      if (this.used === BATCH_BYTES) {
        this.fullBatches++;
        this.send();
      }
    }
  }

  /** Sends what the batch in hand holds, full or not. */
  flush(): void {
    if (this.used > 0 && !this.failure) {
      this.send();
    }
  }

  /** Resolves once every byte handed in so far is in the file (or a write failed); later bytes are not waited for. */
  drained(): Promise<void> {
    this.flush();
    if (this.done >= this.added || this.failure) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ upTo: this.added, resolve }));
  }

  /** Writes what is left and closes the descriptor; resolves with the first error, if any. */
  async close(): Promise<Error | undefined> {
    if (!this.closed) {
      await this.drained();
      this.closed = true;
      const e = await new Promise<Error | null>((resolve) => fs.close(this.fd, resolve));
      this.failure ??= e ?? undefined;
    }
    return this.failure;
  }

  private send(): void {
    this.queue.push({ buf: this.batch, used: this.used });
    this.batch = this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.used = 0;
    this.pump();
  }

  private pump(): void {
    if (this.writingNow || this.queue.length === 0 || this.failure) {
      return;
    }
    const batches = this.queue.splice(0, BATCHES_PER_WRITE);
    const bytes = batches.reduce((n, b) => n + b.used, 0);
    this.writingNow = true;
    fs.writev(
      this.fd,
      batches.map((b) => b.buf.subarray(0, b.used)),
      (e, n) => {
        this.writingNow = false;
        if (e || n !== bytes) {
          this.fail(e ?? new Error(`short write (${n} of ${bytes} bytes)`));
        } else {
          this.done += bytes;
          for (const b of batches) {
            if (this.spare.length < KEEP) {
              this.spare.push(b.buf);
            }
          }
          this.settle();
          this.pump();
        }
        this.hooks.written();
      },
    );
  }

  /** The drained() calls whose bytes are all written resolve. */
  private settle(): void {
    const ready = this.waiters.filter((w) => w.upTo <= this.done);
    this.waiters = this.waiters.filter((w) => w.upTo > this.done);
    ready.forEach((w) => w.resolve());
  }

  private fail(e: Error): void {
    this.failure = e;
    this.queue.length = 0;
    this.waiters.splice(0).forEach((w) => w.resolve());
    this.hooks.failed(e);
  }
}
