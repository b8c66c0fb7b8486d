// What the echo server and the file server share: listen/stop, the client table, the connection cap,
// idle timeouts, byte counters and the lifecycle events. Subclasses only decide what to do with a client.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { DisposableBase, Emitter } from '../events';
import { formatHostPort } from '../hostPort';
import { ServerError, listenError } from './serverErrors';
import { Refusal, refusal } from '../refusals';
import type { ServerClientTls, ServerTls, ServerTlsInfo, ServerTlsOptions, TlsError } from '../tls';

export { ServerError } from './serverErrors';

export type ServerState = 'stopped' | 'starting' | 'listening' | 'stopping';

/** Why a client left: the tutorials' "recv returned 0" is `closed-by-peer`. */
export type LeaveReason = 'closed-by-peer' | 'reset' | 'timed-out' | 'kicked' | 'server-stopped' | 'done' | 'error';

export interface ClientInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** `127.0.0.1:51234` or `[::1]:51234`. */
  readonly remote: string;
  readonly connectedAt: number;
  bytesIn: number;
  bytesOut: number;
  chunksIn: number;
  chunksOut: number;
  /** A TLS server's client: protocol, cipher, ALPN, and its certificate's subject (mTLS). */
  tls?: ServerClientTls;
}

export interface ServerOptions {
  /** Default 127.0.0.1: nothing is reachable from the network unless the user opts in. */
  host?: string;
  /** 0 = any free port; the real one is in `address` once listening. */
  port?: number;
  backlog?: number;
  /** Default 1000; the next client is refused at once and `onDidRefuseClient` fires. */
  maxConnections?: number;
  /** Close a client that sends and receives nothing for this long (ms); 0/undefined = never. */
  idleTimeoutMs?: number;
  /** Listen with TLS (docs/tls.md); the certificate is loaded or generated when the server starts. */
  tls?: ServerTlsOptions;
}

/** An SSLKEYLOGFILE line (with its newline) of a TLS client's connection, or of the relay's leg to its target. */
export interface KeylogEvent {
  clientId: number;
  leg: 'client' | 'target';
  line: Buffer;
}

/** A client whose TLS handshake failed (it never joined): plaintext on a TLS port, a timeout, no client certificate. */
export interface HandshakeFailureEvent {
  /** Numbered like the clients that join (`client 3 spoke plaintext to a TLS port`). */
  client: ClientInfo;
  error: TlsError;
}

export interface ServerAddress {
  host: string;
  port: number;
}

export interface ServerStats {
  bytesIn: number;
  bytesOut: number;
  clientsAccepted: number;
  clientsRefused: number;
}

export interface DataEvent {
  client: ClientInfo;
  direction: 'in' | 'out';
  bytes: Buffer;
  /** Incoming text from the client's stream decoder (echo server); empty bytes: a flushed tail. */
  text?: string;
}

export interface LeaveEvent {
  client: ClientInfo;
  reason: LeaveReason;
  error?: Error;
}

export const DEFAULT_MAX_CONNECTIONS = 1000;

/** Closes with a reset (RST); a TLS socket, whose handle is not a TCP one, is destroyed instead. */
export function resetSocket(socket: net.Socket): void {
  if ((socket as net.Socket & { encrypted?: boolean }).encrypted) {
    socket.destroy();
  } else {
    socket.resetAndDestroy();
  }
}

interface Tracked {
  info: ClientInfo;
  socket: net.Socket;
  reason?: LeaveReason;
  error?: Error;
  /** False while a TLS client is in its handshake: tracked (counted, stopped) but not a client yet. */
  joined: boolean;
}

export abstract class TcpServer extends DisposableBase {
  abstract readonly kind: 'echo' | 'file' | 'mock' | 'relay';

  private server?: net.Server;
  private readonly tracked = new Map<number, Tracked>();
  private nextId = 1;
  private _state: ServerState = 'stopped';
  private _address?: ServerAddress;
  private startedAt?: number;
  private stopping?: Promise<void>;
  private tls?: ServerTls;
  readonly stats: ServerStats = { bytesIn: 0, bytesOut: 0, clientsAccepted: 0, clientsRefused: 0 };

