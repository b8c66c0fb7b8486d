// The TLS client against real peers: openssl s_server (TLS 1.2 and 1.3), Python's ssl module, socat
// OPENSSL and a real redis-server with --tls-port. Each verification failure names its reason.
import * as assert from 'node:assert/strict';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { TlsError, renderChain } from '../../../src/core/tls';
import { Peers, peerPort, waitFor } from '../support';
import { Ca, CertFactory, ENGLISH_CHAIN_WORDS, goodCerts, Pem, waitForPort } from './tlsFixtures';

/** Starts `openssl s_server` on a free port (it reverses each line with -rev) and waits until it accepts. */
async function sServer(peers: Peers, pem: Pem, extra: string[] = []): Promise<number> {
  const port = await peerPort();
  const child = peers.spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', pem.certFile, '-key', pem.keyFile, '-rev', '-quiet', ...extra]);
  child.stdout.resume();
  child.stderr.resume();
  await waitForPort(port);
  return port;
}

async function tlsError(p: Promise<unknown>): Promise<TlsError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TlsError, `not a TlsError: ${String(e)}`);
    return e;
  }
  assert.fail('the connection succeeded');
}

describe('TLS client', function () {
  this.timeout(30000);
  const peers = new Peers();
  let certs: CertFactory;
  let ca: Ca;
  let good: Pem;
  const sessions: ClientSession[] = [];

  before(async () => ({ certs, ca, good } = await goodCerts()));
  after(() => certs.dispose());
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await peers.dispose();
  });

  function session(port: number, tls: ConstructorParameters<typeof ClientSession>[0]['tls'], host = '127.0.0.1'): ClientSession {
    const s = new ClientSession({ host, port, tls });
    sessions.push(s);
    return s;
  }

  async function roundTrip(s: ClientSession, text: string): Promise<string> {
    let got = '';
    s.onData((d) => (got += d.text));
    await s.send(text);
    await waitFor(() => got.includes('\n'), 'the reply');
    return got;
  }

  for (const version of ['-tls1_3', '-tls1_2']) {
    it(`talks to openssl s_server ${version} with the right CA and reports the handshake`, async () => {
      const port = await sServer(peers, good, [version]);
      const s = session(port, { caFile: ca.certFile });
      await s.connect();
      const f = s.tlsFacts!;
      assert.equal(f.protocol, version === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2');
      assert.equal(f.trust, 'verified');
      assert.equal(f.peerSubject, 'CN=localhost');
      assert.match(f.cipher, /^TLS_/);
      assert.equal(f.servername, undefined, 'no SNI for an IP address');
      assert.equal(await roundTrip(s, 'hello\n'), 'olleh\n');
      assert.equal(s.bytesOut, 6);
    });
  }

  it('refuses an unknown issuer with the leaf facts, and accepts it by fingerprint or insecure', async () => {
    const port = await sServer(peers, good);
    const e = await tlsError(session(port, {}).connect());
    assert.equal(e.code, 'tls.unknownIssuer');
    assert.equal(e.args.subject, 'CN=localhost');
    assert.match(String(e.args.issuer), /Test CA ca/);
    assert.match(String(e.args.fingerprint), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(e.untrustedCertificate);
    // s_server serves one connection at a time: each is closed before the next.
    const byPrint = session(port, { trustedFingerprints: [String(e.args.fingerprint).toLowerCase()] });
    await byPrint.connect();
    assert.equal(byPrint.tlsFacts?.trust, 'fingerprint');
    await byPrint.close();
    const insecure = session(port, { insecure: true });
    await insecure.connect();
    assert.equal(insecure.tlsFacts?.trust, 'insecure');
    assert.equal(insecure.tlsFacts?.untrusted?.code, 'tls.unknownIssuer');
    assert.equal(await roundTrip(insecure, 'abc\n'), 'cba\n');
  });

  it('chain: false skips describing a verified peer, never an untrusted one (its error still names it)', async () => {
    const port = await sServer(peers, good);
    const quiet = session(port, { caFile: ca.certFile, chain: false });
    await quiet.connect();
    assert.equal(quiet.tlsFacts?.trust, 'verified');
    assert.deepEqual(quiet.tlsFacts?.chain, []);
    assert.equal(quiet.tlsFacts?.peerSubject, undefined);
    await quiet.close();
    const e = await tlsError(session(port, { chain: false }).connect());
    assert.equal(e.code, 'tls.unknownIssuer');
    assert.equal(e.args.subject, 'CN=localhost');
    assert.match(String(e.args.fingerprint), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('names expired, not yet valid, self-signed and a wrong name', async () => {
    const cases: [Pem, string, RegExp][] = [
      [await certs.leaf('expired', { ca, fromDays: -30, toDays: -2 }), 'tls.expired', /has expired \(\d{4}-\d\d-\d\d\)/],
      [await certs.leaf('future', { ca, fromDays: 2, toDays: 30 }), 'tls.notYetValid', /not valid yet/],
      [await certs.leaf('self'), 'tls.selfSigned', /self-signed/],
      [await certs.leaf('other', { ca, dns: ['api.test'], ips: [] }), 'tls.nameMismatch', /not in the certificate .*has: api\.test/],
    ];
    for (const [pem, code, message] of cases) {
      const port = await sServer(peers, pem);
      const e = await tlsError(session(port, { caFile: ca.certFile }).connect());
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
    }
  });

  it('checks the SNI name against the certificate: localhost passes, api.test does not', async () => {
    const port = await sServer(peers, good);
    const s = session(port, { caFile: ca.certFile }, 'localhost');
    await s.connect();
    assert.equal(s.tlsFacts?.servername, 'localhost');
    await s.close();
    const e = await tlsError(session(port, { caFile: ca.certFile, servername: 'api.test' }).connect());
    assert.equal(e.code, 'tls.nameMismatch');
    assert.equal(e.args.name, 'api.test');
    assert.equal(e.args.names, 'localhost, 127.0.0.1');
  });

  it('renders the chain as a readable document', async () => {
    const port = await sServer(peers, good);
    const s = session(port, { caFile: ca.certFile });
    await s.connect();
    const text = renderChain(s.tlsFacts!.chain, 'Certificate chain of 127.0.0.1', ENGLISH_CHAIN_WORDS);
    assert.match(text, /\[0\] leaf\n {2}Subject: {6}CN=localhost\n {2}Issuer: {7}CN=Test CA ca\n {2}SANs: {9}DNS:localhost, IP:127\.0\.0\.1\n/);
    assert.match(text, /Key: {10}EC P-256/);
    assert.match(text, /Signature: {4}ECDSA with SHA-256/);
    assert.match(text, /\(\d+ days left\)/);
    assert.match(text, /-----BEGIN CERTIFICATE-----/);
  });

  for (const version of ['-tls1_3', '-tls1_2']) {
    it(`mTLS ${version}: a server that requires a client certificate says so; with one it works`, async () => {
      const clientCert = await certs.leaf('client', { ca, cn: 'alice', client: true });
      const port = await sServer(peers, good, [version, '-Verify', '1', '-CAfile', ca.certFile]);
      const without = session(port, { caFile: ca.certFile });
      // TLS 1.3 finishes the handshake before the server refuses: the refusal is the session's close error.
      const closed = new Promise<Error | undefined>((resolve) => without.onDidClose((c) => resolve(c.error)));
      const error = await without.connect().then(
        () => closed,
        (e: Error) => e,
      );
      assert.ok(error instanceof TlsError, String(error));
      assert.equal(error.code, version === '-tls1_3' ? 'tls.clientCertRequired' : 'tls.handshake', error.message);
      const withCert = session(port, { caFile: ca.certFile, certFile: clientCert.certFile, keyFile: clientCert.keyFile });
      await withCert.connect();
      assert.equal(await roundTrip(withCert, 'mtls\n'), 'sltm\n');
    });
  }

  it('ALPN: agreed with openssl, refused by our own server', async () => {
    const port = await sServer(peers, good, ['-alpn', 'h2,http/1.1']);
    const s = session(port, { caFile: ca.certFile, alpn: ['http/1.1'] });
    await s.connect();
    assert.equal(s.tlsFacts?.alpn, 'http/1.1');
    const echo = new EchoServer({ tls: { certFile: good.certFile, keyFile: good.keyFile, alpn: ['h2'] } });
    try {
      const a = await echo.start();
      const e = await tlsError(session(a.port, { caFile: ca.certFile, alpn: ['redis'] }).connect());
      assert.equal(e.code, 'tls.alpnRefused');
      assert.equal(e.args.offered, 'redis');
    } finally {
      await echo.stop();
      echo.dispose();
    }
  });

  it("sends SNI to Python's ssl module (the host name; none for an IP)", async () => {
    const py = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
names = []
ctx.sni_callback = lambda s, name, c: names.append(name)
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
for _ in range(2):
    c, _a = srv.accept()
    with ctx.wrap_socket(c, server_side=True) as t:
        t.sendall((str(names[-1]) + '\\n').encode())
        t.recv(10)
`;
    const { line } = await peers.startPeer('python3', ['-c', py, good.certFile, good.keyFile]);
    const port = Number(line);
    for (const [host, want] of [
      ['localhost', 'localhost\n'],
      ['127.0.0.1', 'None\n'],
    ]) {
      const s = session(port, { caFile: ca.certFile }, host);
      let got = '';
      s.onData((d) => (got += d.text));
      await s.connect();
      await waitFor(() => got.includes('\n'), 'the name python saw');
      assert.equal(got, want);
      await s.send('x');
      await s.close();
    }
  });

  it('a plaintext server: its greeting is not TLS (tls.notTls); a silent one times out, bounded', async () => {
    const greeting = await peers.listen((s) => s.write('220 smtp.example ESMTP\r\n'));
    const e = await tlsError(session(greeting, { caFile: ca.certFile }).connect());
    assert.equal(e.code, 'tls.notTls', e.message);
    const silent = await peers.listen(() => undefined);
    const t0 = Date.now();
    const t = await tlsError(session(silent, { caFile: ca.certFile, handshakeTimeoutMs: 400 }).connect());
    assert.equal(t.code, 'tls.handshakeTimeout');
    assert.equal(t.args.ms, 400);
    assert.ok(Date.now() - t0 < 3000);
  });

  it('a bad CA file is tls.badFile before anything connects', async () => {
    const e = await tlsError(session(1, { caFile: `${certs.dir}/nothing.pem` }).connect());
    assert.equal(e.code, 'tls.badFile');
  });

  it('talks to socat OPENSSL-LISTEN', async () => {
    const port = await peerPort();
    const child = peers.spawn('socat', [`OPENSSL-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,cert=${good.certFile},key=${good.keyFile},verify=0`, 'PIPE']);
    child.stderr.resume();
    await waitForPort(port);
    const s = session(port, { caFile: ca.certFile });
    await s.connect();
    assert.equal(await roundTrip(s, 'socat\n'), 'socat\n');
  });

  it('talks to a real redis-server over --tls-port', async () => {
    const port = await peerPort();
    const child = peers.spawn('redis-server', [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      good.certFile,
      '--tls-key-file',
      good.keyFile,
      '--tls-ca-cert-file',
      ca.certFile,
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    child.stdout.resume();
    child.stderr.resume();
    await waitForPort(port);
    const s = session(port, { caFile: ca.certFile }, 'localhost');
    await s.connect();
    let got = '';
    s.onData((d) => (got += d.text));
    await s.send('PING\r\n');
    await waitFor(() => got.includes('\r\n'), 'PONG');
    assert.equal(got, '+PONG\r\n');
  });
});
