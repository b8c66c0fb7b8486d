// UI tests: a person's path through the Servers view in the real workbench — activity bar, inline Start button,
// a client from outside showing up under its server, commands run from the command palette by their titles.
// These catch broken menus, when-clauses and view contributions that command-level tests cannot see.
import * as assert from 'node:assert';
import * as net from 'node:net';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { hoverRow, openViewContainer, pressInline, rowDescription, runCommand, treeRow, view, waitFor } from '../lib/workbench.mjs';

// The row says the port first (`:PORT · 1 client · echo`); the full address is in its tooltip.
const LISTENING = /^:(\d+) · /;

/** Connects to 127.0.0.1:port; resolves with the socket once connected. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `text` and resolves with what comes back once it is at least as long. */
function roundTrip(socket, text) {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d) => {
      got += d.toString('utf8');
      if (got.length >= text.length) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

describe('Servers view in VS Code (UI)', function () {
  this.timeout(60_000);
  let wb;
  let page;
  let echoPort;
  let client;

  before(async function () {
    this.timeout(240_000);
    wb = await startUiWorkbench();
    page = wb.page;
  });

  workbenchHooks(
    () => wb,
    () => client?.destroy(),
  );

  it('opens the TCP Workbench container from the activity bar and lists the servers', async () => {
    await openViewContainer(page);
    const servers = await view(page, 'Servers');
    await treeRow(servers, 'Echo Server').waitFor({ timeout: 30_000 });
    await treeRow(servers, 'File Server').waitFor({ timeout: 30_000 });
    assert.strictEqual(await rowDescription(treeRow(servers, 'Echo Server')), 'stopped');
  });

  it('starts the Echo Server with its inline Start button', async () => {
    const servers = await view(page, 'Servers');
    const echo = treeRow(servers, 'Echo Server');
    await pressInline(echo, 'Start');
    const description = await waitFor(async () => {
      const d = await rowDescription(echo);
      return LISTENING.test(d) ? d : undefined;
    }, 'the Echo Server to say ":PORT · 0 clients · echo"');
    echoPort = Number(LISTENING.exec(description)[1]);
    assert.ok(echoPort > 0 && echoPort < 65536, `port read from the UI: ${description}`);
  });

  it('shows a client that connects from outside under the Echo Server', async () => {
    assert.ok(echoPort, 'the Echo Server was not started by the previous test');
    // The port comes from the UI text: if the view lies, this connection fails.
    client = await connect(echoPort);
    assert.strictEqual(await roundTrip(client, 'ping from the UI test\n'), 'ping from the UI test\n');
    const servers = await view(page, 'Servers');
    const echo = treeRow(servers, 'Echo Server');
    await waitFor(async () => (await rowDescription(echo)).includes('1 client'), 'the Echo Server to count 1 client');
    // The row opens by itself when its first client arrives (nobody has to click the twistie).
    await waitFor(async () => (await echo.getAttribute('aria-expanded')) === 'true', 'the Echo Server row to expand by itself');
    const row = treeRow(servers, `127.0.0.1:${client.localPort}`);
    await row.waitFor({ timeout: 20_000 });
    // "Under it": one level below the server row, which now counts the client.
    assert.strictEqual(await row.getAttribute('aria-level'), '2');
  });

  it('runs "TCP: Show Traffic Log" from the command palette', async () => {
    await runCommand(page, 'TCP: Show Traffic Log');
    const tab = page.locator('.tabs-container .tab').filter({ hasText: 'Traffic' }).first();
    await tab.waitFor({ timeout: 20_000 });
    // Monaco draws spaces as no-break spaces.
    await waitFor(
      async () => (await page.locator('.editor-instance .view-lines').first().textContent())?.replace(/\u00a0/g, ' ').includes('ping from the UI test'),
      'the traffic log to show the bytes the test sent',
    );
  });

  it("the running File Server's tooltip says what it hides and names the setting", async () => {
    const servers = await view(page, 'Servers');
    const file = treeRow(servers, 'File Server');
    await pressInline(file, 'Start');
    await waitFor(async () => LISTENING.test(await rowDescription(file)), 'the File Server to listen');
    const hover = await hoverRow(page, file, 'Hides');
    const text = await hover.textContent();
    assert.match(text, /Hides \.env, keys, \.git and other secrets — see setting tcpWorkbench\.fileDeny/);
    await page.mouse.move(900, 600);
  });

  it('runs "TCP: Stop All Servers" from the command palette, which closes the client', async () => {
    assert.ok(client, 'no client from the previous test');
    const closed = new Promise((resolve) => client.once('close', resolve));
    await runCommand(page, 'TCP: Stop All Servers');
    const servers = await view(page, 'Servers');
    await waitFor(async () => (await rowDescription(treeRow(servers, 'Echo Server'))) === 'stopped', 'the Echo Server to say "stopped"');
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the client socket was not closed')), 10_000))]);
    assert.strictEqual(await treeRow(servers, `127.0.0.1:${client.localPort}`).count(), 0);
  });
});
