// UI tests of the first minute, as a new user meets it in a 1400×900 window: the Testing view offers the
// workspace's .tcp file before anything of ours was opened, and the tutorial's fixed-reply server's answer
// to Send Selection is on screen without another click, although the traffic tab went behind a text file.
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ROOT } from '../lib/host.mjs';
import { startUiWorkbench, uiOptions, workbenchHooks } from '../lib/ui.mjs';
import { quickOpenFile, runCommand, waitFor } from '../lib/workbench.mjs';

const REPLY = 'FIXED-REPLY-42';

/** test/peers/reply_server.py: answers every chunk with `reply`; resolves with its port and the process. */
async function replyServer(reply) {
  const proc = spawn('python3', [path.join(ROOT, 'test', 'peers', 'reply_server.py'), reply], { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`reply_server.py exited with ${code}`)));
  });
  return { port: Number(firstLine), proc };
}

describe('The first minute at 1400×900 (UI)', function () {
  this.timeout(120_000);
  let wb;
  let page;
  let server;

  before(async function () {
    this.timeout(240_000);
    server = await replyServer(`${REPLY}\\n`);
    wb = await startUiWorkbench({ width: 1400, height: 900 });
    page = wb.page;
  });

  workbenchHooks(
    () => wb,
    () => server?.proc.kill(),
  );

  it("the Testing view lists the workspace's .tcp file without opening anything of ours first", async () => {
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    await page.locator('.part.sidebar .monaco-list-row').filter({ hasText: 'hello.tcp' }).first().waitFor({ timeout: 60_000 });
  });

  it("shows the server's reply to Send Selection on screen, though the traffic tab went behind the text file", async () => {
    await runCommand(page, 'TCP: Connect to Server…');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`127.0.0.1:${server.port}`);
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ hasText: `127.0.0.1:${server.port}` })
      .first()
      .waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    // The tab is named after the document's file name, where `:` became `_`.
    await page
      .locator('.tabs-container .tab')
      .filter({ hasText: `Traffic - 127.0.0.1_${server.port}` })
      .first()
      .waitFor({ timeout: 30_000 });
    // The text file opens in the same group: the traffic tab goes behind it.
    await quickOpenFile(page, 'messages.txt');
    const editor = page
      .locator('.editor-instance .monaco-editor')
      .filter({ has: page.locator('.view-lines') })
      .first();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    const replyOnScreen = page.locator('.editor-instance .view-lines').filter({ hasText: REPLY });
    assert.strictEqual(await replyOnScreen.count(), 0, 'no reply on screen before the send');
    await runCommand(page, 'TCP: Send Selection');
    const sent = Date.now();
    await waitFor(async () => (await replyOnScreen.count()) > 0 && (await replyOnScreen.first().isVisible()), 'the reply on screen', 15_000);
    console.log(`      the reply was on screen ${Date.now() - sent} ms after Send Selection`);
    const box = await replyOnScreen.first().boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.x < 1400 && box.y < 900, `the reply lies inside the window: ${JSON.stringify(box)}`);
    // The text file is still there to send the next line from.
    assert.ok(await page.locator('.tabs-container .tab.active').filter({ hasText: 'messages.txt' }).count(), 'messages.txt stays open in its group');
    const shot = path.join(os.tmpdir(), `tcp-workbench-reply-on-screen-${uiOptions.version}.png`);
    await page.screenshot({ path: shot });
    console.log(`      screenshot: ${shot}`);
  });
});
