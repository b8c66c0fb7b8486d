// A client connection to any TCP server, full duplex: received data is delivered as it arrives while
// sends go out (the tutorials needed a reader thread and a writer thread for this).
import * as net from 'node:net';
import { DisposableBase, Emitter } from '../events';
import { ConnectError, DEFAULT_CONNECT_TIMEOUT_MS, connectError } from '../connectErrors';
import { EncodingName, LINE_ENDINGS, LineEnding, StreamDecoder, checkEncoding, createDecoder, encodeText } from '../codec';
import { HostPortError, checkHost, formatHostPort, parsePort } from '../hostPort';
import { SendFileError, SendFileOptions, SendFileResult, streamFileTo } from '../fileSender';
import type * as tls from 'node:tls';
import type { ClientTlsOptions, HandshakeFacts } from '../tls/clientTls';

export { ConnectError };

/** The TLS client code, loaded only for a TLS session: the plain path is unchanged. */
function tlsClient(): typeof import('../tls/clientTls') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../tls/clientTls') as typeof import('../tls/clientTls');
}

export type SessionState = 'connecting' | 'connected' | 'closed';
export type CloseReason = 'closed-by-peer' | 'closed-by-us' | 'error';

export interface SessionOptions {
  host: string;
  port: number;
  /** Default utf-8. */
  encoding?: EncodingName;
  /** Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Connect with TLS (docs/tls.md); a certificate that does not verify fails the connect with a TlsError. */
  tls?: ClientTlsOptions;
}

export interface SessionData {
  bytes: Buffer;
  /** The bytes decoded incrementally in the session's encoding (hex dump for `hex`). */
  text: string;
}

export interface SessionClose {
  reason: CloseReason;
  error?: Error;
}

/** A client connection, full duplex: data is delivered as it arrives while sends go out. */
export class ClientSession extends DisposableBase {
  private static nextId = 1;
  readonly id = ClientSession.nextId++;
  bytesIn = 0;
  bytesOut = 0;
  chunksIn = 0;
  chunksOut = 0;
  connectedAt?: number;
  /** The TLS handshake's facts (protocol, cipher, ALPN, the peer's chain) once TLS is up. */
  tlsFacts?: HandshakeFacts;

  protected readonly _onDidConnect = this._register(new Emitter<void>());
  readonly onDidConnect = this._onDidConnect.event;
  protected readonly _onData = this._register(new Emitter<SessionData>());
  readonly onData = this._onData.event;
  protected readonly _onDidSend = this._register(new Emitter<Buffer>());
  readonly onDidSend = this._onDidSend.event;
  protected readonly _onDidClose = this._register(new Emitter<SessionClose>());
  readonly onDidClose = this._onDidClose.event;

  // A session is made to connect, so it starts out `connecting`; it is `closed` after a failed connect too.
  private _state: SessionState = 'connecting';
  private socket?: net.Socket;
  private decoder?: StreamDecoder;
  private connecting?: Promise<void>;
  private closedByUs = false;
  private closeError?: Error;
  private closed?: Promise<void>;
  private cancelConnect?: () => void;
  private upgrading = false;

  constructor(readonly options: SessionOptions) {
    super();
  }

  get state(): SessionState {
    return this._state;
  }

  get encoding(): EncodingName {
    return this.options.encoding ?? 'utf-8';
  }

  /**
   * Switches the encoding received text is decoded in (and text is sent in) from the next chunk on;
   * what the old decoder still held back is decoded in the old encoding first and delivered.
   */
  setEncoding(encoding: EncodingName): void {
    const e = checkEncoding(encoding);
    const rest = this.decoder?.end() ?? '';
    if (rest) {
      this._onData.fire({ bytes: Buffer.alloc(0), text: rest });
    }
    this.options.encoding = e;
    if (this.decoder) {
      this.decoder = createDecoder(e);
    }
  }

  /** The socket while connected, for the timeline's probe (src/core/timeline/probe.ts); else undefined. */
  get liveSocket(): net.Socket | undefined {
    return this._state === 'connected' ? this.socket : undefined;
  }

  /** `host:port` as given, IPv6 in brackets. */
  get remote(): string {
    return formatHostPort(this.options.host, this.options.port);
  }

