// UI test: a mock server the way a person runs one — open a .tcp file, "TCP: Start Mock Server" from the
// command palette, the block's row in the Servers view; edit the rules, save, press "Restart" in the
// notification, and the new rules answer on the same port.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { notification, openViewContainer, rowDescription, runCommand, treeRow, view, waitFor, quickOpenFile } from '../lib/workbench.mjs';

const LISTENING = /^:(\d+)( → \S+)? · /;
const MOCK = (answer) => `### fake sensor\nlisten 127.0.0.1:0\non "PING" send "${answer}\\n"\n`;

/** Sends PING and resolves with the first answer. */
function ping(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write('PING\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
    s.once('error', reject);
  });
}

describe('Mock server from a .tcp file (UI)', function () {
  this.timeout(60_000);
  let wb;
  let page;
  let port;

  before(async function () {
    this.timeout(240_000);
    wb = await startUiWorkbench();
    page = wb.page;
    fs.writeFileSync(path.join(wb.workspace, 'sensor.tcp'), MOCK('PONG'));
  });

  workbenchHooks(() => wb);

  it("starts the open file's listen block from the command palette; its row shows the block title", async () => {
    await quickOpenFile(page, 'sensor.tcp');
    await page.locator('.tabs-container .tab').filter({ hasText: 'sensor.tcp' }).first().waitFor({ timeout: 20_000 });
    await runCommand(page, 'TCP: Start Mock Server');
    await openViewContainer(page);
    const servers = await view(page, 'Servers');
    const row = treeRow(servers, 'fake sensor');
    const d = await waitFor(async () => {
      const t = await rowDescription(row);
      return LISTENING.test(t) ? t : undefined;
    }, 'the "fake sensor" row to listen');
    port = Number(LISTENING.exec(d)[1]);
    assert.strictEqual(await ping(port), 'PONG\n');
  });

  it('saving an edit offers Restart; after it the new rule answers on the same port', async () => {
    assert.ok(port, 'the mock was not started by the previous test');
    await page.locator('.tabs-container .tab').filter({ hasText: 'sensor.tcp' }).first().click();
    await page.locator('.editor-instance .view-lines').first().click();
    await page.keyboard.press('Control+A');
    // insertText: no auto-closed quotes.
    await page.keyboard.insertText(MOCK('PONG AGAIN'));
    await page.keyboard.press('Control+S');
    const toast = await notification(page, 'changed while its mock server runs');
    await toast.locator('a.monaco-button', { hasText: 'Restart' }).first().click();
    const answer = await waitFor(async () => {
      const a = await ping(port).catch(() => undefined);
      return a === 'PONG AGAIN\n' ? a : undefined;
    }, 'the restarted mock to answer with the new rule on the same port');
    assert.strictEqual(answer, 'PONG AGAIN\n');
  });
});
