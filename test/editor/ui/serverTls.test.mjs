// UI test: a TLS echo server added the way a person does it — Add Server… → Echo Server → port → mode →
// "TLS" → "No client certificate" — its row says TLS, its tooltip names the generated certificate; Export
// Local CA… saves the CA through the save dialog, and Python's ssl module trusting that file gets its echo.
import * as assert from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startUiWorkbench, workbenchHooks } from '../lib/ui.mjs';
import { choose, hoverRow, openAddServer, openViewContainer, rowDescription, runCommand, saveAs, treeRow, view, waitFor } from '../lib/workbench.mjs';

const TLS_ROW = /^:(\d+) · TLS · /;

/** Python's ssl client: verifies the server with `caFile` (name localhost), sends `text`, prints the reply and the protocol. */
async function pythonTls(port, caFile, text) {
  const code = [
    'import socket, ssl, sys',
    'ctx = ssl.create_default_context(cafile=sys.argv[2])',
    'with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:',
    '    with ctx.wrap_socket(raw, server_hostname="localhost") as s:',
    '        s.sendall(sys.argv[3].encode())',
    '        got = b""',
    '        while len(got) < len(sys.argv[3]):',
    '            got += s.recv(4096)',
    '        print(s.version(), got.decode())',
  ].join('\n');
  const { stdout } = await promisify(execFile)('python3', ['-c', code, String(port), caFile, text], { timeout: 20_000 });
  return stdout.trim();
}

describe('TLS server added with the wizard (UI)', function () {
  this.timeout(90_000);
  let wb;
  let page;
  let dir;

  before(async function () {
    this.timeout(240_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tls-server-ui-'));
    wb = await startUiWorkbench();
    page = wb.page;
  });

  workbenchHooks(() => wb);

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('Add Server… → Echo Server → TLS: Python trusting the exported CA gets its echo; the rows say TLS', async () => {
    await openViewContainer(page);
    const servers = await view(page, 'Servers');
    await treeRow(servers, 'Echo Server').waitFor({ timeout: 30_000 });
    await openAddServer(page);
    await choose(page, 'Echo Server');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill('0');
    await page.keyboard.press('Enter');
    await choose(page, 'echo');
    await choose(page, 'TLS');
    await choose(page, 'No client certificate');

    const row = treeRow(servers, 'Echo Server 2');
    await row.waitFor({ timeout: 20_000 });
    const d = await waitFor(async () => TLS_ROW.exec(await rowDescription(row)), 'the new row to say ":PORT · TLS · …"');
    const port = Number(d[1]);
    const hover = await hoverRow(page, row, 'generated local certificate');
    assert.match(await hover.innerText(), /SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    await page.mouse.move(700, 700);

    // Export Local CA… through the save dialog (the simple dialog in the browser: a path box).
    const dest = path.join(dir, 'exported-ca.pem');
    await runCommand(page, 'TCP: Export Local CA…');
    await saveAs(page, dest, '.pem');
    assert.match(fs.readFileSync(dest, 'utf8'), /^-----BEGIN CERTIFICATE-----/);

    const out = await pythonTls(port, dest, 'hello from python');
    assert.match(out, /^TLSv1\.[23] hello from python$/);
  });
});
