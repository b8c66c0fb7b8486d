// SessionRecord: what Save as Script writes from is bounded by bytes and by chunks, and says when it cut.
import * as assert from 'node:assert/strict';
import { RECORD_CHUNKS, RECORD_LIMIT, SessionRecord } from '../../../src/core/sessions/sessionRecord';

describe('SessionRecord', () => {
  it('keeps chunks in order as copies, so a reused buffer does not change them', () => {
    const r = new SessionRecord();
    const b = Buffer.from('hello');
    r.add('out', b);
    r.add('in', Buffer.from('world'));
    b.fill(0);
    assert.deepEqual(
      r.chunks.map((c) => [c.direction, c.bytes.toString()]),
      [
        ['out', 'hello'],
        ['in', 'world'],
      ],
    );
    assert.equal(r.truncated, false);
  });

  it(`keeps at most ${RECORD_LIMIT} bytes: the first ones, then marks itself truncated and keeps nothing more`, () => {
    const r = new SessionRecord();
    r.add('in', Buffer.alloc(RECORD_LIMIT - 10));
    r.add('in', Buffer.alloc(11));
    r.add('out', Buffer.alloc(1));
    assert.equal(r.chunks.length, 1);
    assert.equal(r.truncated, true);
  });

  it(`keeps at most ${RECORD_CHUNKS} chunks`, () => {
    const r = new SessionRecord();
    for (let i = 0; i < RECORD_CHUNKS + 5; i++) {
      r.add(i % 2 ? 'in' : 'out', Buffer.from([i & 0xff]));
    }
    assert.equal(r.chunks.length, RECORD_CHUNKS);
    assert.equal(r.truncated, true);
  });
});
