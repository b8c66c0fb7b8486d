// UI tests of the viewing side, at 1400×900 with the side bar at its default width: the Servers row says the
// port and the clients before the side bar cuts it (measured on the rendered text), the inline Toggle Hex View
// button turns a server's traffic into a hex dump and back, and a session's terminal: type, Enter, the echo.
import * as assert from 'node:assert';
import * as net from 'node:net';
import { uiOptions, workbenchHooks } from '../lib/ui.mjs';
import { openViewContainer, pressInline, rowDescription, runCommand, startWorkbench, treeRow, view, waitFor } from '../lib/workbench.mjs';

const LISTENING = /^:(\d+) · /;

/** Monaco and xterm draw spaces as no-break spaces. */
const plain = (t) => (t ?? '').replace(/\u00a0/g, ' ');

/**
 * How far the rendered text of `prefix` in a row's description reaches, and where the row cuts it off (the
 * nearest ancestor that clips): the prefix is readable when it ends before the clip.
 */
function measurePrefix(row, prefix) {
  return row
    .locator('.label-description')
    .first()
    .evaluate((el, p) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const node = walker.nextNode();
      const at = node ? node.textContent.indexOf(p) : -1;
      if (at !== 0) {
        return { error: `the description "${el.textContent}" does not start with "${p}"` };
      }
      const range = document.createRange();
      range.setStart(node, 0);
      range.setEnd(node, p.length);
      const end = range.getBoundingClientRect().right;
      let clip = Infinity;
      for (let e = el; e && !e.classList.contains('monaco-list-row'); e = e.parentElement) {
        if (getComputedStyle(e).overflow !== 'visible') {
          clip = Math.min(clip, e.getBoundingClientRect().right);
        }
      }
      return { end, clip, sideBar: document.querySelector('.part.sidebar').getBoundingClientRect().width };
    }, prefix);
}

describe('Traffic views and terminal in VS Code (UI)', function () {
  this.timeout(60_000);
  let wb;
  let page;
  let port;
  let client;

  before(async function () {
    this.timeout(240_000);
    wb = await startWorkbench({
      version: uiOptions.version,
      installPath: uiOptions.extensionDevelopmentPath,
      width: 1400,
      height: 900,
      // The DOM renderer, so the terminal's text is in the page to read.
      settings: { 'tcpWorkbench.echoPort': 0, 'tcpWorkbench.filePort': 0, 'terminal.integrated.gpuAcceleration': 'off' },
    });
    page = wb.page;
  });

  workbenchHooks(
    () => wb,
    () => client?.destroy(),
  );

  it("shows the Echo Server's port and clients before the side bar cuts the row", async () => {
    await openViewContainer(page);
    const servers = await view(page, 'Servers');
    const echo = treeRow(servers, 'Echo Server');
    await echo.waitFor({ timeout: 30_000 });
    await pressInline(echo, 'Start');
    const d = await waitFor(async () => {
      const t = await rowDescription(echo);
      return LISTENING.test(t) ? t : undefined;
    }, 'the Echo Server to listen');
    port = Number(LISTENING.exec(d)[1]);
    client = net.connect({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    await waitFor(async () => (await rowDescription(echo)).startsWith(`:${port} · 1 client`), 'the row to count the client');
    await page.mouse.move(900, 600); // no hover: the inline buttons would cover the end of the row
    await page.waitForTimeout(300);
    const m = await measurePrefix(echo, `:${port} · 1 client`);
    assert.ok(!m.error, m.error);
    assert.ok(m.end <= m.clip, `":${port} · 1 client" ends at ${m.end} px, the row cuts at ${m.clip} px (side bar ${m.sideBar} px)`);
  });

  it("turns the Echo Server's traffic into a hex dump with its inline button, and back", async () => {
    assert.ok(client, 'no client from the previous test');
    await new Promise((resolve) => {
      client.once('data', resolve);
      client.write('ping hex\n');
    });
    const servers = await view(page, 'Servers');
    await pressInline(treeRow(servers, 'Echo Server'), 'Toggle Hex View');
    const lines = page.locator('.editor-instance .view-lines').first();
    await waitFor(async () => plain(await lines.textContent()).includes('70 69 6e 67 20 68 65 78  0a'), 'the hex dump of "ping hex\\n"');
    assert.match(plain(await lines.textContent()), /\|ping hex\.\|/);
    await pressInline(treeRow(servers, 'Echo Server'), 'Toggle Hex View');
    await waitFor(async () => plain(await lines.textContent()).includes('ping hex\\n'), 'the text lines again');
    await runCommand(page, 'View: Close All Editors');
  });

  it('opens a terminal on a session: a typed line and Enter bring back the echo', async () => {
    await runCommand(page, 'TCP: Connect to Server…');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`127.0.0.1:${port}`);
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: `127.0.0.1:${port}` })
      .first()
      .click();
    const connections = await view(page, 'Connections');
    const row = treeRow(connections, `127.0.0.1:${port}`);
    await row.waitFor({ timeout: 20_000 });
    await pressInline(row, 'Open Terminal');
    const screen = page.locator('.terminal-wrapper.active .xterm-rows, .terminal .xterm-rows').first();
    await waitFor(async () => plain(await screen.textContent()).includes('Connected to'), 'the terminal to greet');
    await page.locator('.terminal-wrapper.active .xterm, .terminal .xterm').first().click();
    await page.keyboard.type('hello from the terminal');
    await page.keyboard.press('Enter');
    // The line as typed, then the echo under it.
    await waitFor(async () => plain(await screen.textContent()).split('hello from the terminal').length === 3, 'the echo in the terminal');
  });
});
