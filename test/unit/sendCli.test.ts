// `send` with --hex, --escapes, --file, --repeat/--every and --out, and `serve echo --hex`, run as a user
// runs them (a real `node out/src/cli.js`). Bad input exits 2 with one line, and a real server that
// counts connections and bytes proves nothing was sent.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer, EchoServerOptions } from '../../src/core/servers/echoServer';
import { Peers, finish, firstLine, sha256, waitFor } from './support';

const CLI = path.resolve(__dirname, '../../src/cli.js');

describe('cli send (assistant flags)', function () {
  this.timeout(30000);
  const peers = new Peers();
  const servers: EchoServer[] = [];
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-sendcli-'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
    await peers.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function cli(args: string[]) {
    const r = await peers.run(process.execPath, [CLI, ...args], undefined, 25000);
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /** Our echo server, recording every chunk that arrives and every connection. */
  async function server(options: EchoServerOptions = {}) {
    const s = new EchoServer(options);
    servers.push(s);
    const chunks: Buffer[] = [];
    s.onData((e) => e.direction === 'in' && chunks.push(e.bytes));
    const { port } = await s.start();
    return { s, at: `127.0.0.1:${port}`, received: () => Buffer.concat(chunks), chunks };
  }

  it('--hex sends the bytes byte-exact (00, 0d, ff) and --out records the echo byte-exact', async () => {
    const srv = await server();
    const out = path.join(tmp, 'rx.bin');
    const r = await cli(['send', srv.at, '--hex', '0x00,0x0d 0xff:41\n7f', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.received(), Buffer.from([0x00, 0x0d, 0xff, 0x41, 0x7f]));
    assert.deepEqual(fs.readFileSync(out), Buffer.from([0x00, 0x0d, 0xff, 0x41, 0x7f]));
    assert.equal(r.stdout.length, 0, 'with --out the bytes go to the file');
    assert.match(r.stderr, /sent 5 bytes to 127\.0\.0\.1:\d+\nreceived 5 bytes into .*rx\.bin; quiet\n$/);
  });

  it('received bytes shown as hex with --encoding hex', async () => {
    const srv = await server({ mode: 'reply', replyText: '00 ff 0d 0a', encoding: 'hex' });
    const r = await cli(['send', srv.at, '--hex', '68', '--encoding', 'hex']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), '00 ff 0d 0a\n');
    assert.deepEqual(srv.received(), Buffer.from('h'));
  });

  it('--escapes turns \\r \\n \\t \\xHH \\0 \\u{...} into bytes; the line ending follows', async () => {
    const srv = await server({ encoding: 'gbk' });
    const r = await cli(['send', srv.at, 'a\\r\\n\\t\\x00\\xff\\0\\u{4F60}', '--escapes', '--encoding', 'gbk', '--line-ending', 'crlf']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.received().toString('hex'), '610d0a0900ff00c4e30d0a');
    const plain = await cli(['send', srv.at, 'a\\n']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(srv.received().subarray(11).toString('latin1'), 'a\\n', 'without --escapes a backslash is a backslash');
  });

  it("--file sends the file's bytes; the echo recorded with --out is identical (sha256)", async () => {
    const srv = await server();
    const file = path.join(tmp, 'data.bin');
    const data = crypto.randomBytes(3 * 2 ** 20 + 7);
    fs.writeFileSync(file, data);
    const out = path.join(tmp, 'echo.bin');
    const r = await cli(['send', srv.at, '--file', file, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha256(srv.received()), sha256(data));
    assert.equal(sha256(fs.readFileSync(out)), sha256(data));
    assert.match(r.stderr, new RegExp(`sent ${data.length} bytes`));
  });

  it('--repeat N --every MS sends exactly N times, spaced out', async () => {
    const srv = await server({ mode: 'manual' });
    const r = await cli(['send', srv.at, 'tick', '--line-ending', 'lf', '--repeat', '5', '--every', '40']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.received().toString(), 'tick\n'.repeat(5));
    // 40 ms apart with no-delay sockets: they arrive as separate chunks (loosely: at least 3).
    assert.ok(srv.chunks.length >= 3, `${srv.chunks.length} chunks`);
    assert.match(r.stderr, /sent 25 bytes/);
  });

  it('--out keeps every byte that arrived when the peer resets the connection (exit 1)', async () => {
    const first = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x42]);
    const port = await peers.listen((sock) => {
      sock.once('data', () => {
        sock.write(first, () => setTimeout(() => sock.resetAndDestroy(), 200));
      });
    });
    const out = path.join(tmp, 'rx.bin');
    const r = await cli(['send', `127.0.0.1:${port}`, 'go', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /received 6 bytes into .*rx\.bin; error: .*ECONNRESET/);
    assert.deepEqual(fs.readFileSync(out), first);
  });

  it('--out never replaces an existing file unless --overwrite', async () => {
    const srv = await server();
    const out = path.join(tmp, 'keep.txt');
    fs.writeFileSync(out, 'precious');
    const r = await cli(['send', srv.at, 'x', '--out', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /keep\.txt already exists: not overwritten \(add --overwrite/);
    assert.equal(fs.readFileSync(out, 'utf8'), 'precious');
    assert.equal(srv.s.stats.clientsAccepted, 0);
    const ok = await cli(['send', srv.at, 'new', '--out', out, '--overwrite']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), 'new');
  });

  const bad: [string, string[], RegExp][] = [
    ['odd hex', ['--hex', '48 656'], /odd number of hex digits \("656"\) at position 4/],
    ['non-hex', ['--hex', '48 6g'], /Not a hex digit: "g" at position 5/],
    ['a bad escape', ['a\\q', '--escapes'], /Bad escape at position 2: unknown escape \\q/],
    ['a missing file', ['--file', 'no-such-file.bin'], /File not found: .*no-such-file\.bin \(nothing was sent\)/],
    ['a folder as file', ['--file', '.'], /is not a file/],
    ['--repeat 0', ['x', '--repeat', '0', '--every', '10'], /repeat count must be a whole number from 1/],
    ['--repeat abc', ['x', '--repeat', 'abc'], /--repeat needs a whole number, not "abc"/],
    ['--every 0', ['x', '--repeat', '3', '--every', '0'], /repeat interval must be a whole number of milliseconds from 1/],
    ['--every alone', ['x', '--every', '10'], /--every MS goes with --repeat N/],
    ['TEXT and --hex', ['x', '--hex', '41'], /only one of TEXT, --hex HEX and --file PATH/],
    ['--escapes with --hex', ['--hex', '41', '--escapes'], /--escapes applies to TEXT/],
    ['--escapes with --encoding hex', ['41', '--escapes', '--encoding', 'hex'], /--escapes applies to TEXT \(not to hex\)/],
    ['TEXT not hex with --encoding hex', ['zz', '--encoding', 'hex'], /Not a hex digit: "z" at position 1/],
    ['--repeat with --file', ['--file', __filename, '--repeat', '2'], /not to --file/],
    ['--overwrite without --out', ['x', '--overwrite'], /--overwrite goes with --out/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2, one line, nothing sent`, async () => {
      const srv = await server();
      const r = await cli(['send', srv.at, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(srv.s.stats.clientsAccepted, 0, 'no connection was made');
      assert.equal(srv.s.stats.bytesIn, 0);
    });
  }

  it('serve echo --mode manual --hex: a typed hex line goes to every client as bytes; a bad line is refused', async () => {
    const child = peers.spawn(process.execPath, [CLI, 'serve', 'echo', '--mode', 'manual', '--hex']);
    const result = finish(child, 20000, 'cli serve');
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const port = Number(/:(\d+)$/.exec(await firstLine(child.stdout, 5000, 'the CLI server'))?.[1]);
    const [a, b] = await Promise.all([peers.connect(port), peers.connect(port)]);
    const got: Buffer[][] = [[], []];
    a.on('data', (d: Buffer) => got[0].push(d));
    b.on('data', (d: Buffer) => got[1].push(d));
    await waitFor(() => /client 2 connected/.test(err), 'both clients');
    child.stdin.write('00 ff 0d 0a 41\n');
    await waitFor(() => got.every((g) => Buffer.concat(g).length === 5), 'the bytes at both clients');
    assert.deepEqual(
      got.map((g) => Buffer.concat(g).toString('hex')),
      ['00ff0d0a41', '00ff0d0a41'],
    );
    child.stdin.write('4g\n');
    await waitFor(() => /not sent: Not a hex digit: "g"/.test(err), 'the refusal');
    child.kill('SIGTERM');
    assert.equal((await result).code, 0);
    assert.deepEqual(
      got.map((g) => Buffer.concat(g).length),
      [5, 5],
    );
  });
});
