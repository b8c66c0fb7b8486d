// A TLS client over a connected TCP socket (a fresh connection, or STARTTLS on a plaintext one).
// Node verifies; we never let it refuse by itself (rejectUnauthorized: false) so that a certificate
// that does not verify is reported with its reason and its facts, and can be trusted by fingerprint.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { CertificateInfo, peerChain, sameFingerprint } from './certificates';
import { TlsError, badFile, handshakeError, verifyError } from './tlsErrors';

/** How long a handshake may take before it fails as `tls.handshakeTimeout` (ms). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export interface ClientTlsOptions {
  /** Accept any certificate (the facts say it did not verify). Default false: verify. */
  insecure?: boolean;
  /** Extra trusted CA certificates (PEM file), besides the system store. */
  caFile?: string;
  /** Extra trusted CA certificates as PEM text (the editor may have read the file itself). */
  ca?: string;
  /** Client certificate and key (PEM files) for mTLS; `passphrase` decrypts an encrypted key. */
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
  /** SNI. Default: the host name, none for an IP address (like browsers). `''`: never send SNI. */
  servername?: string;
  /** ALPN protocols to offer, in order of preference (`['h2', 'http/1.1']`). */
  alpn?: string[];
  /** Accept a certificate that does not verify when its SHA-256 fingerprint is one of these ("Connect anyway"). */
  trustedFingerprints?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** Default 10000 ms. */
  handshakeTimeoutMs?: number;
  /** Called with each SSLKEYLOGFILE line (with its newline) of this connection's session keys. */
  keylog?: (line: Buffer) => void;
  /** Appends the session keys to this file (SSLKEYLOGFILE format, created 0600). */
  keylogFile?: string;
  /**
   * `false`: a peer whose certificate verifies is not described (its facts have no chain and no subject).
   * Parsing the chain is most of a handshake's JS time; the relay, which shows neither, skips it.
   */
  chain?: boolean;
}

/** The facts of a finished handshake, for a session's row, tooltip and `expect tls …`. */
export interface HandshakeFacts {
  /** `TLSv1.3`. */
  protocol: string;
  /** `TLS_AES_256_GCM_SHA384` (the standard name). */
  cipher: string;
  /** The protocol the server chose, or undefined when none was agreed. */
  alpn?: string;
  /** The SNI name we sent, if any. */
  servername?: string;
  /** The leaf's subject (`CN=localhost`), if the peer sent a certificate. */
  peerSubject?: string;
  /** How the certificate was accepted: it verified, its fingerprint was trusted, or `insecure` accepted it. */
  trust: 'verified' | 'fingerprint' | 'insecure';
  /** Why it did not verify (when trust is not `verified`). */
  untrusted?: TlsError;
  /** The peer's chain, leaf first. */
  chain: CertificateInfo[];
}

/** Reads a PEM file (a CA, a certificate, a key: `what`); a missing or non-PEM one is `tls.badFile`. */
export async function readPem(file: string, what: string): Promise<string> {
  try {
    const text = await fs.promises.readFile(file, 'utf8');
    if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
      throw new Error('not a PEM file');
    }
    return text;
  } catch (e) {
    throw badFile(file, what, (e as Error).message);
  }
}

/** Reads the files of the options (CA, cert, key) once; a bad one is `tls.badFile`. */
export async function loadClientTls(o: ClientTlsOptions): Promise<tls.ConnectionOptions> {
  const read = readPem;
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) {
    throw new TlsError('tls.badOption', 'A client certificate needs both a certificate file and its key file.', { option: o.certFile ? 'key' : 'cert', reason: 'missing' });
  }
  const extraCa = [o.ca, o.caFile !== undefined ? await read(o.caFile, 'a CA certificate') : undefined].filter((s): s is string => !!s);
  const out: tls.ConnectionOptions = {
    // `ca` replaces Node's default store, so the system's roots are given back beside the extra CA.
    ca: extraCa.length > 0 ? [...tls.rootCertificates, ...extraCa] : undefined,
    ALPNProtocols: o.alpn && o.alpn.length > 0 ? o.alpn : undefined,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
  };
  if (o.certFile !== undefined && o.keyFile !== undefined) {
    out.cert = await read(o.certFile, 'a client certificate');
    out.key = await read(o.keyFile, 'a private key');
    out.passphrase = o.passphrase;
    try {
      tls.createSecureContext({ cert: out.cert, key: out.key, passphrase: o.passphrase });
    } catch (e) {
      throw badFile(o.keyFile, 'the key of the client certificate', (e as Error).message);
    }
  }
  return out;
}

