// `send`'s timeline flags run as a user runs them (a real `node out/src/cli.js`) against our echo server,
// which counts the chunks its recv got and how each client left.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { LeaveReason } from '../../../src/core/servers/serverBase';
import { TimelineJson } from '../../../src/core/timeline/exportJson';
import { Peers, waitFor } from '../support';

const CLI = path.resolve(__dirname, '../../../src/cli.js');

describe('cli send: timeline flags', function () {
  this.timeout(30000);
  const peers = new Peers();
  let server: EchoServer;
  let at: string;
  let chunks: Buffer[];
  let left: LeaveReason[];
  let tmp: string;

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tlcli-'));
    server = new EchoServer();
    chunks = [];
    left = [];
    server.onData((e) => e.direction === 'in' && e.bytes.length > 0 && chunks.push(e.bytes));
    server.onDidLeaveClient((l) => left.push(l.reason));
    at = `127.0.0.1:${(await server.start()).port}`;
  });

  afterEach(async () => {
    await server.stop();
    server.dispose();
    await peers.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (args: string[]) => peers.run(process.execPath, [CLI, 'send', at, ...args], undefined, 25000);

  it('--pieces 3 --gap 60 sends 3 writes of 2 bytes; --timeline writes them as JSON', async () => {
    const file = path.join(tmp, 't.json');
    const r = await cli(['abcdef', '--pieces', '3', '--gap', '60', '--timeline', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(Buffer.concat(chunks).toString(), 'abcdef');
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as TimelineJson;
    const writes = j.events.filter((e) => e.kind === 'write').map((e) => e.size);
    assert.deepEqual(writes, [2, 2, 2]);
    assert.match(r.stderr, /timeline written to .*t\.json/);
  });

  it('--together 3 sends 3 writes in one segment: the server reads them at once; --timeline writes SVG', async () => {
    const file = path.join(tmp, 't.svg');
    const r = await cli(['ab;', '--together', '3', '--timeline', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      chunks.map((c) => c.toString()),
      ['ab;ab;ab;'],
    );
    assert.match(fs.readFileSync(file, 'utf8'), /^<svg [^]*send 3 messages together/);
  });

  it('--reset ends with RST (the server sees a reset), --half-close with FIN (recv returned 0)', async () => {
    const rst = await cli(['x', '--reset']);
    assert.equal(rst.code, 0, rst.stderr);
    await waitFor(() => left.length === 1, 'the server to see the client leave');
    assert.equal(left[0], 'reset');
    assert.match(rst.stderr, /note: reset by you/);
    const file = path.join(tmp, 'fin.json');
    const fin = await cli(['y', '--half-close', '--timeline', file]);
    assert.equal(fin.code, 0, fin.stderr);
    await waitFor(() => left.length === 2, 'the second client to leave');
    assert.equal(left[1], 'closed-by-peer');
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as TimelineJson;
    const fins = j.events.filter((e) => e.kind === 'fin').map((e) => e.lane);
    assert.deepEqual(fins, [0, 1], 'our FIN, then the echo server’s');
  });

  it('bad timeline flags exit 2 before anything is sent', async () => {
    for (const args of [
      ['x', '--gap', '5'],
      ['x', '--pieces', '0'],
      ['x', '--pieces', '2', '--together', '2'],
      ['x', '--half-close', '--reset'],
      ['x', '--timeline', path.join(tmp, 't.txt')],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(chunks.length, 0);
    assert.equal(server.stats.clientsAccepted, 0);
  });
});
