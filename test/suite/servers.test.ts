// The servers through commands and the API: start, talk from a plain socket, port in use, stop frees
// the port, stop all leaves nothing listening, bad settings start nothing, the traffic log stays bounded.
import * as assert from 'node:assert';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { StartResult } from '../../src/state/commands';
import { api, Api, close, exchange, listen, logSince, must, run, server, tryConnect, waitFor } from './helpers';

describe('Servers (commands in the extension host)', () => {
  let a: Api;
  let busy: net.Server | undefined;

  before(async () => {
    a = await api();
    await a.stopAll();
  });

  afterEach(async () => {
    await a.stopAll();
    await close(busy);
    busy = undefined;
  });

  after(async () => {
    await vscode.workspace.getConfiguration('tcpWorkbench').update('encoding', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows an Echo Server and a File Server entry, both stopped, from the start', () => {
    const list = a.servers();
    assert.deepStrictEqual(
      list.filter((s) => s.id === 'echo' || s.id === 'file').map((s) => [s.label, s.state]),
      [
        ['Echo Server', 'stopped'],
        ['File Server', 'stopped'],
      ],
    );
  });

  it('starts the echo server by command; a plain socket gets its bytes back', async () => {
    const mark = a.logCount();
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
    assert.strictEqual(r.address, `127.0.0.1:${r.port}`);
    const s = server(a, 'echo');
    assert.strictEqual(s.state, 'listening');
    assert.strictEqual(s.port, r.port);
    const payload = Buffer.from('hello TCP 你好 \x00\xff', 'latin1');
    const back = await exchange(r.port, payload, payload.length);
    assert.deepStrictEqual(back, payload);
    assert.match(logSince(a, mark), new RegExp(`Echo Server listening on 127\\.0\\.0\\.1:${r.port}`));
    // The client left: the log says so, with the reason.
    await waitFor(() => /client 127\.0\.0\.1:\d+ left/.test(logSince(a, mark)), 'the client to leave');
    assert.strictEqual(server(a, 'echo').clients, 0);
  });

  it('counts connected clients while they stay', async () => {
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const sockets = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const c = net.connect({ host: '127.0.0.1', port: r.port }, () => resolve(c));
            c.on('error', reject);
          }),
      ),
    );
    try {
      await waitFor(() => server(a, 'echo').clients === 2, '2 clients');
    } finally {
      sockets.forEach((c) => c.destroy());
    }
    await waitFor(() => server(a, 'echo').clients === 0, '0 clients');
  });

  it('answers each message with the reply text in reply mode', async () => {
    const r = await must('tcpWorkbench.startEchoServer', { port: 0, mode: 'reply', replyText: 'got it\n' });
    const back = await exchange(r.port, Buffer.from('anything'), 7);
    assert.strictEqual(back.toString(), 'got it\n');
  });

  it('reports a port in use by name and starts nothing', async () => {
    busy = await listen((c) => c.destroy());
    const port = (busy.address() as net.AddressInfo).port;
    const mark = a.logCount();
    const r = await run('tcpWorkbench.startEchoServer', { port });
    assert.strictEqual(r, undefined);
    assert.strictEqual(server(a, 'echo').state, 'stopped');
    assert.match(logSince(a, mark), new RegExp(`Port ${port} is already in use`));
  });

  it('frees the port on stop', async () => {
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    assert.strictEqual(await tryConnect(r.port), 'connected');
    await run('tcpWorkbench.stopServer', { entryId: 'echo' });
    assert.strictEqual(server(a, 'echo').state, 'stopped');
    assert.strictEqual(await tryConnect(r.port), 'ECONNREFUSED');
    // The port can be bound again at once.
    busy = net.createServer();
    await new Promise<void>((resolve, reject) => {
      busy?.once('error', reject);
      busy?.listen(r.port, '127.0.0.1', resolve);
    });
  });

  it('Stop All Servers leaves nothing listening', async () => {
    const e = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const added = await must('tcpWorkbench.addServer', { kind: 'echo', port: 0 });
    assert.ok(added && added.port !== e.port);
    const held = net.connect({ host: '127.0.0.1', port: e.port });
    await new Promise((r) => held.once('connect', r));
    const closed = new Promise((r) => held.once('close', r));
    assert.strictEqual(a.servers().filter((s) => s.state === 'listening').length, 2);
    await run('tcpWorkbench.stopAllServers');
    await closed; // the connected client was disconnected, not left hanging
    assert.deepStrictEqual(
      a.servers().filter((s) => s.state !== 'stopped'),
      [],
    );
    assert.strictEqual(await tryConnect(e.port), 'ECONNREFUSED');
    assert.strictEqual(await tryConnect(added.port), 'ECONNREFUSED');
    await run('tcpWorkbench.removeServer', { entryId: added.id });
    assert.strictEqual(
      a.servers().some((s) => s.id === added.id),
      false,
    );
  });

  it('refuses to start on a bad setting, with a message naming it', async () => {
    const mark = a.logCount();
    await vscode.workspace.getConfiguration('tcpWorkbench').update('encoding', 'klingon', vscode.ConfigurationTarget.Global);
    await waitFor(() => /tcpWorkbench\.encoding/.test(logSince(a, mark)), 'the setting to be re-read');
    const r = await run('tcpWorkbench.startEchoServer', { port: 0 });
    assert.strictEqual(r, undefined);
    assert.strictEqual(server(a, 'echo').state, 'stopped');
    assert.match(logSince(a, mark), /Setting "tcpWorkbench\.encoding": Unknown encoding "klingon"/);
    await vscode.workspace.getConfiguration('tcpWorkbench').update('encoding', undefined, vscode.ConfigurationTarget.Global);
    // The settings are re-read when VS Code reports the change, which may come just after update() resolves.
    let ok: StartResult | undefined;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await run('tcpWorkbench.startEchoServer', { port: 0 });
      if (!ok) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(ok && ok.port > 0, 'the server starts again once the setting is fixed');
  });

  it('keeps the traffic log bounded under a flood of echo traffic', async function () {
    this.timeout(30_000);
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const total = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(16 * 1024, 'x');
    await new Promise<void>((resolve, reject) => {
      let back = 0;
      let sent = 0;
      const c = net.connect({ host: '127.0.0.1', port: r.port });
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!c.write(chunk)) {
            c.once('drain', pump);
            return;
          }
        }
      };
      c.on('connect', pump);
      c.on('data', (d: Buffer) => {
        back += d.length;
        if (back >= total) {
          c.destroy();
          resolve();
        }
      });
      c.on('error', reject);
    });
    const text = a.trafficText('server:echo');
    // 2000 entries of at most ~300 characters each, however much went through.
    assert.ok(text.length < 2000 * 400, `traffic text is ${text.length} characters`);
    await waitFor(() => /more chunks \([\d.]+ [KMG]?B\) not shown/.test(a.trafficText('server:echo')), 'the "not shown" summary', 3000);
  });
});
