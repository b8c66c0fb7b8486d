// The receiving end of a download: a temporary file next to the target, written with backpressure and
// hashed as it grows, that only takes its final name on a clean end (never over a file that exists
// unless asked). A failure leaves nothing behind.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import type * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DownloadError, NotFoundError, TargetExistsError } from './downloadErrors';
import { FileHasher } from './fileHasher';
import { numbered } from './localName';

export type ExistingPolicy = 'fail' | 'overwrite' | 'keep-both';

/**
 * Past this many bytes a worker thread is started to hash the temporary file as it grows (fileHasher.ts).
 * Hashing stays in-line until the worker runs (~50 ms), so a file that is done sooner never waits for it.
 */
export const INLINE_HASH_LIMIT = 16 * 1024 * 1024;
const MAX_KEEP_BOTH = 10_000;

type Args = Readonly<Record<string, string | number>>;

export class TempDownload {
  /** Bytes handed to write() so far. */
  bytes = 0;
  private readonly out: fs.WriteStream;
  private readonly hash = crypto.createHash('sha256');
  private hasher?: FileHasher;
  // Set once the worker runs: from then on it hashes the whole file and the in-line hash is dropped.
  private offThread = false;
  private writeError?: NodeJS.ErrnoException;
  private current?: net.Socket;
  private paused?: net.Socket;
  private fdOpen = true;

  private constructor(
    readonly temp: string,
    private readonly fd: number,
    private readonly args: Args,
  ) {
    this.out = fs.createWriteStream('', { fd, autoClose: false, highWaterMark: 1024 * 1024 });
    this.out.on('error', (e) => {
      this.writeError = e;
      // A paused socket would otherwise wait for a drain that never comes.
      this.current?.destroy(new Error(`writing ${temp} failed: ${e.message}`));
    });
    this.out.on('drain', () => {
      this.hasher?.written(this.out.bytesWritten);
      this.paused?.resume();
      this.paused = undefined;
    });
  }

  /** Creates `.<name>.<random>.tcpdownload` in `destDir`, exclusively. */
  static async open(destDir: string, localName: string, args: Args): Promise<TempDownload> {
    const temp = path.join(destDir, `.${localName}.${crypto.randomBytes(6).toString('hex')}.tcpdownload`);
    // A plain descriptor, not a FileHandle: a FileHandle stream with autoClose off holds a reference that
    // makes FileHandle.close() wait forever, and the descriptor must stay open for the fsync.
    try {
      return new TempDownload(temp, await promisify(fs.open)(temp, 'wx'), args);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new DownloadError(`Cannot write in ${destDir}: ${err.message}`, 0, err.code, args);
    }
  }

  /** Writes one chunk; pauses `socket` until the disk catches up, so memory stays flat. */
  write(chunk: Buffer, socket: net.Socket): void {
    this.current = socket;
    if (this.writeError) {
      throw new DownloadError(`Writing ${this.temp} failed after ${this.bytes} bytes: ${this.writeError.message}`, this.bytes, this.writeError.code, this.args);
    }
    this.bytes += chunk.length;
    if (this.hasher !== undefined && (this.offThread || this.hasher.started)) {
      this.offThread = true;
      // bytesWritten counts completed writes only: the worker never reads a half-written range.
      this.hasher.written(this.out.bytesWritten);
    } else {
      this.hash.update(chunk);
      if (this.hasher === undefined && this.bytes > INLINE_HASH_LIMIT) {
        this.hasher = new FileHasher(this.temp);
      }
    }
    if (!this.out.write(chunk)) {
      this.paused = socket;
      socket.pause();
    }
  }

  /** Flushes, syncs and closes the file; resolves with its sha256. */
  async finish(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      if (this.writeError) {
        reject(this.writeError);
        return;
      }
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
    // The worker hashes the tail while the disk syncs; one that never took over is not needed.
    const digest = this.offThread ? this.hasher?.finish(this.bytes) : this.hasher?.terminate();
    // Awaited below; observed now so a failed fsync does not leave it an unhandled rejection.
    digest?.catch(() => undefined);
    await promisify(fs.fsync)(this.fd);
    this.fdOpen = false;
    await promisify(fs.close)(this.fd);
    const hex = await digest;
    return typeof hex === 'string' ? hex : this.hash.digest('hex');
  }

  /** Removes the temporary file after `e`; returns the error to throw, naming the disk when it failed. */
  async fail(e: unknown, target: string, what: string): Promise<Error> {
    // Taken before discard(): destroying the stream fails its pending writes, which is not the cause.
    const diskError = this.writeError;
    await this.discard();
    if (diskError) {
      // The disk, not the network, failed (ENOSPC, EFBIG, EIO): say so, with the code.
      return new DownloadError(`Writing ${target} failed after ${this.bytes} bytes: ${diskError.message}`, this.bytes, diskError.code, this.args);
    }
    if (e instanceof NotFoundError || e instanceof DownloadError) {
      return e;
    }
    const err = e as NodeJS.ErrnoException;
    return new DownloadError(`${what} failed after ${this.bytes} bytes: ${err.message}`, this.bytes, err.code, this.args);
  }

  /** Gives the finished file its name under `policy`; returns the path it got. */
  async place(target: string, policy: ExistingPolicy): Promise<string> {
    try {
      if (policy === 'overwrite') {
        await fsp.rename(this.temp, target);
        return target;
      }
      if (policy === 'fail') {
        if (!(await placeNoClobber(this.temp, target))) {
          throw new TargetExistsError(`${target} appeared while downloading; the download was not kept.`, target);
        }
        return target;
      }
      let final = target;
      for (let n = 1; !(await placeNoClobber(this.temp, final)); n++) {
        if (n > MAX_KEEP_BOTH) {
          throw new DownloadError(`No free name for ${target} after ${MAX_KEEP_BOTH} tries.`, this.bytes, 'EEXIST', this.args);
        }
        final = path.join(path.dirname(target), numbered(path.basename(target), n));
      }
      return final;
    } catch (e) {
      await fsp.unlink(this.temp).catch(() => undefined);
      if (e instanceof TargetExistsError || e instanceof DownloadError) {
        throw e;
      }
      const err = e as NodeJS.ErrnoException;
      throw new DownloadError(`Cannot save ${target}: ${err.message}`, this.bytes, err.code, this.args);
    }
  }

  private async discard(): Promise<void> {
    // Never left running: a worker would keep the process alive.
    await this.hasher?.terminate();
    if (this.fdOpen) {
      this.fdOpen = false;
      // destroy() closes the descriptor itself, once a write in flight is done.
      if (!this.out.closed) {
        await new Promise<void>((resolve) => {
          this.out.once('close', () => resolve());
          this.out.destroy();
        });
      }
    }
    await fsp.unlink(this.temp).catch(() => undefined);
  }
}

/** Gives `temp` the name `target` without replacing anything that exists; false when `target` exists. */
export async function placeNoClobber(temp: string, target: string): Promise<boolean> {
  try {
    // link fails with EEXIST atomically: a file that appeared meanwhile is never clobbered.
    await fsp.link(temp, target);
    await fsp.unlink(temp);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      return false;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') {
      throw e;
    }
  }
  // No hard links here (FAT, some network shares): claim the name with an exclusive create, then move over it.
  try {
    await (await fsp.open(target, 'wx')).close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw e;
  }
  await fsp.rename(temp, target);
  return true;
}
