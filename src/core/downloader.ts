// The tutorials' download client: send the name in one write (no terminator, no half-close: tutorial
// servers read it with one recv and some close on EOF), receive to EOF into a temporary file next to the
// target, and only on a clean end give it its final name. A failure leaves nothing behind.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { EncodingName, encodeText } from './codec';
import { FileHasher } from './fileHasher';
import { checkHost, formatHostPort, parsePort } from './hostPort';

export type ExistingPolicy = 'fail' | 'overwrite' | 'keep-both';

export interface DownloadOptions {
  host: string;
  port: number;
  /** The name as the server knows it (forward slashes for subfolders). */
  name: string;
  destDir: string;
  /** Encoding of the name on the wire; default utf-8. */
  encoding?: EncodingName;
  /** What to do when the target exists; default 'fail' (a TargetExistsError). */
  existing?: ExistingPolicy;
  /** Local file name; default: the last segment of `name`, made safe. */
  localName?: string;
  connectTimeoutMs?: number;
  /** Give up when no byte arrives for this long (ms); default 30000. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called as bytes arrive (throttle in the caller). */
  onProgress?: (bytes: number) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  durationMs: number;
  sha256: string;
}

/** Zero bytes came back: the tutorials' "file does not exist". No file is left behind. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The target exists and `existing` is 'fail'. */
export class TargetExistsError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'TargetExistsError';
  }
}

/** Failed mid-way (error, reset, timeout, cancel): says how many bytes had arrived; nothing is left behind. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly bytesReceived: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Room for the temporary name's prefix and suffix within the usual 255-byte limit. */
const MAX_LOCAL_NAME_BYTES = 200;
const MAX_KEEP_BOTH = 10_000;
/**
 * Past this many bytes a worker thread is started to hash the temporary file as it grows (fileHasher.ts).
 * Hashing stays in-line until the worker runs (~50 ms), so a file that is done sooner never waits for it.
 */
export const INLINE_HASH_LIMIT = 16 * 1024 * 1024;

