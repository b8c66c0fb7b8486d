// The file server against real peers: the tutorial python client (utf-8 and gbk), nc and socat, raw
// sockets for the name forms, the refusal classes with a secret next to the root, and stop/reset hygiene.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { DEFAULT_STALL_TIMEOUT_MS, FileRequestEvent, FileServer, FileServerOptions } from '../../../src/core/fileServer/fileServer';
import { LeaveEvent } from '../../../src/core/servers/serverBase';
import { Fixture, makeBigFile, makeFixture, readUntilClose, sha256File } from '../fileFixtures';
import { PEERS, Peers, openFds, readAll, sha256, waitFor } from '../support';

describe('FileServer', () => {
  let fx: Fixture;
  const peers = new Peers();
  const servers: FileServer[] = [];

  before(async () => {
    fx = await makeFixture();
  });
  afterEach(async () => {
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
  });
  after(async () => {
    await fx.cleanup();
  });

  async function start(options: Partial<FileServerOptions> = {}): Promise<{ server: FileServer; port: number; requests: FileRequestEvent[]; leaves: LeaveEvent[] }> {
    const server = new FileServer({ root: fx.root, host: '127.0.0.1', port: 0, ...options });
    servers.push(server);
    const requests: FileRequestEvent[] = [];
    const leaves: LeaveEvent[] = [];
    server.onDidRequest((e) => requests.push(e));
    server.onDidLeaveClient((e) => leaves.push(e));
    const a = await server.start();
    return { server, port: a.port, requests, leaves };
  }

  async function pythonGet(port: number, name: string, encoding = 'utf-8'): Promise<{ stdout: string; file?: Buffer }> {
    const outFile = path.join(fx.out, `py-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    const r = await peers.run('python3', [path.join(PEERS, 'file_client.py'), '127.0.0.1', String(port), name, outFile, encoding]);
    assert.equal(r.code, 0, r.stderr);
    const file = fs.existsSync(outFile) ? await fsp.readFile(outFile) : undefined;
    await fsp.rm(outFile, { force: true });
    return { stdout: r.stdout.toString(), file };
  }

  describe('tutorial python client', () => {
    it('downloads files and subfolder files byte-exact with utf-8 names, Chinese included', async () => {
      const { server, port, requests } = await start();
      for (const name of ['a.txt', '测试文件.txt', 'sub/inner.txt', 'sub/子目录/文件.txt']) {
        const r = await pythonGet(port, name);
        assert.deepEqual(r.file, fx.files[name], name);
      }
      assert.deepEqual(
        requests.map((e) => [e.name, e.outcome, e.size]),
        [
          ['a.txt', 'served', fx.files['a.txt'].length],
          ['测试文件.txt', 'served', fx.files['测试文件.txt'].length],
          ['sub/inner.txt', 'served', fx.files['sub/inner.txt'].length],
          ['sub/子目录/文件.txt', 'served', fx.files['sub/子目录/文件.txt'].length],
        ],
      );
      const total = Object.entries(fx.files)
        .filter(([n]) => n !== '.hidden' && n !== 'empty.txt')
        .reduce((s, [, b]) => s + b.length, 0);
      assert.equal(server.stats.bytesOut, total);
    });

    it('serves gbk names (the tutorials encode names in gbk) when the server is set to gbk', async () => {
      const { port, requests } = await start({ encoding: 'gbk' });
      assert.deepEqual((await pythonGet(port, '测试文件.txt', 'gbk')).file, fx.files['测试文件.txt']);
      assert.deepEqual((await pythonGet(port, 'sub/子目录/文件.txt', 'gbk')).file, fx.files['sub/子目录/文件.txt']);
      // The utf-8 bytes of a Chinese name happen to be valid gbk, but name another file: not found.
      const wrong = await pythonGet(port, '测试文件.txt', 'utf-8');
      assert.equal(wrong.file, undefined);
      assert.equal(requests[2].outcome, 'not-found');
      // 0xff is no gbk byte: refused, not guessed at.
      assert.equal((await pythonGet(port, 'ÿ.txt', 'latin1')).file, undefined);
      assert.equal(requests[3].outcome, 'refused');
      assert.match(requests[3].reason ?? '', /not valid gbk/);
    });

    it('answers an unknown name with zero bytes: the client prints "file does not exist" and writes nothing', async () => {
      const { port, requests, leaves } = await start();
      const r = await pythonGet(port, 'nope.txt');
      assert.equal(r.stdout.trim(), 'file does not exist');
      assert.equal(r.file, undefined);
      assert.equal(requests[0].outcome, 'not-found');
      await waitFor(() => leaves.length === 1, 'the client to leave', 3000);
      assert.equal(leaves[0].reason, 'done');
      // An empty file is indistinguishable on the wire, as in the tutorials.
      assert.equal((await pythonGet(port, 'empty.txt')).file, undefined);
    });

    it('streams a 256 MiB file byte-exact (sha256) with flat memory', async function () {
      this.timeout(120000);
      const big = path.join(os.tmpdir(), `tcpwb-big-${process.pid}.bin`);
      const bigHash = await makeBigFile(big, 256);
      const outFile = path.join(fx.out, 'big-by-python.bin');
      try {
        const { server, port } = await start({ root: path.dirname(big) });
        const rss0 = process.memoryUsage.rss();
        let rssMax = rss0;
        const probe = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 20);
        const r = await peers.run('python3', [path.join(PEERS, 'file_client.py'), '127.0.0.1', String(port), path.basename(big), outFile], undefined, 100000);
        clearInterval(probe);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await sha256File(outFile), bigHash);
        assert.equal(server.stats.bytesOut, 256 * 1024 * 1024);
        assert.ok(rssMax - rss0 < 96 * 1024 * 1024, `memory grew by ${Math.round((rssMax - rss0) / 1048576)} MiB`);
      } finally {
        await fsp.rm(big, { force: true });
        await fsp.rm(outFile, { force: true });
      }
    });
  });

  describe('name forms', () => {
    it('echo name | nc -N (LF ends the name)', async () => {
      const { port } = await start();
      const r = await peers.run('sh', ['-c', `echo sub/inner.txt | nc -N 127.0.0.1 ${port}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha256(r.stdout), sha256(fx.files['sub/inner.txt']));
    });

    it('printf name | nc -N (half-close ends the name)', async () => {
      const { port } = await start();
      const r = await peers.run('sh', ['-c', `printf '测试文件.txt' | nc -N 127.0.0.1 ${port}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout, fx.files['测试文件.txt']);
    });

    it('socat, with and without a newline', async () => {
      const { port } = await start();
      const a = await peers.run('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], 'a.txt\r\n');
      assert.equal(a.code, 0, a.stderr);
      assert.deepEqual(a.stdout, fx.files['a.txt']);
      const b = await peers.run('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], 'sub/inner.txt');
      assert.deepEqual(b.stdout, fx.files['sub/inner.txt']);
    });

    it('joins a name split in two writes 30 ms apart', async () => {
      const { port, requests } = await start();
      const got = await peers.request(port, ['sub/in', 'ner.txt'], { gapMs: 30 });
      assert.deepEqual(got, fx.files['sub/inner.txt']);
      assert.equal(requests[0].name, 'sub/inner.txt');
      // A multi-byte character split across the writes is joined before decoding.
      const cn = Buffer.from('测试文件.txt');
      const got2 = await peers.request(port, [cn.subarray(0, 4), cn.subarray(4)], { gapMs: 30 });
      assert.deepEqual(got2, fx.files['测试文件.txt']);
    });

    it('adds at most 100 ms for a tutorial client that sends no terminator (time to first byte)', async () => {
      const { port } = await start();
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = await peers.connect(port);
        const t0 = process.hrtime.bigint();
        const first = new Promise<number>((resolve) => s.once('data', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6)));
        const done = readAll(s);
        s.write('a.txt');
        times.push(await first);
        await done;
      }
      times.sort((x, y) => x - y);
      assert.ok(times[2] <= 100, `median time to first byte ${times[2].toFixed(1)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`);
      assert.ok(times[0] >= 45, `the quiet gap was not waited for (${times[0]} ms)`);
    });

    it('ignores bytes sent after the name and still sends the whole file', async () => {
      const { server, port } = await start();
      const junk = Buffer.alloc(200_000, 0x41);
      const got = await peers.request(port, [Buffer.concat([Buffer.from('sub/inner.txt\n'), junk])]);
      assert.deepEqual(got, fx.files['sub/inner.txt']);
      await waitFor(() => server.clients.length === 0, 'the client to leave', 3000);
      assert.equal(server.stats.bytesIn, 'sub/inner.txt\n'.length + junk.length);
    });

    it('accepts a 4096-byte name (not found) and refuses 4097 bytes', async () => {
      const { port, requests } = await start();
      assert.equal((await peers.request(port, ['x'.repeat(4096)])).length, 0);
      assert.equal((await peers.request(port, ['y'.repeat(4096) + '\r\n'])).length, 0);
      assert.equal((await peers.request(port, ['z'.repeat(4097)])).length, 0);
      assert.equal(requests[0].outcome, 'not-found');
      assert.equal(requests[1].outcome, 'not-found');
      assert.equal(requests[2].outcome, 'refused');
      assert.match(requests[2].reason ?? '', /longer than 4096 bytes/);
      assert.equal((await peers.request(port, ['a.txt'])).toString(), fx.files['a.txt'].toString());
    });

    it('closes a client that sends no name within the name timeout (timed-out)', async () => {
      const { port, leaves, requests } = await start({ nameTimeoutMs: 200 });
      const t0 = Date.now();
      const s = await peers.connect(port);
      const got = await readAll(s);
      assert.equal(got.length, 0);
      assert.ok(Date.now() - t0 >= 180 && Date.now() - t0 < 2000);
      await waitFor(() => leaves.length === 1, 'the client to leave', 3000);
      assert.equal(leaves[0].reason, 'timed-out');
      assert.equal(requests.length, 0);
    });
  });

  describe('stalled transfers', () => {
    it('resets a client that stops reading mid-file after the stall timeout, and frees its slot', async () => {
      // 32 MiB: far more than the socket buffers on both sides take, so the transfer really stalls.
      const big = path.join(fx.root, 'stall.bin');
      await fsp.writeFile(big, Buffer.alloc(32 * 1024 * 1024, 7));
      try {
        const { server, port, leaves } = await start({ idleTimeoutMs: 300 });
        const s = await peers.connect(port);
        s.pause(); // asks and never reads
        s.write('stall.bin\n');
        await waitFor(() => leaves.length === 1, 'the stalled client to be dropped', 5000);
        assert.equal(leaves[0].reason, 'timed-out');
        assert.equal(server.clients.length, 0);
        // What it gets when it reads on: part of the file, then a reset, never a clean end.
        const closing = readUntilClose(s);
        s.resume();
        const { bytes, reset } = await closing;
        assert.ok(bytes < 32 * 1024 * 1024, `${bytes} bytes: the whole file arrived`);
        assert.equal(reset, true, 'the stalled transfer ended like a complete file');
      } finally {
        await fsp.rm(big, { force: true });
      }
    });

    it('has a stall timeout by default', () => {
      const server = new FileServer({ root: fx.root });
      servers.push(server);
      assert.equal((server as unknown as { options: FileServerOptions }).options.idleTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
      assert.ok(DEFAULT_STALL_TIMEOUT_MS > 0);
    });
  });

  describe('refusals', () => {
    it('refuses every class with zero bytes leaked, reports why, and keeps serving', async function () {
      this.timeout(30000);
      const { port, requests } = await start();
      const cases: [Buffer | string, RegExp][] = [
        [fx.secret, /absolute/],
        ['/etc/passwd', /absolute/],
        ['C:/secret.txt', /drive letter/],
        ['\\\\server\\share\\secret.txt', /UNC/],
        ['..\\secret.txt', /backslash/],
        ['../secret.txt', /"\.\."/],
        ['sub/../../secret.txt', /"\.\."/],
        ['a.txt\0', /NUL/],
        ['a\rb.txt\n', /control/],
        ['a\u001b.txt', /control/],
        [Buffer.from([0x73, 0x65, 0xff, 0xfe]), /not valid utf-8/],
        ['link-out', /outside the root/],
        ['abs-out', /outside the root/],
        ['dir-out/secret.txt', /outside the root/],
        ['sub//inner.txt', /empty path segment/],
        ['sub', /folder, not a regular file/],
        ['fifo', /FIFO, not a regular file/],
        ['x'.repeat(5000), /longer than 4096/],
      ];
      for (const [name, reason] of cases) {
        const before = requests.length;
        const t0 = Date.now();
        const got = await peers.request(port, [name], { timeoutMs: 5000 });
        assert.equal(got.length, 0, `${JSON.stringify(String(name))} leaked ${got.length} bytes`);
        assert.ok(!got.toString('latin1').includes(fx.secretText));
        assert.ok(Date.now() - t0 < 2000, `${JSON.stringify(String(name))} took ${Date.now() - t0} ms`);
        assert.equal(requests.length, before + 1);
        const e = requests[before];
        assert.equal(e.outcome, 'refused', `${JSON.stringify(String(name))}: ${e.reason}`);
        assert.match(e.reason ?? '', reason, JSON.stringify(String(name)));
        // Still serving right after.
        assert.deepEqual(await peers.request(port, ['a.txt']), fx.files['a.txt']);
      }
      const undecodable = requests.find((e) => /not valid utf-8/.test(e.reason ?? ''));
      assert.equal(undecodable?.name, 'se\\xff\\xfe');
    });

    it('with nc too: a symlink out of the root gives nothing', async () => {
      const { port } = await start();
      const r = await peers.run('sh', ['-c', `echo link-out | nc -N 127.0.0.1 ${port}`]);
      assert.equal(r.stdout.length, 0);
    });
  });

  describe('listing', () => {
    it('answers / and folder/ with a sorted UTF-8 listing, folders marked with /', async () => {
      const { port, requests } = await start({ encoding: 'gbk' });
      const root = (await peers.request(port, ['/'])).toString('utf8');
      assert.equal(root, '.hidden\na.txt\nempty.txt\nlink-in\nsub/\n测试文件.txt\n');
      const sub = (await peers.request(port, [iconv.encode('sub/子目录/', 'gbk')])).toString('utf8');
      assert.equal(sub, '文件.txt\n');
      assert.equal(requests[0].outcome, 'listed');
      assert.equal(requests[1].name, 'sub/子目录/');
    });

    it('answers zero bytes when listing is off', async () => {
      const { port, requests } = await start({ listing: false });
      assert.equal((await peers.request(port, ['/'])).length, 0);
      assert.equal((await peers.request(port, ['sub/'])).length, 0);
      assert.equal(requests[0].outcome, 'refused');
      assert.match(requests[0].reason ?? '', /listing is switched off/);
      assert.deepEqual(await peers.request(port, ['a.txt']), fx.files['a.txt']);
    });
  });

  describe('many clients, resets and stop', () => {
    let big: string;
    before(async function () {
      this.timeout(30000);
      big = path.join(fx.root, 'big.bin');
      await makeBigFile(big, 64);
    });
    after(async () => {
      await fsp.rm(big, { force: true });
    });

    it('serves 50 clients at once, each with its own counters', async function () {
      this.timeout(30000);
      const { server, port } = await start();
      const results = await Promise.all(Array.from({ length: 50 }, () => peers.request(port, ['sub/inner.txt'])));
      for (const r of results) {
        assert.equal(sha256(r), sha256(fx.files['sub/inner.txt']));
      }
      assert.equal(server.stats.clientsAccepted, 50);
      assert.equal(server.stats.bytesOut, 50 * fx.files['sub/inner.txt'].length);
    });

    it('closes the file when a client resets mid-transfer (no descriptor leak)', async function () {
      this.timeout(30000);
      const { server, port, leaves } = await start();
      const before = openFds();
      for (let i = 0; i < 5; i++) {
        const s = await peers.connect(port);
        s.write('big.bin');
        await new Promise<void>((resolve) => s.once('data', () => resolve()));
        s.resetAndDestroy();
      }
      await waitFor(() => leaves.length === 5, 'five clients to leave', 5000);
      await waitFor(() => openFds() <= before, `descriptors back to ${before} (now ${openFds()})`, 3000);
      assert.ok(
        leaves.every((l) => l.reason === 'reset' || l.reason === 'closed-by-peer'),
        leaves.map((l) => l.reason).join(),
      );
      assert.equal(server.clients.length, 0);
      assert.deepEqual(await peers.request(port, ['a.txt']), fx.files['a.txt']);
    });

    it('stop() with live transfers resets them, closes everything, and the port is reusable at once', async function () {
      this.timeout(30000);
      const { server, port, leaves } = await start();
      const before = openFds();
      const clients = await Promise.all(Array.from({ length: 5 }, () => peers.connect(port)));
      // Slow readers: each pauses at its first chunk, so every transfer is live when stop() comes.
      const paused = clients.map((s) => new Promise<void>((resolve) => s.once('data', () => (s.pause(), resolve()))));
      const outcomes = clients.map((s) => readUntilClose(s));
      for (const s of clients) {
        s.write('big.bin');
      }
      await Promise.all(paused);
      assert.equal(server.clients.length, 5);
      await server.stop();
      assert.equal(server.state, 'stopped');
      assert.equal(server.clients.length, 0);
      assert.deepEqual(
        leaves.map((l) => l.reason),
        Array(5).fill('server-stopped'),
      );
      for (const s of clients) {
        s.resume();
      }
      const results = await Promise.all(outcomes);
      // A reset, not a clean end: no client may take a partial file for the whole one.
      for (const r of results) {
        assert.equal(r.reset, true);
        assert.ok(r.bytes < 64 * 1024 * 1024);
      }
      await waitFor(() => openFds() <= before, 'descriptors to close', 3000);
      const again = new FileServer({ root: fx.root, host: '127.0.0.1', port });
      servers.push(again);
      assert.equal((await again.start()).port, port);
      assert.deepEqual(await peers.request(port, ['a.txt']), fx.files['a.txt']);
    });

    it('kick() mid-transfer resets the client (kicked)', async function () {
      this.timeout(20000);
      const { server, port, leaves } = await start();
      const s = await peers.connect(port);
      const paused = new Promise<void>((resolve) => s.once('data', () => (s.pause(), resolve())));
      const closed = readUntilClose(s);
      s.write('big.bin');
      await paused;
      assert.equal(server.kick(server.clients[0].id), true);
      s.resume();
      assert.equal((await closed).reset, true);
      await waitFor(() => leaves.length === 1, 'the client to leave', 3000);
      assert.equal(leaves[0].reason, 'kicked');
    });
  });

  it('refuses connections that are not IPv4 loopback only when asked: binds 127.0.0.1 by default', async () => {
    const server = new FileServer({ root: fx.root, port: 0 });
    servers.push(server);
    const a = await server.start();
    assert.equal(a.host, '127.0.0.1');
    const s = await peers.connect(a.port);
    s.write('a.txt');
    assert.deepEqual(await readAll(s), fx.files['a.txt']);
    assert.ok(net.isIPv4(a.host));
  });
});
