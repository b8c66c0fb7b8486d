// The relay: a third server kind. Every accepted client gets its own connection to the target, and
// bytes are forwarded both ways unchanged, with backpressure, half-close and resets passed through,
// so the pair behaves as if the client talked to the target directly — while every byte is seen.
import * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { Disposable, Emitter } from '../events';
import { checkHost, formatHostPort } from '../hostPort';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../connectErrors';
import { ClientInfo, LeaveReason, TcpServer, resetSocket } from '../servers/serverBase';
import { RelayError, targetError, targetTlsError } from './relayErrors';
import { TlsError } from '../tls/tlsErrors';
import { Pump } from './relayPump';
import { Hold, bulkReads } from './relayReads';
import {
  Endpoint,
  RelayCloseEvent,
  RelayCloseReason,
  RelayConnection,
  RelayDataEvent,
  RelayDirection,
  RelayHalfCloseEvent,
  RelayServerOptions,
  RelayTap,
  UpstreamFailureEvent,
  WireTap,
} from './relayTypes';
import { RelayTaps } from './relayTaps';

export type { RelayServerOptions };

interface Live {
  client: net.Socket;
  info: ClientInfo;
  /** The target leg: the TCP socket, then (TLS target) the TLS socket over it once the handshake is done. */
  upstream: net.Socket;
  /** The target leg's TCP socket (a TLS socket over a wire tap has no addresses of its own). */
  rawUpstream: net.Socket;
  failed?: boolean;
  conn?: RelayConnection;
  pumps: Pump[];
  reason?: RelayCloseReason;
  error?: Error;
  leaveReason?: LeaveReason;
  clientClosed: boolean;
  upstreamClosed: boolean;
  connectStarted: number;
}

const LEAVE_TO_CLOSE: Record<LeaveReason, RelayCloseReason> = {
  'closed-by-peer': 'closed',
  done: 'closed',
  reset: 'client-reset',
  'timed-out': 'timed-out',
  kicked: 'kicked',
  'server-stopped': 'server-stopped',
  error: 'error',
};

export class RelayServer extends TcpServer {
  readonly kind = 'relay' as const;
  private readonly live = new Map<number, Live>();
  private readonly taps = new RelayTaps(() => this.live.forEach((l) => l.pumps.forEach((p) => p.maybeResume())), this.onDidLogKeys);
  private readonly wire = this.taps.wire;
  /** TLS clients' TCP sockets while a wire tap is on (their TLS sockets are made over a TapStream). */
  private readonly rawClients = new Map<number, net.Socket>();
  /** The target's TLS options and secure context, loaded by the first connection and shared by the rest. */
  private upstreamContext?: Promise<tls.ConnectionOptions>;

  private readonly _onDidOpenConnection = this._register(new Emitter<RelayConnection>());
  /** A client is connected to the target; bytes start to flow. */
  readonly onDidOpenConnection = this._onDidOpenConnection.event;
  private readonly _onDidRelayData = this._register(new Emitter<RelayDataEvent>());
  /** Every forwarded chunk with its direction; fired only while someone listens. */
  readonly onDidRelayData = this._onDidRelayData.event;
  private readonly _onDidHalfClose = this._register(new Emitter<RelayHalfCloseEvent>());
  readonly onDidHalfClose = this._onDidHalfClose.event;
  private readonly _onDidCloseConnection = this._register(new Emitter<RelayCloseEvent>());
  /** Both legs are closed; the connection carries its final byte counts. */
  readonly onDidCloseConnection = this._onDidCloseConnection.event;
  private readonly _onDidFailUpstream = this._register(new Emitter<UpstreamFailureEvent>());
  /** The target could not be reached for a client; that client was reset, the relay keeps serving. */
  readonly onDidFailUpstream = this._onDidFailUpstream.event;

  constructor(protected override readonly options: RelayServerOptions) {
    super(options);
    try {
      checkHost(options.targetHost);
    } catch (e) {
      throw new RelayError('relay.badOption', `Bad target host: ${(e as Error).message}`, { host: options.targetHost });
    }
    if (!Number.isInteger(options.targetPort) || options.targetPort < 1 || options.targetPort > 65535) {
      throw new RelayError('relay.badOption', `Bad target port ${options.targetPort} (1-65535).`, { port: options.targetPort });
    }
    // The base fires the leave (with its reason) before our own close handlers run.
    this._register(
      this.onDidLeaveClient((e) => {
        const l = this.live.get(e.client.id);
        if (l) {
          l.leaveReason = e.reason;
        }
      }),
    );
  }

  get target(): { host: string; port: number } {
    return { host: this.options.targetHost, port: this.options.targetPort };
  }

  /** The open connections (not the ones still connecting to the target). */
  get connections(): RelayConnection[] {
    return [...this.live.values()].flatMap((l) => (l.conn ? [l.conn] : []));
  }

