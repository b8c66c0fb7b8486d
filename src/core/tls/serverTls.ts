// The server side of TLS, shared by every server kind (serverBase.ts): the certificate (the user's own
// or the generated local one), an optional client-certificate request, and the handshake of one
// accepted socket — bounded in time, and a plaintext client told apart from a failed handshake.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { CertificateInfo, describeCertificate } from './certificates';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, TlsVersion, readPem } from './clientTls';
import { localCertificate } from './certStore';
import { TlsError, badFile } from './tlsErrors';

export interface ServerTlsOptions {
  /** The server's own certificate (PEM, may hold the chain) and key; without them the local one is used. */
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
  /** Where the generated local certificate is kept and reused (required when no certFile is given). */
  certFolder?: string;
  /** Ask every client for a certificate and refuse those without one this CA (PEM file) signed (mTLS). */
  clientCaFile?: string;
  /** Ask for a client certificate without requiring it (its subject is shown, verified or not). */
  requestClientCert?: boolean;
  /** ALPN protocols the server accepts, in its order of preference. */
  alpn?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** Default 10000 ms: a client that has not finished its handshake by then is closed. */
  handshakeTimeoutMs?: number;
  /** Receives every client's SSLKEYLOGFILE lines (a server's `onDidLogKeys` tells whose). */
  keylog?: (line: Buffer) => void;
}

/** What a TLS server listens with: shown by the CLI and the editor. */
export interface ServerTlsInfo {
  /** True when the certificate is the generated local one. */
  generated: boolean;
  /** The leaf the server presents. */
  certificate: CertificateInfo;
  /** The local CA's PEM file (generated certificates only): what clients should trust. */
  caFile?: string;
  /** True when clients must present a certificate. */
  clientCertRequired: boolean;
}

export interface ServerTls {
  readonly info: ServerTlsInfo;
  /** The certificate, key and client CA, checked once by a secure context made of them. */
  readonly secure: tls.SecureContextOptions;
  readonly options: ServerTlsOptions;
}

/** A TLS client's facts, on its ClientInfo. */
export interface ServerClientTls {
  protocol: string;
  cipher: string;
  alpn?: string;
  servername?: string;
  /** The client certificate's subject (mTLS), and whether it verified against the client CA. */
  peerSubject?: string;
  peerVerified?: boolean;
}

/** Loads the certificate (or generates the local one) once, when the server starts. */
export async function prepareServerTls(o: ServerTlsOptions): Promise<ServerTls> {
  const read = readPem;
  let cert: string;
  let key: string;
  let caFile: string | undefined;
  if (o.certFile !== undefined || o.keyFile !== undefined) {
    if (o.certFile === undefined || o.keyFile === undefined) {
      throw new TlsError('tls.badOption', 'A server certificate needs both a certificate file and its key file.', { option: o.certFile ? 'key' : 'cert', reason: 'missing' });
    }
    cert = await read(o.certFile, 'a server certificate');
    key = await read(o.keyFile, 'a private key');
  } else {
    if (!o.certFolder) {
      throw new TlsError('tls.badOption', 'A TLS server needs a certificate and key, or a folder for a generated one.', { option: 'certFolder', reason: 'missing' });
    }
    const local = await localCertificate(o.certFolder);
    cert = local.certPem;
    key = local.keyPem;
    caFile = local.caFile;
  }
  const clientCa = o.clientCaFile !== undefined ? await read(o.clientCaFile, 'a client CA certificate') : undefined;
  const secure: tls.SecureContextOptions = { cert, key, passphrase: o.passphrase, ca: clientCa, minVersion: o.minVersion, maxVersion: o.maxVersion };
  try {
    tls.createSecureContext(secure);
  } catch (e) {
    throw badFile(o.keyFile ?? o.certFile ?? o.certFolder ?? '?', 'the server certificate and key', (e as Error).message);
  }
  let certificate: CertificateInfo;
  try {
    certificate = describeCertificate(new X509Certificate(cert));
  } catch (e) {
    throw badFile(o.certFile ?? '?', 'a server certificate', (e as Error).message);
  }
  return { secure, options: o, info: { generated: o.certFile === undefined, certificate, caFile, clientCertRequired: clientCa !== undefined } };
}

/** The first byte of every TLS connection: a handshake record. Anything else is plaintext (or noise). */
const TLS_HANDSHAKE_RECORD = 0x16;

interface Pending {
  keylog?: (line: Buffer) => void;
  resolve: (r: { socket: tls.TLSSocket; facts: ServerClientTls }) => void;
  fail: (e: TlsError) => void;
}

/**
 * The handshakes of one server: a tls.Server that never listens is handed each accepted socket
 * (`emit('connection')`, as Node documents), so Node itself verifies client certificates and bounds the
 * handshake. Its events name a TLS socket, found again by the client's address and port.
 */
