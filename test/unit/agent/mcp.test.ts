// `tcp-workbench mcp` as an agent meets it: a real `node out/src/cli.js mcp` process driven by the MCP
// SDK's own client over stdio — list the tools, start a mock from a .tcp file, exchange with it, read its
// traffic, run the file, stop it; bad calls are protocol errors and the server keeps serving.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MAX_RESULT_CHARS } from '../../../src/core/agent/limits';
import { waitUntil } from '../support';

const CLI = path.resolve(__dirname, '../../../src/cli.js');

const MOCK = `### sensor
listen 127.0.0.1:0
on connect send "HELLO\\n"
on "PING" send "PONG\\n"
otherwise send "ERR\\n"

### asks the sensor
connect {{listen.host}}:{{listen.port}}
expect "HELLO\\n"
send "PING"
expect "PONG\\n"

### expects the wrong answer
connect {{listen.host}}:{{listen.port}}
expect "HELLO\\n"
send "PING"
expect "PANG\\n"
`;

/** Resolves true when something accepts a connection on the port, false when it is refused. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('tcp-workbench mcp: loaded only when asked', () => {
  it('other commands never load the MCP SDK', () => {
    const probe = (args: string[]) =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(CLI)}).main(${JSON.stringify(args)}).then(() => process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('@modelcontextprotocol')))))`,
        ],
        { encoding: 'utf8', timeout: 15000 },
      );
    assert.match(probe(['--version']), /false$/);
    assert.match(probe(['--help']), /false$/);
  });
});

describe('tcp-workbench mcp (the SDK client over stdio)', function () {
  this.timeout(30000);
  let tmp: string;
  let client: Client;
  let stderr = '';

  async function open(): Promise<Client> {
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--root', tmp], stderr: 'pipe' });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const c = new Client({ name: 'test', version: '1.0.0' });
    await c.connect(transport);
    return c;
  }

  async function call(name: string, args: Record<string, unknown>): Promise<{ json: Record<string, unknown>; text: string; isError: boolean }> {
    const r = (await client.callTool({ name, arguments: args })) as { content: { type: string; text: string }[]; isError?: boolean };
    const text = r.content[0].text;
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      // an error result is a sentence, not JSON
    }
    return { json, text, isError: r.isError === true };
  }

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-mcp-'));
    fs.writeFileSync(path.join(tmp, 'sensor.tcp'), MOCK);
    stderr = '';
    client = await open();
  });

  afterEach(async () => {
    await client.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the six tools, each with a description and an object schema', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['tcpWorkbench_startServer', 'tcpWorkbench_exchange', 'tcpWorkbench_runScript', 'tcpWorkbench_readTraffic', 'tcpWorkbench_stopServer', 'tcpWorkbench_listServers'],
    );
    for (const t of tools) {
      assert.ok((t.description ?? '').length > 60, t.name);
      assert.equal(t.inputSchema.type, 'object');
    }
    assert.deepEqual(tools[0].inputSchema.required, ['kind']);
  });

  it('starts a mock from a listen block, exchanges with it, reads its traffic, runs the file, stops it', async () => {
    const started = await call('tcpWorkbench_startServer', { kind: 'mock', file: 'sensor.tcp' });
    assert.equal(started.isError, false, started.text);
    assert.equal(started.json.label, 'sensor');
    const port = Number(/:(\d+)$/.exec(String(started.json.address))?.[1]);
    assert.ok(port > 0, started.text);

    const ex = await call('tcpWorkbench_exchange', { port, send: 'PING', untilRegex: 'PONG\\n', timeoutMs: 5000 });
    assert.equal(ex.isError, false, ex.text);
    assert.equal(ex.json.ok, true);
    assert.equal(ex.json.endedBy, 'regex');
    const received = ex.json.received as { text: string; hex: string };
    assert.equal(received.text, 'HELLO\nPONG\n');
    assert.match(received.hex, /^48 45 4c 4c 4f 0a 50 4f 4e 47 0a$/);

    const listed = await call('tcpWorkbench_listServers', {});
    assert.deepEqual(
      (listed.json.servers as { id: string }[]).map((s) => s.id),
      [started.json.id],
    );
    const traffic = await call('tcpWorkbench_readTraffic', { source: String(started.json.id) });
    const entries = traffic.json.entries as { direction: string; text: string }[];
    assert.ok(
      entries.some((e) => e.direction === 'in' && e.text.includes('PING')),
      traffic.text,
    );
    assert.ok(
      entries.some((e) => e.direction === 'out' && e.text.includes('PONG')),
      traffic.text,
    );
    const session = await call('tcpWorkbench_readTraffic', { source: String(ex.json.session), last: 2 });
    assert.equal((session.json.entries as unknown[]).length, 2, session.text);

    const run = await call('tcpWorkbench_runScript', { file: 'sensor.tcp' });
    assert.equal(run.isError, false, run.text);
    assert.equal(run.json.passed, 1);
    assert.equal(run.json.failed, 1);
    const [good, bad] = run.json.blocks as { title: string; status: string; failure?: { line: number; expected: { text: string }; actual: { text: string } } }[];
    assert.equal(good.status, 'passed');
    assert.equal(bad.status, 'failed');
    assert.equal(bad.failure?.line, 17);
    assert.equal(bad.failure?.expected.text, 'PANG\n');
    assert.equal(bad.failure?.actual.text, 'PONG\n');

    const one = await call('tcpWorkbench_runScript', { file: 'sensor.tcp', block: 'asks the sensor' });
    assert.equal(one.json.passed, 1);
    assert.equal(one.json.failed, 0);

    const stopped = await call('tcpWorkbench_stopServer', { id: String(started.json.id) });
    assert.equal(stopped.isError, false, stopped.text);
    assert.equal(await accepts(port), false, 'the mock still listens after stopServer');
    assert.deepEqual((await call('tcpWorkbench_listServers', {})).json.servers, []);
  });

  it('a malformed call is a protocol error, and the server keeps serving', async () => {
    await assert.rejects(client.callTool({ name: 'tcpWorkbench_nope', arguments: {} }), (e: Error & { code?: number }) => e.code === -32602 && /Unknown tool/.test(e.message));
    await assert.rejects(
      client.callTool({ name: 'tcpWorkbench_exchange', arguments: { port: 'eighty' } }),
      (e: Error & { code?: number }) => e.code === -32602 && /"port" must be a whole number/.test(e.message),
    );
    await assert.rejects(client.callTool({ name: 'tcpWorkbench_startServer', arguments: { kind: 'ftp' } }), /"kind" must be one of echo, reply, file, mock, relay/);
    await assert.rejects(client.callTool({ name: 'tcpWorkbench_exchange', arguments: { port: 80, timeoutMs: 3_600_000 } }), /between 1 and 60000/);
    assert.equal((await client.listTools()).tools.length, 6);
  });

  it('a failure of the work itself is a readable error result', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const refused = await call('tcpWorkbench_exchange', { port, send: 'x', timeoutMs: 3000 });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /^tcpWorkbench_exchange failed: .*refused/i);
    const missing = await call('tcpWorkbench_startServer', { kind: 'mock', file: 'nope.tcp' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /nope\.tcp: no such file/);
    const noReply = await call('tcpWorkbench_startServer', { kind: 'reply' });
    assert.match(noReply.text, /kind "reply" needs "reply"/);
  });

  it(`bounds a big answer: the result stays under ${MAX_RESULT_CHARS / 1024} KiB and says what was cut`, async () => {
    const echo = await call('tcpWorkbench_startServer', { kind: 'echo' });
    const port = Number(/:(\d+)$/.exec(String(echo.json.address))?.[1]);
    const big = 'x'.repeat(60000);
    const ex = await call('tcpWorkbench_exchange', { port, send: big, untilBytes: 60000, timeoutMs: 10000 });
    assert.equal(ex.isError, false, ex.text.slice(0, 300));
    assert.ok(ex.text.length <= MAX_RESULT_CHARS, `${ex.text.length} characters`);
    const received = ex.json.received as { bytes: number; text: string; truncated: boolean };
    assert.equal(received.bytes, 60000);
    assert.equal(received.truncated, true);
    assert.equal(received.text.length, 4096);
  });

  it('stops its servers when the client disconnects', async () => {
    const echo = await call('tcpWorkbench_startServer', { kind: 'echo' });
    const port = Number(/:(\d+)$/.exec(String(echo.json.address))?.[1]);
    assert.equal(await accepts(port), true);
    await client.close();
    assert.ok(await waitUntil(() => /stopping 1 server/.test(stderr), 10000), stderr);
    assert.equal(await accepts(port), false, 'the echo server outlived its MCP client');
    client = await open(); // for afterEach
  });
});
