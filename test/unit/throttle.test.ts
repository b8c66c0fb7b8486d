// Throttle: the first call runs at once, calls within the interval collapse into one trailing run.
import * as assert from 'node:assert/strict';
import { Throttle } from '../../src/core/throttle';
import { sleep } from './support';

describe('Throttle', () => {
  it('runs the first call at once and a burst as one trailing run', async () => {
    let runs = 0;
    const t = new Throttle(() => runs++, 100);
    t.schedule();
    assert.equal(runs, 1);
    for (let i = 0; i < 50; i++) {
      t.schedule();
    }
    assert.equal(runs, 1);
    await sleep(150);
    assert.equal(runs, 2);
    await sleep(150);
    assert.equal(runs, 2, 'no run without a call');
    t.dispose();
  });

  it('runs again at once after a quiet interval', async () => {
    let runs = 0;
    const t = new Throttle(() => runs++, 50);
    t.schedule();
    await sleep(80);
    t.schedule();
    assert.equal(runs, 2);
    t.dispose();
  });

  it('#dispose drops a pending trailing run', async () => {
    let runs = 0;
    const t = new Throttle(() => runs++, 50);
    t.schedule();
    t.schedule();
    t.dispose();
    await sleep(100);
    assert.equal(runs, 1);
  });
});
