// `.tcp` conversation files in the editor: the language, diagnostics while typing, CodeLens, runs through the
// Testing view (Run Script command), Run all with a listen block, Save as Script, and the linear regex engine
// inside this extension host. Every script talks to a real server on 127.0.0.1 (a mock of its own, or ours).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Api, api, cleanup, close, listen, must, run, scratchFolder, waitFor } from './helpers';

const MOCK = ['### mock', 'listen 127.0.0.1:0', 'on "PING\\n" send "PONG\\n"', 'on "HI\\n" send "HELLO\\n"', ''];

describe('Scripts (.tcp files in the extension host)', () => {
  let a: Api;
  let dir: string;

  before(async () => {
    a = await api();
  });

  beforeEach(() => {
    dir = scratchFolder('scripts');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await a.stopAll();
    cleanup(dir);
  });

  function write(name: string, lines: string[]): vscode.Uri {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.join('\n'));
    return vscode.Uri.file(file);
  }

  const diagnosticsOf = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri);

  it('registers the tcp-script language for .tcp files', async () => {
    assert.ok((await vscode.languages.getLanguages()).includes('tcp-script'));
    const doc = await vscode.workspace.openTextDocument(write('lang.tcp', ['### x', 'connect 9007']));
    assert.strictEqual(doc.languageId, 'tcp-script');
  });

  it('puts each problem at its line and columns with its code while typing, and clears it when fixed', async () => {
    const uri = write('bad.tcp', ['### bad', 'connect 127.0.0.1:9007', 'send "a\\qb"', 'frob 1', '']);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    await waitFor(() => diagnosticsOf(uri).length >= 2, 'two diagnostics');
    const byCode = new Map(diagnosticsOf(uri).map((d) => [String(d.code), d]));
    const esc = byCode.get('script.badEscape');
    assert.ok(esc, JSON.stringify(diagnosticsOf(uri)));
    // `\q` is at columns 7..9 of line 2 (zero-based).
    assert.deepStrictEqual([esc.range.start.line, esc.range.start.character, esc.range.end.character], [2, 7, 9]);
    assert.strictEqual(esc.severity, vscode.DiagnosticSeverity.Error);
    const step = byCode.get('script.unknownStep');
    assert.ok(step);
    assert.deepStrictEqual([step.range.start.line, step.range.start.character], [3, 0]);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(2, 0, 3, 6), 'send "a\\nb"\nclose');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(() => diagnosticsOf(uri).length === 0, 'the diagnostics to clear after the fix');
  });

  it('offers ▶ Run all, ▶ Run per client block and ▶ Start server per listen block', async () => {
    const uri = write('lens.tcp', [...MOCK, '### one', 'connect {{listen.port}}', 'close', '', '### two', 'connect {{listen.port}}', 'close', '']);
    await vscode.workspace.openTextDocument(uri);
    let lenses: vscode.CodeLens[] = [];
    // The provider is there once the extension is active; ask a few times while the language settles.
    for (let i = 0; i < 50 && lenses.length === 0; i++) {
      lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      if (lenses.length === 0) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const seen = lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]);
    assert.deepStrictEqual(seen, [
      [0, '▶ Run all', 'tcpWorkbench.runScript'],
      [0, '▶ Start server', 'tcpWorkbench.startScriptServer'],
      [5, '▶ Run', 'tcpWorkbench.runScript'],
      [9, '▶ Run', 'tcpWorkbench.runScript'],
    ]);
    assert.deepStrictEqual(lenses[1].command?.arguments, [{ uri: uri.toString(), line: 0 }]);
  });

  it('runs one block and reports pass, and a failing one with its message at the failing line', async () => {
    const uri = write('run.tcp', [
      ...MOCK,
      '### passes',
      'connect {{listen.port}}',
      'send "PING\\n"',
      'expect "PONG\\n"',
      '',
      '### fails',
      'connect {{listen.port}}',
      'send "HI\\n"',
      'expect "HELLX\\n"',
      '',
    ]);
    const ok = await must('tcpWorkbench.runScript', { uri: uri.toString(), line: 6 });
    assert.deepStrictEqual([ok.passed, ok.failed, ok.blocks.map((b) => [b.title, b.status])], [1, 0, [['passes', 'passed']]]);
    const bad = await must('tcpWorkbench.runScript', { uri: uri.toString(), line: 10 });
    assert.deepStrictEqual([bad.passed, bad.failed], [0, 1]);
    const f = bad.blocks[0].failure;
    assert.ok(f, JSON.stringify(bad));
    assert.strictEqual(f.line, 13, JSON.stringify(f));
    assert.match(f.message, /expected "HELLX\\n" got "HELLO\\n" \(first difference at byte 4\)/);
    // The run's bytes are in the traffic log like any session's.
    assert.match(a.trafficText(), /Script "passes" .*PING/);
  });

  it("Run all starts the file's mock, runs every client block against it and stops it", async () => {
    const sample = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', 'hello.tcp');
    assert.ok(fs.existsSync(sample), `the sample workspace has ${sample}`);
    const uri = write('hello.tcp', fs.readFileSync(sample, 'utf8').split('\n'));
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.passed, r.failed, r.cancelled, r.blocks.map((b) => b.title)], [2, 0, false, ['ping', 'quit']]);
  });

  it("a file with a parse error fails at the error's line without connecting", async () => {
    const uri = write('broken.tcp', ['### broken', 'connect 127.0.0.1:9', 'wait 100', '']);
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.passed, r.failed, r.blocks[0]?.failure?.line], [0, 1, 2]);
    assert.match(r.blocks[0]?.failure?.message ?? '', /broken\.tcp:3:6: /);
  });

  it("Save as Script writes a session's traffic as a file that passes when run, and never overwrites", async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${echo.port}`, show: false });
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'hello script' });
    await waitFor(() => (a.sessions().find((x) => x.id === s.id)?.bytesIn ?? 0) > 0, 'the echo');
    const target = path.join(dir, 'saved.tcp');
    const saved = await must('tcpWorkbench.saveSessionAsScript', { sessionId: s.id, path: target });
    assert.strictEqual(saved.path, target);
    const text = fs.readFileSync(target, 'utf8');
    assert.match(text, new RegExp(`connect 127\\.0\\.0\\.1:${echo.port}\\nsend "hello script"\\nexpect "hello script"\\nclose`));
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, target, 'opened in an editor');
    const r = await must('tcpWorkbench.runScript', { uri: vscode.Uri.file(target).toString() });
    assert.deepStrictEqual([r.passed, r.failed], [1, 0], JSON.stringify(r));
    fs.writeFileSync(target, 'mine');
    assert.strictEqual(await run('tcpWorkbench.saveSessionAsScript', { sessionId: s.id, path: target }), undefined);
    assert.strictEqual(fs.readFileSync(target, 'utf8'), 'mine');
  });

  it('a block of two named connections with an include is one test; the traffic log names each connection', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    fs.writeFileSync(path.join(dir, 'hello.inc.tcp'), 'alice send "hi\\n"\nany order\n  alice expect "hi\\n"\n  bob expect "yo\\n"\n');
    const uri = write('two.tcp', [
      '### two at once',
      `connect alice 127.0.0.1:${echo.port}`,
      `connect bob 127.0.0.1:${echo.port}`,
      'bob send "yo\\n"',
      'include hello.inc.tcp',
      'bob close',
      '',
    ]);
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.passed, r.failed, r.blocks.map((b) => b.title)], [1, 0, ['two at once']], JSON.stringify(r));
    assert.match(a.trafficText(), /Script "two at once" alice/);
    assert.match(a.trafficText(), /Script "two at once" bob/);
    // A missing include is a Problem at the include line.
    const bad = write('missing.tcp', ['### m', 'connect a 127.0.0.1:9', 'include nope.tcp', '']);
    await vscode.workspace.openTextDocument(bad);
    await waitFor(() => diagnosticsOf(bad).length > 0, 'a diagnostic for the missing include');
    assert.deepStrictEqual([String(diagnosticsOf(bad)[0].code), diagnosticsOf(bad)[0].range.start.line], ['script.badInclude', 2]);
  });

  it('Save as Script of two sessions writes one block of named connections that passes when run', async () => {
    const echo = await must('tcpWorkbench.startEchoServer', { port: 0 });
    const s1 = await must('tcpWorkbench.connect', { address: `127.0.0.1:${echo.port}`, show: false });
    const s2 = await must('tcpWorkbench.connect', { address: `127.0.0.1:${echo.port}`, show: false });
    await must('tcpWorkbench.sendText', { sessionId: s1.id, text: 'one' });
    await waitFor(() => (a.sessions().find((x) => x.id === s1.id)?.bytesIn ?? 0) > 0, 'the first echo');
    await must('tcpWorkbench.sendText', { sessionId: s2.id, text: 'two' });
    await waitFor(() => (a.sessions().find((x) => x.id === s2.id)?.bytesIn ?? 0) > 0, 'the second echo');
    const target = path.join(dir, 'both.tcp');
    await must('tcpWorkbench.saveSessionAsScript', { sessionIds: [s1.id, s2.id], path: target });
    const text = fs.readFileSync(target, 'utf8');
    const n1 = `session${s1.id}`;
    const n2 = `session${s2.id}`;
    assert.ok(text.includes(`${n1} send "one"\n${n1} expect "one"\n${n2} send "two"\n${n2} expect "two"\n${n1} close\n${n2} close`), text);
    const r = await must('tcpWorkbench.runScript', { uri: vscode.Uri.file(target).toString() });
    assert.deepStrictEqual([r.passed, r.failed], [1, 0], JSON.stringify(r));
  });

  it('Cancel in the Testing view stops a run at once and closes its socket', async () => {
    const peers: { closed: boolean }[] = [];
    const srv = await listen((sock) => {
      const p = { closed: false };
      peers.push(p);
      sock.on('close', () => (p.closed = true));
      sock.on('error', () => undefined);
    });
    try {
      const uri = write('slow.tcp', ['### slow', `connect 127.0.0.1:${srv.port}`, 'wait 30s', 'close', '']);
      const started = Date.now();
      const result = run('tcpWorkbench.runScript', { uri: uri.toString() });
      await waitFor(() => peers.length === 1, 'the script to connect');
      await vscode.commands.executeCommand('testing.cancelRun');
      const r = await result;
      assert.ok(r, 'a result');
      assert.deepStrictEqual([r.cancelled, r.blocks.map((b) => b.status)], [true, ['cancelled']]);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      await waitFor(() => peers[0].closed, 'the socket to close', 2000);
    } finally {
      await close(srv);
    }
  });

  it('runs regexes on the linear-time engine here: backtracking patterns are refused, (a+)+$ cannot freeze', async () => {
    const refused = write('backref.tcp', ['### b', 'connect 127.0.0.1:9', 'expect /(a)\\1/', '']);
    await vscode.workspace.openTextDocument(refused);
    await waitFor(() => diagnosticsOf(refused).length > 0, 'a diagnostic for the backreference');
    const d = diagnosticsOf(refused)[0];
    assert.strictEqual(d.code, 'script.badRegex');
    // "needs backtracking" comes from the linear engine refusing; without the engine every regex would be refused.
    assert.match(d.message, /needs backtracking/);
    const evil = 'a'.repeat(30_000);
    const uri = write('evil.tcp', [
      '@timeout = 1s',
      '### mock',
      'listen 127.0.0.1:0',
      `on "go\\n" send "${evil}b\\n"`,
      '',
      '### evil',
      'connect {{listen.port}}',
      'send "go\\n"',
      'expect /(a+)+$/',
      '',
    ]);
    const started = Date.now();
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.failed, r.blocks[0]?.failure?.line], [1, 8], JSON.stringify(r));
    assert.match(r.blocks[0]?.failure?.message ?? '', /1000 ms/);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  });
});
