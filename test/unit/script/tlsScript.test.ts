// `.tcp` files over TLS against real peers: openssl s_server (TLS 1.2 and 1.3, mTLS), a real
// redis-server with --tls-port, STARTTLS with Debian's aiosmtpd, and a `listen tls://` mock reached
// by a `connect tls://` block that trusts the generated CA. Every failure says what was wrong.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunResult, ScriptRunner, parseScript, reparseWithMocks, startMocks } from '../../../src/core/script';
import { Peers, peerPort } from '../support';
import { Ca, CertFactory, Pem, waitForPort } from '../tls/tlsFixtures';

describe('scripts over TLS', function () {
  this.timeout(30000);
  const peers = new Peers();
  let certs: CertFactory;
  let ca: Ca;
  let good: Pem;
  let client: Pem;
  let dir: string;

  before(async () => {
    certs = new CertFactory();
    ca = await certs.ca();
    good = await certs.leaf('good', { ca, cn: 'redis' });
    client = await certs.leaf('client', { ca, cn: 'alice', client: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tlsscript-'));
    fs.copyFileSync(ca.certFile, path.join(dir, 'ca.pem'));
    fs.copyFileSync(client.certFile, path.join(dir, 'client.pem'));
    fs.copyFileSync(client.keyFile, path.join(dir, 'client.key'));
  });
  after(() => {
    certs.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => peers.dispose());

  async function sServer(extra: string[] = []): Promise<number> {
    const port = await peerPort();
    const child = peers.spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', good.certFile, '-key', good.keyFile, '-rev', '-quiet', ...extra]);
    child.stdout.resume();
    child.stderr.resume();
    await waitForPort(port);
    return port;
  }

  async function run(text: string, vars: Record<string, string> = {}, keylog?: (line: Buffer) => void): Promise<RunResult> {
    const file = path.join(dir, 'test.tcp');
    const script = parseScript(text, { vars, file });
    assert.deepEqual(
      script.diagnostics.map((d) => d.message),
      [],
    );
    const runner = new ScriptRunner(script);
    try {
      return await runner.run({ file, keylog });
    } finally {
      runner.dispose();
    }
  }

  const failure = (r: RunResult): string => r.blocks[0].failure?.message ?? '(passed)';

  for (const version of ['TLSv1.3', 'TLSv1.2']) {
    it(`connect tls:// with @tls.ca passes against openssl s_server ${version}; expect tls / cert hold`, async () => {
      const port = await sServer([version === 'TLSv1.2' ? '-tls1_2' : '-tls1_3']);
      const r = await run(
        [
          '@tls.ca = ca.pem',
          '### reversed over TLS',
          `connect tls://localhost:${port}`,
          'send "olleh\\n"',
          'expect "hello\\n"',
          `expect tls protocol ${version}`,
          'expect tls cipher /_/',
          'expect cert subject /CN=redis/',
          'expect cert issuer "Test CA"',
          'expect cert san /DNS:localhost/',
          'expect cert days >= 20',
        ].join('\n'),
      );
      assert.equal(failure(r), '(passed)');
      assert.match(r.blocks[0].steps[0].received?.text ?? '', new RegExp(`^${version} `));
    });
  }

  it('without the CA the connect fails with the reason; @tls.insecure (also from --var) accepts and says so', async () => {
    const port = await sServer();
    const text = ['### untrusted', `connect tls://127.0.0.1:${port}`, 'send "cba\\n"', 'expect "abc\\n"'].join('\n');
    const r = await run(text);
    assert.equal(r.blocks[0].status, 'failed');
    assert.match(failure(r), /issued by an unknown authority \(CN=Test CA ca\)/);
    assert.equal(r.blocks[0].failure?.code, 'step.tls');
    assert.equal(r.blocks[0].failure?.args.tlsCode, 'tls.unknownIssuer');
    const ok = await run(text, { 'tls.insecure': 'true' });
    assert.equal(failure(ok), '(passed)');
    assert.match(ok.blocks[0].steps[0].received?.text ?? '', /not verified \(insecure\)/);
  });

  it('a wrong name fails with the names the certificate has; expect tls / cert mismatches say what they got', async () => {
    const port = await sServer();
    const wrong = await run(['@tls.ca = ca.pem', '@tls.servername = api.test', '### name', `connect tls://127.0.0.1:${port}`].join('\n'));
    assert.match(failure(wrong), /Name api\.test not in the certificate .*\(has: localhost, 127\.0\.0\.1\)/);
    assert.equal(wrong.blocks[0].failure?.args.tlsCode, 'tls.nameMismatch');
    const proto = await run(['@tls.ca = ca.pem', '### proto', `connect tls://localhost:${port}`, 'expect tls protocol TLSv1.2'].join('\n'));
    assert.equal(failure(proto), 'expected tls protocol TLSv1.2 got TLSv1.3');
    const subject = await run(['@tls.ca = ca.pem', '### subject', `connect tls://localhost:${port}`, 'expect cert subject /CN=mail/'].join('\n'));
    assert.equal(failure(subject), 'expected cert subject /CN=mail/ got CN=redis');
    const alpn = await run(['@tls.ca = ca.pem', '### alpn', `connect tls://localhost:${port}`, 'expect tls alpn h2'].join('\n'));
    assert.equal(failure(alpn), 'expected tls alpn h2 got none');
  });

  it('mTLS: @tls.cert/@tls.key pass a server that requires a client certificate; without them it says so', async () => {
    const port = await sServer(['-tls1_3', '-Verify', '1', '-CAfile', ca.certFile]);
    const body = ['### mtls', `connect tls://localhost:${port}`, 'send "cba\\n"', 'expect "abc\\n"'];
    const ok = await run(['@tls.ca = ca.pem', '@tls.cert = client.pem', '@tls.key = client.key', ...body].join('\n'));
    assert.equal(failure(ok), '(passed)');
    const missing = await run(['@tls.ca = ca.pem', ...body].join('\n'));
    assert.equal(missing.blocks[0].status, 'failed');
    // TLS 1.3 finishes the handshake first: the refusal is the close error of the step that follows.
    assert.match(failure(missing), /the server asked for a client certificate/);
  });

  it('a real redis-server over --tls-port (the issue example)', async () => {
    const port = await peerPort();
    const child = peers.spawn('redis-server', [
      ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
      ...['--tls-cert-file', good.certFile, '--tls-key-file', good.keyFile, '--tls-ca-cert-file', ca.certFile, '--tls-auth-clients', 'no'],
      ...['--save', '', '--appendonly', 'no'],
    ]);
    child.stdout.resume();
    child.stderr.resume();
    await waitForPort(port);
    const lines: string[] = [];
    const r = await run(
      ['@tls.ca = ca.pem', '### redis over TLS', `connect tls://localhost:${port}`, 'send "PING\\r\\n"', 'expect "+PONG\\r\\n"', 'expect cert subject /CN=redis/'].join('\n'),
      {},
      (line) => lines.push(line.toString()),
    );
    assert.equal(failure(r), '(passed)');
    // TLS 1.3 session keys, in SSLKEYLOGFILE format.
    assert.ok(
      lines.some((l) => /^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+\n$/.test(l)),
      lines.join(''),
    );
    assert.ok(lines.some((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 ')));
  });

  it('starttls upgrades a plaintext SMTP conversation with Debian aiosmtpd', async () => {
    const port = await peerPort();
    const child = peers.spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '--tlscert', good.certFile, '--tlskey', good.keyFile]);
    child.stdout.resume();
    child.stderr.resume();
    await waitForPort(port);
    const r = await run(
      [
        '@tls.ca = ca.pem',
        '### mail with STARTTLS',
        `connect localhost:${port}`,
        'expect /^220 [^\\r]*\\r\\n/',
        'send "EHLO test\\r\\n"',
        'expect /250-STARTTLS\\r\\n/',
        'expect /250 [^\\r]*\\r\\n/',
        'send "STARTTLS\\r\\n"',
        'expect /^220 [^\\r]*\\r\\n/',
        'starttls',
        'expect tls protocol TLSv1.3',
        'send "EHLO test\\r\\n"',
        'expect /^250/',
      ].join('\n'),
    );
    assert.equal(failure(r), '(passed)');
  });

  it('a listen tls:// mock with the generated certificate, reached by connect tls:// trusting the generated CA', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tlsscript-ca-'));
    try {
      const file = path.join(dir, 'mock.tcp');
      const text = [
        `@tls.ca = ${path.join(folder, 'ca.pem')}`,
        '### a TLS mock',
        'listen tls://127.0.0.1:0',
        'on "PING" send "PONG\\n"',
        '',
        '### client',
        'connect tls://localhost:{{listen.port}}',
        'send "PING"',
        'expect "PONG\\n"',
        'expect cert issuer /TCP Workbench/',
      ].join('\n');
      const script = parseScript(text, { file });
      const mocks = await startMocks(script, file, undefined, { certFolder: folder });
      try {
        assert.ok(mocks.servers[0].tlsInfo?.generated);
        const runner = new ScriptRunner(reparseWithMocks(text, { file }, mocks));
        const r = await runner.run({ file, only: [1] });
        runner.dispose();
        assert.equal(failure(r), '(passed)');
      } finally {
        await mocks.stop();
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('diagnostics: an unknown @tls key, a missing file (a warning), starttls on a tls:// block, a bad expect tls', () => {
    const file = path.join(dir, 'diag.tcp');
    const s = parseScript(
      [
        '@tls.cafile = x.pem',
        '@tls.ca = nowhere.pem',
        '@tls.insecure = maybe',
        '### b',
        'connect tls://127.0.0.1:1',
        'starttls',
        'expect tls color red',
        'expect cert days = 3',
      ].join('\n'),
      { file },
    );
    const got = s.diagnostics.map((d) => `${d.range.line} ${d.severity} ${d.code} ${d.args.form}`);
    assert.deepEqual(got, [
      '0 error script.badTls key',
      '1 warning script.badTls noFile',
      '2 error script.badTls boolean',
      '5 error script.badTls alreadyTls',
      '6 error script.badTls fact',
      '7 error script.badTls days',
    ]);
    const ok = parseScript(['@tls.alpn = h2, http/1.1', '### b', 'connect alice tls://127.0.0.1:1', 'alice expect tls alpn h2'].join('\n'), { file });
    assert.deepEqual(ok.diagnostics, []);
    assert.deepEqual(ok.settings.tls.alpn, ['h2', 'http/1.1']);
    const block = ok.blocks[0];
    assert.ok(block.kind === 'client' && block.connect?.tls && block.connect.name === 'alice');
  });
});