function connectErrorText(e: NodeJS.ErrnoException, where: string, host: string): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `Connection refused by ${where} (is the server running?).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `Unknown host ${host} (${where}).`;
    case 'ETIMEDOUT':
      return `Connecting to ${where} timed out.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable.`;
    default:
      return `Cannot connect to ${where}: ${e.message}`;
  }
}

interface Received {
  socket: net.Socket;
  bytes: number;
}

/**
 * Connects, sends `payload` in one write, and hands every chunk to `sink` until the server closes.
 * `sink` returns false to ask for a pause; `resume` is then called by the caller's drain.
 */
function exchange(
  host: string,
  port: number,
  payload: Buffer,
  opts: { connectTimeoutMs: number; idleTimeoutMs: number; signal?: AbortSignal; what: string },
  sink: (chunk: Buffer, socket: net.Socket) => void,
): Promise<Received> {
  const where = formatHostPort(host, port);
  return new Promise<Received>((resolve, reject) => {
    let bytes = 0;
    let connected = false;
    let settled = false;
    // allowHalfOpen: on the server's FIN nothing is sent back before we have looked at how it ended.
    const socket = net.connect({ host, port, allowHalfOpen: true });
    const connectTimer = setTimeout(() => fail(new DownloadError(`Connecting to ${where} timed out after ${opts.connectTimeoutMs} ms.`, 0, 'ETIMEDOUT')), opts.connectTimeoutMs);
    const onAbort = (): void => fail(new DownloadError(`${opts.what} from ${where} was cancelled after ${bytes} bytes.`, bytes, 'ABORT_ERR'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    function cleanup(): void {
      clearTimeout(connectTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    function fail(e: Error): void {
      if (settled) {
        return;
      }
      settled = true;
      cleanup();
      socket.destroy();
      reject(e);
    }

    socket.on('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      socket.setNoDelay(true);
      socket.setTimeout(opts.idleTimeoutMs);
      socket.write(payload);
    });
    socket.on('timeout', () => fail(new DownloadError(`${opts.what} from ${where} timed out: no data for ${opts.idleTimeoutMs} ms after ${bytes} bytes.`, bytes, 'ETIMEDOUT')));
    socket.on('data', (chunk: Buffer) => {
      if (settled) {
        return;
      }
      bytes += chunk.length;
      try {
        sink(chunk, socket);
      } catch (e) {
        fail(e as Error);
      }
    });
    socket.on('end', () => {
      if (settled) {
        return;
      }
      if (endedByReset(socket)) {
        fail(new DownloadError(`${opts.what} from ${where} failed after ${bytes} bytes: the connection was reset.`, bytes, 'ECONNRESET'));
        return;
      }
      settled = true;
      cleanup();
      socket.setTimeout(0);
      resolve({ socket, bytes });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) {
        fail(new DownloadError(connectErrorText(e, where, host), 0, e.code));
        return;
      }
      const why = e.code === 'ECONNRESET' ? 'the connection was reset' : e.code === 'EPIPE' ? 'the server closed the connection' : e.message;
      fail(new DownloadError(`${opts.what} from ${where} failed after ${bytes} bytes: ${why}.`, bytes, e.code));
    });
    socket.on('close', () => {
      // Closed without a clean end (no FIN seen, no error): treat as a failure.
      fail(new DownloadError(`${opts.what} from ${where} failed after ${bytes} bytes: the connection closed unexpectedly.`, bytes, 'ECONNABORTED'));
    });
    if (opts.signal?.aborted) {
      onAbort();
    }
  });
}

/**
 * Whether an 'end' was really a reset. libuv reports a reset that arrives while received data is still
 * queued (a paused socket, a busy loop) as a plain end of stream; taking that for the end of the file
 * would keep a truncated download. After a real FIN the connection still has a peer (CLOSE_WAIT); after
 * a reset it has none, so getpeername fails with ENOTCONN. Uses the handle's own getpeername, as
 * net.Socket#remoteAddress does, because the cached remoteAddress would not tell.
 */
function endedByReset(socket: net.Socket): boolean {
  const handle = (socket as unknown as { _handle?: { getpeername?: (out: object) => number } })._handle;
  if (!handle || typeof handle.getpeername !== 'function') {
    return false;
  }
  return handle.getpeername({}) !== 0;
}

function checkTarget(host: string, port: number): { host: string; port: number } {
  return { host: checkHost(host), port: parsePort(port) };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** `name (n).ext` for keep-both. */
function numbered(name: string, n: number): string {
  const ext = path.extname(name);
  const base = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${base} (${n})${ext === name ? '' : ext}`;
}

