// UI test: a relay added the way a person does it — Add Server… in the Servers view's title bar, "Relay" in
// the QuickPick, a port, a target typed in, plain TCP — then a client connecting through it shows up as a child row.
import * as assert from 'node:assert';
import * as net from 'node:net';
import { echoTarget, startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { answerInput, choose, openAddServer, openViewContainer, rowDescription, treeRow, view, waitFor } from '../lib/workbench.mjs';

const LISTENING = /^:(\d+)( → \S+)? · /;

describe('Relay in the Servers view (UI)', function () {
  this.timeout(60_000);
  let wb;
  let page;
  let target;
  let client;

  before(async function () {
    this.timeout(240_000);
    // The target: a plain echo written here, so the relay is checked against a peer it does not know.
    target = await echoTarget();
    wb = await startUiWorkbench();
    page = wb.page;
  });

  workbenchHooks(
    () => wb,
    () => client?.destroy(),
  );

  after(async () => {
    await target.close();
  });

  it('Add Server… → Relay → port → target: the relay row appears, listening', async () => {
    await openViewContainer(page);
    const servers = await view(page, 'Servers');
    await openAddServer(page);
    const relayPick = page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: /^Relay$/ }) })
      .first();
    await relayPick.waitFor({ timeout: 20_000 });
    await relayPick.click();
    await answerInput(page, '0', 'or 0 for any free port');
    await answerInput(page, `127.0.0.1:${target.port}`, 'host:port of the target server');
    await choose(page, 'Plain TCP');
    const relay = treeRow(servers, 'Relay');
    await relay.waitFor({ timeout: 20_000 });
    await waitFor(async () => LISTENING.test(await rowDescription(relay)), 'the Relay row to say ":PORT → TARGET · N clients"');
  });

  it("a client through the relay gets the target's answer and shows up as a connection row under it", async () => {
    const servers = await view(page, 'Servers');
    const relay = treeRow(servers, 'Relay');
    const port = Number(LISTENING.exec(await rowDescription(relay))[1]);
    client = await new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    const back = await new Promise((resolve) => {
      client.once('data', (d) => resolve(d.toString()));
      client.write('through the relay');
    });
    assert.strictEqual(back, 'through the relay');
    const row = treeRow(servers, `127.0.0.1:${client.localPort}`);
    await row.waitFor({ timeout: 20_000 });
    assert.strictEqual(await row.getAttribute('aria-level'), '2');
    await waitFor(async () => /^open/.test(await rowDescription(row)), 'the connection row to say it is open');
  });
});
