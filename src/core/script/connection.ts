// One script connection: a socket, its receive buffer, and waits that end on new data, the peer's
// close, a deadline or cancellation — whichever comes first.
import * as net from 'node:net';
import { FAILURES, FailureCode, StepError } from './failures';
import { ReceiveBuffer } from './receiveBuffer';
import { formatHostPort } from '../hostPort';
import type { ClientTlsOptions, HandshakeFacts } from '../tls/clientTls';
import { WorkbenchError } from '../errors';

/** The TLS client code, loaded only for a TLS connection: the plain path is unchanged. */
function tlsClient(): typeof import('../tls/clientTls') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../tls/clientTls') as typeof import('../tls/clientTls');
}

/** A TlsError as a step failure: `tlsCode` and the TlsError's values, for a sentence in the user's language. */
function tlsStepError(e: unknown, where: string): unknown {
  if (!(e instanceof WorkbenchError) || !e.code.startsWith('tls.')) {
    return e;
  }
  return new StepError(FAILURES.tls, `TLS with ${where}: ${e.message}`, { ...e.args, form: 'handshake', tlsCode: e.code, where });
}

/** Why a write did not complete: English, and the `why` the editor words. */
export interface WriteProblem {
  readonly message: string;
  readonly why: 'closed' | 'notRead' | 'cancelled' | 'closedWhileSending';
  readonly error?: string;
}

export type WakeReason = 'changed' | 'timeout' | 'aborted';

export class Connection {
  readonly buffer = new ReceiveBuffer();
  /** The peer half-closed (recv returned 0) or the socket is gone. */
  eof = false;
  closed = false;
  error?: Error;
  bytesOut = 0;
  /** The handshake's facts once the connection is TLS (`connect tls://` or `starttls`). */
  tlsFacts?: HandshakeFacts;
  private wake?: () => void;

  private constructor(
    public socket: net.Socket,
    /** The host connected to: a later starttls checks the certificate against it. */
    readonly host: string,
    private readonly where: string,
    private readonly onTraffic?: (direction: 'in' | 'out', bytes: Buffer) => void,
  ) {
    this.wire(socket);
    socket.on('close', () => {
      this.closed = this.eof = true;
      this.notify();
    });
  }

