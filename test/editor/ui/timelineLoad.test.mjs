// UI measurement: the command palette while a peer sends 1,000 chunks/s into an open timeline (issue 22:
// "command palette ≤ 300 ms"). A python peer (test/peers/flood_sender.py) floods a session whose timeline
// is open; F1 is pressed several times, and the time from the key (the clock starts in the page just
// before it is sent) to the first frame that shows the quick input is PRINTED (median and max), against
// the same measurement with the timeline open and no traffic, in the same run. Performance is a figure
// here, not a timed assertion: the test asserts only that the flood reached the timeline and that every
// press was measured.
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ROOT } from '../lib/host.mjs';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { openViewContainer, runCommand, treeRow, view, waitFor } from '../lib/workbench.mjs';

const RATE = 1000;
const SECONDS = 20;
const PRESSES = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('Timeline under load (UI measurement)', function () {
  this.timeout(180_000);
  let wb;
  let page;
  let peer;

  before(async function () {
    this.timeout(240_000);
    wb = await startUiWorkbench();
    page = wb.page;
  });

  workbenchHooks(
    () => wb,
    () => peer?.kill(),
  );

  const webview = () => page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');

  /** F1, then ms from just before the key is sent to the first frame that shows the quick input; Escape closes it. */
  async function paletteMs() {
    // The clock starts in the page (focus may be in the webview, which forwards the key to the workbench).
    await page.evaluate(() => {
      window.__tcpwbF1 = performance.now();
    });
    const shown = page.evaluate(
      () =>
        new Promise((resolve) => {
          const visible = () => {
            const w = document.querySelector('.quick-input-widget');
            return w !== null && w.style.display !== 'none' && w.offsetHeight > 0;
          };
          const check = () => (visible() ? resolve(performance.now() - window.__tcpwbF1) : requestAnimationFrame(check));
          requestAnimationFrame(check);
          setTimeout(() => resolve(-1), 10_000);
        }),
    );
    await page.keyboard.press('F1');
    const ms = await shown;
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    // Let the workbench settle between presses (the next press measures a fresh open).
    await page.waitForTimeout(300);
    return ms;
  }

  it('prints how fast the command palette opens while 1,000 chunks/s flow into the open timeline', async () => {
    peer = spawn('python3', [path.join(ROOT, 'test', 'peers', 'flood_sender.py'), String(RATE), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: peer.stdout });
    const port = Number(await new Promise((resolve) => lines.once('line', resolve)));
    const done = new Promise((resolve) => lines.on('line', (l) => l.startsWith('done') && resolve(l)));
    await openViewContainer(page);
    await runCommand(page, 'TCP: Connect to Server…');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`127.0.0.1:${port}`);
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: `127.0.0.1:${port}` })
      .first()
      .click();
    await treeRow(await view(page, 'Connections'), `127.0.0.1:${port}`).waitFor({ timeout: 20_000 });
    await runCommand(page, 'TCP: Show Timeline');
    const w = webview();
    await w.locator('svg.tcp-timeline').waitFor({ timeout: 30_000 });

    const idle = [];
    for (let i = 0; i < PRESSES; i++) {
      idle.push(await paletteMs());
    }
    // "go": one piece from the session starts the flood.
    await w.locator('#text').fill('go');
    await w.locator('#pieces').fill('1');
    await w.locator('button[data-action="pieces"]').click();
    let finished = false;
    void done.then(() => (finished = true));
    // Once chunks arrive, measure while they keep coming (the peer sends for SECONDS s).
    const kept = async () => Number(/^(\d+) events kept/.exec((await w.locator('#status').textContent()) ?? '')?.[1] ?? 0);
    await waitFor(async () => (await kept()) >= 500 || undefined, 'the flood to reach the timeline', 30_000);
    const loaded = [];
    const late = [];
    while (loaded.length < PRESSES && !finished) {
      const ms = await paletteMs();
      // A press counts only when the flood was still on when the palette had opened.
      (finished ? late : loaded).push(ms);
    }
    const sent = await done;
    // The last redraw comes within a throttle interval of the last chunk.
    await waitFor(async () => /\b[1-9]\d* summarized/.test((await w.locator('#status').textContent()) ?? '') || undefined, 'more chunks than the timeline keeps', 10_000);
    const status = await w.locator('#status').textContent();
    const fmt = (xs) => (xs.length === 0 ? 'none' : `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`);
    console.log(`      command palette, timeline open, no traffic: ${fmt(idle)} (${idle.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(
      `      command palette, ${RATE} chunks/s into the timeline: ${fmt(loaded)} (${loaded.map((x) => x.toFixed(0)).join(', ')}; ${late.length} after the flood ended, not counted)`,
    );
    console.log(`      ratio loaded/idle (medians): ${(median(loaded) / median(idle)).toFixed(2)}; peer: ${sent}; timeline: ${status}`);
    assert.ok(
      [...idle, ...loaded].every((ms) => ms >= 0),
      'every press opened the palette within 10 s',
    );
  });
});
