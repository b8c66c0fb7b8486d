// Issue 6, part 2: clients that reset mid-transfer, a server that dies mid-file, and targets that cannot
// be written (missing folder, a file in the way, disk full, read-only). Nothing leaks, nothing is lost.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { LeaveReason } from '../../../src/core/servers/serverBase';
import { DownloadError, download } from '../../../src/core/downloads/downloader';
import { MiB, fdsOpenOn, pool, rawRequest, settleFds } from './helpers';
import { Scaffold, openFds, waitUntil } from '../support';

/** Why a download failed, from the error itself: message and code together. */
function describeError(e: unknown): string {
  const err = e as Error & { errno?: string };
  return `${err?.name}: ${err?.message} [${err?.errno ?? ''}]`;
}

function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('hardening: faults', function () {
  this.timeout(30000);
  let dir: string;
  let root: string;
  let server: FileServer;
  let port: number;
  let big: Buffer;
  const errors: Error[] = [];
  const bed = new Scaffold();

  before(async () => {
    dir = bed.tempDir('faults');
    root = path.join(dir, 'root');
    fs.mkdirSync(root);
    big = crypto.randomBytes(4 * MiB);
    fs.writeFileSync(path.join(root, 'big.bin'), big);
    fs.writeFileSync(path.join(root, 'small.txt'), 'small file\n');
    server = new FileServer({ root, nameTimeoutMs: 2000 });
    server.onDidError((e) => errors.push(e));
    port = (await bed.start(server)).port;
  });

  after(() => bed.dispose());

  it('survives 1,000 clients that reset after the first chunk; fds back to baseline', async function () {
    this.timeout(45000);
    // Warm up first (thread pool, lazy handles), so the baseline is what a running server needs.
    for (let i = 0; i < 3; i++) {
      assert.equal((await rawRequest(port, Buffer.from('small.txt\n'))).data.toString(), 'small file\n');
    }
    const before = await settleFds(openFds(), 200);
    const reasons = new Map<LeaveReason, number>();
    const leave = server.onDidLeaveClient((e) => reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown): void => void unhandled.push(r);
    process.on('warning', onWarning);
    process.on('unhandledRejection', onUnhandled);
    let midTransfer = 0;
    const started = Date.now();
    try {
      await pool(Array.from({ length: 1000 }), 50, async (_, i) => {
        await new Promise<void>((resolve) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => s.write('big.bin\n'));
          const timer = setTimeout(() => s.destroy(), 5000);
          s.once('data', () => {
            midTransfer++;
            // Half of them with a plain close after unread data, half with an explicit RST.
            if (i % 2 === 0) {
              s.resetAndDestroy();
            } else {
              s.destroy();
            }
          });
          s.on('error', () => undefined);
          s.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      });
      const left = await waitUntil(() => server.clients.length === 0, 5000);
      // Streams close their descriptor asynchronously (thread pool): give them a moment under load.
      await waitUntil(() => fdsOpenOn(path.join(root, 'big.bin')) === 0, 5000, 50);
      const streamsLeft = fdsOpenOn(path.join(root, 'big.bin'));
      const after = await settleFds(before, 3000);
      console.log(
        `      figure: resets ${midTransfer}/1000 mid-transfer in ${Date.now() - started} ms; fds before ${before}, after ${after}; big.bin fds left ${streamsLeft}`,
      );
      console.log(`      leave reasons: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`);
      assert.equal(midTransfer, 1000, 'every client got a first chunk');
      assert.ok(left, `${server.clients.length} clients still tracked`);
      assert.equal(streamsLeft, 0, 'file streams left open');
      assert.ok(after <= before, `fds ${before} → ${after}`);
      assert.equal(server.state, 'listening');
      const ok = await rawRequest(port, Buffer.from('big.bin\n'), { timeoutMs: 5000 });
      assert.ok(ok.data.equals(big), `big.bin after the resets: ${ok.data.length} B`);
      assert.deepEqual(errors, []);
      assert.deepEqual(warnings, [], 'process warnings (a listener leak shows up here)');
      assert.deepEqual(unhandled, []);
    } finally {
      leave.dispose();
      process.off('warning', onWarning);
      process.off('unhandledRejection', onUnhandled);
    }
  });

  describe('a server killed mid-file', () => {
    // A tutorial file server (one recv, then send in a loop) with SO_LINGER 0, so SIGKILL resets the
    // connection the way a crashed host or a pulled cable does. (A process killed WITHOUT linger lets the
    // kernel finish with a clean FIN: with no length in this protocol, that is indistinguishable from a
    // complete file — see SECURITY.md.)
    function startDyingServer(): Promise<{ port: number; kill: () => void; exited: Promise<void> }> {
      const code = [
        'import socket, struct, sys, time',
        's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
        "s.bind(('127.0.0.1', 0)); s.listen(1)",
        'print(s.getsockname()[1], flush=True)',
        'conn, _ = s.accept()',
        'conn.recv(4096)',
        "conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
        "chunk = b'x' * 65536",
        'for _ in range(2000):',
        '    conn.sendall(chunk)',
        '    time.sleep(0.01)',
      ].join('\n');
      const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      return new Promise((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), kill: () => child.kill('SIGKILL'), exited }));
        child.once('error', reject);
        setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error('python server did not start'));
        }, 5000).unref();
      });
    }

    for (const existing of [undefined, 'overwrite'] as const) {
      it(`fails with DownloadError, leaves nothing behind${existing ? ', keeps the existing file byte-identical' : ''}`, async () => {
        const dest = path.join(dir, `dest-kill-${existing ?? 'new'}`);
        fs.mkdirSync(dest);
        const target = path.join(dest, 'data.bin');
        const old = crypto.randomBytes(100000);
        if (existing) {
          fs.writeFileSync(target, old);
        }
        const before = listDir(dest);
        const peer = await startDyingServer();
        let killedAt = 0;
        const err = await download({
          host: '127.0.0.1',
          port: peer.port,
          name: 'data.bin',
          destDir: dest,
          existing,
          idleTimeoutMs: 5000,
          onProgress: (n) => {
            if (!killedAt && n >= 256 * 1024) {
              killedAt = n;
              peer.kill();
            }
          },
        }).then(
          (r) => new Error(`download succeeded: ${r.bytes} B`),
          (e: unknown) => e,
        );
        await peer.exited;
        console.log(`      killed after ${killedAt} B: ${describeError(err)}`);
        assert.ok(err instanceof DownloadError, describeError(err));
        assert.ok(err.bytesReceived >= killedAt && err.bytesReceived > 0, `bytesReceived ${err.bytesReceived}`);
        assert.match(err.message, /\d/, 'the message says how many bytes had arrived');
        assert.deepEqual(listDir(dest), before, 'no temp file, no partial file');
        if (existing) {
          assert.ok(fs.readFileSync(target).equals(old), 'existing file changed');
        }
      });
    }
  });

  describe('a target that cannot be written', () => {
    it('destDir that does not exist: clear error, nothing created', async () => {
      const dest = path.join(dir, 'no-such-folder');
      const err = await download({ host: '127.0.0.1', port, name: 'small.txt', destDir: dest }).then(
        () => new Error('download succeeded'),
        (e: unknown) => e as Error,
      );
      console.log(`      missing folder: ${describeError(err)}`);
      assert.ok(err instanceof Error);
      assert.ok(err.message.includes(dest), `message names the folder: ${err.message}`);
      assert.equal(fs.existsSync(dest), false, 'the folder was created');
      assert.ok(await waitUntil(() => server.clients.length === 0, 2000), 'a client was left on the server');
    });

    it('destDir that is a file: clear error, the file untouched', async () => {
      const dest = path.join(dir, 'a-file');
      fs.writeFileSync(dest, 'in the way\n');
      const err = await download({ host: '127.0.0.1', port, name: 'small.txt', destDir: dest }).then(
        () => new Error('download succeeded'),
        (e: unknown) => e as Error,
      );
      console.log(`      folder is a file: ${describeError(err)}`);
      assert.ok(err instanceof Error);
      assert.ok(err.message.includes(dest), `message names the folder: ${err.message}`);
      assert.equal(fs.readFileSync(dest, 'utf8'), 'in the way\n');
      assert.ok(await waitUntil(() => server.clients.length === 0, 2000), 'a client was left on the server');
    });

    /** Runs download() in a child limited to `blocks` 512-byte blocks per file (EFBIG past that). */
    function downloadUnderUlimit(
      dest: string,
      blocks: number,
      existing?: 'overwrite',
    ): Promise<{ ok: boolean; name?: string; message?: string; code?: string; bytesReceived?: number }> {
      const opts = JSON.stringify({ host: '127.0.0.1', port, name: 'big.bin', destDir: dest, existing, idleTimeoutMs: 5000 });
      const child = spawn('/bin/sh', ['-c', `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, path.join(__dirname, 'downloadChild.js'), opts], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
        child.once('exit', () => {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
          } catch {
            reject(new Error(`download child printed: ${out}`));
          }
        });
      });
    }

    async function checkFileTooBig(label: string): Promise<void> {
      const dest = path.join(dir, `dest-efbig-${label}`);
      fs.mkdirSync(dest);
      const target = path.join(dest, 'big.bin');
      const old = crypto.randomBytes(20000);
      fs.writeFileSync(target, old);
      const res = await downloadUnderUlimit(dest, 512, 'overwrite'); // 256 KiB per file
      console.log(`      file size limit (${label}): ${JSON.stringify(res)}`);
      assert.equal(res.ok, false, 'download under ulimit -f succeeded');
      assert.equal(res.name, 'DownloadError');
      assert.match(res.message ?? '', /EFBIG|too large/i);
      // The code lets a caller tell "file too large" from a network failure without parsing text.
      assert.equal(res.code, 'EFBIG', 'DownloadError.errno');
      assert.deepEqual(listDir(dest), ['big.bin'], 'temp file left behind');
      assert.ok(fs.readFileSync(target).equals(old), 'existing file changed');
    }

    it('file size limit (EFBIG, no root needed): DownloadError, nothing left, existing kept', async () => {
      await checkFileTooBig('ulimit');
    });

    describe('disk full and read-only (tmpfs, needs root)', () => {
      let mnt: string;
      let mounted = false;
      let roMnt: string;
      let roMounted = false;

      before(() => {
        mnt = path.join(dir, 'tiny');
        roMnt = path.join(dir, 'ro');
        fs.mkdirSync(mnt);
        fs.mkdirSync(roMnt);
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' });
          mounted = true;
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', roMnt], { stdio: 'ignore' });
          roMounted = true;
        } catch {
          // Not root (or no CAP_SYS_ADMIN): the tests below fall back to the file size limit.
        }
      });

      after(() => {
        for (const [m, is] of [
          [mnt, mounted],
          [roMnt, roMounted],
        ] as const) {
          if (is) {
            execFileSync('umount', ['-l', m], { stdio: 'ignore' });
          }
        }
      });

      it('disk full: DownloadError (ENOSPC), no temp file, existing file byte-identical', async () => {
        if (!mounted) {
          console.log('      cannot mount a tmpfs here (not root): checking the file size limit instead');
          await checkFileTooBig('fallback');
          return;
        }
        const target = path.join(mnt, 'big.bin');
        const old = crypto.randomBytes(100000);
        fs.writeFileSync(target, old);
        const err = await download({ host: '127.0.0.1', port, name: 'big.bin', destDir: mnt, existing: 'overwrite', idleTimeoutMs: 5000 }).then(
          (r) => new Error(`download succeeded: ${r.bytes} B`),
          (e: unknown) => e,
        );
        const df = execFileSync('df', ['-k', '--output=used', mnt]).toString().trim().split('\n').pop();
        console.log(`      disk full: ${describeError(err)}; tmpfs used after: ${df} KiB`);
        assert.ok(err instanceof DownloadError, describeError(err));
        assert.match(err.message, /ENOSPC|space|full/i);
        // The code lets the editor say "disk full" without parsing text.
        assert.equal(err.errno, 'ENOSPC', 'DownloadError.errno');
        assert.deepEqual(listDir(mnt), ['big.bin'], 'temp file left behind');
        assert.ok(fs.readFileSync(target).equals(old), 'existing file changed');
        assert.ok(await waitUntil(() => server.clients.length === 0, 2000), 'a client was left on the server');
      });

      it('read-only folder (EROFS): clear error, nothing left', async () => {
        if (!roMounted) {
          console.log('      cannot mount a tmpfs here (not root): checking the file size limit instead');
          await checkFileTooBig('fallback-ro');
          return;
        }
        fs.writeFileSync(path.join(roMnt, 'small.txt'), 'old\n');
        execFileSync('mount', ['-o', 'remount,ro', roMnt], { stdio: 'ignore' });
        const err = await download({ host: '127.0.0.1', port, name: 'small.txt', destDir: roMnt, existing: 'overwrite' }).then(
          () => new Error('download succeeded'),
          (e: unknown) => e as Error,
        );
        console.log(`      read-only: ${describeError(err)}`);
        // Same kind of error as a missing folder: a DownloadError that names the folder, with the code.
        assert.ok(err instanceof DownloadError, describeError(err));
        assert.match(err.message, /EROFS|read-only/i);
        assert.ok(err.message.includes(roMnt), `message names the folder: ${err.message}`);
        assert.equal(err.errno, 'EROFS');
        assert.deepEqual(listDir(roMnt), ['small.txt']);
        assert.equal(fs.readFileSync(path.join(roMnt, 'small.txt'), 'utf8'), 'old\n');
      });
    });
  });
});
