// The relay in the Servers view: started by command in front of our echo server, byte-exact through
// it, its connection rows via the API, the capture exported as pcap (read back by tshark), a connection
// exported as a .tcp script the CLI replays, and a refused target logged while the relay keeps serving.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, cleanup, close, exchange, exec, logSince, must, REPO, run, scratchFolder, server, setSetting, waitFor } from './helpers';

/** Writes `data`, reads `data.length` bytes back, then half-closes and waits for the peer's close. */
const talk = (port: number, data: Buffer): Promise<Buffer> => exchange(port, data, data.length, { halfClose: true });

/** The client's bytes of TCP stream `n` as tshark's `follow,tcp,raw` prints them (server lines are indented). */
async function followClientBytes(file: string, n: number): Promise<Buffer> {
  const r = await exec('tshark', ['-r', file, '-q', '-z', `follow,tcp,raw,${n}`]);
  assert.strictEqual(r.code, 0, r.stderr);
  const body = r.stdout.split(/^Node 1: .*$/m)[1]?.split(/^=+$/m)[0] ?? '';
  const hex = body
    .split('\n')
    .filter((l) => /^[0-9a-f]+$/.test(l))
    .join('');
  return Buffer.from(hex, 'hex');
}

describe('Relay (Servers view, commands in the extension host)', () => {
  let a: Api;
  let dir: string | undefined;

  before(async () => {
    a = await api();
    await a.stopAll();
  });

  afterEach(async () => {
    await a.stopAll();
    for (const s of a.servers().filter((x) => x.kind === 'relay')) {
      await run('tcpWorkbench.removeServer', { entryId: s.id });
    }
    cleanup(dir);
    dir = undefined;
  });

  async function relayToEcho(): Promise<{ relay: number; echo: number; id: string }> {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const relay = await must('tcpWorkbench.startRelay', { target: `127.0.0.1:${echo.port}` });
    return { relay: relay.port, echo: echo.port, id: relay.id };
  }

  it('relays to our echo server byte-exact; the connection row counts both ways and the log says the direction', async () => {
    const mark = a.logCount();
    const { relay, echo, id } = await relayToEcho();
    assert.notStrictEqual(relay, echo);
    const entry = server(a, id);
    assert.strictEqual(entry.kind, 'relay');
    assert.strictEqual(entry.target, `127.0.0.1:${echo}`);
    const payload = Buffer.concat([Buffer.from('HELLO relay 你好\n'), Buffer.from([0, 1, 2, 0xff])]);
    assert.deepStrictEqual(await talk(relay, payload), payload);
    await waitFor(() => a.relay(id)?.connections[0]?.state === 'closed', 'the connection row to be closed');
    const row = a.relay(id)?.connections[0];
    assert.strictEqual(row?.bytesToServer, payload.length);
    assert.strictEqual(row?.bytesToClient, payload.length);
    const traffic = a.trafficText(`server:${id}`);
    // Not all text, so shown as hex: the bytes of "HELLO".
    assert.match(traffic, /← 127\.0\.0\.1:\d+ \(client → server\)  \[hex\] 48 45 4c 4c 4f/);
    assert.match(traffic, /→ 127\.0\.0\.1:\d+ \(server → client\)  \[hex\] 48 45 4c 4c 4f/);
    assert.match(logSince(a, mark), /relayed to 127\.0\.0\.1:\d+/);
  });

  it('exports the capture as pcap (whole relay and one connection) that tshark follows, never overwriting', async () => {
    const { relay, id } = await relayToEcho();
    const first = Buffer.from('first connection\n');
    const second = Buffer.from('second connection, other bytes\n');
    await talk(relay, first);
    await talk(relay, second);
    await waitFor(() => a.relay(id)?.connections.filter((c) => c.state === 'closed').length === 2, 'both connections to close');
    dir = scratchFolder('relay-pcap');
    const all = path.join(dir, 'all.pcap');
    const whole = await must('tcpWorkbench.exportRelayPcap', { entryId: id, path: all });
    assert.ok(whole.packets >= 2 * 7, `packets: ${whole.packets}`);
    assert.deepStrictEqual(await followClientBytes(all, 0), first);
    assert.deepStrictEqual(await followClientBytes(all, 1), second);
    const connId = a.relay(id)?.connections[1]?.id;
    const one = path.join(dir, 'second.pcap');
    const r = await must('tcpWorkbench.exportRelayPcap', { entryId: id, connectionId: connId, path: one });
    assert.ok(r.packets > 0 && r.packets < whole.packets, `${r.packets} of ${whole.packets}`);
    assert.deepStrictEqual(await followClientBytes(one, 0), second);
    const streams = await exec('tshark', ['-r', one, '-T', 'fields', '-e', 'tcp.stream']);
    assert.deepStrictEqual([...new Set(streams.stdout.split('\n').filter(Boolean))], ['0']);
    const flags = await exec('tshark', ['-r', one, '-T', 'fields', '-e', 'tcp.flags.str']);
    assert.match(flags.stdout, /S/);
    assert.match(flags.stdout, /F/);
    // An existing file is not replaced without being told.
    const before = fs.readFileSync(one);
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.exportRelayPcap', { entryId: id, path: one }), undefined);
    assert.deepStrictEqual(fs.readFileSync(one), before);
    assert.match(logSince(a, mark), /already exists/);
    assert.ok((await must('tcpWorkbench.exportRelayPcap', { entryId: id, path: one, overwrite: true })).packets === whole.packets);
  });

  it('the wire capture (setting relayWireCapture, off by default): Export Capture gives a pcapng with both legs, never overwriting', async () => {
    const off = await relayToEcho();
    const mark = a.logCount();
    dir = scratchFolder('relay-wire');
    const file = path.join(dir, 'wire.pcapng');
    assert.strictEqual(await run('tcpWorkbench.exportRelayPcap', { entryId: off.id, path: file, kind: 'wire' }), undefined);
    assert.match(logSince(a, mark), /no wire capture: .*tcpWorkbench\.relayWireCapture/);
    assert.ok(!fs.existsSync(file));
    await a.stopAll();
    await setSetting('relayWireCapture', true);
    try {
      const { relay, id } = await relayToEcho();
      const bytes = Buffer.from('on the wire\n');
      await talk(relay, bytes);
      await waitFor(() => a.relay(id)?.connections[0]?.state === 'closed', 'the connection to close');
      const at = a.logCount();
      const r = await must('tcpWorkbench.exportRelayPcap', { entryId: id, path: file, kind: 'wire' });
      assert.strictEqual(fs.readFileSync(file).readUInt32LE(0), 0x0a0d0d0a, 'a pcapng section header');
      assert.strictEqual(r.bytes, fs.statSync(file).size);
      assert.match(logSince(a, at), /wire capture exported to .*whoever has it can decrypt the traffic/);
      // The client's leg and the relay's leg to the target: two TCP streams with the same bytes.
      const streams = await exec('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.stream']);
      assert.deepStrictEqual([...new Set(streams.stdout.split('\n').filter(Boolean))], ['0', '1']);
      assert.deepStrictEqual(await followClientBytes(file, 0), bytes);
      assert.deepStrictEqual(await followClientBytes(file, 1), bytes);
      const before = fs.readFileSync(file);
      assert.strictEqual(await run('tcpWorkbench.exportRelayPcap', { entryId: id, path: file, kind: 'wire' }), undefined);
      assert.deepStrictEqual(fs.readFileSync(file), before);
      // The plaintext pcap is still there beside it.
      assert.deepStrictEqual(await followClientBytes((await must('tcpWorkbench.exportRelayPcap', { entryId: id, path: path.join(dir, 'plain.pcap') })).path, 0), bytes);
    } finally {
      await setSetting('relayWireCapture', undefined);
    }
  });

  it('exports a connection as a .tcp script that the CLI replays against the echo server', async () => {
    const { relay, id } = await relayToEcho();
    await talk(relay, Buffer.from('PING replay\n'));
    await waitFor(() => a.relay(id)?.connections[0]?.state === 'closed', 'the connection to close');
    const connectionId = a.relay(id)?.connections[0]?.id;
    const script = await must('tcpWorkbench.exportRelayScript', { entryId: id, connectionId, show: false });
    assert.match(script.text, /^send "PING replay\\n"$/m);
    assert.match(script.text, /^expect "PING replay\\n"$/m);
    // Opened in the .tcp language (highlighting, ▶ Run), and Save proposes a .tcp file.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === script.uri);
    assert.ok(doc, `the exported document ${script.uri} is open`);
    assert.strictEqual(doc.languageId, 'tcp-script');
    assert.strictEqual(doc.uri.scheme, 'untitled');
    assert.match(doc.uri.path, /\.tcp$/);
    assert.strictEqual(doc.getText(), script.text);
    dir = scratchFolder('relay-script');
    const file = path.join(dir, 'replay.tcp');
    fs.writeFileSync(file, script.text);
    const r = await exec(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'run', file]);
    assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}\n${script.text}`);
    const listen = await must('tcpWorkbench.exportRelayListenBlock', { entryId: id, show: false });
    assert.match(listen.text, /^listen 127\.0\.0\.1:0$/m);
    assert.strictEqual(vscode.workspace.textDocuments.find((d) => d.uri.toString() === listen.uri)?.languageId, 'tcp-script');
    assert.match(listen.text, /^on "PING replay\\n" send "PING replay\\n"/m);
  });

  it('a refused target: the reason goes to the log and the relay keeps serving', async () => {
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', () => r()));
    const port = (spare.address() as net.AddressInfo).port;
    await close(spare);
    const mark = a.logCount();
    const relay = await must('tcpWorkbench.startRelay', { target: `127.0.0.1:${port}` });
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: relay.port });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      s.on('close', () => resolve('closed'));
    });
    assert.match(refused, /ECONNRESET|closed/);
    await waitFor(() => /refused the connection/.test(logSince(a, mark)), 'the refusal in the log');
    assert.strictEqual(server(a, relay.id).state, 'listening');
    // The target comes up on that port: the next client is relayed.
    const target = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => target.listen(port, '127.0.0.1', () => r()));
    try {
      const data = Buffer.from('after the refusal');
      assert.deepStrictEqual(await talk(relay.port, data), data);
    } finally {
      await close(target);
    }
  });

  it('Disconnect on a connection row resets that connection only; its row says so', async () => {
    const { relay, id } = await relayToEcho();
    const s = net.connect({ host: '127.0.0.1', port: relay });
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.on('error', () => undefined);
    await waitFor(() => a.relay(id)?.connections.length === 1, 'the connection row');
    const connectionId = a.relay(id)?.connections[0]?.id ?? -1;
    await run('tcpWorkbench.kickRelayConnection', { entryId: id, connectionId });
    await closed;
    await waitFor(() => a.relay(id)?.connections[0]?.state === 'kicked', 'the row to say kicked');
    assert.strictEqual(server(a, id).state, 'listening');
  });

  it('Add Server with kind relay keeps the target in the entry; Remove forgets it', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const r = await must('tcpWorkbench.addServer', { kind: 'relay', port: 0, target: `127.0.0.1:${echo.port}` });
    assert.strictEqual(server(a, r.id).target, `127.0.0.1:${echo.port}`);
    await run('tcpWorkbench.stopServer', { entryId: r.id });
    assert.strictEqual(server(a, r.id).state, 'stopped');
    // Start Relay to the same target starts that entry again instead of adding one.
    const again = await must('tcpWorkbench.startRelay', { target: `127.0.0.1:${echo.port}`, port: 0 });
    assert.strictEqual(again.id, r.id);
    await run('tcpWorkbench.removeServer', { entryId: r.id });
    assert.ok(!a.servers().some((s) => s.id === r.id));
    assert.strictEqual(await run('tcpWorkbench.addServer', { kind: 'relay', port: 0 }), undefined);
  });
});
