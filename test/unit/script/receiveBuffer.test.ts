// The receive buffer against a plain model: random pushes and consumes keep exactly the newest
// unconsumed bytes (at most the limit), count what was dropped, and never lose or reorder a byte.
import * as assert from 'node:assert/strict';
import { ReceiveBuffer } from '../../../src/core/script/receiveBuffer';

describe('script receive buffer', () => {
  it('matches a model over 20,000 random operations', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const limit = 1000;
    const buf = new ReceiveBuffer(limit);
    let model: number[] = [];
    let dropped = 0;
    let total = 0;
    let counter = 0;
    for (let op = 0; op < 20000; op++) {
      if (next(3) > 0) {
        const len = next(10) === 0 ? next(2500) : next(60);
        const chunk = Buffer.alloc(len);
        for (let i = 0; i < len; i++) {
          chunk[i] = counter++ & 0xff;
        }
        buf.push(chunk);
        model.push(...chunk);
        total += len;
        if (model.length > limit) {
          dropped += model.length - limit;
          model = model.slice(model.length - limit);
        }
      } else {
        const n = next(model.length + 1);
        assert.deepEqual([...buf.consume(n)], model.slice(0, n));
        model = model.slice(n);
      }
      assert.equal(buf.length, model.length);
      assert.deepEqual([...buf.view()], model, `after op ${op}`);
    }
    assert.equal(buf.dropped, dropped);
    assert.equal(buf.total, total);
  });
});
