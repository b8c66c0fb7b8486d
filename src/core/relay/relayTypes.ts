// The relay's typed vocabulary: what a view, the CLI log, the pcap writer and the script exporter see.
import { ClientInfo, ServerOptions } from '../servers/serverBase';
import { Event } from '../events';
import { RelayError } from './relayErrors';
import { Shaping } from './relayPump';
import { Hold } from './relayReads';
import type { ClientTlsOptions } from '../tls/clientTls';

export interface RelayServerOptions extends ServerOptions {
  targetHost: string;
  targetPort: number;
  /** Give up on opening the upstream connection after this long (ms); default 10000. */
  connectTimeoutMs?: number;
  /** Connect to the target with TLS (listening with TLS is the base's `tls`); the plaintext is what is relayed and tapped. */
  targetTls?: ClientTlsOptions;
  /** Latency and rate limit for what the client sends to the target. */
  toServer?: Shaping;
  /** Latency and rate limit for what the target sends back. */
  toClient?: Shaping;
}

export type RelayDirection = 'client→server' | 'server→client';

export interface Endpoint {
  address: string;
  port: number;
}

/** One relayed connection: a child row in the Servers view. Counters update in place. */
export interface RelayConnection {
  /** The same id as `client.id`. */
  readonly id: number;
  readonly client: ClientInfo;
  /** The client as seen by the relay (its address and port) and the relay's own end of that leg. */
  readonly clientEnd: Endpoint;
  readonly relayEnd: Endpoint;
  /** The target's real address (resolved) and the relay's local end of the upstream leg. */
  readonly upstreamEnd: Endpoint;
  readonly targetEnd: Endpoint;
  readonly openedAt: number;
  /** How long the relay's connect to the target took (ms; with a TLS target, up to the end of the handshake). */
  readonly connectMs: number;
  bytesToServer: number;
  bytesToClient: number;
  /** Set once that direction's FIN has been forwarded. */
  clientFinished: boolean;
  serverFinished: boolean;
}

/**
 * How a connection ended. `closed`: both sides finished with FIN. `client-reset` / `server-reset`:
 * that side reset (or failed) and the relay reset the other. The rest are the relay's own doing,
 * which resets both sides.
 */
export type RelayCloseReason = 'closed' | 'client-reset' | 'server-reset' | 'timed-out' | 'kicked' | 'server-stopped' | 'error';

export interface RelayDataEvent {
  connection: RelayConnection;
  direction: RelayDirection;
  bytes: Buffer;
}

export interface RelayHalfCloseEvent {
  connection: RelayConnection;
  /** The direction whose sender finished (its FIN was forwarded). */
  direction: RelayDirection;
}

export interface RelayCloseEvent {
  connection: RelayConnection;
  reason: RelayCloseReason;
  error?: Error;
}

export interface UpstreamFailureEvent {
  client: ClientInfo;
  clientEnd: Endpoint;
  relayEnd: Endpoint;
  /** The configured target (host may be a name). */
  target: { host: string; port: number };
  error: RelayError;
}

/**
 * Something that records the relay's traffic in order (the pcap writer, a script recorder). When it
 * says it is congested the relay pauses its sources until `onDrain`, so a slow disk slows the relay
 * instead of growing memory.
 */
export interface RelayTap {
  opened(c: RelayConnection): void;
  /** With `hold`, `e.bytes` is a lent read buffer: a tap that keeps it past the call must hold it. */
  data(e: RelayDataEvent, hold?: Hold): void;
  halfClosed(e: RelayHalfCloseEvent): void;
  closed(e: RelayCloseEvent): void;
  failed(e: UpstreamFailureEvent): void;
  readonly congested: boolean;
  readonly onDrain: Event<void>;
}

/** One TCP connection of a relayed connection: the client's to the relay, or the relay's to the target. */
export type RelayLeg = 'client' | 'target';

/**
 * Sees each leg's bytes as they crossed the wire — TLS records (handshake included) on a TLS leg, the
 * plaintext on a plain one — and the session keys (`RelayServer.addWireTap`). The opener is the side
 * that connected: the client on the client leg, the relay on the target leg.
 */
export interface WireTap {
  legOpened(id: number, leg: RelayLeg, opener: Endpoint, acceptor: Endpoint): void;
  /** The bytes are copied before this returns. */
  legData(id: number, leg: RelayLeg, fromOpener: boolean, bytes: Buffer): void;
  legFinished(id: number, leg: RelayLeg, fromOpener: boolean): void;
  /** The leg is gone; `resetBy` says who reset it when it did not end with a FIN both ways. */
  legClosed(id: number, leg: RelayLeg, resetBy?: 'opener' | 'acceptor'): void;
  /** One SSLKEYLOGFILE line of either leg of connection `id`, before the records it decrypts. */
  keys(id: number, line: Buffer): void;
  readonly congested: boolean;
  readonly onDrain: Event<void>;
}
