// The sha256 of a file while it is being written, computed on a worker thread so the thread that reads
// the socket does not pay for it (sha256 costs about as much CPU as receiving and writing the bytes).
// The worker reads the file back from the page cache with its own descriptor: no chunk is copied or
// posted between threads, and nothing queues up when hashing falls behind. The writer only publishes,
// through shared memory, how many bytes of the file are written.
import { Worker } from 'node:worker_threads';

/** Shared control words: the bytes written, a change counter to wait on, "no more bytes", "running". */
const WRITTEN = 0;
const SEQ = 1;
const DONE = 2;
const STARTED = 3;

/**
 * The worker's code. It runs from its source text (`eval: true`), so it survives bundling (esbuild) and
 * the unbundled test build alike without a file of its own; it must therefore name nothing from this
 * module (the control word indexes are literals: WRITTEN 0, SEQ 1, DONE 2, STARTED 3). BigInt64: offsets
 * past 4 GiB stay exact.
 */
function hashWorker(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- the worker's own CommonJS scope */
  const { workerData, parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const crypto = require('node:crypto') as typeof import('node:crypto');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ctl = new BigInt64Array(workerData.control as SharedArrayBuffer);
  const fd = fs.openSync(workerData.file as string, 'r');
  const hash = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  Atomics.store(ctl, 3, 1n);
  try {
    for (;;) {
      // SEQ before the rest: a change made after this read makes the wait below return at once.
      const seq = Atomics.load(ctl, 1);
      const done = Atomics.load(ctl, 2) !== 0n;
      const end = Number(Atomics.load(ctl, 0));
      if (pos < end) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
        if (n === 0) {
          throw new Error(`the file ended at ${pos} bytes, ${end} were written`);
        }
        hash.update(buf.subarray(0, n));
        pos += n;
      } else if (done) {
        break;
      } else {
        // Woken by every publish; the timeout is only a safety net.
        Atomics.wait(ctl, 1, seq, 1000);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  parentPort?.postMessage(hash.digest('hex'));
}
const WORKER_SOURCE = `(${hashWorker.toString()})();`;

/** Hashes `file` as it grows; call written() as writes complete, then finish() or terminate(). */
export class FileHasher {
  /** Digests the workers delivered, in this process (tests use it to see the worker did the work). */
  static delivered = 0;
  private readonly control = new BigInt64Array(new SharedArrayBuffer(4 * 8));
  private readonly worker: Worker;
  private readonly digest: Promise<string>;
  private published = 0;

  constructor(readonly file: string) {
    // execArgv []: the host's flags (an inspector port, say) are not for this worker.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { file, control: this.control.buffer } });
    this.digest = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (hex: string) => resolve(hex));
      this.worker.once('error', (e) => reject(new Error(`Hashing ${file} failed: ${e.message}`)));
      this.worker.once('exit', (code) => reject(new Error(`Hashing ${file} stopped (exit code ${code}).`)));
    });
    // Observed here, so a failure while the download goes on is not an unhandled rejection; finish() reports it.
    this.digest.catch(() => undefined);
  }

  /** The worker is up and reading (starting one takes ~50 ms). */
  get started(): boolean {
    return Atomics.load(this.control, STARTED) !== 0n;
  }

  /** The first `bytes` bytes of the file are written and may be read. */
  written(bytes: number): void {
    if (bytes > this.published) {
      this.published = bytes;
      Atomics.store(this.control, WRITTEN, BigInt(bytes));
      Atomics.add(this.control, SEQ, 1n);
      Atomics.notify(this.control, SEQ);
    }
  }

  /** The file is complete at `bytes` bytes: resolves to its sha256 (hex) once the worker has read them. */
  async finish(bytes: number): Promise<string> {
    Atomics.store(this.control, WRITTEN, BigInt(bytes));
    Atomics.store(this.control, DONE, 1n);
    Atomics.add(this.control, SEQ, 1n);
    Atomics.notify(this.control, SEQ);
    const hex = await this.digest;
    await this.terminate();
    FileHasher.delivered++;
    return hex;
  }

  /** Stops the worker (failure, cancel, or done) and resolves once it has exited. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /** What the worker was last told (for tests: offsets past 2^32 must survive). */
  get bytesPublished(): number {
    return Number(Atomics.load(this.control, WRITTEN));
  }
}
