// Streams a file's bytes into a socket with backpressure: at most one read chunk waits in memory beyond
// what the socket buffers, so a 100 MiB file costs the same memory as a 100 KiB one. Cancellable with an
// AbortSignal; progress after every chunk the socket has taken.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { WorkbenchError } from './errors';

export type SendFileErrorCode = 'sendFile.notFound' | 'sendFile.notAFile' | 'sendFile.unreadable' | 'sendFile.closed' | 'sendFile.cancelled';

export class SendFileError extends WorkbenchError {
  constructor(code: SendFileErrorCode, message: string, args: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    super(code, message, args, options);
  }
}

export interface SendFileProgress {
  /** Bytes the socket has taken so far. */
  sent: number;
  /** The file's size when it was opened. */
  total: number;
}

export interface SendFileOptions {
  signal?: AbortSignal;
  /** Called after each chunk is written (about every 64 KiB); throttle in the view, not here. */
  onProgress?: (p: SendFileProgress) => void;
  /** Read chunk size; default 64 KiB. */
  chunkBytes?: number;
}

export interface SendFileResult {
  bytes: number;
  chunks: number;
}

const DEFAULT_CHUNK = 64 * 1024;

/** Opens the file (so a missing one fails before the first byte goes out) and returns its handle and size. */
export async function openForSending(file: string): Promise<{ handle: fs.promises.FileHandle; size: number }> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SendFileError('sendFile.notFound', `File not found: ${file} (nothing was sent).`, { file });
    }
    throw new SendFileError('sendFile.unreadable', `Cannot read ${file}: ${(e as Error).message} (nothing was sent).`, { file }, { cause: e });
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new SendFileError('sendFile.notAFile', `${file} is not a file (nothing was sent).`, { file });
  }
  return { handle, size: stat.size };
}

/**
 * Writes the file into `socket`; `onWritten` is told of each chunk once the socket took it (for the
 * owner's counters and events). Rejects with a SendFileError; the socket itself is left open.
 */
export async function streamFileTo(socket: net.Socket, file: string, onWritten: (chunk: Buffer) => void, options: SendFileOptions = {}): Promise<SendFileResult> {
  const { signal, onProgress } = options;
  if (signal?.aborted) {
    throw cancelled(file);
  }
  if (!socket.writable) {
    throw new SendFileError('sendFile.closed', `The connection is closed: ${file} was not sent.`, { file });
  }
  const { handle, size } = await openForSending(file);
  const stream = handle.createReadStream({ highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK });
  const result: SendFileResult = { bytes: 0, chunks: 0 };
  let failure: SendFileError | undefined;
  let wake: (() => void) | undefined;
  const fail = (e: SendFileError) => {
    failure ??= e;
    stream.destroy();
    wake?.();
  };
  const onAbort = () => fail(cancelled(file, result.bytes));
  const onClose = () => {
    // A peer that closes once it has every byte (it read what it expected) is a complete send.
    if (result.bytes < size) {
      fail(new SendFileError('sendFile.closed', `The connection closed after ${result.bytes} of ${size} bytes of ${file}.`, { file, sent: result.bytes }));
    }
  };
  signal?.addEventListener('abort', onAbort);
  socket.once('close', onClose);
  let lastWrite: Promise<void> = Promise.resolve();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (failure) {
        break;
      }
      lastWrite = new Promise<void>((resolve) => {
        socket.write(chunk, (err) => {
          if (!err) {
            result.bytes += chunk.length;
            result.chunks++;
            onWritten(chunk);
            onProgress?.({ sent: result.bytes, total: size });
          }
          resolve();
        });
      });
      if (socket.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          socket.once('drain', resolve);
        });
        socket.off('drain', wake as () => void);
        wake = undefined;
      }
    }
    await lastWrite;
  } catch (e) {
    failure ??= new SendFileError('sendFile.unreadable', `Reading ${file} failed after ${result.bytes} bytes: ${(e as Error).message}`, { file }, { cause: e });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    socket.off('close', onClose);
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
  if (failure) {
    throw failure;
  }
  return result;
}

function cancelled(file: string, sent = 0): SendFileError {
  return new SendFileError('sendFile.cancelled', `Sending ${file} was cancelled after ${sent} bytes.`, { file, sent });
}
