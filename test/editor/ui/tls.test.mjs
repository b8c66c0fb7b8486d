// UI test: Connect to Server… with tls:// to a server whose certificate is self-signed. The notification says why
// (self-signed), the subject and the SHA-256 fingerprint; Show Certificate Chain opens the chain document;
// Connect Anyway connects (a lock row whose tooltip names protocol, cipher and peer), and a second connect
// to the same address is not asked about again (the fingerprint is remembered in the workspace).
// With TCP_WORKBENCH_TLS_SHOTS=DIR it saves the prompt and the chain document as PNGs there (README images).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startUiWorkbench, untrustedTlsEcho, workbenchHooks } from '../lib/ui.mjs';
import { hoverRow, openViewContainer, runCommand, treeRow, view, waitFor } from '../lib/workbench.mjs';

const shots = process.env.TCP_WORKBENCH_TLS_SHOTS;

describe('TLS Connect with an untrusted certificate (UI)', function () {
  this.timeout(90_000);
  let wb;
  let page;
  let server;
  let dir;

  before(async function () {
    this.timeout(240_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tls-ui-'));
    server = await untrustedTlsEcho(dir);
    wb = await startUiWorkbench();
    page = wb.page;
  });

  workbenchHooks(() => wb);

  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The prompt's toast (a notification, not a modal: it stays while the chain document is read). */
  async function prompt() {
    const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'is not trusted' }).first();
    await toast.waitFor({ timeout: 15_000 });
    return toast;
  }

  async function connect(address) {
    await runCommand(page, 'TCP: Connect to Server…');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(address);
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: address }).first().click();
  }

  it('shows why and the fingerprint, opens the chain, and Connect Anyway connects with a lock row', async () => {
    await openViewContainer(page);
    const address = `127.0.0.1:${server.port}`;
    await connect(`tls://${address}`);
    let dialog = await prompt();
    const text = await dialog.innerText();
    assert.match(text, new RegExp(`The certificate of ${address.replace(/\./g, '\\.')} is not trusted`));
    assert.match(text, /self-signed/);
    assert.match(text, /Subject: CN=untrusted\.test/);
    assert.ok(text.includes(server.fingerprint), `the dialog shows the fingerprint ${server.fingerprint}:\n${text}`);
    if (shots) {
      await page.screenshot({ path: path.join(shots, 'tls-untrusted.png') });
    }

    await dialog.locator('.monaco-button', { hasText: 'Show Certificate Chain' }).click();
    const lines = page.locator('.editor-instance .view-lines').first();
    await waitFor(async () => (await lines.textContent())?.includes('untrusted.test'), 'the chain document');
    // The prompt asks again beside the document.
    dialog = await prompt();
    await dialog.locator('.monaco-button', { hasText: 'Connect Anyway' }).click();

    const connections = await view(page, 'Connections');
    const row = treeRow(connections, address);
    await row.waitFor({ timeout: 20_000 });
    assert.ok(await row.locator('.codicon-lock').count(), 'the session row has the lock icon');
    const hover = await hoverRow(page, row, 'TLS:');
    assert.match(await hover.innerText(), /TLS: TLSv1\.3 \S+, ALPN none, CN=untrusted\.test; certificate trusted by its fingerprint/);
    if (shots) {
      await page.mouse.move(900, 700);
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shots, 'tls-chain.png') });
    }
  });

  it('a second connect to the same address is not asked about (the fingerprint is remembered)', async () => {
    const address = `127.0.0.1:${server.port}`;
    await runCommand(page, 'TCP: Disconnect');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    const connections = await view(page, 'Connections');
    await waitFor(async () => (await treeRow(connections, address).count()) === 0, 'the session to close');
    await connect(`tls://${address}`);
    await treeRow(connections, address).waitFor({ timeout: 20_000 });
    assert.strictEqual(await page.locator('.notification-toast').filter({ hasText: 'is not trusted' }).count(), 0, 'no prompt the second time');
  });
});