/** Gives `temp` the name `target` without replacing anything that exists; false when `target` exists. */
async function placeNoClobber(temp: string, target: string): Promise<boolean> {
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

export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const started = Date.now();
  const { host, port } = checkTarget(options.host, options.port);
  const where = formatHostPort(host, port);
  const encoding = options.encoding ?? 'utf-8';
  if (options.name.length === 0) {
    throw new DownloadError('The file name is empty.', 0, 'EINVAL');
  }
  const payload = encodeText(options.name, encoding);
  const localName = localNameFor(options.localName ?? options.name);
  const destDir = path.resolve(options.destDir);
  let dirStat: fs.Stats;
  try {
    dirStat = await fsp.stat(destDir);
  } catch {
    throw new DownloadError(`The destination folder ${destDir} does not exist.`, 0, 'ENOENT');
  }
  if (!dirStat.isDirectory()) {
    throw new DownloadError(`The destination ${destDir} is not a folder.`, 0, 'ENOTDIR');
  }
  const target = path.join(destDir, localName);
  const policy = options.existing ?? 'fail';
  if (policy === 'fail' && (await exists(target))) {
    throw new TargetExistsError(`${target} already exists (choose overwrite or keep both).`, target);
  }
  if (options.signal?.aborted) {
    throw new DownloadError(`Download of "${options.name}" from ${where} was cancelled after 0 bytes.`, 0, 'ABORT_ERR');
  }

  const temp = path.join(destDir, `.${localName}.${crypto.randomBytes(6).toString('hex')}.tcpdownload`);
  // A plain descriptor, not a FileHandle: a FileHandle stream with autoClose off holds a reference that
  // makes FileHandle.close() wait forever, and the descriptor must stay open for the fsync.
  let fd: number;
  try {
    fd = await promisify(fs.open)(temp, 'wx');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DownloadError(`Cannot write in ${destDir}: ${err.message}`, 0, err.code);
  }
  let fdOpen = true;
  const closeFd = async (): Promise<void> => {
    if (fdOpen) {
      fdOpen = false;
      await promisify(fs.close)(fd);
    }
  };
  const out = fs.createWriteStream('', { fd, autoClose: false, highWaterMark: 1024 * 1024 });
  const hash = crypto.createHash('sha256');
  let hasher: FileHasher | undefined;
  // Set once the worker runs: from then on it hashes the whole file and the in-line hash is dropped.
  let offThread = false;
  let writeError: Error | undefined;
  let current: net.Socket | undefined;
  out.on('error', (e) => {
    writeError = e;
    // A paused socket would otherwise wait for a drain that never comes.
    current?.destroy(new Error(`writing ${temp} failed: ${e.message}`));
  });
  let paused: net.Socket | undefined;
  out.on('drain', () => {
    hasher?.written(out.bytesWritten);
    paused?.resume();
    paused = undefined;
  });

  const discard = async (): Promise<void> => {
    // Never left running: a worker would keep the process alive.
    await hasher?.terminate();
    if (fdOpen) {
      fdOpen = false;
      // destroy() closes the descriptor itself, once a write in flight is done.
      if (!out.closed) {
        await new Promise<void>((resolve) => {
          out.once('close', () => resolve());
          out.destroy();
        });
      }
    }
    await fsp.unlink(temp).catch(() => undefined);
  };

  let bytes = 0;
  let sha256 = '';
  try {
    const r = await exchange(
      host,
      port,
      payload,
      {
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        signal: options.signal,
        what: `Download of "${options.name}"`,
      },
      (chunk, socket) => {
        current = socket;
        if (writeError) {
          throw new DownloadError(`Writing ${temp} failed after ${bytes} bytes: ${writeError.message}`, bytes, (writeError as NodeJS.ErrnoException).code);
        }
        bytes += chunk.length;
        if (hasher !== undefined && (offThread || hasher.started)) {
          offThread = true;
          // bytesWritten counts completed writes only: the worker never reads a half-written range.
          hasher.written(out.bytesWritten);
        } else {
          hash.update(chunk);
          if (hasher === undefined && bytes > INLINE_HASH_LIMIT) {
            hasher = new FileHasher(temp);
          }
        }
        if (!out.write(chunk)) {
          // Memory stays flat: stop reading until the disk catches up.
          paused = socket;
          socket.pause();
        }
        options.onProgress?.(bytes);
      },
    );
    r.socket.destroy();
    bytes = r.bytes;
    if (bytes === 0) {
      throw new NotFoundError(`"${options.name}" not found (or empty) on the server ${where}.`);
    }
    await new Promise<void>((resolve, reject) => {
      if (writeError) {
        reject(writeError);
        return;
      }
      out.once('error', reject);
      out.end(() => resolve());
    });
    // The worker hashes the tail while the disk syncs; one that never took over is not needed.
    const digest = offThread ? hasher?.finish(bytes) : hasher?.terminate();
    // Awaited below; observed now so a failed fsync does not leave it an unhandled rejection.
    digest?.catch(() => undefined);
    await promisify(fs.fsync)(fd);
    await closeFd();
    const hex = await digest;
    sha256 = typeof hex === 'string' ? hex : hash.digest('hex');
  } catch (e) {
    // Taken before discard(): destroying the stream fails its pending writes, which is not the cause.
    const diskError = writeError;
    await discard();
    if (diskError) {
      // The disk, not the network, failed (ENOSPC, EFBIG, EIO): say so, with the code.
      const w = diskError as NodeJS.ErrnoException;
      throw new DownloadError(`Writing ${target} failed after ${bytes} bytes: ${w.message}`, bytes, w.code);
    }
    if (e instanceof NotFoundError || e instanceof DownloadError) {
      throw e;
    }
    throw new DownloadError(`Download of "${options.name}" from ${where} failed after ${bytes} bytes: ${(e as Error).message}`, bytes, (e as NodeJS.ErrnoException).code);
  }

  try {
    let final = target;
    if (policy === 'overwrite') {
      await fsp.rename(temp, target);
    } else if (policy === 'fail') {
      if (!(await placeNoClobber(temp, target))) {
        throw new TargetExistsError(`${target} appeared while downloading; the download was not kept.`, target);
      }
    } else {
      let n = 0;
      while (!(await placeNoClobber(temp, final))) {
        n++;
        if (n > MAX_KEEP_BOTH) {
          throw new DownloadError(`No free name for ${target} after ${MAX_KEEP_BOTH} tries.`, bytes, 'EEXIST');
        }
        final = path.join(destDir, numbered(localName, n));
      }
    }
    return { path: final, bytes, durationMs: Date.now() - started, sha256 };
  } catch (e) {
    await fsp.unlink(temp).catch(() => undefined);
    if (e instanceof TargetExistsError || e instanceof DownloadError) {
      throw e;
    }
    const err = e as NodeJS.ErrnoException;
    throw new DownloadError(`Cannot save ${target}: ${err.message}`, bytes, err.code);
  }
}

