// The timeline in the extension host: a session to our own echo server records both ends in one
// timeline (sends paired with the server's reads), the provoke actions show at once, the export writes
// SVG and JSON, and Show Timeline opens a webview.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, must, run, waitFor } from './helpers';

interface Json {
  lanes: string[];
  events: { kind: string; from?: number; to?: number; size?: number; lane?: number; code?: string; ms?: number }[];
  notes: { code: string; args: (string | number)[] }[];
}

describe('Timeline (commands in the extension host)', () => {
  let a: Api;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-timeline-'));

  before(async () => {
    a = await api();
  });

  afterEach(async () => {
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await a.stopAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function json(sessionId: number): Promise<Json> {
    const file = path.join(dir, `t${Date.now()}.json`);
    await must('tcpWorkbench.exportTimeline', { sessionId, format: 'json', path: file });
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  }

  it('a session to our echo server: Send Together is drawn as N sends → 1 recv on the server, a reset as RST', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${echo.port}`, show: false });
    const shown = await must('tcpWorkbench.showTimeline', { sessionId: s.id });
    assert.match(shown.title, /Session/);
    await must('tcpWorkbench.timelineAction', { sessionId: s.id, action: 'together', text: 'ab;', pieces: 3 });
    await waitFor(() => a.sessions()[0]?.bytesIn === 9, 'the echo to come back');
    const j = await json(s.id);
    assert.strictEqual(j.lanes.length, 2);
    assert.match(j.lanes[1], /Echo Server/, 'the server side joined the same timeline');
    const serverReads = j.events.filter((e) => e.kind === 'read' && e.to === 1);
    assert.deepStrictEqual(
      serverReads.map((e) => e.size),
      [9],
      'corked: the server read the 3 sends at once',
    );
    assert.ok(j.notes.some((n) => n.code === 'merged' && n.args[0] === 3));
    await must('tcpWorkbench.timelineAction', { sessionId: s.id, action: 'reset' });
    await waitFor(() => a.sessions().length === 0, 'the session to close');
  });

  it('Close with Unread Data on the server side: the session sees a reset', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${echo.port}`, show: false });
    await waitFor(() => a.servers().find((x) => x.id === echo.id)?.clients === 1, 'the server to see its client');
    const file = path.join(dir, 'unread.json');
    await must('tcpWorkbench.timelineAction', { sessionId: s.id, action: 'closeUnread' });
    await waitFor(() => a.sessions().length === 0, 'the session to close');
    await must('tcpWorkbench.exportTimeline', { sessionId: s.id, format: 'json', path: file });
    const rst = (JSON.parse(fs.readFileSync(file, 'utf8')) as Json).events.filter((e) => e.kind === 'rst');
    assert.ok(rst.length >= 1, 'an RST is marked');
    assert.strictEqual(rst[0].lane, 1, 'sent by the server');
    assert.ok(
      rst.some((e) => e.code === 'ECONNRESET'),
      'the session saw ECONNRESET',
    );
  });

  it('exports SVG with the honest note and one arrow per recv; without a session the palette command says why', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${echo.port}`, show: false });
    await must('tcpWorkbench.timelineAction', { sessionId: s.id, action: 'pieces', text: 'abcdef', pieces: 3, gapMs: 30 });
    await waitFor(() => a.sessions()[0]?.bytesIn === 6, 'the echo');
    const file = path.join(dir, 'x.svg');
    await must('tcpWorkbench.exportTimeline', { sessionId: s.id, format: 'svg', path: file });
    const svg = fs.readFileSync(file, 'utf8');
    assert.match(svg, /^<svg /);
    assert.match(svg, /not packets on the wire/);
    assert.ok((svg.match(/class="chunk recv"/g) ?? []).length >= 2);
    await run('tcpWorkbench.disconnect', { sessionId: s.id });
    assert.strictEqual(await run('tcpWorkbench.timelineAction', { action: 'reset' }), undefined, 'no active session: fails with a message');
  });

  it('a relay connection: three lanes, what the relay read from the client written on to the target, and back', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const relay = await must('tcpWorkbench.startRelay', { port: 0, target: `127.0.0.1:${echo.port}` });
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${relay.port}`, show: false });
    await must('tcpWorkbench.timelineAction', { sessionId: s.id, action: 'together', text: 'xy;', pieces: 3 });
    await waitFor(() => a.sessions()[0]?.bytesIn === 9, 'the echo through the relay');
    const connectionId = a.relay(relay.id)?.connections[0]?.id;
    assert.ok(connectionId !== undefined);
    const file = path.join(dir, 'relay.json');
    await must('tcpWorkbench.exportTimeline', { entryId: relay.id, connectionId, format: 'json', path: file });
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
    assert.strictEqual(j.lanes.length, 3);
    const sum = (kind: string, from: number, to: number) => j.events.filter((e) => e.kind === kind && e.from === from && e.to === to).reduce((n, e) => n + (e.size ?? 0), 0);
    assert.strictEqual(sum('read', 0, 1), 9, 'the relay read 9 bytes from the client');
    assert.strictEqual(sum('write', 1, 2), 9, 'and wrote them to the target');
    assert.strictEqual(sum('read', 2, 1), 9, 'the echo came back');
    assert.strictEqual(sum('write', 1, 0), 9, 'and went on to the client');
    const upstream = j.events.find((e) => e.kind === 'connect' && e.lane === 1);
    assert.ok(typeof upstream?.ms === 'number' && upstream.ms >= 0, "the upstream leg's connect carries its duration");
    await must('tcpWorkbench.showTimeline', { entryId: relay.id, connectionId });
  });

  it('a client that reuses the port of a finished client gets a timeline of its own', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const localPort = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const connectFrom = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const c = net.connect({ host: '127.0.0.1', port: echo.port, localAddress: '127.0.0.1', localPort }, () => resolve(c));
        c.once('error', reject);
      });
    const clients = () => a.servers().find((x) => x.id === echo.id)?.clients ?? 0;
    const first = await connectFrom();
    first.write('old');
    await waitFor(() => first.bytesRead === 3, 'the first echo');
    // A reset leaves no TIME_WAIT: the same local port connects again at once.
    first.resetAndDestroy();
    await waitFor(() => clients() === 0, 'the server to see the first client leave');
    const second = await connectFrom();
    assert.strictEqual(second.localPort, localPort);
    second.write('new!');
    await waitFor(() => second.bytesRead === 4, 'the second echo');
    const file = path.join(dir, 'reused.json');
    await must('tcpWorkbench.exportTimeline', { entryId: echo.id, clientId: 2, format: 'json', path: file });
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
    const reads = j.events.filter((e) => e.kind === 'read' && e.to === 1).map((e) => e.size);
    assert.deepStrictEqual(reads, [4], "only the second client's bytes, none of the first");
    second.destroy();
  });
});
