// UI test: a person opens the sample workspace's hello.tcp, clicks the ▶ Run CodeLens above a client block and
// sees it pass: the Testing view's pass icon appears in the gutter at the block's title. The file holds its own
// mock server (a listen block), so nothing else has to run.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { waitFor, quickOpenFile } from '../lib/workbench.mjs';

describe('Scripts in VS Code (UI)', function () {
  this.timeout(90_000);
  let wb;
  let page;

  before(async function () {
    this.timeout(240_000);
    wb = await startUiWorkbench();
    page = wb.page;
  });

  workbenchHooks(() => wb);

  it('opens hello.tcp, clicks ▶ Run and sees the block pass in the gutter', async () => {
    await quickOpenFile(page, 'hello.tcp');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 20_000 });
    // The CodeLens above "### ping" (the first client block); "▶ Run all" is a different lens.
    const run = editor.locator('.codelens-decoration a', { hasText: /^▶ Run$/ }).first();
    await run.waitFor({ timeout: 60_000 });
    await run.click();
    const passed = editor.locator('.glyph-margin-widgets .codicon-testing-passed-icon, .margin-view-overlays .codicon-testing-passed-icon');
    await waitFor(async () => (await passed.count()) > 0, 'the pass icon in the gutter', 30_000);
    // Only the block that ran passed: "quit" was not run, so no failure icon and exactly one pass.
    assert.strictEqual(await editor.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon').count(), 0);
    assert.strictEqual(await passed.count(), 1);
  });

  it("a failed step's red message does not cover the grey output on its line", async () => {
    const lines = [
      '### mock',
      'listen 127.0.0.1:0',
      'on "PING\\n" send "PONG\\n"',
      '',
      '### fails',
      'connect {{listen.host}}:{{listen.port}}',
      'send "PING\\n"',
      'expect "PANG\\n"',
      '',
    ];
    fs.writeFileSync(path.join(wb.workspace, 'badge.tcp'), lines.join('\n'));
    await quickOpenFile(page, 'badge.tcp');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    const run = editor.locator('.codelens-decoration a', { hasText: /^▶ Run$/ }).first();
    await run.waitFor({ timeout: 60_000 });
    await run.click();
    await editor.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon').first().waitFor({ timeout: 30_000 });
    const failing = editor.locator('.view-line').filter({ hasText: 'expect "PANG' }).first();
    // Every piece of text drawn on the failing line (the line, the red message, any step output), left to
    // right: no two may overlap. Waited for until the message (it holds the received PONG) is drawn.
    const piecesOnLine = () =>
      failing.evaluate((line) => {
        const box = line.getBoundingClientRect();
        const root = line.closest('.monaco-editor');
        return [...root.querySelectorAll('span, div')]
          .filter((el) => el.children.length === 0 && (el.textContent ?? '').trim() !== '')
          .map((el) => ({ text: el.textContent, r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && r.top + r.height / 2 > box.top && r.top + r.height / 2 < box.bottom && r.left >= box.left)
          .map(({ text, r }) => ({ text, left: Math.round(r.left), right: Math.round(r.right) }))
          .sort((a, b) => a.left - b.left);
      });
    const pieces = await waitFor(async () => {
      const p = await piecesOnLine();
      return p.some((x) => x.text.includes('PONG')) ? p : undefined;
    }, 'the failure message on the failing line');
    for (let i = 1; i < pieces.length; i++) {
      assert.ok(pieces[i].left >= pieces[i - 1].right - 1, `overlap on the failing line: ${JSON.stringify(pieces)}`);
    }
  });
});
