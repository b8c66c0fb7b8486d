// UI test: the Get Started walkthrough, clicked through like a newcomer does. Each step's button runs the real
// command: start the echo server, connect to it, open the sample messages and send the selected line (it comes
// back in the traffic log), start the file server, and (the download step) open Download File….
import * as assert from 'node:assert';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { openViewContainer, rowDescription, runCommand, treeRow, view, waitFor } from '../lib/workbench.mjs';

// The row says the port first (`:PORT · 1 client · echo`); the full address is in its tooltip.
const LISTENING = /^:(\d+) · /;

describe('Get Started walkthrough (UI)', function () {
  this.timeout(60_000);
  let wb;
  let page;

  /** The walkthrough's button with this text, in the expanded step. */
  const button = (text) => page.locator('.gettingStartedContainer .getting-started-step.expanded a.monaco-button').filter({ hasText: text }).first();
  /** Expands a step by its title (a person clicks the title). */
  const step = async (title) => {
    const s = page.locator('.gettingStartedContainer .getting-started-step').filter({ hasText: title }).first();
    await s.waitFor({ timeout: 20_000 });
    if (!((await s.getAttribute('class')) ?? '').includes('expanded')) {
      await s.locator('.step-title').first().click();
    }
    await waitFor(async () => ((await s.getAttribute('class')) ?? '').includes('expanded'), `the step "${title}" to open`);
  };

  before(async function () {
    this.timeout(240_000);
    wb = await startUiWorkbench();
    page = wb.page;
    await openViewContainer(page);
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'Get Started with TCP Workbench' }).first();
    await pick.waitFor({ timeout: 20_000 });
    await pick.click();
    await page.locator('.gettingStartedContainer').filter({ hasText: 'Get Started with TCP Workbench' }).first().waitFor({ timeout: 20_000 });
  });

  workbenchHooks(() => wb);

  it('step 1: the button starts the echo server', async () => {
    await step('Start the echo server');
    await button('Start Echo Server').click();
    const servers = await view(page, 'Servers');
    await waitFor(async () => LISTENING.test(await rowDescription(treeRow(servers, 'Echo Server'))), 'the Echo Server to listen');
  });

  it('step 2: the button connects to it', async () => {
    await step('Connect to it');
    await button('Connect to Server').click();
    // The running echo server is offered first.
    const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
    await waitFor(async () => /127\.0\.0\.1:\d+/.test((await first.textContent()) ?? ''), 'the running echo server in the list');
    await first.click();
    const connections = await view(page, 'Connections');
    await waitFor(
      async () => (await connections.locator('.monaco-list-row .label-description').allInnerTexts()).some((t) => t.startsWith('connected')),
      'a connected session',
    );
  });

  it('step 3: the buttons open the sample messages and send the selected line, which comes back', async () => {
    await step('Send a selection');
    await button('Open Sample Messages').click();
    await page.locator('.tabs-container .tab').filter({ hasText: 'Untitled' }).first().waitFor({ timeout: 20_000 });
    await button('Send Selection').click();
    const session = treeRow(await view(page, 'Connections'), (await (await view(page, 'Connections')).locator('.monaco-list-row .label-name').first().textContent()) ?? '');
    // 18 bytes out ("hello, echo server"), and the echo back in.
    await waitFor(async () => /↓18 B ↑18 B/.test(await rowDescription(session)), 'the session to count 18 bytes each way');
  });

  it('step 4: the button starts the file server', async () => {
    await step('Start the file server');
    await button('Start File Server').click();
    const servers = await view(page, 'Servers');
    await waitFor(async () => LISTENING.test(await rowDescription(treeRow(servers, 'File Server'))), 'the File Server to listen');
  });

  it('step 5: the button opens Download File…, which offers the running file server', async () => {
    await step('Download a file into the workspace');
    await button('Download File').click();
    const input = page.locator('.quick-input-widget');
    await waitFor(async () => ((await input.textContent()) ?? '').includes('Download from which file server?'), 'the Download File… picker');
    const servers = await view(page, 'Servers');
    const port = LISTENING.exec(await rowDescription(treeRow(servers, 'File Server')))[1];
    const rows = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(rows[0]?.includes(`127.0.0.1:${port}`), rows.join(' | '));
    await page.keyboard.press('Escape');
  });
});
