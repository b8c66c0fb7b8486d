// The viewing side: the hex view toggle and layouts of traffic documents (re-rendered from the ring, nothing
// lost), a connection's own document with only time, direction and data, the session terminal against our
// echo server, and the status bar's plurals.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, Api, must, run, waitFor } from './helpers';

const COMPACT = /^\d\d:\d\d:\d\d\.\d{3} {2}[←→·] {2}\S/;

/** The text of a traffic document, waited for until `check` holds (documents refresh twice a second). */
async function docText(uri: string, check: (t: string) => boolean, what: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  await waitFor(() => check(doc.getText()), `${what}; the document says:\n${doc.getText()}`);
  return doc.getText();
}

describe('Traffic views, terminal and status bar (extension host)', () => {
  let a: Api;
  let port: number;
  let sessionId: number;

  before(async () => {
    a = await api();
  });

  beforeEach(async () => {
    port = (await must('tcpWorkbench.startEchoServer', { port: 0 })).port;
    sessionId = (await must('tcpWorkbench.connect', { address: `127.0.0.1:${port}`, show: false })).id;
  });

  afterEach(async () => {
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await a.stopAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const t of vscode.window.terminals) {
      t.dispose();
    }
  });

  it("toggles a session's document to a hex dump and back, and to text+hex, without losing data", async () => {
    await must('tcpWorkbench.sendText', { sessionId, text: 'ping 你好' });
    await waitFor(() => (a.sessions()[0]?.bytesIn ?? 0) >= 11, 'the echo');
    const hex = await must('tcpWorkbench.toggleHexView', { sessionId });
    assert.strictEqual(hex.layout, 'hex');
    const dump = await docText(hex.uri, (t) => t.includes('00000000  70 69 6e 67 20 e4 bd a0  e5 a5 bd'), 'the hex dump of "ping 你好"');
    assert.match(dump, /^ {4}00000000 {2}70 69 6e 67 20 e4 bd a0 {2}e5 a5 bd {17}\|ping \.\.\.\.\.\.\|$/m);
    assert.ok(!dump.includes('ping 你好'), 'the hex dump has no text lines');
    const hexDoc = await vscode.workspace.openTextDocument(vscode.Uri.parse(hex.uri));
    await waitFor(() => hexDoc.languageId === 'tcp-traffic-hex', 'the hex language (rows do not wrap)');
    assert.notStrictEqual(vscode.workspace.getConfiguration('editor', hexDoc).get('wordWrap'), 'on');
    const text = await must('tcpWorkbench.toggleHexView', { sessionId });
    assert.strictEqual(text.layout, 'text');
    assert.strictEqual(text.uri, hex.uri, 'the same document re-rendered');
    const back = await docText(text.uri, (t) => t.includes('ping 你好'), 'the text again');
    // Sent and echoed: both directions are still there.
    assert.match(back, /→ {2}ping 你好$/m);
    assert.match(back, /← {2}ping 你好$/m);
    const both = await must('tcpWorkbench.setTrafficLayout', { sessionId, layout: 'textAndHex' });
    await docText(both.uri, (t) => /e5 a5 bd {17}\|ping 你好\|$/m.test(t), 'hex with the decoded text beside it');
    assert.strictEqual(await run('tcpWorkbench.setTrafficLayout', { sessionId, layout: 'sideways' as never }), undefined, 'a bad layout is refused');
  });

  it("shows only time, direction and data in a session's own document; the general log keeps full lines", async () => {
    await must('tcpWorkbench.sendText', { sessionId, text: 'hello compact' });
    await waitFor(() => (a.sessions()[0]?.bytesIn ?? 0) >= 13, 'the echo');
    await run('tcpWorkbench.showSessionTraffic', { sessionId });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'tcp-traffic');
    assert.ok(editor, 'the session document is shown');
    assert.strictEqual(editor.document.languageId, 'tcp-traffic');
    assert.strictEqual(vscode.workspace.getConfiguration('editor', editor.document).get('wordWrap'), 'on', 'long data wraps');
    const text = await docText(editor.document.uri.toString(), (t) => /← {2}hello compact/.test(t), 'the echo line');
    const lines = text.trimEnd().split('\n');
    for (const l of lines) {
      assert.match(l, COMPACT);
      assert.ok(!l.includes(`127.0.0.1:${port}`) && !l.includes('Session'), `no peer or label in "${l}"`);
    }
    assert.match(a.trafficText(`session:${sessionId}`), new RegExp(`Session ${sessionId} ← 127\\.0\\.0\\.1:${port} {2}hello compact`));
  });

  it('opens a terminal on the session: a typed line goes out with Enter and the echo is printed; closing it keeps the session', async () => {
    const r = await must('tcpWorkbench.openTerminal', { sessionId });
    const terminal = vscode.window.terminals.find((t) => t.name === r.name);
    assert.ok(terminal, `a terminal named ${r.name}`);
    await waitFor(() => (a.terminalText(sessionId) ?? '').includes('Connected to'), 'the terminal to open');
    terminal.sendText('hello terminal', true);
    // Once as typed, once as the echo server sent it back.
    await waitFor(() => (a.terminalText(sessionId) ?? '').split('hello terminal').length === 3, 'the echo in the terminal');
    assert.strictEqual(a.sessions()[0].bytesOut, 'hello terminal\n'.length, 'the line with its line ending');
    terminal.dispose();
    await waitFor(() => a.terminalText(sessionId) === undefined, 'the terminal to close');
    assert.strictEqual(a.sessions()[0].state, 'connected', 'closing the terminal keeps the session');
    await must('tcpWorkbench.openTerminal', { sessionId });
    await waitFor(() => (a.terminalText(sessionId) ?? '').includes('Connected to'), 'the terminal to open again');
    await run('tcpWorkbench.disconnect', { sessionId });
    await waitFor(() => (a.terminalText(sessionId) ?? '').includes('Connection closed: closed by you'), 'the closing line');
  });

  it("the terminal sends with the session's own line ending (Set Encoding… to crlf)", async () => {
    await must('tcpWorkbench.setEncoding', { sessionId, lineEnding: 'crlf' });
    const r = await must('tcpWorkbench.openTerminal', { sessionId });
    const terminal = vscode.window.terminals.find((t) => t.name === r.name);
    assert.ok(terminal, `a terminal named ${r.name}`);
    await waitFor(() => (a.terminalText(sessionId) ?? '').includes('Connected to'), 'the terminal to open');
    terminal.sendText('crlf line', true);
    await waitFor(() => (a.sessions()[0]?.bytesOut ?? 0) >= 'crlf line\n'.length, 'the line to go out');
    await waitFor(() => a.trafficText(`session:${sessionId}`).includes('crlf line'), 'the line in the traffic log');
    assert.strictEqual(a.sessions()[0].bytesOut, 'crlf line\r\n'.length, 'the line with \\r\\n, not \\n');
  });

  it('says "1 TCP server running" and "2 TCP servers running" with its own icon', async () => {
    await waitFor(() => a.statusBar() !== undefined, 'the item to show');
    assert.deepStrictEqual(a.statusBar(), { text: '$(server-process) 1', label: '1 TCP server running' });
    await must('tcpWorkbench.startFileServer', { port: 0 });
    await waitFor(() => a.statusBar()?.label === '2 TCP servers running', 'the plural');
    assert.strictEqual(a.statusBar()?.text, '$(server-process) 2');
    await a.stopAll();
    await waitFor(() => a.statusBar() === undefined, 'the item to hide');
  });
});
