// UI test: a person opens the sample workspace's hello.tcp, clicks the ▶ Run CodeLens above a client block and
// sees it pass: the Testing view's pass icon appears in the gutter at the block's title. The file holds its own
// mock server (a listen block), so nothing else has to run.
import * as assert from 'node:assert';
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
});
