// The downloader against our file server and the tutorial python file server: byte-exact big files,
// not found, existing targets, cancel, servers dying mid-file, timeouts, connection errors, and list().
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { DownloadError, NotFoundError, TargetExistsError, download, list, localNameFor } from '../../../src/core/downloads/downloader';
import { FileServer, FileServerOptions } from '../../../src/core/fileServer/fileServer';
import { Fixture, makeBigFile, makeFixture, sha256File } from '../fileFixtures';
import { Peers, sha256 } from '../support';

describe('downloader', () => {
  let fx: Fixture;
  const peers = new Peers();
  const servers: FileServer[] = [];
  let dest: string;

  before(async () => {
    fx = await makeFixture();
  });
  beforeEach(async () => {
    dest = await fsp.mkdtemp(path.join(fx.out, 'dl-'));
  });
  afterEach(async () => {
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
  });
  after(async () => {
    await fx.cleanup();
  });

  async function start(options: Partial<FileServerOptions> = {}): Promise<{ server: FileServer; port: number }> {
    const server = new FileServer({ root: fx.root, host: '127.0.0.1', port: 0, ...options });
    servers.push(server);
    return { server, port: (await server.start()).port };
  }

  async function destEntries(): Promise<string[]> {
    return (await fsp.readdir(dest)).sort();
  }

  describe('against our file server', () => {
    it('downloads into destDir under the last segment of the name, with sha256 and byte count', async () => {
      const { port } = await start();
      const progress: number[] = [];
      const r = await download({ host: '127.0.0.1', port, name: 'sub/inner.txt', destDir: dest, onProgress: (b) => progress.push(b) });
      assert.equal(r.path, path.join(dest, 'inner.txt'));
      assert.equal(r.bytes, fx.files['sub/inner.txt'].length);
      assert.equal(r.sha256, sha256(fx.files['sub/inner.txt']));
      assert.deepEqual(await fsp.readFile(r.path), fx.files['sub/inner.txt']);
      assert.equal(progress[progress.length - 1], r.bytes);
      assert.ok(r.durationMs >= 0);
      assert.deepEqual(await destEntries(), ['inner.txt']);
    });

    it('sends gbk names to a gbk server (Chinese names, subfolders)', async () => {
      const { port } = await start({ encoding: 'gbk' });
      const a = await download({ host: '127.0.0.1', port, name: '测试文件.txt', destDir: dest, encoding: 'gbk' });
      assert.deepEqual(await fsp.readFile(a.path), fx.files['测试文件.txt']);
      const b = await download({ host: '127.0.0.1', port, name: 'sub/子目录/文件.txt', destDir: dest, encoding: 'gbk' });
      assert.equal(path.basename(b.path), '文件.txt');
      assert.deepEqual(await fsp.readFile(b.path), fx.files['sub/子目录/文件.txt']);
    });

    it('zero bytes: NotFoundError "not found (or empty)", no file and no temp file left', async () => {
      const { port } = await start();
      await assert.rejects(
        download({ host: '127.0.0.1', port, name: 'nope.txt', destDir: dest }),
        (e: Error) => e instanceof NotFoundError && /"nope.txt" not found \(or empty\) on the server 127\.0\.0\.1:\d+/.test(e.message),
      );
      await assert.rejects(download({ host: '127.0.0.1', port, name: 'link-out', destDir: dest }), NotFoundError);
      await assert.rejects(download({ host: '127.0.0.1', port, name: 'empty.txt', destDir: dest }), NotFoundError);
      assert.deepEqual(await destEntries(), []);
    });

    it('runs 50 downloads at once', async function () {
      this.timeout(30000);
      const { server, port } = await start();
      const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => download({ host: '127.0.0.1', port, name: 'sub/inner.txt', destDir: dest, localName: `c${i}.bin` })));
      const want = sha256(fx.files['sub/inner.txt']);
      for (const r of rs) {
        assert.equal(r.sha256, want);
        assert.equal(await sha256File(r.path), want);
      }
      assert.equal((await destEntries()).length, 50);
      assert.equal(server.stats.clientsAccepted, 50);
    });

    it('list() gets the root and a folder; [] when listing is off', async () => {
      const { port } = await start();
      assert.deepEqual(await list('127.0.0.1', port), ['.hidden', 'a.txt', 'empty.txt', 'link-in', 'sub/', '测试文件.txt']);
      assert.deepEqual(await list('127.0.0.1', port, 'sub'), ['inner.txt', '子目录/']);
      assert.deepEqual(await list('127.0.0.1', port, '/sub/子目录/'), ['文件.txt']);
      const off = await start({ listing: false });
      assert.deepEqual(await list('127.0.0.1', off.port, '/'), []);
    });
  });

  describe('against the tutorial python file server', () => {
    it('downloads utf-8 and gbk names byte-exact', async () => {
      const utf = await peers.startPythonServer(fx.root);
      const a = await download({ host: '127.0.0.1', port: utf.port, name: 'sub/子目录/文件.txt', destDir: dest });
      assert.deepEqual(await fsp.readFile(a.path), fx.files['sub/子目录/文件.txt']);
      const gbk = await peers.startPythonServer(fx.root, 'gbk');
      const b = await download({ host: '127.0.0.1', port: gbk.port, name: '测试文件.txt', destDir: dest, encoding: 'gbk' });
      assert.deepEqual(await fsp.readFile(b.path), fx.files['测试文件.txt']);
      await assert.rejects(download({ host: '127.0.0.1', port: utf.port, name: 'nope.txt', destDir: dest }), NotFoundError);
    });

    it('list() returns [] from a server that answers a folder name with zero bytes', async () => {
      const py = await peers.startPythonServer(fx.root);
      assert.deepEqual(await list('127.0.0.1', py.port), []);
      assert.deepEqual(await list('127.0.0.1', py.port, 'sub'), []);
    });
  });

  describe('big files', () => {
    let big: string;
    let bigHash: string;
    before(async function () {
      this.timeout(60000);
      big = path.join(os.tmpdir(), `tcpwb-dl-big-${process.pid}.bin`);
      bigHash = await makeBigFile(big, 256);
    });
    after(async () => {
      await fsp.rm(big, { force: true });
    });

    it('256 MiB byte-exact (sha256) from our server, memory flat', async function () {
      this.timeout(120000);
      const { port } = await start({ root: path.dirname(big) });
      const rss0 = process.memoryUsage.rss();
      let rssMax = rss0;
      const r = await download({ host: '127.0.0.1', port, name: path.basename(big), destDir: dest, onProgress: () => (rssMax = Math.max(rssMax, process.memoryUsage.rss())) });
      assert.equal(r.bytes, 256 * 1024 * 1024);
      assert.equal(r.sha256, bigHash);
      assert.equal(await sha256File(r.path), bigHash);
      assert.ok(rssMax - rss0 < 128 * 1024 * 1024, `memory grew by ${Math.round((rssMax - rss0) / 1048576)} MiB`);
      await fsp.rm(r.path);
    });

    it('256 MiB byte-exact (sha256) from the python server', async function () {
      this.timeout(120000);
      const py = await peers.startPythonServer(path.dirname(big));
      const r = await download({ host: '127.0.0.1', port: py.port, name: path.basename(big), destDir: dest });
      assert.equal(r.sha256, bigHash);
      assert.equal(await sha256File(r.path), bigHash);
      await fsp.rm(r.path);
    });

    it('abort mid-download: DownloadError with the byte count, no file, no temp file', async function () {
      this.timeout(30000);
      const { port } = await start({ root: path.dirname(big) });
      const ac = new AbortController();
      const p = download({ host: '127.0.0.1', port, name: path.basename(big), destDir: dest, signal: ac.signal, onProgress: (b) => b > 8 * 1024 * 1024 && ac.abort() });
      await assert.rejects(
        p,
        (e: Error) => e instanceof DownloadError && e.errno === 'ABORT_ERR' && e.bytesReceived > 0 && new RegExp(`cancelled after ${e.bytesReceived} bytes`).test(e.message),
      );
      assert.deepEqual(await destEntries(), []);
    });

    it('our server stopped mid-file: DownloadError, no file, the existing file untouched', async function () {
      this.timeout(30000);
      const { server, port } = await start({ root: path.dirname(big) });
      const target = path.join(dest, path.basename(big));
      await fsp.writeFile(target, 'old content');
      let stopping: Promise<void> | undefined;
      const p = download({
        host: '127.0.0.1',
        port,
        name: path.basename(big),
        destDir: dest,
        existing: 'overwrite',
        onProgress: (b) => b > 16 * 1024 * 1024 && (stopping ??= server.stop()),
      });
      await assert.rejects(
        p,
        (e: Error) => e instanceof DownloadError && /failed after \d+ bytes: the connection was reset/.test(e.message) && e.bytesReceived < 256 * 1024 * 1024,
      );
      await stopping;
      assert.deepEqual(await destEntries(), [path.basename(big)]);
      assert.equal(await fsp.readFile(target, 'utf8'), 'old content');
    });

    it('python server killed mid-file: DownloadError, no file, the existing file untouched', async function () {
      this.timeout(30000);
      // --linger0: the dying process resets its connections (a FIN would look like the end of the file).
      const py = await peers.startPythonServer(path.dirname(big), 'utf-8', ['--linger0']);
      const target = path.join(dest, path.basename(big));
      await fsp.writeFile(target, 'old content');
      const p = download({
        host: '127.0.0.1',
        port: py.port,
        name: path.basename(big),
        destDir: dest,
        existing: 'overwrite',
        onProgress: (b) => b > 16 * 1024 * 1024 && py.child.kill('SIGKILL'),
      });
      await assert.rejects(p, (e: Error) => e instanceof DownloadError && /failed after \d+ bytes/.test(e.message));
      assert.deepEqual(await destEntries(), [path.basename(big)]);
      assert.equal(await fsp.readFile(target, 'utf8'), 'old content');
    });
  });

  describe('existing targets', () => {
    it("'fail' refuses before connecting", async () => {
      const { server, port } = await start();
      await fsp.writeFile(path.join(dest, 'a.txt'), 'mine');
      await assert.rejects(
        download({ host: '127.0.0.1', port, name: 'a.txt', destDir: dest }),
        (e: Error) => e instanceof TargetExistsError && e.path === path.join(dest, 'a.txt') && /already exists/.test(e.message),
      );
      assert.equal(server.stats.clientsAccepted, 0);
      assert.equal(await fsp.readFile(path.join(dest, 'a.txt'), 'utf8'), 'mine');
    });

    it("'fail' does not clobber a file that appeared during the download", async () => {
      const { port } = await start();
      const target = path.join(dest, 'inner.txt');
      const p = download({ host: '127.0.0.1', port, name: 'sub/inner.txt', destDir: dest, onProgress: () => fs.existsSync(target) || fs.writeFileSync(target, 'appeared') });
      await assert.rejects(p, (e: Error) => e instanceof TargetExistsError && /appeared while downloading/.test(e.message));
      assert.equal(await fsp.readFile(target, 'utf8'), 'appeared');
      assert.deepEqual(await destEntries(), ['inner.txt']);
    });

    it("'overwrite' replaces, 'keep-both' numbers: name (1).ext, name (2).ext", async () => {
      const { port } = await start();
      await fsp.writeFile(path.join(dest, 'a.txt'), 'mine');
      const o = await download({ host: '127.0.0.1', port, name: 'a.txt', destDir: dest, existing: 'overwrite' });
      assert.deepEqual(await fsp.readFile(o.path), fx.files['a.txt']);
      const k1 = await download({ host: '127.0.0.1', port, name: 'a.txt', destDir: dest, existing: 'keep-both' });
      const k2 = await download({ host: '127.0.0.1', port, name: 'a.txt', destDir: dest, existing: 'keep-both' });
      assert.equal(path.basename(k1.path), 'a (1).txt');
      assert.equal(path.basename(k2.path), 'a (2).txt');
      assert.deepEqual(await destEntries(), ['a (1).txt', 'a (2).txt', 'a.txt']);
    });
  });

  describe('wire behaviour and failures', () => {
    it('sends the name in one write, with no terminator and without half-closing', async () => {
      let seen: Buffer = Buffer.alloc(0);
      let halfClosed = false;
      let halfClosedBeforeAnswer: boolean | undefined;
      const port = await peers.listen((s) => {
        s.on('end', () => (halfClosed = true));
        s.once('data', (d: Buffer) => {
          seen = d;
          // Like the tutorial server's one recv: answer only what the first segment said, a bit later.
          setTimeout(() => {
            halfClosedBeforeAnswer = halfClosed;
            s.end('payload');
          }, 100);
        });
      });
      const r = await download({ host: '127.0.0.1', port, name: 'sub/测试.txt', destDir: dest });
      assert.equal(seen.toString('utf8'), 'sub/测试.txt');
      assert.equal(halfClosedBeforeAnswer, false);
      assert.equal(await fsp.readFile(r.path, 'utf8'), 'payload');
    });

    it('idle timeout: DownloadError that says how many bytes had arrived; nothing left behind', async () => {
      const port = await peers.listen((s) => s.once('data', () => s.write('12345')));
      const t0 = Date.now();
      await assert.rejects(
        download({ host: '127.0.0.1', port, name: 'x', destDir: dest, idleTimeoutMs: 200 }),
        (e: Error) =>
          e instanceof DownloadError && e.bytesReceived === 5 && /timed out: no data for 200 ms after 5 bytes/.test(e.message) && e.message.includes(`127.0.0.1:${port}`),
      );
      assert.ok(Date.now() - t0 < 3000);
      assert.deepEqual(await destEntries(), []);
    });

    it('connection refused and unknown host name host:port clearly', async function () {
      this.timeout(20000);
      const port = await peers.refusedPort();
      await assert.rejects(
        download({ host: '127.0.0.1', port, name: 'a.txt', destDir: dest }),
        (e: Error) => e instanceof DownloadError && e.message === `Connection refused by 127.0.0.1:${port} (is the server running?).`,
      );
      await assert.rejects(
        download({ host: 'no-such-host.invalid', port: 9, name: 'a.txt', destDir: dest }),
        (e: Error) => e instanceof DownloadError && /^Unknown host no-such-host\.invalid \(no-such-host\.invalid:9\)\.$/.test(e.message),
      );
      assert.deepEqual(await destEntries(), []);
    });

    it('refuses bad input before doing anything', async () => {
      await assert.rejects(download({ host: '127.0.0.1', port: 0, name: 'a', destDir: dest }), /out of range/);
      await assert.rejects(download({ host: '127.0.0.1', port: 9, name: '', destDir: dest }), /empty/);
      await assert.rejects(download({ host: '127.0.0.1', port: 9, name: 'a', destDir: path.join(dest, 'missing') }), /does not exist/);
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(
        download({ host: '127.0.0.1', port: 9, name: 'a', destDir: dest, signal: ac.signal }),
        (e: Error) => e instanceof DownloadError && e.errno === 'ABORT_ERR',
      );
      assert.deepEqual(await destEntries(), []);
    });

    it('a reset mid-file from a raw server is an error, not the end of the file', async () => {
      const port = await peers.listen((s) =>
        s.once('data', () => {
          s.write(Buffer.alloc(3 * 1024 * 1024, 7));
          setTimeout(() => s.resetAndDestroy(), 50);
        }),
      );
      await assert.rejects(download({ host: '127.0.0.1', port, name: 'x', destDir: dest }), (e: Error) => e instanceof DownloadError && e.errno === 'ECONNRESET');
      assert.deepEqual(await destEntries(), []);
    });
  });

  describe('localNameFor', () => {
    const cases: [string, string][] = [
      ['a.txt', 'a.txt'],
      ['sub/dir/file.bin', 'file.bin'],
      ['sub\\dir\\file.bin', 'file.bin'],
      ['../../etc/passwd', 'passwd'],
      ['..', 'download'],
      ['.', 'download'],
      ['', 'download'],
      ['/', 'download'],
      ['folder/', 'folder'],
      ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
      ['bell\u0007\r\n.txt', 'bell___.txt'],
      ['name. . ', 'name'],
      ['...', 'download'],
      ['CON', '_CON'],
      ['nul.txt', '_nul.txt'],
      ['测试文件.txt', '测试文件.txt'],
    ];
    for (const [input, want] of cases) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => {
        assert.equal(localNameFor(input), want);
      });
    }

    it('limits the length in bytes, keeps the extension and never splits a character', () => {
      const n = localNameFor('测'.repeat(300) + '.txt');
      assert.ok(Buffer.byteLength(n) <= 200);
      assert.ok(n.endsWith('.txt'));
      assert.ok(!n.includes('\ufffd'));
      assert.ok(Buffer.byteLength(localNameFor('x'.repeat(1000))) <= 200);
    });

    it('the result never escapes destDir', () => {
      for (const input of ['../x', '..\\..\\x', '/etc/passwd', 'C:\\Windows\\x', 'a/../../b', '\0/..']) {
        const p = path.resolve('/dest', localNameFor(input));
        assert.equal(path.dirname(p), path.resolve('/dest'), input);
      }
    });
  });
});
