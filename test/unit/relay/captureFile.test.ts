// The capture's direct-I/O file (the fast path beside captureStream.ts): every byte in order at every
// arena boundary, around the page cache (which then does not fill with the capture), through the page
// cache past the aligned arenas; a pipe or a device is left to the plain stream.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ARENA, CaptureFile } from '../../../src/core/relay/captureFile';

const MiB = 1024 * 1024;

/** Whether `dir`'s file system opens files for direct I/O (tmpfs before Linux 6.6 does not). */
function directIoWorks(dir: string): boolean {
  const O_DIRECT = fs.constants.O_DIRECT as number | undefined;
  if (!O_DIRECT) {
    return false;
  }
  const probe = path.join(dir, 'probe');
  fs.writeFileSync(probe, '');
  try {
    fs.closeSync(fs.openSync(probe, fs.constants.O_WRONLY | O_DIRECT));
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe);
  }
}

/** Bytes of `file` in the page cache (fincore, util-linux). */
function cachedBytes(file: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' }).trim());
}

describe('CaptureFile', function () {
  this.timeout(60000);
  let dir: string;
  const failures: Error[] = [];
  let writtenCalls = 0;
  const hooks = { written: () => writtenCalls++, failed: (e: Error) => failures.push(e) };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-capture-'));
    failures.length = 0;
    writtenCalls = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The direct-I/O file, where this machine's temp dir takes O_DIRECT (CI's does); the test is skipped, not passed, elsewhere. */
  async function open(ctx: Mocha.Context, file: string, aligned = 8): Promise<CaptureFile> {
    const fd = fs.openSync(file, 'w');
    const out = await CaptureFile.from(fd, file, hooks, aligned);
    assert.equal(out !== undefined, directIoWorks(dir), 'direct I/O exactly where the file system takes it');
    if (!out) {
      fs.closeSync(fd);
      ctx.skip();
    }
    return out as CaptureFile;
  }

  it('writes every byte in order across arena boundaries, mixing flushes, and leaves the page cache empty-handed', async function () {
    const file = path.join(dir, 'a.pcap');
    const out = await open(this, file);
    assert.equal(out.isDirect, true);
    const pieces = [24, 1000, ARENA - 1024 - 24, 1, 5000, 3 * ARENA + 7, 65495, 17, 2 * ARENA, 333].map((n) => crypto.randomBytes(n));
    for (const [i, p] of pieces.entries()) {
      out.add(p);
      if (i % 3 === 1) {
        out.flush();
      }
      if (i === 5) {
        await out.drained();
        assert.equal(out.pending, 0);
      }
    }
    assert.ok(out.pending > 0, 'bytes wait in the arena in hand');
    await out.drained();
    assert.equal(out.pending, 0);
    const size = pieces.reduce((n, p) => n + p.length, 0);
    assert.equal(fs.statSync(file).size, size, 'what is not full yet is in the file too');
    assert.equal(await out.close(), undefined);
    // Full arenas went around the page cache; only the batches written before they were full are in it.
    const cached = cachedBytes(file);
    assert.ok(cached < size / 4, `${cached} of ${size} bytes in the page cache`);
    assert.ok(fs.readFileSync(file).equals(Buffer.concat(pieces)));
    assert.ok(writtenCalls > 6);
    assert.deepEqual(failures, []);
  });

  it('shows a batch that is not full yet, then writes the full arena over it with the same bytes', async function () {
    const file = path.join(dir, 'b.pcap');
    const out = await open(this, file);
    const head = crypto.randomBytes(100);
    out.add(head);
    await out.drained();
    assert.ok(fs.readFileSync(file).equals(head));
    const more = crypto.randomBytes(ARENA + 10);
    out.add(more);
    await out.drained();
    const all = Buffer.concat([head, more]);
    assert.ok(fs.readFileSync(file).equals(all));
    await out.close();
    assert.ok(fs.readFileSync(file).equals(all));
  });

  it('drained() waits for the bytes handed in before it, not for those that keep coming', async function () {
    const file = path.join(dir, 'd.pcap');
    const out = await open(this, file);
    const piece = crypto.randomBytes(4 * MiB);
    let added = 0;
    let stop = false;
    let ended = false;
    // A capture that never lets the writes run dry: 4 MiB more whenever less than 8 MiB wait (as the
    // relay resumes for a writer below its mark), for up to 10 s.
    const feeding = (async () => {
      for (const t0 = Date.now(); !stop && Date.now() - t0 < 10000;) {
        if (out.pending < 8 * MiB) {
          out.add(piece);
          added += piece.length;
        }
        await new Promise((r) => setImmediate(r));
      }
      ended = true;
    })();
    await new Promise((r) => setTimeout(r, 200));
    const before = added;
    await out.drained();
    const endedFirst = ended;
    const size = fs.statSync(file).size;
    stop = true;
    await feeding;
    assert.equal(endedFirst, false, 'drained() waited for the feeding to end');
    assert.ok(size >= before, `${size} bytes in the file, ${before} handed in before the call`);
    await out.close();
    assert.equal(fs.statSync(file).size, added);
  });

  it('writes through the page cache once the aligned arenas are all in use, losing nothing', async function () {
    const file = path.join(dir, 'c.pcap');
    const out = await open(this, file, 1);
    const pieces = Array.from({ length: 12 }, (_, i) => crypto.randomBytes(MiB / 2 + i));
    for (const p of pieces) {
      out.add(p);
    }
    assert.ok(out.pending > 4 * MiB, 'the writes are behind');
    await out.close();
    assert.ok(fs.readFileSync(file).equals(Buffer.concat(pieces)));
    assert.deepEqual(failures, []);
  });

  it('gives way to the plain stream for a pipe and a device: from() is undefined', async () => {
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const fd = fs.openSync(fifo, fs.constants.O_RDWR);
    try {
      assert.equal(await CaptureFile.from(fd, fifo, hooks, 8), undefined);
    } finally {
      fs.closeSync(fd);
    }
    const full = fs.openSync('/dev/full', 'w');
    try {
      assert.equal(await CaptureFile.from(full, '/dev/full', hooks, 8), undefined);
    } finally {
      fs.closeSync(full);
    }
  });
});
