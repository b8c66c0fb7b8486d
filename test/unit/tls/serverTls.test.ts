// Every server kind over TLS, against real clients (openssl s_client, socat, our own session): the
// generated local certificate (0600, reused), a user's own, mTLS, a plaintext client and a silent one.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { HandshakeFailureEvent, TcpServer } from '../../../src/core/servers/serverBase';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { MockServer } from '../../../src/core/script/mockServer';
import { ListenBlock, parseScript } from '../../../src/core/script';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { TlsError, defaultCertFolder } from '../../../src/core/tls';
import { Peers, readAll, waitFor } from '../support';
import { Ca, CertFactory, goodCerts, Pem } from './tlsFixtures';

describe('TLS servers', function () {
  this.timeout(30000);
  const peers = new Peers();
  const servers: TcpServer[] = [];
  const sessions: ClientSession[] = [];
  let certs: CertFactory;
  let ca: Ca;
  let good: Pem;
  let folder: string;

  before(async () => ({ certs, ca, good } = await goodCerts()));
  after(() => certs.dispose());
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tls-store-'));
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
    fs.rmSync(folder, { recursive: true, force: true });
  });

  async function started<T extends TcpServer>(server: T): Promise<{ server: T; port: number; failures: HandshakeFailureEvent[] }> {
    servers.push(server);
    const failures: HandshakeFailureEvent[] = [];
    server.onDidFailHandshake((e) => failures.push(e));
    return { server, port: (await server.start()).port, failures };
  }

  async function client(port: number, tls: ConstructorParameters<typeof ClientSession>[0]['tls']): Promise<ClientSession> {
    const s = new ClientSession({ host: '127.0.0.1', port, tls });
    sessions.push(s);
    await s.connect();
    return s;
  }

  it('generates a local CA and server certificate on first use (files 0600), reuses them on restart', async () => {
    const { server, port } = await started(new EchoServer({ tls: { certFolder: folder } }));
    const info = server.tlsInfo!;
    assert.equal(info.generated, true);
    assert.equal(info.caFile, path.join(folder, 'ca.pem'));
    assert.deepEqual(info.certificate.subjectAltNames, ['DNS:localhost', 'IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1']);
    for (const f of fs.readdirSync(folder)) {
      assert.equal(fs.statSync(path.join(folder, f)).mode & 0o777, 0o600, f);
    }
    // openssl s_client verifies it against the CA file and the name.
    const c = peers.spawn('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-CAfile',
      info.caFile!,
      '-verify_return_error',
      '-verify_hostname',
      'localhost',
      '-quiet',
    ]);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.resume();
    c.stdin.write('generated\n');
    await waitFor(() => out === 'generated\n', 'the echo through s_client');
    await server.stop();
    const again = await started(new EchoServer({ tls: { certFolder: folder } }));
    assert.equal(again.server.tlsInfo?.certificate.fingerprint256, info.certificate.fingerprint256);
    const s = await client(again.port, { caFile: info.caFile });
    assert.equal(s.tlsFacts?.trust, 'verified');
  });

  it("serves a user's own certificate; the client's handshake facts are on its info", async () => {
    const { server, port } = await started(new EchoServer({ tls: { certFile: good.certFile, keyFile: good.keyFile, alpn: ['h2', 'echo'] } }));
    assert.equal(server.tlsInfo?.generated, false);
    const s = await client(port, { caFile: ca.certFile, alpn: ['echo'], servername: 'localhost' });
    let got = '';
    s.onData((d) => (got += d.text));
    await s.send('over tls');
    await waitFor(() => got === 'over tls', 'the echo');
    const info = server.clients[0];
    assert.equal(info.tls?.protocol, 'TLSv1.3');
    assert.equal(info.tls?.alpn, 'echo');
    assert.equal(info.tls?.servername, 'localhost');
    assert.equal(info.bytesIn, 8);
  });

  it('a plaintext client is closed with one handshake-failure event; the server serves on', async () => {
    const { server, port, failures } = await started(new EchoServer({ tls: { certFile: good.certFile, keyFile: good.keyFile } }));
    const joined: number[] = [];
    server.onDidAcceptClient((c) => joined.push(c.id));
    const got = await peers.request(port, ['PING\r\n']);
    assert.equal(got.length, 0);
    await waitFor(() => failures.length === 1, 'the failure event');
    assert.equal(failures[0].error.code, 'tls.notTls');
    assert.equal(failures[0].client.id, 1);
    assert.deepEqual(joined, []);
    const s = await client(port, { caFile: ca.certFile });
    assert.ok(s.tlsFacts);
    // The client's handshake ends before the server's: the server's join comes a moment later.
    await waitFor(() => joined.length === 1, 'the TLS client joined');
    assert.deepEqual(joined, [2]);
    assert.equal(failures.length, 1);
  });

  it('a client that never finishes its handshake is closed after handshakeTimeoutMs', async () => {
    const { port, failures } = await started(new EchoServer({ tls: { certFile: good.certFile, keyFile: good.keyFile, handshakeTimeoutMs: 300 } }));
    const silent = await peers.connect(port);
    const closed = readAll(silent, 5000);
    const t0 = Date.now();
    await closed;
    assert.ok(Date.now() - t0 < 3000);
    await waitFor(() => failures.length === 1, 'the failure event');
    assert.equal(failures[0].error.code, 'tls.handshakeTimeout');
  });

  it('mTLS: a client without a certificate is refused, one with a certificate shows its subject', async () => {
    const alice = await certs.leaf('alice', { ca, cn: 'alice', client: true });
    const { server, port, failures } = await started(new EchoServer({ tls: { certFile: good.certFile, keyFile: good.keyFile, clientCaFile: ca.certFile } }));
    assert.equal(server.tlsInfo?.clientCertRequired, true);
    const without = new ClientSession({ host: '127.0.0.1', port, tls: { caFile: ca.certFile } });
    sessions.push(without);
    const closed = new Promise<Error | undefined>((resolve) => without.onDidClose((c) => resolve(c.error)));
    const e = await without.connect().then(
      () => closed,
      (err: Error) => err,
    );
    assert.ok(e instanceof TlsError && e.code === 'tls.clientCertRequired', String(e));
    await waitFor(() => failures.length === 1, 'the failure event');
    assert.equal(failures[0].error.code, 'tls.clientCertRequired');
    const s = await client(port, { caFile: ca.certFile, certFile: alice.certFile, keyFile: alice.keyFile });
    assert.ok(s.tlsFacts);
    await waitFor(() => server.clients.length === 1, 'alice joined');
    assert.equal(server.clients[0].tls?.peerSubject, 'CN=alice');
    assert.equal(server.clients[0].tls?.peerVerified, true);
  });

  it('the file server and a mock server listen with TLS too', async () => {
    fs.writeFileSync(path.join(folder, 'a.txt'), 'file over tls\n');
    const file = await started(new FileServer({ root: folder, tls: { certFile: good.certFile, keyFile: good.keyFile } }));
    const s = await client(file.port, { caFile: ca.certFile });
    const chunks: Buffer[] = [];
    s.onData((d) => chunks.push(d.bytes));
    const closed = new Promise<void>((resolve) => s.onDidClose(() => resolve()));
    await s.send('a.txt');
    await closed;
    assert.equal(Buffer.concat(chunks).toString(), 'file over tls\n');
    const script = parseScript('### mock\nlisten 127.0.0.1:0\non "PING" send "PONG\\n"\n');
    const mock = await started(new MockServer({ block: script.blocks[0] as ListenBlock, file: path.join(folder, 'm.tcp'), tls: { certFolder: folder } }));
    const r = await peers.run('socat', ['-', `OPENSSL:127.0.0.1:${mock.port},cafile=${mock.server.tlsInfo!.caFile}`], 'PING');
    assert.equal(r.stdout.toString(), 'PONG\n', r.stderr.toString());
  });

  it('a bad certificate file fails the start with tls.badFile; the server stays stopped', async () => {
    const server = new EchoServer({ tls: { certFile: path.join(folder, 'none.pem'), keyFile: good.keyFile } });
    servers.push(server);
    await assert.rejects(server.start(), (e: TlsError) => e.code === 'tls.badFile' && e.args.file === path.join(folder, 'none.pem'));
    assert.equal(server.state, 'stopped');
  });

  it('STARTTLS: upgrades a plaintext session to a real aiosmtpd in place', async () => {
    const port = String(40000 + Math.floor(Math.random() * 20000));
    const child = peers.spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '--tlscert', good.certFile, '--tlskey', good.keyFile]);
    child.stdout.resume();
    child.stderr.resume();
    const s = new ClientSession({ host: '127.0.0.1', port: Number(port) });
    sessions.push(s);
    const deadline = Date.now() + 10000;
    for (;;) {
      try {
        await s.connect();
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          throw e;
        }
        (s as unknown as { connecting?: unknown }).connecting = undefined;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let got = '';
    s.onData((d) => (got += d.text));
    const reply = async (re: RegExp): Promise<void> => {
      await waitFor(() => re.test(got), `${re} in ${JSON.stringify(got)}`);
      got = '';
    };
    await reply(/^220 .*\r\n$/);
    await s.send('EHLO test\r\n');
    await reply(/250-STARTTLS\r\n[\s\S]*250 [^\r]*\r\n$/);
    await s.send('STARTTLS\r\n');
    await reply(/^220 [^\r]*\r\n$/);
    const facts = await s.startTls({ caFile: ca.certFile });
    assert.equal(facts.trust, 'verified');
    assert.equal(facts.peerSubject, 'CN=localhost');
    await s.send('EHLO test\r\n');
    await reply(/^250-/);
    assert.ok(s.tlsFacts);
  });

  it('the CLI keeps its generated certificate in the config folder, never the cwd', () => {
    assert.equal(defaultCertFolder({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux'), '/x/cfg/tcp-workbench');
    assert.equal(defaultCertFolder({}, 'linux'), path.join(os.homedir(), '.config', 'tcp-workbench'));
    assert.equal(defaultCertFolder({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32'), path.join('C:\\Users\\u\\AppData\\Roaming', 'tcp-workbench'));
  });
});
