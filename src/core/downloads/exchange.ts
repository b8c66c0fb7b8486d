// One request/reply exchange with a tutorial-style server: connect, send the request in one write (no
// terminator, no half-close: tutorial servers read it with one recv and some close on EOF), and hand
// every chunk to a sink until the server closes. Shared by the download and the listing.
import * as net from 'node:net';
import { DownloadError } from './downloadErrors';
import { formatHostPort } from '../hostPort';

export interface ExchangeOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** "Download of "a.txt"", for messages. */
  what: string;
  /** The requested name, for the error's arguments. */
  name: string;
}

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

export interface Received {
  socket: net.Socket;
  bytes: number;
}

/**
 * Connects, sends `payload` in one write, and hands every chunk to `sink` until the server closes.
 * The sink may pause the socket (backpressure) and resume it later; a sink that throws fails the exchange.
 */
export function exchange(host: string, port: number, payload: Buffer, opts: ExchangeOptions, sink: (chunk: Buffer, socket: net.Socket) => void): Promise<Received> {
  const where = formatHostPort(host, port);
  const args = { name: opts.name, where };
  return new Promise<Received>((resolve, reject) => {
    let bytes = 0;
    let connected = false;
    let settled = false;
    // allowHalfOpen: on the server's FIN nothing is sent back before we have looked at how it ended.
    const socket = net.connect({ host, port, allowHalfOpen: true });
    const connectTimer = setTimeout(
      () => fail(new DownloadError(`Connecting to ${where} timed out after ${opts.connectTimeoutMs} ms.`, 0, 'ETIMEDOUT', args)),
      opts.connectTimeoutMs,
    );
    const onAbort = (): void => fail(new DownloadError(`${opts.what} from ${where} was cancelled after ${bytes} bytes.`, bytes, 'ABORT_ERR', args));
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
    const failed = (why: string, errno: string | undefined): void =>
      fail(new DownloadError(`${opts.what} from ${where} failed after ${bytes} bytes: ${why}.`, bytes, errno, args));

    socket.on('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      socket.setNoDelay(true);
      socket.setTimeout(opts.idleTimeoutMs);
      socket.write(payload);
    });
    socket.on('timeout', () =>
      fail(new DownloadError(`${opts.what} from ${where} timed out: no data for ${opts.idleTimeoutMs} ms after ${bytes} bytes.`, bytes, 'ETIMEDOUT', args)),
    );
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
        failed('the connection was reset', 'ECONNRESET');
        return;
      }
      settled = true;
      cleanup();
      socket.setTimeout(0);
      resolve({ socket, bytes });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) {
        fail(new DownloadError(connectErrorText(e, where, host), 0, e.code, args));
        return;
      }
      const why = e.code === 'ECONNRESET' ? 'the connection was reset' : e.code === 'EPIPE' ? 'the server closed the connection' : e.message;
      failed(why, e.code);
    });
    socket.on('close', () => {
      // Closed without a clean end (no FIN seen, no error): treat as a failure.
      failed('the connection closed unexpectedly', 'ECONNABORTED');
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
