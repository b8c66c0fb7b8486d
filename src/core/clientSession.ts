// CONTRACT STUB — to be implemented (issue 2). Public API below is fixed; bodies are not.
import { DisposableBase, Emitter } from './events';
import { EncodingName, LineEnding } from './codec';

export type SessionState = 'connecting' | 'connected' | 'closed';
export type CloseReason = 'closed-by-peer' | 'closed-by-us' | 'error';

export interface SessionOptions {
  host: string;
  port: number;
  /** Default utf-8. */
  encoding?: EncodingName;
  /** Default 10000 ms. */
  connectTimeoutMs?: number;
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
  connectedAt?: number;

  protected readonly _onDidConnect = this._register(new Emitter<void>());
  readonly onDidConnect = this._onDidConnect.event;
  protected readonly _onData = this._register(new Emitter<SessionData>());
  readonly onData = this._onData.event;
  protected readonly _onDidSend = this._register(new Emitter<Buffer>());
  readonly onDidSend = this._onDidSend.event;
  protected readonly _onDidClose = this._register(new Emitter<SessionClose>());
  readonly onDidClose = this._onDidClose.event;

  constructor(readonly options: SessionOptions) {
    super();
  }

  get state(): SessionState {
    throw new Error('not implemented');
  }

  get encoding(): EncodingName {
    return this.options.encoding ?? 'utf-8';
  }

  /** Connects; rejects with a ConnectError naming host and port (refused, timed out, unknown host). */
  connect(): Promise<void> {
    throw new Error('not implemented');
  }

  /** Sends text in the session's encoding with an optional line ending; resolves when written. */
  send(_data: string | Uint8Array, _lineEnding?: LineEnding): Promise<void> {
    throw new Error('not implemented');
  }

  /** Half-closes our side (the peer sees EOF) and keeps reading. */
  end(): void {
    throw new Error('not implemented');
  }

  /** Closes the connection (reason closed-by-us); resolves when closed. */
  close(): Promise<void> {
    throw new Error('not implemented');
  }
}

export class ConnectError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** Connects a new session; convenience over `new ClientSession(o).connect()`. */
export async function connect(options: SessionOptions): Promise<ClientSession> {
  const s = new ClientSession(options);
  await s.connect();
  return s;
}
