// The generated certificate's folder holding RSA files (made here by Debian's openssl, as an older
// generator or the user may have left them): they are reused as they are, and a server certificate near
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

/** An RSA-2048 CA and a server certificate for localhost/127.0.0.1 it signs, valid `days`, as the store names them. */
function rsaFolder(dir: string, days: number): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30000 });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Old RSA CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', String(days), '-extfile', 'ext.cnf');
}

describe('TLS certificate store with RSA files', function () {
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
    rsaFolder(folder, 30);
    const before = fs.readFileSync(path.join(folder, 'server.pem'), 'utf8');
    const got = await localCertificate(folder);
    assert.equal(got.generated, false);
    assert.equal(got.certPem, before);
    assert.equal(describeCertificate(got.certPem).key, 'RSA 2048');
    await verifiedThrough();
  });

  it('issues a server certificate near its end again from the kept RSA CA (the CA file stays as it was)', async () => {
    rsaFolder(folder, 2);
    const caBefore = fs.readFileSync(path.join(folder, 'ca.pem'), 'utf8');
    const got = await localCertificate(folder);
    assert.equal(got.generated, true);
    assert.equal(got.caPem, caBefore);
    assert.equal(fs.readFileSync(path.join(folder, 'ca.pem'), 'utf8'), caBefore);
    const leaf = new X509Certificate(got.certPem);
    assert.ok(leaf.verify(new X509Certificate(caBefore).publicKey), 'the new server certificate is signed by the RSA CA');
    const info = describeCertificate(leaf);
    assert.equal(info.key, 'EC P-256');
    assert.ok(info.daysLeft > 300, `${info.daysLeft} days left`);
    await verifiedThrough();
  });
});