// Characters no file system of ours accepts in a name: Windows' reserved set, the separators, and controls.
const INVALID = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > max) {
      break;
    }
    out += ch;
    used += n;
  }
  return out;
}

/** The last segment of a requested name, safe as a local file name (never a path). */
export function localNameFor(name: string): string {
  const segments = name.split(/[/\\]/).filter((s) => s.length > 0);
  let n = (segments[segments.length - 1] ?? '').replace(INVALID, '_');
  // Windows drops trailing dots and spaces, which would turn "a." into "a" or "..." into nothing.
  n = n.replace(/[. ]+$/, '').replace(/^ +/, '');
  if (n === '' || n === '.' || n === '..') {
    return 'download';
  }
  if (RESERVED.test(n)) {
    n = `_${n}`;
  }
  if (Buffer.byteLength(n, 'utf8') > MAX_LOCAL_NAME_BYTES) {
    const ext = path.extname(n);
    const keepExt = ext.length > 1 && Buffer.byteLength(ext, 'utf8') <= 32;
    n = keepExt ? cutBytes(n.slice(0, -ext.length), MAX_LOCAL_NAME_BYTES - Buffer.byteLength(ext, 'utf8')) + ext : cutBytes(n, MAX_LOCAL_NAME_BYTES);
  }
  return n;
}

/** Asks a file server for a folder listing; [] for servers that answer zero bytes. Folders end in `/`. */
export async function list(host: string, port: number, folder = '/', options: { encoding?: EncodingName; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string[]> {
  const t = checkTarget(host, port);
  // The listing form: `/` for the root, `sub/dir/` for a folder; both ends' slashes normalised.
  const trimmed = folder.replace(/^\/+/, '').replace(/\/+$/, '');
  const request = trimmed === '' ? '/' : `${trimmed}/`;
  const parts: Buffer[] = [];
  let size = 0;
  const max = 64 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const r = await exchange(
    t.host,
    t.port,
    encodeText(request, options.encoding ?? 'utf-8'),
    { connectTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, signal: options.signal, what: `Listing of "${request}"` },
    (chunk) => {
      size += chunk.length;
      if (size > max) {
        throw new DownloadError(`The listing of "${request}" from ${formatHostPort(t.host, t.port)} is larger than ${max} bytes.`, size, 'E2BIG');
      }
      parts.push(chunk);
    },
  );
  r.socket.destroy();
  return Buffer.concat(parts)
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
}
