// Traffic document layouts over the ring's entries: text lines in three styles, the hex dump, and hex with
// the decoded text beside it (a gbk character split across rows), re-rendered from the same ring.
import * as assert from 'node:assert/strict';
import { PREVIEW_BYTES, TrafficLog } from '../../../src/core/traffic/trafficLog';
import { renderEntries } from '../../../src/core/traffic/trafficView';

describe('traffic hex view', () => {
  let now = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
  const log = () => new TrafficLog(undefined, () => now++);

  it('renders the same ring as text, as a hex dump and back, losing nothing', () => {
    const t = log();
    t.record('session:1', 'Session 1', '127.0.0.1:9', 'in', Buffer.from('Hello\r\n\u0000\u00ff', 'latin1'), 'latin1');
    t.note('session:1', 'Session 1', '127.0.0.1:9', 'closed by peer');
    const e = t.entries('session:1');
    const text = renderEntries(e, 'text', 'compact', 'empty');
    // Mostly control characters: the text line is already the preview's short hex form.
    assert.equal(text, '03:04:05.006  ←  [hex] 48 65 6c 6c 6f 0d 0a 00 ff\n03:04:05.007  ·  closed by peer\n');
    const hex = renderEntries(e, 'hex', 'compact', 'empty');
    assert.equal(
      hex,
      ['03:04:05.006  ←  9 B', '    00000000  48 65 6c 6c 6f 0d 0a 00  ff                       |Hello....|', '03:04:05.007  ·  closed by peer', ''].join('\n'),
    );
    assert.equal(renderEntries(t.entries('session:1'), 'text', 'compact', 'empty'), text);
  });

  it("names the peer in a server's document and everything in the general log", () => {
    const t = log();
    t.record('server:echo', 'Echo Server', '127.0.0.1:5', 'out', Buffer.from('hi'), 'utf-8');
    assert.match(renderEntries(t.entries(), 'text', 'peer', ''), /^\d\d:\d\d:\d\d\.\d{3} {2}→ 127\.0\.0\.1:5 {2}hi\n$/);
    assert.match(renderEntries(t.entries(), 'text', 'full', ''), /^\d\d:\d\d:\d\d\.\d{3} {2}Echo Server → 127\.0\.0\.1:5 {2}hi\n$/);
    assert.equal(renderEntries([], 'hex', 'full', 'No traffic yet.'), 'No traffic yet.\n');
  });

  it('shows the decoded text beside the hex; a gbk character cut by the row end shows on the next row', () => {
    const t = log();
    // 15 ASCII bytes, then 你 (c4 e3) across the row boundary, then 好 (ba c3).
    const bytes = Buffer.concat([Buffer.from('abcdefghijklmno'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3])]);
    t.record('session:2', 'Session 2', 'x', 'in', bytes, 'gbk');
    const lines = renderEntries(t.entries(), 'textAndHex', 'compact', '').split('\n');
    assert.equal(lines[1], '    00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f c4  |abcdefghijklmno|');
    assert.equal(lines[2], '    00000010  e3 ba c3                                          |你好|');
  });

  it('says how much of a long chunk the ring did not keep', () => {
    const t = log();
    t.record('session:3', 'Session 3', 'x', 'in', Buffer.alloc(PREVIEW_BYTES + 10, 0x41), 'utf-8');
    const lines = renderEntries(t.entries(), 'hex', 'compact', '').trimEnd().split('\n');
    assert.match(lines[0], / {2}← {2}266 B$/);
    assert.equal(lines.length, 1 + PREVIEW_BYTES / 16 + 1);
    assert.equal(lines[lines.length - 1], '    … (+10 B)');
  });
});
