// The capture's file: every byte in order across batch boundaries, a copy of what was handed in (the
// relay lends its buffers), drained() that does not wait for later bytes, a pipe, a full disk.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BATCH_BYTES, CaptureStream } from '../../../src/core/relay/captureStream';

const MiB = 1024 * 1024;

describe('CaptureStream', function () {
  this.timeout(60000);
  let dir: string;
  const failures: Error[] = [];
  let writtenCalls = 0;
  const hooks = { written: () => writtenCalls++, failed: (e: Error) => failures.push(e) };
  const open = (file: string): CaptureStream => new CaptureStream(fs.openSync(file, 'w'), hooks);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-capture-'));
    failures.length = 0;
    writtenCalls = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every byte in order across batch boundaries, mixing flushes; the file is always what came so far', async () => {
    const file = path.join(dir, 'a.pcap');
    const out = open(file);
    const pieces = [24, 1000, BATCH_BYTES - 1024 - 24, 1, 5000, 3 * BATCH_BYTES + 7, 65495, 17, 9 * BATCH_BYTES, 333].map((n) => crypto.randomBytes(n));
    let handed = 0;
    for (const [i, p] of pieces.entries()) {
      out.add(p);
      handed += p.length;
      if (i % 3 === 1) {
        out.flush();
      }
      if (i === 5) {
        await out.drained();
        assert.equal(out.pending, 0);
        assert.ok(fs.readFileSync(file).equals(Buffer.concat(pieces.slice(0, 6))), 'after drained() the file is every byte so far');
      }
    }
    assert.ok(out.pending > 0, 'bytes wait in the batch in hand');
    assert.ok(out.filled >= 13, `${out.filled} full batches`);
    await out.drained();
    assert.equal(out.pending, 0);
    assert.equal(fs.statSync(file).size, handed, 'what is not full yet is in the file too');
    assert.equal(await out.close(), undefined);
    assert.ok(fs.readFileSync(file).equals(Buffer.concat(pieces)));
    assert.ok(writtenCalls >= 4);
    assert.deepEqual(failures, []);
  });

  it('copies what it is given: a buffer changed after add() does not change the file', async () => {
    const file = path.join(dir, 'lent.pcap');
    const out = open(file);
    const lent = Buffer.alloc(3 * BATCH_BYTES + 5, 1);
    out.add(lent);
    lent.fill(2);
    out.add(lent.subarray(0, 10));
    await out.close();
    const got = fs.readFileSync(file);
    assert.equal(got.length, 3 * BATCH_BYTES + 15);
    assert.ok(got.subarray(0, 3 * BATCH_BYTES + 5).every((b) => b === 1));
    assert.ok(got.subarray(3 * BATCH_BYTES + 5).every((b) => b === 2));
  });

  it('drained() waits for the bytes handed in before it, not for those that keep coming', async () => {
    const file = path.join(dir, 'd.pcap');
    const out = open(file);
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

  it('writes in order into a pipe', async () => {
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const chunks: Buffer[] = [];
    const reading = new Promise<Buffer>((resolve, reject) => {
      const r = fs.createReadStream(fifo);
      r.on('data', (d) => chunks.push(d as Buffer));
      r.on('end', () => resolve(Buffer.concat(chunks)));
      r.on('error', reject);
    });
    // Opened off the main thread: the open waits for the reader.
    const fd = await new Promise<number>((resolve, reject) => fs.open(fifo, 'w', (e, d) => (e ? reject(e) : resolve(d))));
    const out = new CaptureStream(fd, hooks);
    const pieces = [10, BATCH_BYTES, 3, 2 * BATCH_BYTES + 5, 700].map((n) => crypto.randomBytes(n));
    for (const p of pieces) {
      out.add(p);
      out.flush();
    }
    assert.equal(await out.close(), undefined);
    assert.ok((await reading).equals(Buffer.concat(pieces)));
  });

  it('reports the first write error once and takes nothing after it', async () => {
    const out = new CaptureStream(fs.openSync('/dev/full', 'w'), hooks);
    out.add(crypto.randomBytes(3 * BATCH_BYTES));
    out.add(crypto.randomBytes(10));
    const e = await out.close();
    assert.equal((e as NodeJS.ErrnoException | undefined)?.code, 'ENOSPC');
    assert.equal(failures.length, 1);
    const before = out.pending;
    out.add(Buffer.from('after'));
    assert.equal(out.pending, before, 'nothing is taken after the error');
  });
});