class Acceptor {
  private readonly server: tls.Server;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly t: ServerTls,
    timeoutMs: number,
    /** One handshake only (a socket made over a stream, which has no address to tell it by). */
    private readonly single = false,
  ) {
    const o = t.options;
    this.server = tls.createServer({
      ...t.secure,
      requestCert: t.info.clientCertRequired || !!o.requestClientCert,
      // With a client CA, OpenSSL itself refuses a client without a certificate (the alert the client sees).
      rejectUnauthorized: t.info.clientCertRequired,
      ALPNProtocols: o.alpn && o.alpn.length > 0 ? o.alpn : undefined,
      handshakeTimeout: timeoutMs + 1000,
    });
    this.server.on('keylog', (line: Buffer, s: tls.TLSSocket) => {
      o.keylog?.(line);
      this.pending.get(this.key(s))?.keylog?.(line);
    });
    this.server.on('secureConnection', (s: tls.TLSSocket) => this.secured(s));
    this.server.on('tlsClientError', (e: NodeJS.ErrnoException, s: tls.TLSSocket) => {
      const p = this.pending.get(this.key(s));
      const code = e.code ?? '';
      const text = e.message.split('\n')[0];
      if (/NO_CERTIFICATE|PEER_DID_NOT_RETURN/i.test(code + text)) {
        p?.fail(new TlsError('tls.clientCertRequired', 'The client sent no certificate (this server requires one).', {}));
      } else {
        p?.fail(new TlsError('tls.handshake', `TLS handshake failed: ${text}`, { reason: code || text }));
      }
      s.destroy();
    });
  }

  handshake(raw: net.Socket | Duplex, p: Pending): void {
    const k = this.key(raw);
    this.pending.set(k, {
      keylog: p.keylog,
      resolve: (r) => {
        this.pending.delete(k);
        p.resolve(r);
      },
      fail: (e) => {
        this.pending.delete(k);
        p.fail(e);
      },
    });
    this.server.emit('connection', raw);
  }

  forget(raw: net.Socket | Duplex): void {
    this.pending.delete(this.key(raw));
  }

  private key(s: net.Socket | Duplex): string {
    return this.single ? '' : key(s as net.Socket);
  }

  private secured(s: tls.TLSSocket): void {
    const p = this.pending.get(this.key(s));
    if (!p) {
      s.destroy();
      return;
    }
    const peer = s.getPeerCertificate();
    const peerSubject = peer && peer.raw ? describeCertificate(peer.raw).subject : undefined;
    if (this.t.info.clientCertRequired && !s.authorized) {
      const reason = String(s.authorizationError ?? 'no certificate');
      p.fail(new TlsError('tls.clientCertRequired', `The client certificate did not verify (${reason}).`, { reason, subject: peerSubject ?? '' }));
      s.destroy();
      return;
    }
    const cipher = s.getCipher();
    const servername = (s as tls.TLSSocket & { servername?: string | false }).servername;
    p.resolve({
      socket: s,
      facts: {
        protocol: s.getProtocol() ?? '?',
        cipher: cipher.standardName ?? cipher.name,
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : undefined,
        servername: typeof servername === 'string' ? servername : undefined,
        peerSubject,
        peerVerified: peerSubject ? s.authorized : undefined,
      },
    });
  }
}

/** A live connection's key among one server's clients: the client's address and port. */
function key(s: net.Socket): string {
  return `${s.remoteAddress}|${s.remotePort}`;
}

const acceptors = new WeakMap<ServerTls, Acceptor>();

/**
 * Runs the server handshake on an accepted socket. Rejects with `tls.notTls` (the client spoke plaintext),
 * `tls.handshakeTimeout`, `tls.clientCertRequired` (mTLS: none, or one that did not verify) or
 * `tls.handshake`; the socket is destroyed then. Destroying `raw` meanwhile (a server stopping) rejects.
 */
export function acceptTls(
  raw: net.Socket,
  t: ServerTls,
  keylog?: (line: Buffer) => void,
  over?: (raw: net.Socket) => Duplex,
): Promise<{ socket: tls.TLSSocket; facts: ServerClientTls }> {
  const timeoutMs = t.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  let acceptor = acceptors.get(t);
  if (!acceptor) {
    acceptor = new Acceptor(t, timeoutMs);
    acceptors.set(t, acceptor);
  }
  // Over a stream (`over`: the relay's wire tap), a TLS socket has no address to be found by: it gets an acceptor of its own.
  const a = over ? new Acceptor(t, timeoutMs, true) : acceptor;
  let stream: net.Socket | Duplex = raw;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: TlsError): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        a.forget(stream);
        reject(e);
      }
      raw.destroy();
    };
    const timer = setTimeout(() => fail(new TlsError('tls.handshakeTimeout', `The TLS handshake did not finish within ${timeoutMs} ms.`, { ms: timeoutMs })), timeoutMs);
    raw.on('error', () => undefined);
    const onClose = (): void => fail(new TlsError('tls.handshake', 'The client closed the connection before the TLS handshake finished.', { reason: 'closed' }));
    raw.once('close', onClose);
    raw.once('readable', () => {
      const first = raw.read() as Buffer | null;
      if (!first) {
        return;
      }
      if (first[0] !== TLS_HANDSHAKE_RECORD) {
        fail(new TlsError('tls.notTls', 'The client spoke plaintext to a TLS port.', { firstByte: first[0] }));
        return;
      }
      raw.unshift(first);
      stream = over ? over(raw) : raw;
      a.handshake(stream, {
        keylog,
        resolve: (r) => {
          if (settled) {
            r.socket.destroy();
            return;
          }
          settled = true;
          clearTimeout(timer);
          raw.off('close', onClose);
          resolve(r);
        },
        fail,
      });
    });
  });
}