  private wire(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer.push(chunk);
      this.onTraffic?.('in', chunk);
      this.notify();
    });
    socket.on('end', () => {
      this.eof = true;
      this.notify();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // An alert after the handshake (TLS 1.3: the server wanted a client certificate) in words.
      this.error ??= this.tlsFacts ? tlsClient().tlsSocketError(e, this.where) : e;
      this.notify();
    });
    socket.on('drain', () => this.notify());
    socket.on('finish', () => this.notify());
  }

  /** Connects (with TLS when `tls` is given); rejects with a readable message on refusal, timeout, a failed handshake or cancel. */
  static async open(host: string, port: number, timeoutMs: number, signal: AbortSignal, onTraffic?: Connection['onTraffic'], tls?: ClientTlsOptions): Promise<Connection> {
    const where = formatHostPort(host, port);
    const started = Date.now();
    const raw = await Connection.connectRaw(host, port, timeoutMs, signal);
    if (!tls) {
      return new Connection(raw, host, where, onTraffic);
    }
    const onAbort = (): void => void raw.destroy();
    signal.addEventListener('abort', onAbort);
    try {
      const handshakeTimeoutMs = Math.max(1, timeoutMs - (Date.now() - started));
      const { socket, facts } = await tlsClient().secureClient(raw, host, where, { ...tls, handshakeTimeoutMs });
      socket.setNoDelay(true);
      const conn = new Connection(socket, host, where, onTraffic);
      conn.tlsFacts = facts;
      return conn;
    } catch (e) {
      raw.destroy();
      throw signal.aborted ? new StepError(FAILURES.cancelled, 'cancelled') : tlsStepError(e, where);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** STARTTLS: the plaintext connection becomes TLS in place (after the protocol's own exchange); rejects with why. */
  async startTls(tls: ClientTlsOptions, timeoutMs: number): Promise<HandshakeFacts> {
    if (this.tlsFacts) {
      throw new StepError(FAILURES.tls, 'starttls: the connection is already TLS', { form: 'alreadyTls' });
    }
    if (this.closed) {
      throw new StepError(FAILURES.sendFailed, 'starttls: the connection is already closed', { why: 'closed' });
    }
    const plain = this.socket;
    // The plaintext reader steps aside; the TLS socket reads the same connection from now on.
    for (const event of ['data', 'end', 'error', 'drain', 'finish']) {
      plain.removeAllListeners(event);
    }
    plain.on('error', (e) => (this.error ??= e));
    try {
      const { socket, facts } = await tlsClient().secureClient(plain, this.host, this.where, { ...tls, handshakeTimeoutMs: timeoutMs });
      socket.setNoDelay(true);
      this.socket = socket;
      this.tlsFacts = facts;
      this.wire(socket);
      return facts;
    } catch (e) {
      this.closed = this.eof = true;
      throw tlsStepError(e, this.where);
    }
  }

  /** The TCP connection itself; rejects with a readable message on refusal, timeout or cancel (the socket is destroyed). */
  private static connectRaw(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
    if (port === 0) {
      return Promise.reject(new StepError(FAILURES.noPort, `no port to connect to: start the file's listen blocks first (${host}:0)`, { host }));
    }
    const where = formatHostPort(host, port);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const fail = (code: FailureCode, message: string, args: Record<string, string | number> = {}): void => {
        cleanup();
        socket.destroy();
        reject(new StepError(code, message, { where, ...args }));
      };
      const onError = (e: NodeJS.ErrnoException): void =>
        e.code === 'ECONNREFUSED'
          ? fail(FAILURES.refused, `nothing is listening on ${host}:${port} (connection refused)`)
          : fail(FAILURES.connectFailed, `could not connect to ${host}:${port}: ${e.message}`, { error: e.message });
      const onAbort = (): void => fail(FAILURES.cancelled, 'cancelled');
      const timer = setTimeout(() => fail(FAILURES.connectTimeout, `could not connect to ${host}:${port} within ${timeoutMs} ms`, { ms: timeoutMs }), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        signal.removeEventListener('abort', onAbort);
      };
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort);
      socket.once('connect', () => {
        cleanup();
        resolve(socket);
      });
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves on the next data/close event, at `deadline` (epoch ms), or on abort. */
  changed(deadline: number, signal: AbortSignal): Promise<WakeReason> {
    if (signal.aborted) {
      return Promise.resolve('aborted');
    }
    return new Promise((resolve) => {
      const wake = (): void => done('changed');
      const done = (r: WakeReason): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.wake === wake) {
          this.wake = undefined;
        }
        resolve(r);
      };
      const onAbort = (): void => done('aborted');
      const timer = setTimeout(() => done('timeout'), Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', onAbort);
      this.wake = wake;
    });
  }

  /** Writes, waiting for drain under backpressure; resolves with what went wrong, or undefined. */
  async write(bytes: Buffer, deadline: number, signal: AbortSignal): Promise<WriteProblem | undefined> {
    if (this.closed || this.socket.writableEnded || this.socket.destroyed) {
      return { message: 'the connection is already closed', why: 'closed' };
    }
    this.bytesOut += bytes.length;
    this.onTraffic?.('out', bytes);
    if (this.socket.write(bytes)) {
      return undefined;
    }
    // 'drain' wakes the waiter too, so one wait covers drain, data, close, deadline and cancel.
    while (this.socket.writableNeedDrain && !this.closed) {
      const r = await this.changed(deadline, signal);
      if (r === 'timeout') {
        return { message: 'the peer did not read what we sent in time', why: 'notRead' };
      }
      if (r === 'aborted') {
        return { message: 'cancelled', why: 'cancelled' };
      }
    }
    const error = this.error?.message;
    return this.closed ? { message: `the connection closed while sending${error ? ` (${error})` : ''}`, why: 'closedWhileSending', error } : undefined;
  }

  /** Half-close: we send FIN and keep reading. */
  shutdown(): void {
    if (!this.socket.writableEnded) {
      this.socket.end();
    }
  }

  /** Closes our side after what we sent is flushed (bounded by `deadline`), then destroys the socket. */
  async close(deadline: number, signal: AbortSignal): Promise<void> {
    this.shutdown();
    while (!this.socket.writableFinished && !this.closed && Date.now() < deadline) {
      if ((await this.changed(deadline, signal)) !== 'changed') {
        break;
      }
    }
    this.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
