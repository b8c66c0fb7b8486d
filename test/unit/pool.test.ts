// pool(): at most `jobs` pieces of work at once (the runner's --jobs and tcpWorkbench.script.jobs), results in
// the items' order whatever order they finish in.
import * as assert from 'node:assert/strict';
import { pool } from '../../src/core/pool';

describe('pool', () => {
  async function peak(items: number, jobs: number): Promise<{ peak: number; results: number[] }> {
    let running = 0;
    let most = 0;
    const results = await pool(
      Array.from({ length: items }, (_, i) => i),
      jobs,
      async (n) => {
        running++;
        most = Math.max(most, running);
        // Later items finish first: the results must still come back in order.
        await new Promise((r) => setTimeout(r, (items - n) * 3));
        running--;
        return n * 10;
      },
    );
    return { peak: most, results };
  }

  it('runs at most `jobs` at once and keeps the items’ order', async () => {
    assert.deepEqual(await peak(6, 1), { peak: 1, results: [0, 10, 20, 30, 40, 50] });
    assert.deepEqual(await peak(6, 2), { peak: 2, results: [0, 10, 20, 30, 40, 50] });
    assert.equal((await peak(3, 8)).peak, 3);
    assert.deepEqual(await pool([], 4, async () => 1), []);
  });
});