  /** Connects; rejects with a ConnectError naming host and port (refused, timed out, unknown host). */
  connect(): Promise<void> {
    this.connecting ??= this.doConnect();
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    const where = this.remote;
    if (this.closedByUs) {
      throw new ConnectError(`Connecting to ${where} was cancelled: the session is closed.`, 'ECANCELED');
    }
    let host: string;
    let port: number;
    try {
      checkEncoding(this.encoding);
      host = checkHost(this.options.host);
      port = parsePort(this.options.port);
    } catch (e) {
      this._state = 'closed';
      const code = e instanceof HostPortError ? 'EINVAL' : undefined;
      throw new ConnectError(`Cannot connect to ${where}: ${(e as Error).message}`, code);
    }
    // A TLS session reads its certificate files first: a bad one fails before anything connects.
    const tlsFiles = this.options.tls
      ? await tlsClient()
          .loadClientTls(this.options.tls)
          .catch((e: Error) => e)
      : undefined;
    if (tlsFiles instanceof Error) {
      this._state = 'closed';
      throw tlsFiles;
    }
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const socket = net.connect({ host, port, noDelay: true });
    this.socket = socket;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new ConnectError(`Connecting to ${where} timed out after ${timeoutMs} ms (no answer from the host).`, 'ETIMEDOUT'));
        }, timeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(connectError(e, host, where));
        });
        this.cancelConnect = () => {
          clearTimeout(timer);
          reject(new ConnectError(`Connecting to ${where} was cancelled.`, 'ECANCELED'));
        };
      });
    } catch (e) {
      this.cancelConnect = undefined;
      this._state = 'closed';
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      this.socket = undefined;
      throw e;
    }
    this.cancelConnect = undefined;
    if (this.options.tls) {
      try {
        await this.secure(socket, this.options.tls, tlsFiles);
      } catch (e) {
        this._state = 'closed';
        this.socket = undefined;
        throw e;
      }
      if (this.closedByUs) {
        this._state = 'closed';
        this.socket?.destroy();
        throw new ConnectError(`Connecting to ${where} was cancelled.`, 'ECANCELED');
      }
      this.wire(this.socket as net.Socket);
    } else {
      this.wire(socket);
    }
    this._state = 'connected';
    this.connectedAt = Date.now();
    this._onDidConnect.fire();
  }

  /** The TLS handshake over a connected socket; the TLS code loads only for a TLS session. */
  private async secure(socket: net.Socket, options: ClientTlsOptions, loaded?: tls.ConnectionOptions): Promise<HandshakeFacts> {
    const { secureClient } = tlsClient();
    const { socket: s, facts } = await secureClient(socket, this.options.host, this.remote, options, loaded);
    s.setNoDelay(true);
    this.socket = s;
    this.tlsFacts = facts;
    return facts;
  }

  /**
   * STARTTLS: upgrades this connected plaintext session to TLS in place, after the protocol's own
   * exchange (`STARTTLS` → `220`) was done over it. Send, receive, record and repeat go on unchanged over
   * TLS. On failure (a TlsError, same verification as a TLS connect) the session is closed.
   */
  async startTls(options: ClientTlsOptions = {}): Promise<HandshakeFacts> {
    const plain = this.socket;
    if (this._state !== 'connected' || !plain || this.upgrading) {
      throw new ConnectError(`Not connected to ${this.remote}: cannot start TLS.`, 'ENOTCONN');
    }
    if (this.tlsFacts) {
      throw new ConnectError(`The connection to ${this.remote} is already TLS.`, 'EISCONN');
    }
    this.upgrading = true;
    // The plaintext reader steps aside; the TLS socket reads the same connection from now on.
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    plain.removeAllListeners('error');
    plain.on('error', (e: NodeJS.ErrnoException) => {
      this.closeError ??= new ConnectError(`Connection to ${this.remote} failed: ${e.message}`, e.code);
    });
    let facts: HandshakeFacts;
    try {
      facts = await this.secure(plain, options);
    } catch (e) {
      this.closeError ??= e as Error;
      plain.destroy();
      throw e;
    } finally {
      this.upgrading = false;
    }
    // The plain socket's 'close' (wired at connect) still fires when the TLS socket closes.
    this.wire(this.socket as net.Socket, false);
    return facts;
  }

  private wire(socket: net.Socket, watchClose = true): void {
    this.decoder ??= createDecoder(this.encoding);
    socket.removeAllListeners('error');
    socket.on('data', (bytes: Buffer) => {
      this.bytesIn += bytes.length;
      this.chunksIn++;
      this._onData.fire({ bytes, text: this.decoder?.write(bytes) ?? '' });
    });
    socket.on('end', () => {
      // A character cut off by the end of the stream still shows (as a replacement character).
      const rest = this.decoder?.end() ?? '';
      if (rest) {
        this._onData.fire({ bytes: Buffer.alloc(0), text: rest });
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // An alert after the handshake (TLS 1.3: the server wanted a client certificate) is a TlsError.
      if (this.tlsFacts && e.code?.startsWith('ERR_SSL')) {
        const { tlsSocketError } = tlsClient();
        this.closeError ??= tlsSocketError(e, this.remote);
      }
      this.closeError ??= new ConnectError(`Connection to ${this.remote} failed: ${e.message}`, e.code);
    });
    if (!watchClose) {
      return;
    }
    this.closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this._state = 'closed';
        const reason: CloseReason = this.closedByUs ? 'closed-by-us' : this.closeError ? 'error' : 'closed-by-peer';
        this._onDidClose.fire({ reason, error: reason === 'error' ? this.closeError : undefined });
        resolve();
      });
    });
  }

  /** Sends text in the session's encoding with an optional line ending; resolves when written. */
  send(data: string | Uint8Array, lineEnding?: LineEnding): Promise<void> {
    const socket = this.socket;
    if (this._state !== 'connected' || !socket || !socket.writable) {
      return Promise.reject(new Error(`Not connected to ${this.remote}: nothing was sent.`));
    }
    let bytes: Buffer;
    try {
      const body = typeof data === 'string' ? encodeText(data, this.encoding) : Buffer.from(data);
      // For `hex` the text is hex digits, so the line ending is appended as bytes.
      bytes = lineEnding ? Buffer.concat([body, Buffer.from(LINE_ENDINGS[lineEnding], 'latin1')]) : body;
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (bytes.length === 0) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => {
        if (err) {
          reject(new Error(`Sending to ${this.remote} failed: ${err.message}`));
          return;
        }
        this.countOut(bytes);
        resolve();
      });
    });
  }

  /** Streams a file's bytes (backpressure, progress, cancel); rejects with a SendFileError. */
  sendFile(file: string, options?: SendFileOptions): Promise<SendFileResult> {
    const socket = this.socket;
    if (this._state !== 'connected' || !socket) {
      return Promise.reject(new SendFileError('sendFile.closed', `Not connected to ${this.remote}: ${file} was not sent.`, { file }));
    }
    return streamFileTo(socket, file, (chunk) => this.countOut(chunk), options);
  }

  /** Zeroes the byte and chunk counters (the traffic itself is untouched). */
  resetCounters(): void {
    this.bytesIn = this.bytesOut = this.chunksIn = this.chunksOut = 0;
  }

  private countOut(bytes: Buffer): void {
    this.bytesOut += bytes.length;
    this.chunksOut++;
    this._onDidSend.fire(bytes);
  }

  /** Half-closes our side (the peer sees EOF) and keeps reading. */
  end(): void {
    if (this._state === 'connected' && this.socket && !this.socket.writableEnded) {
      this.socket.end();
    }
  }

  /** Closes the connection (reason closed-by-us); resolves when closed. */
  close(): Promise<void> {
    this.closedByUs = true;
    const socket = this.socket;
    if (!socket || !this.closed) {
      // Never connected, failed, or still connecting: a pending connect() rejects as cancelled.
      this.cancelConnect?.();
      this._state = 'closed';
      return this.connecting
        ? this.connecting.then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve();
    }
    if (this._state !== 'closed') {
      socket.destroy();
    }
    return this.closed;
  }

  override dispose(): void {
    void this.close();
    super.dispose();
  }
}

/** Connects a new session; convenience over `new ClientSession(o).connect()`. */
export async function connect(options: SessionOptions): Promise<ClientSession> {
  const s = new ClientSession(options);
  await s.connect();
  return s;
}
