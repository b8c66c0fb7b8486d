// The relay's read buffers, driven the way Node drives `onread`: buffer() for the next read, then
// callback(n, buf) with what the read put there.
import * as assert from 'node:assert/strict';
import { Hold, bulkReads } from '../../../src/core/relay/relayReads';
import { sleep } from '../support';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Got {
  bytes: Buffer;
  hold?: Hold;
}

/** Fills the buffer Node would read into with `n` bytes of `value` and reports the read. */
function readInto(reads: ReturnType<typeof bulkReads>, n: number, value: number): Buffer {
  const buf = reads.buffer();
  buf.fill(value, 0, n);
  reads.callback(n, buf);
  return buf;
}

describe('relay reads (onread buffers)', () => {
  it('copies reads of the shared buffer, and moves to a buffer of its own after a full one', () => {
    const got: Got[] = [];
    const reads = bulkReads((bytes, hold) => got.push({ bytes, hold }));
    const first = readInto(reads, 100, 1);
    assert.equal(got[0].hold, undefined);
    assert.notEqual(got[0].bytes.buffer, first.buffer);
    readInto(reads, first.length, 2);
    assert.equal(reads.buffer().length, MiB);
    assert.notEqual(reads.buffer(), first);
  });

  it('lends a read into its own buffer, reads into another while it is held, and reuses it once let go', () => {
    // The delivery holds every chunk past the call, like a socket write that is still pending.
    const releases: (() => void)[] = [];
    const got: Buffer[] = [];
    const reads = bulkReads((bytes, hold) => {
      got.push(bytes);
      if (hold) {
        releases.push(hold());
      }
    });
    readInto(reads, reads.buffer().length, 0);
    const a = readInto(reads, MiB, 3);
    assert.equal(releases.length, 1);
    assert.notEqual(reads.buffer(), a, 'a held buffer was handed out for the next read');
    readInto(reads, MiB, 4);
    assert.ok(
      got[1].every((x) => x === 3),
      'a held chunk changed',
    );
    releases[0]();
    readInto(reads, MiB, 5);
    assert.equal(reads.buffer(), a, 'the let-go buffer was not reused');
  });

  it('keeps lending short reads in a bulk, and goes back to the shared buffer after a quiet second', async function () {
    this.timeout(5000);
    const got: Got[] = [];
    const reads = bulkReads((bytes, hold) => got.push({ bytes, hold }));
    readInto(reads, reads.buffer().length, 0);
    readInto(reads, 10 * KiB, 5);
    assert.ok(got.at(-1)!.hold, 'a short read in a bulk was copied');
    assert.equal(reads.buffer().length, MiB);
    await sleep(1100);
    readInto(reads, 10, 6);
    assert.equal(reads.buffer().length, 64 * KiB, 'an idle connection kept its big buffer');
  });
});
