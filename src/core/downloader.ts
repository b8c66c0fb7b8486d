// CONTRACT STUB — to be implemented (issue 2). Public API below is fixed; bodies are not.
import { EncodingName } from './codec';

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

export function download(_options: DownloadOptions): Promise<DownloadResult> {
  throw new Error('not implemented');
}

/** The last segment of a requested name, safe as a local file name (never a path). */
export function localNameFor(_name: string): string {
  throw new Error('not implemented');
}

/** Asks a file server for a folder listing; [] for servers that answer zero bytes. Folders end in `/`. */
export function list(_host: string, _port: number, _folder?: string, _options?: { encoding?: EncodingName; timeoutMs?: number; signal?: AbortSignal }): Promise<string[]> {
  throw new Error('not implemented');
}
