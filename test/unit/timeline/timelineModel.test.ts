// The timeline model on its own: bounded memory with a summary, offsets and pairing, the renderer's
// arrows and notes, JSON export.
import * as assert from 'node:assert/strict';
import { Timeline } from '../../../src/core/timeline/timeline';
import { renderSvg } from '../../../src/core/timeline/render';
import { timelineJson } from '../../../src/core/timeline/exportJson';
import { TIMELINE_STRINGS } from '../../../src/core/timeline/strings';

describe('Timeline model', () => {
  it('keeps at most maxEvents in detail and summarizes the rest, counting every byte', () => {
    const t = new Timeline({ lanes: ['a', 'b'], maxEvents: 100 });
    for (let i = 0; i < 10_000; i++) {
      t.read(1, 0, Buffer.alloc(10));
    }
    assert.equal(t.size, 100);
    assert.equal(t.summary.events, 9900);
    assert.equal(t.summary.chunks, 9900);
    assert.equal(t.summary.bytes, 99_000);
    assert.equal(t.bytesRead(1, 0), 100_000);
    assert.equal(t.events[0].seq, 9901);
  });

  it('keeps only a bounded preview of each chunk', () => {
    const t = new Timeline({ lanes: ['a', 'b'] });
    const e = t.write(0, 1, Buffer.alloc(100_000, 0x41));
    assert.equal(e.size, 100_000);
    assert.ok(e.head.length <= 64);
  });

  it('draws one arrow per recv with its size, the sends into it, and the merged-read note', () => {
    const t = new Timeline({ lanes: ['client', 'server'] });
    t.write(0, 1, Buffer.from('a;'));
    t.write(0, 1, Buffer.from('bb;'));
    t.read(0, 1, Buffer.from('a;bb;'));
    t.write(1, 0, Buffer.from('hello')); // the client's reads are not observed: a dashed arrow
    t.mark('rst', 0, { peer: 1 });
    const svg = renderSvg(t);
    assert.equal((svg.match(/class="chunk recv"/g) ?? []).length, 1);
    assert.match(svg, /class="chunk recv" data-kind="read" data-size="5"/);
    assert.match(svg, /class="chunk unread" data-kind="write" data-size="5"/);
    assert.equal((svg.match(/class="send"/g) ?? []).length, 2);
    assert.equal((svg.match(/class="pair"/g) ?? []).length, 2);
    assert.ok(svg.includes('2 sends → 1 recv'));
    assert.match(svg, /class="mark rst"/);
    assert.ok(svg.includes(TIMELINE_STRINGS.honest.replace('’', '’')));
    assert.ok(!/<script/i.test(svg) && !/https?:\/\/(?!www\.w3\.org)/.test(svg), 'self-contained');
  });

  it('draws a reset we sent once: its arrival on the other side is the receiver’s errno, not a second RST', () => {
    const t = new Timeline({ lanes: ['client', 'server'] });
    t.mark('rst', 0, { peer: 1 });
    t.mark('rst', 0, { peer: 1, code: 'ECONNRESET' });
    const svg = renderSvg(t);
    assert.equal((svg.match(/class="mark rst"/g) ?? []).length, 1);
    assert.match(svg, /class="mark rstSeen"[^]*ECONNRESET/);
    assert.equal((svg.match(/reset by client/g) ?? []).length, 1);
  });

  it('says a provoke action in the strings it is given (the language of the view); JSON keeps the English words', () => {
    const t = new Timeline({ lanes: ['client', 'server'] });
    t.mark('action', 0, { text: 'send in 3 pieces, 20 ms apart', say: 'pieces', n: 3, ms: 20 });
    t.mark('action', 0, { text: 'send 4 messages together', say: 'together', n: 4 });
    t.mark('action', 0, { text: 'wait 5 ms' });
    const zh = { ...TIMELINE_STRINGS, sendPieces: '分 {0} 片发送，间隔 {1} 毫秒', sendTogether: '{0} 条消息一起发送' };
    const svg = renderSvg(t, { strings: zh });
    assert.ok(svg.includes('分 3 片发送，间隔 20 毫秒') && svg.includes('4 条消息一起发送') && svg.includes('wait 5 ms'), svg);
    assert.ok(!svg.includes('messages together'));
    assert.ok(renderSvg(t).includes('send 4 messages together'));
    assert.ok(JSON.stringify(timelineJson(t)).includes('send in 3 pieces, 20 ms apart'));
  });

  it('escapes the data it draws', () => {
    const t = new Timeline({ lanes: ['<a>', 'b'] });
    t.read(1, 0, Buffer.from('<script>&"'));
    const svg = renderSvg(t);
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;&amp;&quot;'));
  });

  it('draws only the newest events when asked and says how many were left out', () => {
    const t = new Timeline({ lanes: ['a', 'b'] });
    for (let i = 0; i < 50; i++) {
      t.read(1, 0, Buffer.from('x'));
    }
    const svg = renderSvg(t, { last: 10 });
    assert.equal((svg.match(/class="chunk recv"/g) ?? []).length, 10);
    assert.ok(svg.includes('40 earlier events summarized'));
  });

  it('exports JSON with hex previews and the notes', () => {
    const t = new Timeline({ lanes: ['a', 'b'] });
    t.write(0, 1, Buffer.from('hi'));
    t.write(0, 1, Buffer.from('yo'));
    t.read(0, 1, Buffer.from('hiyo'));
    const j = JSON.parse(JSON.stringify(timelineJson(t))) as ReturnType<typeof timelineJson>;
    assert.deepEqual(j.lanes, ['a', 'b']);
    assert.equal(j.events.length, 3);
    assert.equal(j.events[2].head, Buffer.from('hiyo').toString('hex'));
    assert.equal(j.notes[0].code, 'merged');
  });
});
