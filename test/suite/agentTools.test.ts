// The agent tools as VS Code's agent mode calls them: vscode.lm.invokeTool (no model needed) against real
// sockets. What a tool starts is a row in the Servers view and its bytes are in the traffic log; bad
// input and failed work come back as readable results, never as exceptions; results stay bounded.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, cleanup, logSince, scratchFolder, server, tryConnect, waitFor } from './helpers';

const TOOL_NAMES = [
  'tcpWorkbench_startServer',
  'tcpWorkbench_exchange',
  'tcpWorkbench_runScript',
  'tcpWorkbench_readTraffic',
  'tcpWorkbench_stopServer',
  'tcpWorkbench_listServers',
];
const MOCK = `### sensor
listen 127.0.0.1:0
on connect send "HELLO\\n"
on "PING" send "PONG\\n"

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

async function invoke(name: string, input: object): Promise<string> {
  const r = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return r.content.map((p) => (p as { value?: string }).value ?? '').join('');
}

async function invokeJson(name: string, input: object): Promise<Record<string, unknown>> {
  const text = await invoke(name, input);
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`${name} did not return JSON: ${text}`);
  }
}

const portOf = (address: unknown) => Number(/:(\d+)$/.exec(String(address))?.[1]);

describe('Agent tools (vscode.lm.invokeTool)', function () {
  this.timeout(30000);
  let a: Api;
  let dir: string | undefined;
  let rel: string;

  before(async () => {
    a = await api();
    await a.stopAll();
  });

  beforeEach(() => {
    dir = scratchFolder('agent');
    fs.writeFileSync(path.join(dir, 'sensor.tcp'), MOCK);
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    rel = ws ? path.relative(ws, path.join(dir, 'sensor.tcp')) : path.join(dir, 'sensor.tcp');
  });

  afterEach(async () => {
    for (const s of JSON.parse(await invoke('tcpWorkbench_listServers', {})).servers as { id: string }[]) {
      await invoke('tcpWorkbench_stopServer', { id: s.id });
    }
    cleanup(dir);
  });

  it('registers the six tools with a description and an object schema', () => {
    const tools = vscode.lm.tools.filter((t) => t.name.startsWith('tcpWorkbench_'));
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
    for (const t of tools) {
      assert.ok(t.description.length > 60, t.name);
      assert.strictEqual((t.inputSchema as { type?: string }).type, 'object', t.name);
    }
  });

  it('asks before anything that opens a port or connects, not before reading', () => {
    const start = a.agentToolPrepared('tcpWorkbench_startServer', { kind: 'relay', target: '127.0.0.1:6379', port: 7000 });
    assert.ok(start.title && start.message, JSON.stringify(start));
    assert.match(start.message ?? '', /127\.0\.0\.1:6379/);
    assert.match(start.message ?? '', /127\.0\.0\.1:7000/);
    const ex = a.agentToolPrepared('tcpWorkbench_exchange', { port: 9, send: 'PING', timeoutMs: 1500 });
    assert.match(ex.title ?? '', /127\.0\.0\.1:9/);
    assert.match(ex.message ?? '', /"PING".*1500/);
    assert.ok(a.agentToolPrepared('tcpWorkbench_runScript', { file: 'x.tcp' }).message?.includes('x.tcp'));
    for (const name of ['tcpWorkbench_readTraffic', 'tcpWorkbench_listServers', 'tcpWorkbench_stopServer']) {
      const p = a.agentToolPrepared(name, { source: 'echo-1', id: 'echo-1' });
      assert.strictEqual(p.title, undefined, name);
      assert.ok(p.invocationMessage, name);
    }
  });

  it('starts a mock from a listen block as a Servers row, exchanges with it, reads its traffic, stops it', async () => {
    const started = await invokeJson('tcpWorkbench_startServer', { kind: 'mock', file: rel });
    const id = String(started.id);
    const row = server(a, id);
    assert.strictEqual(row.kind, 'mock');
    assert.strictEqual(row.state, 'listening');
    const port = portOf(started.address);
    assert.strictEqual(row.port, port);

    const ex = await invokeJson('tcpWorkbench_exchange', { port, send: 'PING', untilRegex: 'PONG\\n', timeoutMs: 5000 });
    assert.strictEqual(ex.ok, true, JSON.stringify(ex));
    assert.strictEqual((ex.received as { text: string }).text, 'HELLO\nPONG\n');
    // In the traffic log as a person's session and server would be.
    assert.match(a.trafficText(`server:${id}`), /PING/);
    assert.match(a.trafficText(String(ex.session)), /PONG/);
    assert.ok(
      a.logLines().some((l) => l.includes(`connected to 127.0.0.1:${port}`)),
      'the session is not in the log',
    );

    const traffic = await invokeJson('tcpWorkbench_readTraffic', { source: id, last: 10 });
    assert.ok(
      (traffic.entries as { direction: string; text: string }[]).some((e) => e.direction === 'out' && e.text.includes('PONG')),
      JSON.stringify(traffic),
    );
    const listed = (await invokeJson('tcpWorkbench_listServers', {})).servers as { id: string }[];
    assert.ok(listed.some((s) => s.id === id));

    const stopped = await invokeJson('tcpWorkbench_stopServer', { id });
    assert.strictEqual(stopped.stopped, id);
    assert.strictEqual(
      a.servers().find((s) => s.id === id),
      undefined,
      'the row a tool added stays after the tool stopped it',
    );
    assert.strictEqual(await tryConnect(port), 'ECONNREFUSED');
  });

  it('runs a .tcp file: pass or fail per block, the failing line, expected and actual', async () => {
    const run = await invokeJson('tcpWorkbench_runScript', { file: rel });
    assert.strictEqual(run.passed, 1);
    assert.strictEqual(run.failed, 1);
    const bad = (run.blocks as { title: string; status: string; failure?: { line: number; expected: { text: string }; actual: { text: string } } }[])[1];
    assert.strictEqual(bad.status, 'failed');
    assert.strictEqual(bad.failure?.line, 16);
    assert.strictEqual(bad.failure?.expected.text, 'PANG\n');
    assert.strictEqual(bad.failure?.actual.text, 'PONG\n');

    const one = await invokeJson('tcpWorkbench_runScript', { file: rel, block: 'asks the sensor' });
    assert.deepStrictEqual([one.passed, one.failed, (one.blocks as { title: string }[]).map((b) => b.title)], [1, 0, ['asks the sensor']]);
    assert.deepStrictEqual(a.testingRuns().at(-1)?.items, ['asks the sensor']);
    assert.match(
      await invoke('tcpWorkbench_runScript', { file: rel, block: 'nope' }),
      /has no client block titled "nope" \(it has "asks the sensor", "expects the wrong answer"\)/,
    );
  });

  it("runs a .tcp file as Run Script does: its mock is a Servers row during the run, with the mock's traffic in the log", async () => {
    const file = path.join(dir as string, 'slow.tcp');
    fs.writeFileSync(file, MOCK.split('### expects')[0].replace('expect "PONG\\n"\n', 'expect "PONG\\n"\nwait 2s\n'));
    const mark = a.logCount();
    const runs = a.testingRuns().length;
    const pending = invokeJson('tcpWorkbench_runScript', { file: path.join(path.dirname(rel), 'slow.tcp') });
    const mockRow = () => a.servers().find((s) => s.kind === 'mock' && s.file === file);
    await waitFor(() => mockRow()?.state === 'listening', `a mock row for ${file} in ${JSON.stringify(a.servers())}`);
    const row = mockRow();
    assert.strictEqual(row?.label, 'sensor');
    await waitFor(() => /PONG/.test(a.trafficText(`server:${row?.id}`)), `the mock's PONG in the traffic log:\n${a.trafficText(`server:${row?.id}`)}`);
    const run = await pending;
    assert.strictEqual(run.passed, 1, JSON.stringify(run));
    assert.deepStrictEqual(run.mocks, ['sensor']);
    // A run of the Testing view, like ▶ Run all: the file's item, one block passed.
    assert.deepStrictEqual(a.testingRuns().slice(runs), [{ items: ['slow.tcp'], passed: 1, failed: 0 }]);
    assert.strictEqual(mockRow(), undefined, 'the run left its mock in the Servers view');
    assert.match(logSince(a, mark), /sensor listening on 127\.0\.0\.1:\d+[\s\S]*sensor stopped/);
  });

  it('bad input and failed work are readable results, not exceptions', async () => {
    assert.match(await invoke('tcpWorkbench_exchange', { port: 'eighty' }), /Invalid input for tcpWorkbench_exchange: "port" must be a whole number/);
    assert.match(await invoke('tcpWorkbench_startServer', { kind: 'ftp' }), /"kind" must be one of echo, reply, file, mock, relay/);
    assert.match(await invoke('tcpWorkbench_exchange', { port: 1, timeoutMs: 999_999 }), /"timeoutMs" must be between 1 and 60000/);
    assert.match(await invoke('tcpWorkbench_stopServer', { id: 'nope-1' }), /There is no running server "nope-1"/);
    assert.match(await invoke('tcpWorkbench_startServer', { kind: 'mock', file: 'no-such.tcp' }), /no-such\.tcp: no such file/);
    const echo = await invokeJson('tcpWorkbench_startServer', { kind: 'echo' });
    const port = portOf(echo.address);
    await invoke('tcpWorkbench_stopServer', { id: String(echo.id) });
    assert.match(await invoke('tcpWorkbench_exchange', { port, send: 'x', timeoutMs: 3000 }), /tcpWorkbench_exchange failed: .*(refused|127\.0\.0\.1)/i);
  });

  it('keeps a big answer within 64 KiB and says it was cut; a reply server answers its text', async () => {
    const reply = await invokeJson('tcpWorkbench_startServer', { kind: 'reply', reply: 'PONG\n' });
    assert.strictEqual(server(a, String(reply.id)).kind, 'echo');
    assert.strictEqual(reply.kind, 'reply');
    const pong = await invokeJson('tcpWorkbench_exchange', { port: portOf(reply.address), send: 'PING', untilRegex: 'PONG', timeoutMs: 5000 });
    assert.strictEqual((pong.received as { text: string }).text, 'PONG\n');
    const echo = await invokeJson('tcpWorkbench_startServer', { kind: 'echo' });
    const text = await invoke('tcpWorkbench_exchange', { port: portOf(echo.address), send: 'x'.repeat(60000), untilBytes: 60000, timeoutMs: 10000 });
    assert.ok(text.length <= 64 * 1024, `${text.length} characters`);
    const ex = JSON.parse(text);
    assert.strictEqual(ex.received.bytes, 60000, text.slice(0, 300));
    assert.strictEqual(ex.received.truncated, true);
    assert.strictEqual(ex.received.text.length, 4096);
  });
});