  protected readonly _onDidChangeState = this._register(new Emitter<ServerState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  protected readonly _onDidAcceptClient = this._register(new Emitter<ClientInfo>());
  readonly onDidAcceptClient = this._onDidAcceptClient.event;
  protected readonly _onDidRefuseClient = this._register(new Emitter<{ remote: string; reason: string; why: Refusal }>());
  readonly onDidRefuseClient = this._onDidRefuseClient.event;
  protected readonly _onDidLeaveClient = this._register(new Emitter<LeaveEvent>());
  readonly onDidLeaveClient = this._onDidLeaveClient.event;
  protected readonly _onData = this._register(new Emitter<DataEvent>());
  /** Every chunk in and out. Fired only while someone listens, so an unwatched server pays nothing. */
  readonly onData = this._onData.event;
  protected readonly _onDidFailHandshake = this._register(new Emitter<HandshakeFailureEvent>());
  readonly onDidFailHandshake = this._onDidFailHandshake.event;
  protected readonly _onDidLogKeys = this._register(new Emitter<KeylogEvent>());
  /** The session keys of TLS connections, only while someone listens (a key log, a wire capture). */
  readonly onDidLogKeys = this._onDidLogKeys.event;
  protected readonly _onDidError = this._register(new Emitter<Error>());
  readonly onDidError = this._onDidError.event;

  constructor(protected readonly options: ServerOptions = {}) {
    super();
  }

  get state(): ServerState {
    return this._state;
  }

  /** Host and real port while listening. */
  get address(): ServerAddress | undefined {
    return this._address;
  }

  /** What a TLS server listens with (its certificate, the local CA's file); undefined for plain TCP. */
  get tlsInfo(): ServerTlsInfo | undefined {
    return this.tls?.info;
  }

  get uptimeMs(): number {
    return this.startedAt === undefined ? 0 : Date.now() - this.startedAt;
  }

  get clients(): ClientInfo[] {
    return [...this.tracked.values()].filter((t) => t.joined).map((t) => t.info);
  }

  private setState(s: ServerState): void {
    if (this._state !== s) {
      this._state = s;
      this._onDidChangeState.fire(s);
    }
  }

  async start(): Promise<ServerAddress> {
    if (this._state !== 'stopped') {
      throw new ServerError(`The server is already ${this._state}.`);
    }
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 0;
    this.setState('starting');
    if (this.options.tls) {
      try {
        // Loaded only for a TLS server: the plain path never loads node:tls handling or @peculiar/x509.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { prepareServerTls } = require('../tls/serverTls') as typeof import('../tls/serverTls');
        this.tls = await prepareServerTls(this.options.tls);
      } catch (e) {
        this.setState('stopped');
        throw e;
      }
    }
    // allowHalfOpen: a client that half-closes (nc -N, shutdown(SHUT_WR)) still gets its answer.
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.accept(s));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, backlog: this.options.backlog }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      this.setState('stopped');
      throw listenError(e as NodeJS.ErrnoException, host, port);
    }
    server.on('error', (e) => this._onDidError.fire(e));
    this.server = server;
    const a = server.address() as net.AddressInfo;
    this._address = { host, port: a.port };
    this.startedAt = Date.now();
    this.setState('listening');
    return this._address;
  }

  /** Stops accepting, destroys every client socket, and resolves when all is closed. */
  stop(): Promise<void> {
    if (this.stopping) {
      return this.stopping;
    }
    const server = this.server;
    if (!server) {
      return Promise.resolve();
    }
    this.setState('stopping');
    this.stopping = (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const gone = [...this.tracked.values()].map(
        (t) =>
          new Promise<void>((resolve) => {
            // Every tracked socket still has its 'close' to come: it is untracked in that handler.
            t.socket.once('close', () => resolve());
            t.reason ??= 'server-stopped';
            t.socket.destroy();
          }),
      );
      await Promise.all([closed, ...gone]);
      this.onStopped();
      this.server = undefined;
      this._address = undefined;
      this.startedAt = undefined;
      this.stopping = undefined;
      this.setState('stopped');
    })();
    return this.stopping;
  }

  /** Disconnects one client; false when there is no such client. */
  kick(clientId: number): boolean {
    const t = this.tracked.get(clientId);
    if (!t) {
      return false;
    }
    t.reason ??= 'kicked';
    t.socket.destroy();
    return true;
  }

  override dispose(): void {
    void this.stop();
    super.dispose();
  }

  /** What to do with a new client (it is counted and tracked already). */
  protected abstract handleClient(socket: net.Socket, client: ClientInfo): void;

  /** What a TLS client's TLS socket is made over instead of its TCP socket (the relay's wire tap); none by default. */
  protected tlsTransport(_clientId: number): ((raw: net.Socket) => Duplex) | undefined {
    return undefined;
  }

  /** Called once all sockets are closed on stop (release per-server resources). */
  protected onStopped(): void {
    // nothing by default
  }

  protected socketOf(clientId: number): net.Socket | undefined {
    return this.tracked.get(clientId)?.socket;
  }

  /** One client's socket, for the timeline's probe (src/core/timeline/probe.ts). */
  clientSocket(clientId: number): net.Socket | undefined {
    return this.socketOf(clientId);
  }

  /** Marks why a client is about to be closed by us (first reason wins). */
  protected setLeaveReason(clientId: number, reason: LeaveReason, error?: Error): void {
    const t = this.tracked.get(clientId);
    if (t) {
      t.reason ??= reason;
      t.error ??= error;
    }
  }

  /** True while someone listens to onData (and may keep the chunks it is given). */
  protected get hasDataListeners(): boolean {
    return this._onData.hasListeners;
  }

  /** Counts bytes that came in and reports them (with their decoded text, if the kind decodes). */
  protected received(client: ClientInfo, bytes: Buffer, text?: string): void {
    client.bytesIn += bytes.length;
    client.chunksIn++;
    this.stats.bytesIn += bytes.length;
    if (this._onData.hasListeners) {
      this._onData.fire({ client, direction: 'in', bytes, text });
    }
  }

  /** Counts bytes that went out and reports them. */
  protected sent(client: ClientInfo, bytes: Buffer): void {
    client.bytesOut += bytes.length;
    client.chunksOut++;
    this.stats.bytesOut += bytes.length;
    if (this._onData.hasListeners) {
      this._onData.fire({ client, direction: 'out', bytes });
    }
  }

  private accept(socket: net.Socket): void {
    const remoteAddress = socket.remoteAddress ?? '?';
    const remotePort = socket.remotePort ?? 0;
    const remote = formatHostPort(remoteAddress, remotePort);
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this._state !== 'listening' || this.tracked.size >= max) {
      this.stats.clientsRefused++;
      socket.on('error', () => undefined);
      socket.destroy();
      const why = this._state !== 'listening' ? refusal('refusal.stopping') : refusal('refusal.connectionLimit', { max });
      this._onDidRefuseClient.fire({ remote, reason: why.reason, why });
      return;
    }
    const info: ClientInfo = { id: this.nextId++, remoteAddress, remotePort, remote, connectedAt: Date.now(), bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0 };
    const t: Tracked = { info, socket, joined: false };
    this.tracked.set(info.id, t);
    socket.setNoDelay(true);
    if (this.tls) {
      this.handshake(t, this.tls);
      return;
    }
    this.join(t);
  }

  /** A TLS client joins once its handshake is done; until then it is tracked (counted, stopped) but not shown. */
  private handshake(t: Tracked, serverTls: ServerTls): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { acceptTls } = require('../tls/serverTls') as typeof import('../tls/serverTls');
    const id = t.info.id;
    acceptTls(t.socket, serverTls, (line) => this._onDidLogKeys.fire({ clientId: id, leg: 'client', line }), this.tlsTransport(id)).then(
      ({ socket, facts }) => {
        if (this._state !== 'listening') {
          socket.destroy();
          return;
        }
        t.socket = socket;
        t.info.tls = facts;
        this.join(t);
      },
      (error: TlsError) => {
        this.tracked.delete(t.info.id);
        if (this._state === 'listening') {
          this._onDidFailHandshake.fire({ client: t.info, error });
        }
      },
    );
  }

  private join(t: Tracked): void {
    const { info, socket } = t;
    t.joined = true;
    this.stats.clientsAccepted++;
    if (this.options.idleTimeoutMs) {
      socket.setTimeout(this.options.idleTimeoutMs);
      socket.on('timeout', () => {
        t.reason ??= 'timed-out';
        // A reset, not a FIN: data still queued for a stalled peer must not arrive as a clean end
        // (a file-protocol client would take a truncated file for the whole one).
        resetSocket(socket);
      });
    }
    socket.on('end', () => {
      t.reason ??= 'closed-by-peer';
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      t.reason ??= e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'error';
      t.error ??= e;
    });
    socket.on('close', () => {
      this.tracked.delete(info.id);
      this._onDidLeaveClient.fire({ client: info, reason: t.reason ?? 'closed-by-peer', error: t.error });
    });
    this._onDidAcceptClient.fire(info);
    this.handleClient(socket, info);
  }
}
