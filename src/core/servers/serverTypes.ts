// The shapes a server shares with whoever watches it: its options, its clients, its events.
import type { ServerClientTls, ServerTlsOptions, TlsError } from '../tls';

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
