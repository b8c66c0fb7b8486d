// UI tests of the socket-assistant features as a person uses them: Send Text… in hex through the input
// (mode button in its title bar), and a Repeat Send… stopped by clicking its status bar item.
import * as assert from 'node:assert';
import * as net from 'node:net';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { answerInput, openViewContainer, runCommand, view, waitFor } from '../lib/workbench.mjs';

describe('Socket assistant in VS Code (UI)', function () {
  this.timeout(90_000);
  let wb;
  let page;
  let peer;
  const sockets = [];
  let received = Buffer.alloc(0);

  before(async function () {
    this.timeout(240_000);
    peer = net.createServer((s) => {
      sockets.push(s);
      s.on('data', (c) => (received = Buffer.concat([received, c])));
      s.on('error', () => {});
    });
    await new Promise((r) => peer.listen(0, '127.0.0.1', r));
    wb = await startUiWorkbench();
    page = wb.page;
    // Our activity bar item and views are there once the extension is registered: its commands are then in the palette.
    await openViewContainer(page);
    await view(page, 'Connections');
  });

  workbenchHooks(
    () => wb,
    () => {
      sockets.forEach((s) => s.destroy());
      peer?.close();
    },
  );

  /** Clicks a button of the open quick input's title bar by its tooltip. */
  async function pressQuickInputButton(tooltip) {
    const button = page.locator(`.quick-input-widget .action-label[aria-label^="${tooltip}"]`).first();
    await button.waitFor({ timeout: 10_000 });
    // The hover of a button the mouse rests on (from an earlier test) can lie over its neighbour; move away
    // and let it close first.
    await page.mouse.move(0, 0);
    await page
      .locator('.context-view .hover-contents')
      .first()
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => undefined);
    await button.click();
  }

  /** Types into the open quick pick, waits until the extension offers the typed item, accepts it. */
  async function typeAndAccept(text) {
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(text);
    // The items come from the extension host a moment after each keystroke: Enter before that accepts nothing.
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
  }

  it('connects from the palette and sends hex typed into Send Text…', async () => {
    await runCommand(page, 'TCP: Connect to Server…');
    await typeAndAccept(`127.0.0.1:${peer.address().port}`);
    await waitFor(() => sockets.length === 1, 'the peer to accept the connection', 30_000);
    await runCommand(page, 'TCP: Send Text…');
    await pressQuickInputButton('Send as hex');
    await waitFor(async () => (await page.locator('.quick-input-widget .quick-input-title').textContent())?.includes('hex'), 'the title to say hex');
    await typeAndAccept('48 69 00 0d ff');
    await waitFor(() => received.length >= 5, 'the 5 bytes at the peer');
    assert.deepStrictEqual(received, Buffer.from([0x48, 0x69, 0x00, 0x0d, 0xff]));
  });

  it('Enter right after pasting into Send Text… sends what is in the box', async () => {
    received = Buffer.alloc(0);
    await runCommand(page, 'TCP: Send Text…');
    await pressQuickInputButton('Send as text');
    await waitFor(async () => (await page.locator('.quick-input-widget .quick-input-title').textContent())?.includes('· text'), 'the title to say text');
    // A history entry that the pasted text matches: the list from before the paste offers it first.
    await typeAndAccept('pasted before');
    await waitFor(() => received.length >= 13, 'the first text at the peer');
    received = Buffer.alloc(0);
    await runCommand(page, 'TCP: Send Text…');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'pasted before' }).first().waitFor({ timeout: 10_000 });
    // The paste and Enter in one turn of the window's event loop, as when the window is busy: Enter reaches
    // the quick pick before the extension's items for the new text do.
    await page.locator('.quick-input-widget input.input').evaluate((input) => {
      input.value = 'pasted';
      input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: 'pasted' }));
      const enter = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true });
      Object.defineProperty(enter, 'keyCode', { get: () => 13 });
      input.dispatchEvent(enter);
    });
    await waitFor(() => received.length >= 6, 'the pasted text at the peer');
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(received.toString(), 'pasted');
  });

  it('Repeat Send… says it repeats and shows the mode; text that is bad hex is offered as text', async () => {
    await runCommand(page, 'TCP: Send Text…');
    await pressQuickInputButton('Send as hex');
    const title = page.locator('.quick-input-widget .quick-input-title');
    await waitFor(async () => (await title.textContent())?.includes('· hex'), 'Send Text… in hex');
    await page.keyboard.press('Escape');
    await runCommand(page, 'TCP: Repeat Send…');
    await waitFor(async () => /^Repeat Send to .* · hex$/.test((await title.textContent()) ?? ''), 'a title that says repeat and hex');
    await page.locator('.quick-input-widget input.input').fill('tick');
    const asText = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'send as text' });
    await asText.first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
  });

  it('repeats a text and stops when the status bar item is clicked', async () => {
    received = Buffer.alloc(0);
    await runCommand(page, 'TCP: Repeat Send…');
    await pressQuickInputButton('Send as text');
    await typeAndAccept('tick');
    await answerInput(page, '50', 'milliseconds'); // every 50 ms
    await answerInput(page, '', 'How many times'); // until stopped
    const item = page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'Repeating' }).first();
    await item.waitFor({ timeout: 20_000 });
    await waitFor(() => received.length >= 4 * 3, 'three ticks at the peer');
    await item.locator('a, .statusbar-item-label').first().click();
    await waitFor(async () => (await item.count()) === 0 || !(await item.isVisible()), 'the status bar item to go away');
    const n = received.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.strictEqual(received.length, n, 'nothing sent after the click');
    assert.strictEqual(received.toString(), 'tick'.repeat(n / 4));
  });
});