/**
 * The options loaded once with their secure context built once, for a caller that opens many connections with
 * the same options (the relay's upstream): a context with an extra CA holds Node's ~140 roots too, and building
 * it costs tens of milliseconds of CPU per connection.
 */
export async function loadClientContext(o: ClientTlsOptions): Promise<tls.ConnectionOptions> {
  const { ca, cert, key, passphrase, minVersion, maxVersion, ...rest } = await loadClientTls(o);
  return { ...rest, minVersion, maxVersion, secureContext: tls.createSecureContext({ ca, cert, key, passphrase, minVersion, maxVersion }) };
}

/** The SNI name for a host: the given name, else the host unless it is an IP address. */
export function sniFor(host: string, servername?: string): string | undefined {
  if (servername !== undefined) {
    return servername === '' ? undefined : servername;
  }
  return net.isIP(host.replace(/^\[|\]$/g, '')) ? undefined : host;
}

/** Appends SSLKEYLOGFILE lines to `file` (0600), synchronously so that lines are never interleaved. */
export function keylogFileWriter(file: string): (line: Buffer) => void {
  return (line) => fs.appendFileSync(file, line, { mode: 0o600 });
}

/**
 * Runs the client handshake over `socket` (connected) and resolves with the TLS socket and the facts;
 * rejects with a TlsError (the socket is destroyed then). `where` names the peer in messages.
 */
export async function secureClient(
  socket: net.Socket | Duplex,
  host: string,
  where: string,
  o: ClientTlsOptions,
  loaded?: tls.ConnectionOptions,
): Promise<{ socket: tls.TLSSocket; facts: HandshakeFacts }> {
  const base = loaded ?? (await loadClientTls(o));
  const servername = sniFor(host, o.servername);
  const checkName = servername ?? host.replace(/^\[|\]$/g, '');
  const timeoutMs = o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const s = tls.connect({ ...base, socket, host: checkName, servername, rejectUnauthorized: false });
  const keylog = [o.keylog, o.keylogFile !== undefined ? keylogFileWriter(o.keylogFile) : undefined].filter((f) => f !== undefined);
  if (keylog.length > 0) {
    s.on('keylog', (line: Buffer) => keylog.forEach((f) => f(line)));
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TlsError('tls.handshakeTimeout', `Handshake with ${where} timed out after ${timeoutMs} ms.`, { ms: timeoutMs })), timeoutMs);
      const done = (e?: Error): void => {
        clearTimeout(timer);
        s.off('error', onError);
        s.off('close', onClose);
        if (e) {
          reject(e);
        } else {
          resolve();
        }
      };
      const onError = (e: NodeJS.ErrnoException): void => done(handshakeError(e, where, o.alpn));
      const onClose = (): void => done(handshakeError(Object.assign(new Error('socket disconnected'), { code: 'ECONNRESET' }), where, o.alpn));
      s.on('error', onError);
      s.on('close', onClose);
      s.once('secureConnect', () => done());
    });
  } catch (e) {
    s.destroy();
    socket.destroy();
    throw e;
  }
  // A certificate that does not verify is always described: the error names its subject and fingerprint.
  const chain = o.chain === false && s.authorized ? [] : peerChain(s);
  let trust: HandshakeFacts['trust'] = 'verified';
  let untrusted: TlsError | undefined;
  if (!s.authorized) {
    const reason = String(s.authorizationError ?? 'UNKNOWN');
    untrusted = verifyError(reason, where, checkName, chain);
    if (o.insecure) {
      trust = 'insecure';
    } else if (chain[0] && o.trustedFingerprints?.some((f) => sameFingerprint(f, chain[0].fingerprint256))) {
      trust = 'fingerprint';
    } else {
      s.destroy();
      throw untrusted;
    }
  }
  const cipher = s.getCipher();
  const facts: HandshakeFacts = {
    protocol: s.getProtocol() ?? '?',
    cipher: cipher.standardName ?? cipher.name,
    alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : undefined,
    servername,
    peerSubject: chain[0]?.subject,
    trust,
    untrusted,
    chain,
  };
  return { socket: s, facts };
}

/** The error of an established TLS connection in words (an alert after the handshake: a missing client certificate in TLS 1.3). */
export function tlsSocketError(e: NodeJS.ErrnoException, where: string): Error {
  return e.code?.startsWith('ERR_SSL') ? handshakeError(e, where, undefined) : e;
}
