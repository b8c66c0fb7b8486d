// Connect, Send Selection, Send Text and Disconnect against servers the test owns.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, Api, exchange, logSince, must, RecordingPeer, run, tryConnect, waitFor } from './helpers';

describe('Connect and send (commands in the extension host)', () => {
  let a: Api;
  const peer = new RecordingPeer();

  before(async () => {
    a = await api();
  });

  beforeEach(async () => {
    await peer.start();
  });

  afterEach(async () => {
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await a.stopAll();
    await peer.stop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const got = () => peer.got().toString('utf8');

  it('sends the selections of an opened document in order, an empty one as its line', async () => {
    const port = peer.port;
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${port}`, show: false });
    assert.ok(s, 'connected');
    assert.strictEqual(s.address, `127.0.0.1:${port}`);
    assert.deepStrictEqual(
      a.sessions().map((x) => [x.id, x.state]),
      [[s.id, 'connected']],
    );
    const doc = await vscode.workspace.openTextDocument({ content: 'HELLO 1\nsecond line\n你好 third' });
    const editor = await vscode.window.showTextDocument(doc);
    // Two selections, the later one first: they go out in document order.
    editor.selections = [new vscode.Selection(1, 0, 1, 11), new vscode.Selection(0, 0, 0, 5)];
    await run('tcpWorkbench.sendSelection');
    await waitFor(() => got() === 'HELLOsecond line', '"HELLOsecond line"');
    // An empty selection sends its whole line.
    editor.selections = [new vscode.Selection(2, 1, 2, 1)];
    await run('tcpWorkbench.sendSelection');
    await waitFor(() => got() === 'HELLOsecond line你好 third', 'the third line');
    assert.strictEqual(a.sessions()[0].bytesOut, Buffer.byteLength('HELLOsecond line你好 third'));
  });

  it('appends the line ending from the settings', async () => {
    const cfg = vscode.workspace.getConfiguration('tcpWorkbench');
    await cfg.update('lineEnding', 'crlf', vscode.ConfigurationTarget.Global);
    try {
      const port = peer.port;
      await run('tcpWorkbench.connect', { address: `127.0.0.1:${port}`, show: false });
      // The change reaches the extension asynchronously; send until it is applied.
      for (let i = 0; i < 50 && !got().endsWith('x\r\n'); i++) {
        await run('tcpWorkbench.sendText', { text: 'x' });
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(got().endsWith('x\r\n'), JSON.stringify(got()));
    } finally {
      await cfg.update('lineEnding', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('talks to its own echo server and shows the exchange in the traffic log', async () => {
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const s = await must('tcpWorkbench.connect', { address: String(r.port), show: false });
    assert.strictEqual(s.address, `127.0.0.1:${r.port}`);
    await run('tcpWorkbench.sendText', { sessionId: s.id, text: 'ping 42' });
    await waitFor(() => a.sessions().find((x) => x.id === s.id)?.bytesIn === 7, 'the echo');
    await waitFor(() => {
      const t = a.trafficText(`session:${s.id}`);
      return /→ 127\.0\.0\.1:\d+ {2}ping 42/.test(t) && /← 127\.0\.0\.1:\d+ {2}ping 42/.test(t);
    }, 'the traffic entries');
    assert.match(a.trafficText('server:echo'), /← 127\.0\.0\.1:\d+ {2}ping 42/);
  });

  it('shows bytes that are not text as a hex dump in the traffic log', async () => {
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const binary = Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x80, 0x02, 0x03, 0x04]);
    const back = await exchange(r.port, binary, binary.length);
    assert.deepStrictEqual(back, binary);
    await waitFor(() => /← 127\.0\.0\.1:\d+ {2}\[hex\] 00 01 ff fe 80 02 03 04$/m.test(a.trafficText('server:echo')), 'the hex entry');
  });

  it('disconnect closes the session and the peer sees the end', async () => {
    const port = peer.port;
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${port}`, show: false });
    await waitFor(() => peer.sockets.length === 1, 'the peer to accept');
    const ended = new Promise((r) => peer.sockets[0].once('close', r));
    await run('tcpWorkbench.disconnect', { sessionId: s.id });
    await ended;
    assert.deepStrictEqual(a.sessions(), []);
  });

  it('names host and port when a connection is refused', async () => {
    const port = peer.port;
    await peer.stop();
    assert.strictEqual(await tryConnect(port), 'ECONNREFUSED');
    const mark = a.logCount();
    const r = await run('tcpWorkbench.connect', { address: `127.0.0.1:${port}`, show: false });
    assert.strictEqual(r, undefined);
    assert.match(logSince(a, mark), new RegExp(`Cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`));
    assert.deepStrictEqual(a.sessions(), []);
  });

  it("rejects a malformed address with the parser's message", async () => {
    const mark = a.logCount();
    const r = await run('tcpWorkbench.connect', { address: 'localhost:99999', show: false });
    assert.strictEqual(r, undefined);
    assert.match(logSince(a, mark), /Port 99999 is out of range/);
  });
});
