// The direct-I/O capture file's writes (see captureFile.ts): jobs that name a buffer range and a file
// position, written up to 3 at a time (consecutive ones in one writev); full arenas through the
// direct-I/O descriptor while it works. drained() waits for the jobs sent before it, not for those that
// keep coming.
import * as fs from 'node:fs';

const POSITIONAL_WRITES = 3;
/** At most this much in one write (a batch of jobs that follow each other). */
const BATCH_BYTES = 4 * 1024 * 1024;

export interface WriteJob {
  buf: Buffer;
  from: number;
  to: number;
  position: number;
  /** May go through the direct-I/O descriptor (aligned buffer, position and length). */
  direct: boolean;
  /** Called once the job's bytes are in the file. */
  written(): void;
  /** drained() calls waiting for this job among others. */
  barriers?: Barrier[];
}

interface Barrier {
  left: number;
  resolve: () => void;
}

/** `b` starts where `a` ends, both written the same way: one write can take both. */
function follows(a: WriteJob, b: WriteJob): boolean {
  return a.direct === b.direct && b.position === a.position + (a.to - a.from);
}

export interface CaptureWritesHooks {
  /** A write finished. */
  written(): void;
  /** The first write error; nothing more is written. */
  failed(e: Error): void;
}

export class CaptureWrites {
  private readonly queue: WriteJob[] = [];
  /** Writes under way (batches). */
  private inFlight = 0;
  /** Jobs not done yet: queued or in a write under way. */
  private readonly open = new Set<WriteJob>();
  private failure?: Error;

  constructor(
    private readonly fd: number,
    private direct: number | undefined,
    private readonly hooks: CaptureWritesHooks,
  ) {}

  get error(): Error | undefined {
    return this.failure;
  }

  /** A write is queued or under way (its callback will come). */
  get writing(): boolean {
    return this.open.size > 0;
  }

  get isDirect(): boolean {
    return this.direct !== undefined;
  }

  send(job: WriteJob): void {
    this.open.add(job);
    this.queue.push(job);
    this.pump();
  }

  /** Resolves once the jobs sent so far are done (or a write failed). */
  drained(): Promise<void> {
    if (this.open.size === 0 || this.failure) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const barrier = { left: this.open.size, resolve };
      for (const job of this.open) {
        (job.barriers ??= []).push(barrier);
      }
    });
  }

  /** Waits for the jobs sent so far and closes the descriptors; resolves with the first error, if any. */
  async close(): Promise<Error | undefined> {
    await this.drained();
    this.closeDirect();
    const e = await new Promise<Error | null>((resolve) => fs.close(this.fd, resolve));
    this.failure ??= e ?? undefined;
    return this.failure;
  }

  /** From now on everything goes through the page cache. */
  closeDirect(): void {
    if (this.direct !== undefined) {
      fs.close(this.direct, () => undefined);
      this.direct = undefined;
    }
  }

  private pump(): void {
    while (this.inFlight < POSITIONAL_WRITES && this.queue.length > 0 && !this.failure) {
      // Jobs that wait for the disk go in one write when they follow each other in the file.
      const batch = [this.queue.shift() as WriteJob];
      let bytes = batch[0].to - batch[0].from;
      for (let next = this.queue[0]; next && bytes < BATCH_BYTES && follows(batch[batch.length - 1], next); next = this.queue[0]) {
        batch.push(this.queue.shift() as WriteJob);
        bytes += next.to - next.from;
      }
      this.write(batch, bytes);
    }
  }

  private write(batch: WriteJob[], bytes: number): void {
    this.inFlight++;
    const useDirect = batch[0].direct && this.direct !== undefined;
    const fd = useDirect ? (this.direct as number) : this.fd;
    const views = batch.map((j) => j.buf.subarray(j.from, j.to));
    fs.writev(fd, views, batch[0].position, (e, n) => {
      this.inFlight--;
      if (e && useDirect && e.code === 'EINVAL') {
        // This file system (or device) wants other alignment after all: the page cache it is.
        this.closeDirect();
        this.queue.unshift(...batch);
      } else if (e || n !== bytes) {
        this.fail(e ?? new Error(`short write (${n} of ${bytes} bytes)`));
      } else {
        batch.forEach((j) => this.settle(j));
      }
      this.pump();
      this.hooks.written();
    });
  }

  /** A job is done: the drained() calls that waited for it and nothing else resolve. */
  private settle(job: WriteJob): void {
    this.open.delete(job);
    job.written();
    for (const b of job.barriers ?? []) {
      if (--b.left === 0) {
        b.resolve();
      }
    }
    job.barriers = undefined;
  }

  private fail(e: Error): void {
    if (this.failure) {
      // Another write under way failed too: the first error is the one reported.
      return;
    }
    this.failure = e;
    this.queue.length = 0;
    for (const job of this.open) {
      job.barriers?.forEach((b) => b.resolve());
      job.barriers = undefined;
    }
    this.open.clear();
    this.hooks.failed(e);
  }
}
