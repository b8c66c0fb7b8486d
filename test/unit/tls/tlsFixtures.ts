// Certificates for the TLS tests, made with @peculiar/x509 (the library the product generates with):
// a CA, leaves it signs with any names and dates (expired, not yet valid), a self-signed one, client
// certificates; each written as PEM files into a temporary folder.
import { webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChainWords, loadX509 } from '../../../src/core/tls/certificates';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface Ca extends Pem {
  subject: string;
  keys: webcrypto.CryptoKeyPair;
}

function pem(der: ArrayBuffer, label: string): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** The chain document's words in English, as the editor's l10n keys have them (src/sessions/chainDocuments.ts). */
export const ENGLISH_CHAIN_WORDS: ChainWords = {
  subject: 'Subject:',
  issuer: 'Issuer:',
  sans: 'SANs:',
  valid: 'Valid:',
  key: 'Key:',
  signature: 'Signature:',
  sha256: 'SHA-256:',
  serial: 'Serial:',
  leaf: 'leaf',
  intermediate: 'intermediate',
  root: 'root',
  ca: (role) => `${role} (CA)`,
  none: '(none)',
  unknown: '(unknown)',
  noCertificate: '(the peer sent no certificate)',
  daysLeft: (d) => `${d} days left`,
  expiredDaysAgo: (d) => `expired ${d} days ago`,
};

let serial = 1;

export class CertFactory {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tls-'));
  private readonly x509 = loadX509();

  constructor() {
    this.x509.cryptoProvider.set(webcrypto as never);
  }

  private write(name: string, cert: string, keyPem: string): Pem {
    const certFile = path.join(this.dir, `${name}.pem`);
    const keyFile = path.join(this.dir, `${name}.key`);
    fs.writeFileSync(certFile, cert);
    fs.writeFileSync(keyFile, keyPem, { mode: 0o600 });
    return { cert, key: keyPem, certFile, keyFile };
  }

  async ca(name = 'ca', cn = `Test CA ${name}`): Promise<Ca> {
    const x = this.x509;
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const c = await x.X509CertificateGenerator.createSelfSigned({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      name: `CN=${cn}`,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [new x.BasicConstraintsExtension(true, 0, true), new x.KeyUsagesExtension(x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign, true)],
    });
    const p = this.write(name, c.toString('pem') + '\n', pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
    return { ...p, subject: c.subject, keys };
  }

  /** A leaf signed by `ca` (self-signed without one), valid from/to the given days relative to now. */
  async leaf(name: string, o: { ca?: Ca; cn?: string; dns?: string[]; ips?: string[]; fromDays?: number; toDays?: number; client?: boolean } = {}): Promise<Pem> {
    const x = this.x509;
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const cn = o.cn ?? 'localhost';
    const names = [
      ...(o.dns ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
      ...(o.ips ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
    ];
    const common = {
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      notBefore: new Date(Date.now() + (o.fromDays ?? -1) * DAY),
      notAfter: new Date(Date.now() + (o.toDays ?? 30) * DAY),
      signingAlgorithm: ALG,
      extensions: [
        new x.BasicConstraintsExtension(false),
        new x.ExtendedKeyUsageExtension([o.client ? x.ExtendedKeyUsage.clientAuth : x.ExtendedKeyUsage.serverAuth]),
        ...(names.length > 0 ? [new x.SubjectAlternativeNameExtension(names)] : []),
      ],
    };
    const c = o.ca
      ? await x.X509CertificateGenerator.create({ ...common, subject: `CN=${cn}`, issuer: o.ca.subject, signingKey: o.ca.keys.privateKey, publicKey: keys.publicKey })
      : await x.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${cn}`, keys });
    return this.write(name, c.toString('pem') + '\n', pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves once something accepts connections on 127.0.0.1:port (a peer program that has started). */
export async function waitForPort(port: number): Promise<void> {
  const ok = (): Promise<boolean> =>
    new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  const end = Date.now() + 10000;
  while (!(await ok())) {
    if (Date.now() > end) {
      throw new Error(`nothing listens on ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A factory, its CA and a leaf `good` (CN good, for localhost and 127.0.0.1) that CA signed: what most TLS suites start from. */
export async function goodCerts(): Promise<{ certs: CertFactory; ca: Ca; good: Pem }> {
  const certs = new CertFactory();
  const ca = await certs.ca();
  return { certs, ca, good: await certs.leaf('good', { ca }) };
}
