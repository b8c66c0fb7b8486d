// Why a TLS connection failed, as a WorkbenchError whose code names the reason in words the editor
// can translate (tls.expired, tls.nameMismatch…), with the peer's leaf certificate when there was one,
// so a person can judge it and trust it anyway by its SHA-256 fingerprint.
import { TlsProblem, WorkbenchError } from '../errors';
import type { CertificateInfo } from './certificates';

/**
 * `tls.expired` {notAfter} · `tls.notYetValid` {notBefore} · `tls.selfSigned` · `tls.unknownIssuer` {issuer} ·
 * `tls.nameMismatch` {name, names} · `tls.untrusted` {reason} (another verification failure) ·
 * `tls.clientCertRequired` · `tls.alpnRefused` {offered} · `tls.notTls` (the peer does not speak TLS) ·
 * `tls.handshakeTimeout` {ms} · `tls.handshake` {reason} (any other handshake failure) ·
 * `tls.badFile` {file, what, reason} · `tls.badOption` {option, reason} · `tls.generate` {folder, reason}.
 * Every code about a certificate also has the leaf's {subject, issuer, validFrom, validTo, fingerprint}.
 */
export class TlsError extends WorkbenchError {
  constructor(
    override readonly code: `tls.${TlsProblem}`,
    message: string,
    args: Readonly<Record<string, string | number>> = {},
    /** The peer's chain, leaf first, when the handshake got that far. */
    readonly chain: readonly CertificateInfo[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, args, options);
  }

  /** The peer's leaf certificate, if it sent one. */
  get certificate(): CertificateInfo | undefined {
    return this.chain[0];
  }

  /** True for a certificate that did not verify: the case for "Connect anyway" (by fingerprint). */
  get untrustedCertificate(): boolean {
    return VERIFY_CODES.has(this.code) && this.chain.length > 0;
  }
}

const VERIFY_CODES = new Set<string>(['tls.expired', 'tls.notYetValid', 'tls.selfSigned', 'tls.unknownIssuer', 'tls.nameMismatch', 'tls.untrusted']);

function leafArgs(leaf: CertificateInfo | undefined): Record<string, string | number> {
  return leaf ? { subject: leaf.subject, issuer: leaf.issuer, validFrom: leaf.validFrom, validTo: leaf.validTo, fingerprint: leaf.fingerprint256 } : {};
}

/** The error for a certificate Node's verification refused (`authorizationError`), in words. */
export function verifyError(code: string, where: string, servername: string, chain: CertificateInfo[]): TlsError {
  const leaf = chain[0];
  const a = leafArgs(leaf);
  const see = leaf ? ` (subject ${leaf.subject}, SHA-256 ${leaf.fingerprint256})` : '';
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return new TlsError('tls.expired', `The certificate of ${where} has expired (${leaf?.validTo.slice(0, 10)})${see}.`, { ...a, notAfter: leaf?.validTo ?? '' }, chain);
    case 'CERT_NOT_YET_VALID':
      return new TlsError(
        'tls.notYetValid',
        `The certificate of ${where} is not valid yet (from ${leaf?.validFrom.slice(0, 10)})${see}.`,
        { ...a, notBefore: leaf?.validFrom ?? '' },
        chain,
      );
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return new TlsError('tls.selfSigned', `The certificate of ${where} is self-signed: nothing you trust vouches for it${see}.`, a, chain);
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return new TlsError('tls.unknownIssuer', `The certificate of ${where} is issued by an unknown authority (${leaf?.issuer ?? '?'})${see}.`, a, chain);
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = leaf?.names.join(', ') || 'none';
      return new TlsError('tls.nameMismatch', `Name ${servername} not in the certificate of ${where} (has: ${names})${see}.`, { ...a, name: servername, names }, chain);
    }
    default:
      return new TlsError('tls.untrusted', `The certificate of ${where} did not verify (${code})${see}.`, { ...a, reason: code }, chain);
  }
}

/** The error for a handshake that failed (an alert, a reset, plaintext); `hadCert` whether we sent a client certificate. */
export function handshakeError(e: NodeJS.ErrnoException, where: string, alpn: readonly string[] | undefined): TlsError {
  const code = e.code ?? '';
  const text = e.message ?? '';
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || /certificate required/i.test(text)) {
    return new TlsError('tls.clientCertRequired', `Handshake with ${where}: the server asked for a client certificate.`, {}, [], { cause: e });
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' || /no application protocol/i.test(text)) {
    const offered = (alpn ?? []).join(', ');
    return new TlsError('tls.alpnRefused', `Handshake with ${where}: the server accepts none of the protocols offered (ALPN ${offered}).`, { offered }, [], { cause: e });
  }
  if (
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNEXPECTED_MESSAGE|RECORD_LAYER_FAILURE|HTTP_REQUEST|UNEXPECTED_EOF/i.test(code) ||
    /wrong version number|packet length too long|unexpected message/i.test(text)
  ) {
    return new TlsError('tls.notTls', `${where} does not speak TLS (a plaintext port?).`, {}, [], { cause: e });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_TLS_CLOSED' || /socket disconnected|socket hang up/i.test(text)) {
    return new TlsError('tls.handshake', `Handshake with ${where}: the server closed the connection (a plaintext port, or it refused us).`, { reason: 'closed' }, [], {
      cause: e,
    });
  }
  const reason = code || text;
  return new TlsError('tls.handshake', `Handshake with ${where} failed: ${text}`, { reason }, [], { cause: e });
}

/** A certificate, key or CA file that cannot be read or is not PEM. */
export function badFile(file: string, what: string, reason: string): TlsError {
  return new TlsError('tls.badFile', `Cannot use ${file} as ${what}: ${reason}`, { file, what, reason });
}
