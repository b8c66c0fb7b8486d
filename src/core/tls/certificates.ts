// Certificates in words: what Node's crypto.X509Certificate parses (no hand-written ASN.1), for the
// error a person judges, the session's tooltip and the "certificate chain" document.
import { X509Certificate } from 'node:crypto';
import type * as tls from 'node:tls';

const DAY_MS = 86_400_000;

export interface CertificateInfo {
  /** One line, `CN=localhost, O=Example` (RFC 4514-like, most significant last as OpenSSL prints it). */
  subject: string;
  issuer: string;
  /** DNS names and IP addresses from the SAN extension, as `DNS:localhost`, `IP:127.0.0.1`. */
  subjectAltNames: string[];
  /** The names a host name is checked against: the SAN values (or the subject's CN when there are none). */
  names: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days until validTo (negative once expired). */
  daysLeft: number;
  /** `EC P-256`, `RSA 2048`, `Ed25519`. */
  key: string;
  /** `ECDSA with SHA-256`, `RSA with SHA-256`…; empty when Node cannot tell (Node < 22 without @peculiar/x509). */
  signatureAlgorithm: string;
  /** SHA-256 of the DER, `AB:CD:…` (64 hex digits with colons), as browsers show it. */
  fingerprint256: string;
  serialNumber: string;
  isCA: boolean;
  selfIssued: boolean;
  pem: string;
}

function oneLine(dn: string): string {
  return dn
    .split('\n')
    .filter((s) => s)
    .join(', ');
}

function sans(x: X509Certificate): string[] {
  return (x.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s)
    .map((s) => s.replace(/^IP Address:/, 'IP:'));
}

function keyOf(x: X509Certificate): string {
  const k = x.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  switch (k.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `RSA ${d.modulusLength ?? '?'}`;
    case 'ec':
      return `EC ${d.namedCurve === 'prime256v1' ? 'P-256' : d.namedCurve === 'secp384r1' ? 'P-384' : d.namedCurve === 'secp521r1' ? 'P-521' : (d.namedCurve ?? '?')}`;
    default:
      return k.asymmetricKeyType === 'ed25519' ? 'Ed25519' : k.asymmetricKeyType === 'ed448' ? 'Ed448' : (k.asymmetricKeyType ?? '?');
  }
}

/** Node 22+ names the signature algorithm itself; on older Node the OID is named through @peculiar/x509. */
function signatureOf(x: X509Certificate): string {
  const own = (x as X509Certificate & { signatureAlgorithm?: string }).signatureAlgorithm;
  if (own) {
    return own;
  }
  try {
    const p = loadX509();
    const alg = new p.X509Certificate(x.raw).signatureAlgorithm as { name: string; hash?: { name: string } };
    const name = alg.name === 'RSASSA-PKCS1-v1_5' ? 'RSA' : alg.name === 'RSA-PSS' ? 'RSA-PSS' : alg.name;
    return alg.hash ? `${name} with ${alg.hash.name}` : name;
  } catch {
    return '';
  }
}

/** Loads @peculiar/x509 on first use (a separate file in the extension bundle, see esbuild.js). */
export function loadX509(): typeof import('@peculiar/x509') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./x509Lib') as typeof import('./x509Lib')).x509();
}

/** One certificate in words (DER, PEM or a parsed X509Certificate). */
export function describeCertificate(cert: X509Certificate | Buffer | string, now = Date.now()): CertificateInfo {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  const subject = oneLine(x.subject);
  const issuer = oneLine(x.issuer);
  const alt = sans(x);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1];
  const validTo = new Date(x.validTo).toISOString();
  return {
    subject,
    issuer,
    subjectAltNames: alt,
    names: alt.length > 0 ? alt.map((s) => s.replace(/^[A-Za-z ]+:/, '')) : cn ? [cn] : [],
    validFrom: new Date(x.validFrom).toISOString(),
    validTo,
    daysLeft: Math.floor((Date.parse(validTo) - now) / DAY_MS),
    key: keyOf(x),
    signatureAlgorithm: signatureOf(x),
    fingerprint256: x.fingerprint256,
    serialNumber: x.serialNumber,
    isCA: x.ca,
    selfIssued: x.subject === x.issuer,
    pem: x.toString(),
  };
}

/** The chain a TLS peer sent (leaf first, up to its root when the peer sent it or we trust it). */
export function peerChain(socket: tls.TLSSocket): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate;
  while (c && c.raw && out.length < 10) {
    const info = describeCertificate(c.raw);
    if (seen.has(info.fingerprint256)) {
      break;
    }
    seen.add(info.fingerprint256);
    out.push(info);
    c = c.issuerCertificate;
  }
  return out;
}

/** SHA-256 fingerprints compare without case or colons: `AB:CD…`, `abcd…` are the same. */
export function sameFingerprint(a: string, b: string): boolean {
  const n = (s: string): string => s.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return n(a) !== '' && n(a) === n(b);
}

/**
 * The words of the chain document, from the caller: the editor passes them in the display language
 * (src/sessions/chainDocuments.ts); the facts (names, dates, algorithms, PEMs) are written as they are.
 */
export interface ChainWords {
  /** Labels of the fields, in the document's order. */
  subject: string;
  issuer: string;
  sans: string;
  valid: string;
  key: string;
  signature: string;
  sha256: string;
  serial: string;
  leaf: string;
  intermediate: string;
  root: string;
  /** The role of a CA certificate: `leaf (CA)`. */
  ca: (role: string) => string;
  none: string;
  unknown: string;
  noCertificate: string;
  daysLeft: (days: number) => string;
  expiredDaysAgo: (days: number) => string;
}

/** Columns a text takes in a monospace editor: CJK and fullwidth characters take two. */
function columns(text: string): number {
  return text.replace(/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g, '..').length;
}

/** A readable text document of a chain: each certificate's facts, then its PEM. */
export function renderChain(chain: readonly CertificateInfo[], title: string | undefined, w: ChainWords): string {
  const lines: string[] = [];
  if (title) {
    lines.push(title, '='.repeat(Math.min(80, columns(title))), '');
  }
  if (chain.length === 0) {
    lines.push(w.noCertificate);
  }
  // The values start in one column, two spaces after the widest label (14 with the English labels).
  const labels = [w.subject, w.issuer, w.sans, w.valid, w.key, w.signature, w.sha256, w.serial];
  const width = Math.max(12, ...labels.map(columns)) + 2;
  const field = (label: string, value: string): string => `  ${label}${' '.repeat(width - columns(label))}${value}`;
  chain.forEach((c, i) => {
    const role = i === 0 ? w.leaf : c.selfIssued ? w.root : w.intermediate;
    const days = c.daysLeft < 0 ? w.expiredDaysAgo(-c.daysLeft) : w.daysLeft(c.daysLeft);
    lines.push(
      `[${i}] ${c.isCA ? w.ca(role) : role}`,
      field(w.subject, c.subject),
      field(w.issuer, c.issuer),
      field(w.sans, c.subjectAltNames.join(', ') || w.none),
      field(w.valid, `${c.validFrom} → ${c.validTo} (${days})`),
      field(w.key, c.key),
      field(w.signature, c.signatureAlgorithm || w.unknown),
      field(w.sha256, c.fingerprint256),
      field(w.serial, c.serialNumber),
      '',
    );
  });
  chain.forEach((c, i) => lines.push(`# [${i}] ${c.subject}`, c.pem.trimEnd(), ''));
  return lines.join('\n');
}
