// UI test: a relay's TLS chosen the way a person does it. Add Server… → Relay → a tls:// target whose
// certificate is self-signed → "Accept any certificate (insecure)" → listen with "TLS": a TLS client gets the
// target's echo through both legs. Export Capture… from the row's menu saves the key log (the wire capture
// is on). Configure… → TLS → Plain TCP makes it a plain listener; Configure… → Target certificate → Verify
// makes the relay refuse the self-signed target. Start Relay… from the palette asks the same questions; a
// CA file chosen in the open dialog makes the relay trust the target.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { startUiWorkbench, untrustedTlsEcho, workbenchHooks } from '../lib/ui.mjs';
import { answerInput, choose, openAddServer, runCommand, openViewContainer, rowDescription, runFromContextMenu, saveAs, treeRow, view, waitFor } from '../lib/workbench.mjs';

const ROW = /^:(\d+) → tls:\/\/\S+ · /;

/** Writes `text` on a connected socket and resolves with what comes back first, or `null` when it closes without a byte. */
function echoOf(socket, text) {
  return new Promise((resolve, reject) => {
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${text}`)));
    socket.once('data', (d) => resolve(d.toString()));
    socket.once('close', () => resolve(null));
    socket.once('error', (e) => (e.code === 'ECONNRESET' ? resolve(null) : reject(e)));
    socket.write(text);
  });
}

describe('Relay with TLS, from the wizards (UI)', function () {
  this.timeout(90_000);
  let wb;
  let page;
  let target;
  let dir;
  let tlsClientPort;
  const sockets = [];

  before(async function () {
    this.timeout(240_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-relay-tls-ui-'));
    target = await untrustedTlsEcho(dir);
    wb = await startUiWorkbench({ settings: { 'tcpWorkbench.relayWireCapture': true } });
    page = wb.page;
  });

  workbenchHooks(
    () => wb,
    () => sockets.splice(0).forEach((s) => s.destroy()),
  );

  after(async () => {
    await target.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const relayRow = async () => treeRow(await view(page, 'Servers'), 'Relay');
  const portOf = async (re) => Number((await waitFor(async () => re.exec(await rowDescription(await relayRow())), `the relay row to match ${re}`))[1]);

  async function configure(field) {
    await runFromContextMenu(page, await relayRow(), /^Configure…/);
    // The row's menu passes the row; a busy workbench once passed none, and the wizard asked for the server first.
    const first = await waitFor(async () => {
      const t = await page
        .locator('.quick-input-widget .quick-input-title')
        .innerText({ timeout: 2_000 })
        .catch(() => '');
      return /\((1\/2|1\/3)\)$/.test(t) ? t : undefined;
    }, 'the Configure wizard to open');
    if (first.endsWith('(1/3)')) {
      await choose(page, 'Relay');
    }
    await choose(page, field);
  }

  it('Add Server… → Relay → tls:// target, insecure, TLS: a TLS client gets the echo through both legs', async () => {
    await openViewContainer(page);
    const servers = await view(page, 'Servers');
    await treeRow(servers, 'Echo Server').waitFor({ timeout: 30_000 });
    await openAddServer(page);
    await choose(page, 'Relay');
    await answerInput(page, '0', 'or 0 for any free port');
    await answerInput(page, `tls://127.0.0.1:${target.port}`, 'host:port of the target server');
    await choose(page, 'Accept any certificate (insecure)');
    await choose(page, 'TLS');
    await choose(page, 'No client certificate');

    const port = await portOf(/^:(\d+) → tls:\/\/\S+ · TLS · /);
    const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    sockets.push(client);
    await new Promise((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    assert.strictEqual(client.getProtocol(), 'TLSv1.3');
    tlsClientPort = client.localPort;
    assert.strictEqual(await echoOf(client, 'through two TLS legs'), 'through two TLS legs');
    client.end();
  });

  it('Export Capture… → Key log saves the session keys of both legs, owner-only', async () => {
    await waitFor(async () => /^closed/.test(await rowDescription(treeRow(await view(page, 'Servers'), `127.0.0.1:${tlsClientPort}`))), 'the connection row to say closed');
    const dest = path.join(dir, 'relay-keys.log');
    await runFromContextMenu(page, await relayRow(), /^Export Capture…/);
    await choose(page, 'Key log: the TLS session keys (SSLKEYLOGFILE)');
    await saveAs(page, dest, '.log');
    await waitFor(
      () =>
        fs
          .readFileSync(dest, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 ')).length === 2,
      'two legs of keys in the file',
    );
    assert.strictEqual(fs.statSync(dest).mode & 0o777, 0o600);
  });

  it('Configure… → TLS → Plain TCP: the relay listens in plaintext, and a plain client gets the echo', async () => {
    await configure('TLS');
    await choose(page, 'Plain TCP');
    const port = await waitFor(async () => {
      const d = await rowDescription(await relayRow());
      return ROW.test(d) && !d.includes('TLS') && ROW.exec(d);
    }, 'the relay row without TLS');
    const client = net.connect({ host: '127.0.0.1', port: Number(port[1]) });
    sockets.push(client);
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    assert.strictEqual(await echoOf(client, 'plain to the relay'), 'plain to the relay');
  });

  it("Configure… → Target certificate → Verify: the self-signed target is refused and the client's connection closed", async () => {
    await configure('Target certificate');
    await choose(page, "Verify the target's certificate");
    // The relay restarts: until the old one is gone a connect may fail or still be relayed; the new one
    // verifies the target and closes the client without a byte.
    const answer = await waitFor(async () => {
      const c = net.connect({ host: '127.0.0.1', port: await portOf(ROW) });
      sockets.push(c);
      const ok = await new Promise((resolve) => c.once('connect', () => resolve(true)).once('error', () => resolve(false)));
      return ok && (await echoOf(c, 'not to an impostor')) === null ? 'closed without an answer' : undefined;
    }, 'a client of the restarted relay to be closed without an answer (the target is not trusted)');
    assert.strictEqual(answer, 'closed without an answer');
  });

  it('Start Relay… → tls:// target → Verify with a CA I choose… → Plain TCP → the CA in the open dialog: the relay trusts the target', async () => {
    await runCommand(page, 'TCP: Start Relay…');
    await answerInput(page, `tls://127.0.0.1:${target.port}`, 'host:port of the target server');
    await choose(page, 'Verify with a CA I choose…');
    await choose(page, 'Plain TCP');
    // The open dialog (in the browser, VS Code's simple dialog: a path box) comes last. Wait for it by its title:
    // between the last pick closing and the dialog opening no input is visible, which the loop below would
    // take for the dialog having closed.
    await page.locator('.quick-input-widget').filter({ hasText: "Choose the CA that signs the target's certificate" }).first().waitFor({ timeout: 10_000 });
    const input = page.locator('.quick-input-widget input.input');
    const ca = path.join(dir, 'c.pem');
    await waitFor(async () => {
      if (await input.isVisible().catch(() => false)) {
        await input.fill(ca);
        await page.keyboard.press('Enter');
        await page.waitForTimeout(500);
      }
      return !(await input.isVisible().catch(() => false));
    }, `the open dialog to take ${ca}`);
    const row = treeRow(await view(page, 'Servers'), 'Relay 2');
    const port = Number((await waitFor(async () => ROW.exec(await rowDescription(row)), 'the Relay 2 row to listen'))[1]);
    const client = net.connect({ host: '127.0.0.1', port });
    sockets.push(client);
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    assert.strictEqual(await echoOf(client, 'trusted by the chosen CA'), 'trusted by the chosen CA');
  });
});
