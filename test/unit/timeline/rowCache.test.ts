// The live view's RowCache: a redraw that reuses unchanged rows gives the very SVG a full redraw gives,
// while events arrive, notes appear later on rows already drawn, and hex is toggled; it reuses rows.
import * as assert from 'node:assert/strict';
import { Timeline } from '../../../src/core/timeline/timeline';
import { renderSvg } from '../../../src/core/timeline/render';
import { RowCache } from '../../../src/core/timeline/rowCache';

describe('RowCache', () => {
  it('gives the same drawing as a full redraw and draws only what changed', () => {
    let now = 1000;
    const t = new Timeline({ lanes: ['client', 'server'], maxEvents: 300, now: () => now });
    const cache = new RowCache();
    const check = (hex = false) => {
      const cached = renderSvg(t, { last: 100, cache, hex });
      assert.equal(cached, renderSvg(t, { last: 100, hex }));
    };
    for (let i = 0; i < 90; i++) {
      now += 3;
      t.write(0, 1, Buffer.from('ab;'));
      if (i % 3 === 2) {
        t.read(0, 1, Buffer.from('ab;ab;ab;'));
      }
    }
    check();
    assert.equal(cache.drawn, 100);
    // One write read in two pieces: its "1 send → 2 recvs" note comes only with the second read.
    now += 5;
    t.write(0, 1, Buffer.from('abcdef'));
    check();
    // The new row, the new first row (it lost its Δ) and a read whose first write left the window.
    assert.equal(cache.drawn, 3, 'only the rows that changed drawn');
    assert.equal(cache.reused, 97);
    now += 5;
    t.read(0, 1, Buffer.from('abc'));
    check();
    now += 2000;
    t.read(0, 1, Buffer.from('def'));
    check();
    assert.match(renderSvg(t, { last: 100, cache }), /1 send → 2 recvs/);
    t.mark('rst', 0, { peer: 1 });
    t.mark('rst', 0, { peer: 1, code: 'ECONNRESET' });
    check();
    check(true);
    assert.equal(cache.drawn, 100, 'hex on: every row drawn again');
    check(true);
    assert.equal(cache.drawn, 0);
    // A highlighted row (a .tcp block's failed step) is drawn again, lit.
    const highlight = new Set([t.events[t.events.length - 1].seq]);
    assert.equal(renderSvg(t, { last: 100, cache, hex: true, highlight }), renderSvg(t, { last: 100, hex: true, highlight }));
    assert.equal(cache.drawn, 1);
    // Past maxEvents the oldest fold into the summary line; rows keep matching.
    for (let i = 0; i < 400; i++) {
      now += 1;
      t.write(0, 1, Buffer.from('x'));
    }
    check();
  });
});
