// The certificate a TLS server uses when the user gave none: a local CA and a server certificate for
// localhost, 127.0.0.1 and ::1, generated on first use with @peculiar/x509 on WebCrypto (no OpenSSL on
// the PATH), kept in a folder (files 0600) and reused across restarts. @peculiar/x509 loads only here.
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadX509 } from './certificates';
import { TlsError } from './tlsErrors';

export interface LocalCertificate {
  folder: string;
  /** The CA's certificate: what a client trusts (`--ca`, a browser, the user's own code). */
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** The server certificate's SHA-256 fingerprint (`AB:CD:…`). */
  fingerprint256: string;
  /** True when this call generated it (false: reused from the folder). */
  generated: boolean;
  /** How long the generation took (ms), 0 when reused. */
  generationMs: number;
}

const FILES = { caFile: 'ca.pem', caKey: 'ca.key', certFile: 'server.pem', keyFile: 'server.key' } as const;
const DAY_MS = 86_400_000;
/** A server certificate valid for fewer days than this is issued again (with the same CA). */
const RENEW_DAYS = 7;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** The CLI's folder: `$XDG_CONFIG_HOME/tcp-workbench` (else ~/.config/…), `%APPDATA%\tcp-workbench`, `~/Library/Application Support/tcp-workbench`. */
export function defaultCertFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'tcp-workbench');
  }
  if (platform === 'darwin' && !env.XDG_CONFIG_HOME) {
    return path.join(os.homedir(), 'Library', 'Application Support', 'tcp-workbench');
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'tcp-workbench');
}

const pending = new Map<string, Promise<LocalCertificate>>();

/** The local certificate kept in `folder`: reused when there and valid, else generated (once per folder at a time). */
export function localCertificate(folder: string): Promise<LocalCertificate> {
  const key = path.resolve(folder);
  let p = pending.get(key);
  if (!p) {
    p = load(key).finally(() => pending.delete(key));
    pending.set(key, p);
  }
  return p;
}

async function load(folder: string): Promise<LocalCertificate> {
  const file = (n: string): string => path.join(folder, n);
  const read = (n: string): string | undefined => {
    try {
      return fs.readFileSync(file(n), 'utf8');
    } catch {
      return undefined;
    }
  };
  const [caPem, caKey, certPem, keyPem] = [read(FILES.caFile), read(FILES.caKey), read(FILES.certFile), read(FILES.keyFile)];
  const base = { folder, caFile: file(FILES.caFile), certFile: file(FILES.certFile), keyFile: file(FILES.keyFile) };
  if (caPem && caKey && certPem && keyPem) {
    try {
      const cert = new X509Certificate(certPem);
      if (Date.parse(cert.validTo) - Date.now() > RENEW_DAYS * DAY_MS && cert.verify(new X509Certificate(caPem).publicKey)) {
        return { ...base, caPem, certPem, keyPem, fingerprint256: cert.fingerprint256, generated: false, generationMs: 0 };
      }
    } catch {
      // unreadable: generated again below
    }
  }
  const t0 = Date.now();
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const g = await generate(caPem && caKey ? { caPem, caKey } : undefined);
    write(file(FILES.caKey), g.caKey);
    write(file(FILES.caFile), g.caPem);
    write(file(FILES.keyFile), g.keyPem);
    write(file(FILES.certFile), g.certPem);
    const fingerprint256 = new X509Certificate(g.certPem).fingerprint256;
    return { ...base, caPem: g.caPem, certPem: g.certPem, keyPem: g.keyPem, fingerprint256, generated: true, generationMs: Date.now() - t0 };
  } catch (e) {
    throw new TlsError('tls.generate', `Cannot create a certificate in ${folder}: ${(e as Error).message}`, { folder, reason: (e as Error).message }, [], { cause: e });
  }
}

/** Writes through a temporary file and a rename, 0600: a reader never sees half a key. */
function write(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function pem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function serial(): string {
  // Positive, 16 random bytes (RFC 5280 allows up to 20).
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  return Buffer.from(b).toString('hex');
}

type SigningAlgorithm = typeof ALG | { name: 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256' } | { name: 'ECDSA'; namedCurve: 'P-384' | 'P-521'; hash: 'SHA-256' };

/**
 * A kept CA's key (any PEM form Node reads) and the algorithm it signs with: ours are EC P-256, but an
 * RSA or other-curve CA found in the folder keeps issuing too, so clients that trust it keep working.
 */
async function importCaKey(pem: string): Promise<{ key: webcrypto.CryptoKey; alg: SigningAlgorithm }> {
  const k = createPrivateKey(pem);
  const curve = k.asymmetricKeyDetails?.namedCurve;
  const alg: SigningAlgorithm =
    k.asymmetricKeyType === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : curve === 'secp384r1' || curve === 'secp521r1'
        ? { name: 'ECDSA', namedCurve: curve === 'secp384r1' ? 'P-384' : 'P-521', hash: 'SHA-256' }
        : ALG;
  const der = k.export({ type: 'pkcs8', format: 'der' });
  return { key: await webcrypto.subtle.importKey('pkcs8', der, alg, true, ['sign']), alg };
}

interface Generated {
  caPem: string;
  caKey: string;
  certPem: string;
  keyPem: string;
}

/** A CA (unless one is given) and a server certificate it signs, for localhost, 127.0.0.1 and ::1. */
async function generate(existing?: { caPem: string; caKey: string }): Promise<Generated> {
  const x509 = loadX509();
  x509.cryptoProvider.set(webcrypto as never);
  const subtle = webcrypto.subtle;
  const now = Date.now();
  let caPem: string;
  let caKey: string;
  let caSigning: webcrypto.CryptoKey;
  let caSubject: string;
  let caPublic: webcrypto.CryptoKey;
  let caAlg: SigningAlgorithm = ALG;
  if (existing) {
    caPem = existing.caPem;
    caKey = existing.caKey;
    ({ key: caSigning, alg: caAlg } = await importCaKey(caKey));
    const ca = new x509.X509Certificate(caPem);
    caSubject = ca.subject;
    caPublic = await ca.publicKey.export(caAlg, ['verify'], webcrypto as never);
  } else {
    const keys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    caSubject = `CN=TCP Workbench local CA (${os.hostname().slice(0, 32)} ${new Date(now).toISOString().slice(0, 10)})`;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: caSubject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caPem = ca.toString('pem') + '\n';
    caKey = pem(await subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    caSigning = keys.privateKey;
    caPublic = keys.publicKey;
  }
  const keys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: caSubject,
    notBefore: new Date(now - DAY_MS),
    // Within the 398 days browsers and Apple platforms accept for a server certificate.
    notAfter: new Date(now + 397 * DAY_MS),
    signingKey: caSigning,
    publicKey: keys.publicKey,
    signingAlgorithm: caAlg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caPublic),
    ],
  });
  return { caPem, caKey, certPem: leaf.toString('pem') + '\n', keyPem: pem(await subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
}
