// The traffic ring: per-source budget with its "not shown" line, previews (cut, escaped, binary as hex),
// the line format, the ring's bound, and the throttled change event.
import * as assert from 'node:assert/strict';
import { MAX_ENTRIES, PER_SECOND, PREVIEW_BYTES, TrafficLog, formatEntry, looksBinary, preview } from '../../../src/core/traffic/trafficLog';
import { sleep } from '../support';

describe('trafficLog', () => {
  const logs: TrafficLog[] = [];
  afterEach(() => {
    for (const l of logs.splice(0)) {
      l.dispose();
    }
  });

  /** A log whose clock the test moves. */
  function clocked(start = 1_000_000): { log: TrafficLog; clock: { now: number } } {
    const clock = { now: start };
    const log = new TrafficLog(undefined, () => clock.now);
    logs.push(log);
    return { log, clock };
  }

  describe('#record budget', () => {
    it('previews PER_SECOND chunks a second per source and only counts the rest, then says how many', () => {
      const { log, clock } = clocked();
      for (let i = 0; i < PER_SECOND + 7; i++) {
        log.record('server:a', 'Echo', 'peer:1', 'in', Buffer.from(`c${i}`), 'utf-8');
      }
      assert.equal(log.entries('server:a').length, PER_SECOND);
      assert.deepEqual(log.counts, { previewed: PER_SECOND, skipped: 7 });
      clock.now += 1000;
      log.record('server:a', 'Echo', 'peer:1', 'in', Buffer.from('next'), 'utf-8');
      const texts = log.entries('server:a').map((e) => e.text);
      assert.equal(texts[PER_SECOND], '… 7 more chunks (21 B) not shown');
      assert.equal(texts[PER_SECOND + 1], 'next');
    });

    it('keeps one budget per source', () => {
      const { log } = clocked();
      for (let i = 0; i < PER_SECOND; i++) {
        log.record('server:a', 'A', 'p', 'in', Buffer.from('x'), 'utf-8');
      }
      log.record('session:1', 'S', 'p', 'out', Buffer.from('y'), 'utf-8');
      assert.equal(log.entries('session:1').length, 1);
      assert.equal(log.counts.skipped, 0);
    });

    it('#forget writes the pending "not shown" line of a source that is gone', () => {
      const { log } = clocked();
      for (let i = 0; i < PER_SECOND + 2; i++) {
        log.record('server:a', 'A', 'p', 'in', Buffer.from('xyz'), 'utf-8');
      }
      log.forget('server:a');
      assert.equal(log.entries('server:a').at(-1)?.text, '… 2 more chunks (6 B) not shown');
    });
  });

  describe('ring', () => {
    it('holds at most MAX_ENTRIES entries, oldest dropped first', () => {
      const { log } = clocked();
      for (let i = 0; i < MAX_ENTRIES + 5; i++) {
        log.note('server:a', 'A', 'p', `n${i}`);
      }
      const all = log.entries();
      assert.equal(all.length, MAX_ENTRIES);
      assert.equal(all[0].text, 'n5');
      assert.equal(all.at(-1)?.text, `n${MAX_ENTRIES + 4}`);
    });

    it('#render shows the localizable empty text, or one line per entry', () => {
      const texts = { skipped: () => 'skipped', empty: () => 'nothing here' };
      const log = new TrafficLog(texts);
      logs.push(log);
      assert.equal(log.render(), 'nothing here\n');
      log.note('server:a', 'A', 'p', 'connected');
      log.note('server:b', 'B', 'q', 'connected');
      assert.equal(log.render('server:b').split('\n').length, 2);
      assert.match(log.render('server:b'), /B · q {2}connected\n$/);
    });
  });

  describe('preview', () => {
    it('escapes control characters and counts what is cut', () => {
      assert.equal(preview(Buffer.from('a\r\nb\t'), 'utf-8'), 'a\\r\\nb\\t');
      const long = Buffer.alloc(PREVIEW_BYTES + 10, 'a');
      assert.equal(preview(long, 'utf-8'), `${'a'.repeat(PREVIEW_BYTES)} … (+10 B)`);
    });

    it('decodes in the session encoding', () => {
      assert.equal(preview(Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), 'gbk'), '你好');
    });

    it('shows binary as a hex dump of the first quarter', () => {
      const bin = Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x03, 0x04, 0x05]);
      assert.match(preview(bin, 'utf-8'), /^\[hex\] 00 01 02 ff fe 03 04 05$/);
      const big = Buffer.alloc(PREVIEW_BYTES * 2, 0x01);
      assert.match(preview(big, 'utf-8'), new RegExp(`^\\[hex\\] (01 ){${PREVIEW_BYTES / 4 - 1}}01 … \\(\\+${PREVIEW_BYTES * 2 - PREVIEW_BYTES / 4} B\\)$`));
    });

    it('looksBinary: undecodable bytes or mostly controls; a character cut at the end is text', () => {
      assert.equal(looksBinary('hello\ufffd world'), true);
      assert.equal(looksBinary('\u0001\u0002\u0003abc'), true);
      assert.equal(looksBinary('hello\r\n'), false);
      assert.equal(looksBinary('hello wor\ufffd'), false);
    });
  });

  describe('formatEntry', () => {
    it('time, label, arrow by direction, peer, text', () => {
      const time = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
      const e = { time, source: 's', sourceLabel: 'Echo', peer: '127.0.0.1:5', text: 'hi' };
      assert.equal(formatEntry({ ...e, direction: 'in' }), '03:04:05.006  Echo ← 127.0.0.1:5  hi');
      assert.equal(formatEntry({ ...e, direction: 'out' }), '03:04:05.006  Echo → 127.0.0.1:5  hi');
      assert.equal(formatEntry({ ...e, direction: 'note' }), '03:04:05.006  Echo · 127.0.0.1:5  hi');
    });
  });

  describe('#onDidChange', () => {
    it('fires once at once and once more for a burst, not once per chunk', async () => {
      const { log } = clocked();
      let fired = 0;
      log.onDidChange(() => fired++);
      for (let i = 0; i < 40; i++) {
        log.note('server:a', 'A', 'p', `n${i}`);
      }
      assert.equal(fired, 1);
      await sleep(700);
      assert.equal(fired, 2);
    });
  });
});
