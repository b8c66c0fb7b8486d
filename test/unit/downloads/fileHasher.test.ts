// The sha256 worker that hashes a file while it grows (src/core/downloads/fileHasher.ts), on real files, and the
// downloader's use of it for files past INLINE_HASH_LIMIT: same digest, and no thread left behind.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DownloadError, INLINE_HASH_LIMIT, download } from '../../../src/core/downloads/downloader';
import { FileHasher } from '../../../src/core/downloads/fileHasher';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { sha256, sleep, waitUntil } from '../support';

const MiB = 1024 * 1024;

/** Threads of this process (Linux): a worker is one, and it is gone once joined. */
const threads = (): number => fs.readdirSync('/proc/self/task').length;

describe('fileHasher', () => {
  let dir: string;
  const hashers: FileHasher[] = [];
  const servers: FileServer[] = [];

  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tcpwb-hash-'));
  });
  afterEach(async () => {
    // Whatever a failed test left running: no thread may outlive the file (mocha runs without --exit).
    await Promise.all(hashers.splice(0).map((h) => h.terminate()));
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
  });
  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  function hasher(file: string): FileHasher {
    const h = new FileHasher(file);
    hashers.push(h);
    return h;
  }

  it('the hash of a file written piece by piece equals the hash of the whole', async function () {
    this.timeout(20000);
    const file = path.join(dir, 'growing.bin');
    const fd = fs.openSync(file, 'wx');
    const h = hasher(file);
    const whole = crypto.createHash('sha256');
    let size = 0;
    // Pieces of odd sizes, some larger than the worker's 1 MiB buffer, with pauses so it catches up and waits.
    for (let i = 0; i < 40; i++) {
      const piece = crypto.randomBytes(((i * 7919) % 1500) * 1024 + 13);
      fs.writeSync(fd, piece);
      whole.update(piece);
      size += piece.length;
      h.written(size);
      if (i % 8 === 0) {
        await sleep(20);
      }
    }
    fs.closeSync(fd);
    assert.equal(await h.finish(size), whole.digest('hex'));
  });

  it('hashes what finish() says even when nothing was published before; an empty file too', async () => {
    const data = crypto.randomBytes(3 * MiB + 5);
    const a = path.join(dir, 'at-once.bin');
    await fsp.writeFile(a, data);
    assert.equal(await hasher(a).finish(data.length), sha256(data));
    const e = path.join(dir, 'empty.bin');
    await fsp.writeFile(e, '');
    assert.equal(await hasher(e).finish(0), sha256(Buffer.alloc(0)));
  });

  it('offsets past 4 GiB cross to the worker exactly', async () => {
    const file = path.join(dir, 'small.bin');
    await fsp.writeFile(file, crypto.randomBytes(1024));
    const h = hasher(file);
    const past = 5 * 1024 * MiB + 3;
    h.written(past);
    assert.equal(h.bytesPublished, past);
    // The worker reads the 1024 bytes there are, then reports the count it was given, unchanged.
    await assert.rejects(h.finish(past), (e: Error) => e.message.includes(`the file ended at 1024 bytes, ${past} were written`));
  });

  it('a file that cannot be read: finish() rejects with the path and the reason', async () => {
    const file = path.join(dir, 'missing.bin');
    await assert.rejects(hasher(file).finish(10), (e: Error) => e.message.startsWith(`Hashing ${file} failed:`) && /ENOENT/.test(e.message));
  });

  it('terminate() stops a worker that waits for bytes, at once, and the thread is gone', async () => {
    await fsp.stat(dir); // the thread pool exists before the count is taken
    const before = threads();
    const file = path.join(dir, 'waiting.bin');
    await fsp.writeFile(file, crypto.randomBytes(64 * 1024));
    const h = hasher(file);
    h.written(64 * 1024);
    assert.ok(await waitUntil(() => threads() === before + 1, 5000), 'the worker thread never started');
    await sleep(100); // caught up: now blocked in Atomics.wait
    const t0 = Date.now();
    await h.terminate();
    assert.ok(Date.now() - t0 < 900, `terminate took ${Date.now() - t0} ms (longer than the wait's own timeout)`);
    assert.equal(threads(), before);
    await assert.rejects(h.finish(64 * 1024), /stopped/);
  });

  describe('in download()', () => {
    let root: string;
    let dest: string;
    let data: Buffer;
    let slow: net.Server;
    let slowPort: number;

    before(async () => {
      root = await fsp.mkdtemp(path.join(dir, 'root-'));
      dest = await fsp.mkdtemp(path.join(dir, 'dest-'));
      data = crypto.randomBytes(INLINE_HASH_LIMIT + 3 * MiB + 7);
      await fsp.writeFile(path.join(root, 'big.bin'), data);
      await fsp.writeFile(path.join(root, 'edge.bin'), data.subarray(0, INLINE_HASH_LIMIT));
      // Sends the first LIMIT + 1 MiB, pauses long enough for any worker to start, then the rest.
      slow = net.createServer((s) => {
        s.on('error', () => undefined);
        s.once('data', () => {
          s.write(data.subarray(0, INLINE_HASH_LIMIT + MiB));
          const t = setTimeout(() => s.end(data.subarray(INLINE_HASH_LIMIT + MiB)), 1000);
          s.once('close', () => clearTimeout(t));
        });
      });
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
      slowPort = (slow.address() as net.AddressInfo).port;
      await fsp.stat(dest); // the thread pool exists before threads are counted
    });
    after(async () => {
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    });

    it('a worker that took over delivers the same sha256 as the bytes on disk; no thread left', async function () {
      this.timeout(20000);
      const before = threads();
      const delivered = FileHasher.delivered;
      let peak = before;
      const r = await download({ host: '127.0.0.1', port: slowPort, name: 'x', localName: 'slow.bin', destDir: dest, onProgress: () => (peak = Math.max(peak, threads())) });
      assert.equal(peak, before + 1, 'no worker ran');
      assert.equal(FileHasher.delivered, delivered + 1, 'the worker did not deliver the digest');
      assert.equal(r.bytes, data.length);
      assert.equal(r.sha256, sha256(data));
      assert.deepEqual(await fsp.readFile(r.path), data);
      assert.equal(threads(), before);
    });

    it('fast or at the limit, the in-line hash answers; the same sha256, no thread left', async function () {
      this.timeout(20000);
      const server = new FileServer({ root, host: '127.0.0.1', port: 0 });
      servers.push(server);
      const { port } = await server.start();
      const before = threads();
      const big = await download({ host: '127.0.0.1', port, name: 'big.bin', destDir: dest, existing: 'overwrite' });
      assert.equal(big.sha256, sha256(data));
      const edge = await download({ host: '127.0.0.1', port, name: 'edge.bin', destDir: dest, existing: 'overwrite' });
      assert.equal(edge.sha256, sha256(data.subarray(0, INLINE_HASH_LIMIT)));
      assert.equal(threads(), before);
    });

    it('cancelled while the worker hashes: DownloadError, no file, and the worker is terminated', async function () {
      this.timeout(20000);
      const before = threads();
      const delivered = FileHasher.delivered;
      let peak = before;
      const ac = new AbortController();
      const p = download({
        host: '127.0.0.1',
        port: slowPort,
        name: 'x',
        destDir: dest,
        localName: 'cancelled.bin',
        signal: ac.signal,
        onProgress: (b) => {
          peak = Math.max(peak, threads());
          // After the pause: the worker has taken over by now.
          if (b > INLINE_HASH_LIMIT + 2 * MiB) {
            ac.abort();
          }
        },
      });
      await assert.rejects(p, (e: Error) => e instanceof DownloadError && e.errno === 'ABORT_ERR');
      assert.equal(peak, before + 1, 'the worker never ran');
      assert.equal(FileHasher.delivered, delivered);
      assert.equal(threads(), before);
      assert.ok(!(await fsp.readdir(dest)).some((n) => n.includes('cancelled')));
    });
  });
});
