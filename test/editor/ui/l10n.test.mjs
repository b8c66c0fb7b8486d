// UI test: with the display language set to zh-cn, the workbench shows our Chinese strings — command titles
// from package.nls.zh-cn.json in the command palette, view names, and tree labels from
// l10n/bundle.l10n.zh-cn.json (vscode.l10n.t) — a command run by its Chinese title works, and a .tcp file's
// problems read in Chinese.
// How the workbench is switched to zh-cn (a fixture language pack, argv.json, reload): lib/languagePack.mjs.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { switchToZhCn } from '../lib/languagePack.mjs';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { notification, openViewContainer, rowDescription, runCommand, treeRow, view, waitFor, quickOpenFile } from '../lib/workbench.mjs';

const LISTENING_ZH = /^:(\d+) · 0 个客户端 · echo$/;

/** A loopback port nothing listens on (taken from the system, then released). */
async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Types into the open quick pick and accepts the item for what was typed, once the extension has offered it. */
async function acceptTyped(page, text) {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(text);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
}

describe('Chinese display language in VS Code (UI)', function () {
  this.timeout(60_000);
  let wb;
  let page;

  before(async function () {
    this.timeout(300_000);
    wb = await startUiWorkbench();
    page = wb.page;
    await switchToZhCn(wb);
  });

  workbenchHooks(() => wb);

  it('the views and the tree labels are Chinese (package.nls.zh-cn.json and the l10n bundle)', async () => {
    await openViewContainer(page);
    const servers = await view(page, '服务器');
    await view(page, '连接');
    const echo = treeRow(servers, '回显服务器');
    await echo.waitFor({ timeout: 30_000 });
    await treeRow(servers, '文件服务器').waitFor({ timeout: 30_000 });
    assert.strictEqual(await rowDescription(echo), '已停止');
  });

  it('the command palette lists our commands by their Chinese titles', async () => {
    await page
      .locator('.monaco-workbench')
      .click({ position: { x: 5, y: 5 }, force: true })
      .catch(() => {});
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill('>TCP: 启动');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await waitFor(async () => (await rows.allInnerTexts()).some((t) => t.startsWith('TCP: 启动回显服务器')), 'the title "TCP: 启动回显服务器" in the palette');
    const all = await rows.allInnerTexts();
    // The label is Chinese; VS Code adds the English title under it (it does that for every non-English language).
    assert.ok(
      all.some((t) => t.startsWith('TCP: 启动文件服务器')),
      all.join(' | '),
    );
    assert.ok(
      all.every((t) => !t.startsWith('TCP: Start')),
      all.join(' | '),
    );
    await page.keyboard.press('Escape');
  });

  it('a command run by its Chinese title works, and its result reads in Chinese with the port filled in', async () => {
    await runCommand(page, 'TCP: 启动回显服务器');
    const servers = await view(page, '服务器');
    const d = await waitFor(async () => {
      const t = await rowDescription(treeRow(servers, '回显服务器'));
      return LISTENING_ZH.test(t) ? t : undefined;
    }, 'the Echo Server to say "正在监听 127.0.0.1:PORT · 0 个客户端"');
    const port = Number(LISTENING_ZH.exec(d)[1]);
    assert.ok(port > 0 && port < 65536, d);
    await runCommand(page, 'TCP: 停止所有服务器');
    await waitFor(async () => (await rowDescription(treeRow(servers, '回显服务器'))) === '已停止', 'the Echo Server to say "已停止"');
  });

  it("a refused download says so in Chinese (the message table, not the core's English)", async () => {
    const port = await closedPort();
    const where = `127.0.0.1:${port}`;
    await runCommand(page, 'TCP: 下载文件…');
    await acceptTyped(page, where);
    // The file step: its title names the server (the listing failed, so only a typed name is offered).
    const title = page.locator('.quick-input-widget .quick-input-title');
    await waitFor(async () => (await title.innerText().catch(() => '')).includes(`从 ${where} 下载`), 'the file step of Download File');
    await acceptTyped(page, 'a.txt');
    const text = await (await notification(page, '无法下载“a.txt”')).innerText();
    assert.ok(text.includes(`${where} 拒绝了连接`), text);
    assert.ok(!/refused|Connection/.test(text), `English in the Chinese UI: ${text}`);
  });

  it('a .tcp file with an unknown step shows the Chinese problem in the Problems panel', async () => {
    fs.writeFileSync(path.join(wb.workspace, 'broken.tcp'), '### 坏块\nconnect 127.0.0.1:9007\nfrob 1\n');
    await quickOpenFile(page, 'broken.tcp');
    await page.locator('.editor-instance .monaco-editor').first().waitFor({ timeout: 20_000 });
    // The squiggle is there once the extension has checked the file; then open the Problems panel.
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'frob' }).first();
    await row.waitFor({ timeout: 20_000 });
    const text = await row.innerText();
    assert.ok(text.includes('未知的步骤“frob”。可用的步骤：connect, send, expect, wait, close, shutdown, '), text);
    assert.ok(!/Unknown step/.test(text), `English in the Chinese UI: ${text}`);
  });

  it('a script run that fails shows its failure in Chinese at the failing line', async () => {
    const port = await closedPort();
    fs.writeFileSync(path.join(wb.workspace, 'refused.tcp'), `### 拒绝\nconnect 127.0.0.1:${port}\nsend "a"\n`);
    await page.keyboard.press('Escape');
    await quickOpenFile(page, 'refused.tcp');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    const run = editor.locator('.codelens-decoration a', { hasText: /^▶ 运行$/ }).first();
    await run.waitFor({ timeout: 60_000 });
    await run.click();
    await editor.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon').first().waitFor({ timeout: 30_000 });
    // The failure's peek at its line, as "Go to Next Test Failure" opens it.
    await runCommand(page, 'Test: Go to Next Test Failure');
    const message = page.getByText(`127.0.0.1:${port} 上没有程序在监听（连接被拒绝）`).first();
    await message.waitFor({ timeout: 20_000 });
    assert.ok(!/nothing is listening/.test(await page.locator('.monaco-workbench').innerText()), 'the English failure is shown too');
  });
});
