// The generated certificate's folder holding RSA or P-384 files (made here by Debian's openssl, as an
// older generator or the user may have left them): they are reused as they are, and a server certificate near
// its end is issued again by the same RSA CA, so clients that trust that ca.pem keep working.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { describeCertificate, localCertificate } from '../../../src/core/tls';

const RSA = ['-newkey', 'rsa:2048'];
const P384 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'];

/** A CA with the given key (RSA-2048 by default) and an RSA server certificate for localhost/127.0.0.1 it signs, valid `days`, as the store names them. */
function oldFolder(dir: string, days: number, caKey = RSA): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30000 });
  openssl('req', '-x509', ...caKey, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Old CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', String(days), '-extfile', 'ext.cnf');
}

describe('TLS certificate store with RSA or P-384 files', function () {
  this.timeout(30000);
  let folder: string;
  const servers: EchoServer[] = [];
  const sessions: ClientSession[] = [];

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tls-rsa-'));
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** A TLS echo server on the folder's certificate, and a client that trusts only its ca.pem: the handshake verifies. */
  async function verifiedThrough(): Promise<void> {
    const server = new EchoServer({ tls: { certFolder: folder } });
    servers.push(server);
    const { port } = await server.start();
    const s = new ClientSession({ host: '127.0.0.1', port, tls: { caFile: path.join(folder, 'ca.pem') } });
    sessions.push(s);
    await s.connect();
    assert.equal(s.tlsFacts?.trust, 'verified');
  }

  it('reuses an RSA CA and server certificate found in the folder, unchanged', async () => {
    oldFolder(folder, 30);
    const before = fs.readFileSync(path.join(folder, 'server.pem'), 'utf8');
    const got = await localCertificate(folder);
    assert.equal(got.generated, false);
    assert.equal(got.certPem, before);
    assert.equal(describeCertificate(got.certPem).key, 'RSA 2048');
    await verifiedThrough();
  });

  for (const [name, caKey, caType] of [
    ['RSA', RSA, 'RSA 2048'],
    ['EC P-384', P384, 'EC P-384'],
  ] as const) {
    it(`issues a server certificate near its end again from the kept ${name} CA (the CA file stays as it was)`, async () => {
      oldFolder(folder, 2, [...caKey]);
      const caBefore = fs.readFileSync(path.join(folder, 'ca.pem'), 'utf8');
      assert.equal(describeCertificate(caBefore).key, caType);
      const got = await localCertificate(folder);
      assert.equal(got.generated, true);
      assert.equal(got.caPem, caBefore);
      assert.equal(fs.readFileSync(path.join(folder, 'ca.pem'), 'utf8'), caBefore);
      const leaf = new X509Certificate(got.certPem);
      assert.ok(leaf.verify(new X509Certificate(caBefore).publicKey), `the new server certificate is signed by the ${name} CA`);
      const info = describeCertificate(leaf);
      assert.equal(info.key, 'EC P-256');
      assert.ok(info.daysLeft > 300, `${info.daysLeft} days left`);
      await verifiedThrough();
    });
  }
});
