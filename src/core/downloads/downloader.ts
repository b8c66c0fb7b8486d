// The tutorials' download client: asks for a name (exchange.ts), receives to EOF into a temporary file
// next to the target (tempDownload.ts), and only on a clean end gives it its final name.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { EncodingName, encodeText } from '../codec';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../connectErrors';
import { DownloadError, NotFoundError, TargetExistsError } from './downloadErrors';
import { exchange } from './exchange';
import { checkHost, formatHostPort, parsePort } from '../hostPort';
import { localNameFor } from './localName';
import { ExistingPolicy, TempDownload } from './tempDownload';

export { DownloadError, NotFoundError, TargetExistsError } from './downloadErrors';
export { localNameFor } from './localName';
export { ExistingPolicy, INLINE_HASH_LIMIT } from './tempDownload';

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

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

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

/** The destination as an absolute path; a DownloadError unless it is an existing folder. */
async function checkDestination(dir: string, args: Record<string, string>): Promise<string> {
  const destDir = path.resolve(dir);
  const st = await fsp.stat(destDir).catch(() => undefined);
  if (!st) {
    throw new DownloadError(`The destination folder ${destDir} does not exist.`, 0, 'ENOENT', args);
  }
  if (!st.isDirectory()) {
    throw new DownloadError(`The destination ${destDir} is not a folder.`, 0, 'ENOTDIR', args);
  }
  return destDir;
}

export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const started = Date.now();
  const { host, port } = checkTarget(options.host, options.port);
  const where = formatHostPort(host, port);
  const what = `Download of "${options.name}"`;
  const args = { name: options.name, where };
  if (options.name.length === 0) {
    throw new DownloadError('The file name is empty.', 0, 'EINVAL', args);
  }
  const payload = encodeText(options.name, options.encoding ?? 'utf-8');
  const localName = localNameFor(options.localName ?? options.name);
  const destDir = await checkDestination(options.destDir, args);
  const target = path.join(destDir, localName);
  const policy = options.existing ?? 'fail';
  if (policy === 'fail' && (await exists(target))) {
    throw new TargetExistsError(`${target} already exists (choose overwrite or keep both).`, target);
  }
  if (options.signal?.aborted) {
    throw new DownloadError(`${what} from ${where} was cancelled after 0 bytes.`, 0, 'ABORT_ERR', args);
  }

  const file = await TempDownload.open(destDir, localName, args);
  let sha256: string;
  try {
    const timeouts = { connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS };
    const r = await exchange(host, port, payload, { ...timeouts, signal: options.signal, what, name: options.name }, (chunk, socket) => {
      file.write(chunk, socket);
      options.onProgress?.(file.bytes);
    });
    r.socket.destroy();
    if (r.bytes === 0) {
      throw new NotFoundError(`"${options.name}" not found (or empty) on the server ${where}.`, args);
    }
    sha256 = await file.finish();
  } catch (e) {
    throw await file.fail(e, target, `${what} from ${where}`);
  }
  const final = await file.place(target, policy);
  return { path: final, bytes: file.bytes, durationMs: Date.now() - started, sha256 };
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
    { connectTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, signal: options.signal, what: `Listing of "${request}"`, name: request },
    (chunk) => {
      size += chunk.length;
      if (size > max) {
        throw new DownloadError(`The listing of "${request}" from ${formatHostPort(t.host, t.port)} is larger than ${max} bytes.`, size, 'E2BIG', {
          name: request,
          where: formatHostPort(t.host, t.port),
        });
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
