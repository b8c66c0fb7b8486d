// The server side of TLS, shared by every server kind (serverBase.ts): the certificate (the user's own
// or the generated local one), an optional client-certificate request, and the handshake of one
// accepted socket — bounded in time, and a plaintext client told apart from a failed handshake.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { CertificateInfo, describeCertificate } from './certificates';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, TlsVersion } from './clientTls';
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
  /** Receives each client's SSLKEYLOGFILE lines. */
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
  readonly context: tls.SecureContext;
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
  const read = async (file: string, what: string): Promise<string> => {
    try {
      const text = await fs.promises.readFile(file, 'utf8');
      if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
        throw new Error('not a PEM file');
      }
      return text;
    } catch (e) {
      throw badFile(file, what, (e as Error).message);
    }
  };
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
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext({ cert, key, passphrase: o.passphrase, ca: clientCa, minVersion: o.minVersion, maxVersion: o.maxVersion });
  } catch (e) {
    throw badFile(o.keyFile ?? o.certFile ?? o.certFolder ?? '?', 'the server certificate and key', (e as Error).message);
  }
  let certificate: CertificateInfo;
  try {
    certificate = describeCertificate(new X509Certificate(cert));
  } catch (e) {
    throw badFile(o.certFile ?? '?', 'a server certificate', (e as Error).message);
  }
  return { context, options: o, info: { generated: o.certFile === undefined, certificate, caFile, clientCertRequired: clientCa !== undefined } };
}

/** The first byte of every TLS connection: a handshake record. Anything else is plaintext (or noise). */
const TLS_HANDSHAKE_RECORD = 0x16;

/**
 * Runs the server handshake on an accepted socket. Rejects with `tls.notTls` (the client spoke plaintext),
 * `tls.handshakeTimeout`, `tls.clientCertRequired` (mTLS, none or a bad one) or `tls.handshake`; the
 * socket is destroyed then. `onTls` gets the TLS socket at once, so a server stopping meanwhile can destroy it.
 */
export function acceptTls(raw: net.Socket, t: ServerTls, onTls: (s: tls.TLSSocket) => void): Promise<{ socket: tls.TLSSocket; facts: ServerClientTls }> {
  const o = t.options;
  const timeoutMs = o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const required = t.info.clientCertRequired;
  return new Promise((resolve, reject) => {
    let s: tls.TLSSocket | undefined;
    const fail = (e: TlsError): void => {
      clearTimeout(timer);
      reject(e);
      s?.destroy();
      raw.destroy();
    };
    const timer = setTimeout(() => fail(new TlsError('tls.handshakeTimeout', `The TLS handshake did not finish within ${timeoutMs} ms.`, { ms: timeoutMs })), timeoutMs);
    raw.on('error', () => undefined);
    raw.once('close', () => fail(new TlsError('tls.handshake', 'The client closed the connection before the TLS handshake finished.', { reason: 'closed' })));
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
      s = new tls.TLSSocket(raw, {
        isServer: true,
        secureContext: t.context,
        requestCert: required || !!o.requestClientCert,
        // With a client CA, OpenSSL itself refuses a client without a certificate (the alert the client sees).
        rejectUnauthorized: required,
        ALPNProtocols: o.alpn && o.alpn.length > 0 ? o.alpn : undefined,
      });
      onTls(s);
      if (o.keylog) {
        s.on('keylog', o.keylog);
      }
      const tlsSocket = s;
      s.on('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ?? '';
        if (/NO_CERTIFICATE|PEER_DID_NOT_RETURN/i.test(code + e.message)) {
          fail(new TlsError('tls.clientCertRequired', 'The client sent no certificate (this server requires one).', {}));
        } else if (/NO_APPLICATION_PROTOCOL|NO_SHARED_CIPHER|VERSION/i.test(code)) {
          fail(new TlsError('tls.handshake', `TLS handshake failed: ${e.message.split('\n')[0]}`, { reason: code }));
        } else {
          fail(new TlsError('tls.handshake', `TLS handshake failed: ${e.message.split('\n')[0]}`, { reason: code || e.message }));
        }
      });
      s.once('secure', () => {
        const peer = tlsSocket.getPeerCertificate();
        const peerSubject = peer && peer.raw ? describeCertificate(peer.raw).subject : undefined;
        if (required && !tlsSocket.authorized) {
          fail(
            new TlsError('tls.clientCertRequired', `The client certificate did not verify (${String(tlsSocket.authorizationError)}).`, {
              reason: String(tlsSocket.authorizationError),
              subject: peerSubject ?? '',
            }),
          );
          return;
        }
        clearTimeout(timer);
        raw.removeAllListeners('close');
        tlsSocket.removeAllListeners('error');
        const cipher = tlsSocket.getCipher();
        const servername = (tlsSocket as tls.TLSSocket & { servername?: string | false }).servername;
        resolve({
          socket: tlsSocket,
          facts: {
            protocol: tlsSocket.getProtocol() ?? '?',
            cipher: cipher.standardName ?? cipher.name,
            alpn: typeof tlsSocket.alpnProtocol === 'string' ? tlsSocket.alpnProtocol : undefined,
            servername: typeof servername === 'string' ? servername : undefined,
            peerSubject,
            peerVerified: peerSubject ? tlsSocket.authorized : undefined,
          },
        });
      });
    });
  });
}