  /** Adds a recorder of everything relayed from now on; dispose to remove it. */
  addTap(tap: RelayTap): Disposable {
    return this.taps.add(tap);
  }

  /**
   * Adds a recorder of the bytes on the wire of both legs (TLS records on a TLS leg) and of the session
   * keys, for connections accepted from now on; dispose to remove it.
   */
  addWireTap(tap: WireTap): Disposable {
    return this.taps.addWire(tap);
  }

  protected override tlsTransport(id: number): ((raw: net.Socket) => Duplex) | undefined {
    if (!this.wire.on) {
      return undefined;
    }
    return (raw) => {
      this.rawClients.set(id, raw);
      raw.once('close', () => this.rawClients.delete(id));
      return this.wire.tlsLeg(id, 'client', raw);
    };
  }

  /** Stops like every server, and also waits for the upstream legs to be gone. */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all([...this.live.values()].filter((l) => !l.upstreamClosed).map((l) => new Promise<void>((r) => l.rawUpstream.once('close', () => r()))));
  }

  protected handleClient(socket: net.Socket, info: ClientInfo): void {
    // Nothing is read from the client until the target answers: its bytes wait in the kernel.
    socket.pause();
    if (this.wire.on && !this.options.tls) {
      // A plain client leg's wire bytes are the relayed plaintext (a TLS leg was tapped since its handshake).
      this.wire.plainLeg(info.id, 'client', socket);
    }
    const { targetHost: host, targetPort: port } = this.options;
    // The pumps exist from 'connect' on, before the first read.
    const targetTls = this.options.targetTls;
    // A TLS target is read by its TLS socket (the bulk reads are for plaintext TCP).
    const onread = targetTls ? undefined : bulkReads((b, hold) => l.pumps[1]?.push(b, hold));
    const upstream = net.connect({ host, port, allowHalfOpen: true, noDelay: true, onread });
    const l: Live = { client: socket, info, upstream, rawUpstream: upstream, pumps: [], clientClosed: false, upstreamClosed: false, connectStarted: Date.now() };
    this.live.set(info.id, l);
    upstream.setTimeout(this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => {
      upstream.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    });
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      if (targetTls) {
        this.secureUpstream(l, targetTls);
      } else {
        this.open(l);
      }
    });
    upstream.on('error', (e: NodeJS.ErrnoException) => (l.conn ? this.sideFailed(l, 'server', e) : this.upstreamFailed(l, e)));
    upstream.on('close', () => {
      l.upstreamClosed = true;
      this.sideClosed(l, 'server');
    });
    socket.on('error', (e: Error) => this.sideFailed(l, 'client', e));
    socket.on('close', () => {
      l.clientClosed = true;
      this.sideClosed(l, 'client');
    });
  }

  /** TLS to the target over the connected upstream socket; the same verification as a client session. */
  private secureUpstream(l: Live, targetTls: NonNullable<RelayServerOptions['targetTls']>): void {
    const { targetHost: host, targetPort: port } = this.options;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { secureClient, loadClientContext } = require('../tls/clientTls') as typeof import('../tls/clientTls');
    const raw = l.upstream;
    this.upstreamContext ??= loadClientContext(targetTls);
    const where = `the target ${formatHostPort(host, port)}`;
    const keylog = (line: Buffer): void => {
      targetTls.keylog?.(line);
      this._onDidLogKeys.fire({ clientId: l.info.id, leg: 'target', line });
    };
    this.upstreamContext
      .then((loaded) => secureClient(this.wire.on ? this.wire.tlsLeg(l.info.id, 'target', raw) : raw, host, where, { ...targetTls, keylog, chain: false }, loaded))
      .then(
        ({ socket }) => {
          l.upstream = socket;
          socket.on('error', (e: NodeJS.ErrnoException) => (l.conn ? this.sideFailed(l, 'server', e) : this.upstreamFailed(l, e)));
          this.open(l);
        },
        (e: TlsError) => {
          raw.destroy(); // when the options failed to load, no handshake ever owned it
          this.upstreamFailed(l, e);
        },
      );
  }

  private open(l: Live): void {
    const { client, upstream, info, rawUpstream: up } = l;
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    const ep = (address: string | undefined, port: number | undefined): Endpoint => ({ address: address ?? '?', port: port ?? 0 });
    const down = this.rawClients.get(info.id) ?? client;
    const conn: RelayConnection = {
      id: info.id,
      client: info,
      clientEnd: ep(down.remoteAddress, down.remotePort),
      relayEnd: ep(down.localAddress, down.localPort),
      upstreamEnd: ep(up.localAddress, up.localPort),
      targetEnd: ep(up.remoteAddress, up.remotePort),
      openedAt: Date.now(),
      connectMs: Date.now() - l.connectStarted,
      bytesToServer: 0,
      bytesToClient: 0,
      clientFinished: false,
      serverFinished: false,
    };
    l.conn = conn;
    if (this.wire.on) {
      // A plain target leg's wire bytes are the relayed plaintext; a TLS leg's were tapped since its handshake.
      if (!this.options.targetTls) {
        this.wire.plainLeg(info.id, 'target', upstream);
      }
    }
    this._onDidOpenConnection.fire(conn);
    this.taps.opened(conn);
    const held = (): boolean => this.taps.congested;
    l.pumps = [
      new Pump(client, upstream, this.options.toServer, {
        onChunk: (b, hold) => {
          conn.bytesToServer += b.length;
          const own = this.ownFor(b, hold);
          this.received(info, own);
          this.relayed(conn, 'client→server', own, b, hold);
        },
        onFinished: () => this.finished(conn, 'client→server'),
        held,
      }),
      new Pump(upstream, client, this.options.toClient, {
        onChunk: (b, hold) => {
          conn.bytesToClient += b.length;
          const own = this.ownFor(b, hold);
          this.sent(info, own);
          this.relayed(conn, 'server→client', own, b, hold);
        },
        onFinished: () => this.finished(conn, 'server→client'),
        held,
      }),
    ];
    l.pumps.forEach((p) => p.start());
  }

  /** What data listeners get: they may keep it, so a lent chunk (with `hold`) is copied for them. */
  private ownFor(b: Buffer, hold: Hold | undefined): Buffer {
    return hold && (this._onDidRelayData.hasListeners || this.hasDataListeners) ? Buffer.from(b) : b;
  }

  /** Reports a relayed chunk: `own` to listeners, the lent `bytes` to taps, which hold what they keep. */
  private relayed(connection: RelayConnection, direction: RelayDirection, own: Buffer, bytes: Buffer, hold?: Hold): void {
    if (this._onDidRelayData.hasListeners) {
      this._onDidRelayData.fire({ connection, direction, bytes: own });
    }
    this.taps.data(connection, direction, bytes, hold);
  }

  private finished(connection: RelayConnection, direction: RelayDirection): void {
    if (direction === 'client→server') {
      connection.clientFinished = true;
    } else {
      connection.serverFinished = true;
    }
    const e = { connection, direction };
    this.taps.halfClosed(e);
    this._onDidHalfClose.fire(e);
  }

  private upstreamFailed(l: Live, e: NodeJS.ErrnoException | TlsError): void {
    if (l.failed) {
      return;
    }
    l.failed = true;
    const { targetHost: host, targetPort: port } = this.options;
    const error = e instanceof TlsError ? targetTlsError(e, host, port) : targetError(e, host, port);
    this.setLeaveReason(l.info.id, 'error', error);
    const ev: UpstreamFailureEvent = {
      client: l.info,
      clientEnd: { address: l.client.remoteAddress ?? '?', port: l.client.remotePort ?? 0 },
      relayEnd: { address: l.client.localAddress ?? '?', port: l.client.localPort ?? 0 },
      target: { host, port },
      error,
    };
    this._onDidFailUpstream.fire(ev);
    this.taps.failed(ev);
    if (!l.client.destroyed) {
      resetSocket(l.client);
    }
  }

  /** One leg failed (a reset, an error): the other is reset too, as the real path would be. */
  private sideFailed(l: Live, side: 'client' | 'server', e: Error): void {
    l.reason ??= side === 'client' ? 'client-reset' : 'server-reset';
    l.error ??= e;
    const other = side === 'client' ? l.upstream : l.client;
    if (side === 'server') {
      this.setLeaveReason(l.info.id, 'reset', e);
    }
    if (!other.destroyed) {
      resetSocket(other);
    }
  }

  private sideClosed(l: Live, side: 'client' | 'server'): void {
    const [me, other] = side === 'client' ? [l.client, l.upstream] : [l.upstream, l.client];
    // A leg that closed after both its directions finished cleanly leaves the other to finish too;
    // any other close (timeout, kick, stop, a reset) resets the other leg.
    const clean = me.readableEnded && me.writableFinished && !l.reason;
    if (!other.destroyed && (!clean || !l.conn)) {
      if (side === 'client' && l.leaveReason) {
        l.reason ??= LEAVE_TO_CLOSE[l.leaveReason];
      }
      l.reason ??= side === 'client' ? 'client-reset' : 'server-reset';
      if (l.conn) {
        resetSocket(other);
      } else {
        other.destroy();
      }
    }
    if (l.clientClosed && l.upstreamClosed) {
      this.live.delete(l.info.id);
      l.pumps.forEach((p) => p.dispose());
      if (l.conn) {
        const reason = l.reason ?? (l.leaveReason ? LEAVE_TO_CLOSE[l.leaveReason] : 'closed');
        const e = { connection: l.conn, reason, error: l.error };
        this._onDidCloseConnection.fire(e);
        this.taps.closed(e);
      }
    }
  }
}
