// Mock servers from a .tcp file's listen block, in the Servers view: started by command, a raw socket
// gets the rule's reply, the rule hit is logged, and a parse error on save keeps the mock running.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, cleanup, exchange, logSince, must, run, scratchFolder, server, waitFor } from './helpers';

const MOCK = ['### fake sensor', 'listen 127.0.0.1:0', 'on connect send "WELCOME\\n"', 'on "PING" send "PONG\\n"', 'otherwise send "ERR\\n"', ''].join('\n');

describe('Mock servers (Servers view, commands in the extension host)', () => {
  let a: Api;
  let dir: string | undefined;
  let file: string;

  before(async () => {
    a = await api();
    await a.stopAll();
  });

  beforeEach(() => {
    dir = scratchFolder('mock');
    file = path.join(dir, 'sensor.tcp');
    fs.writeFileSync(file, MOCK);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.stopAll();
    for (const s of a.servers().filter((x) => x.kind === 'mock')) {
      await run('tcpWorkbench.removeServer', { entryId: s.id });
    }
    cleanup(dir);
  });

  it('starts a listen block by command; a raw socket gets the rule reply and the hit is logged', async () => {
    const mark = a.logCount();
    const r = await must('tcpWorkbench.startScriptServer', { uri: vscode.Uri.file(file).toString(), line: 2 });
    assert.ok(r.port > 0);
    const s = server(a, r.id);
    assert.deepStrictEqual([s.kind, s.label, s.state, s.file], ['mock', 'fake sensor', 'listening', file]);
    const back = await exchange(r.port, Buffer.from('PING\n'), 'WELCOME\nPONG\n'.length);
    assert.strictEqual(back.toString(), 'WELCOME\nPONG\n');
    await waitFor(() => /fake sensor: client 127\.0\.0\.1:\d+: rule 2 "PING" → 5 bytes/.test(logSince(a, mark)), 'the rule hit in the log');
    assert.match(a.trafficText(`server:${r.id}`), /PONG/);
    // The same block again is the same entry, still running.
    const again = await must('tcpWorkbench.startScriptServer', { uri: file, line: 0 });
    assert.deepStrictEqual([again.id, again.port], [r.id, r.port]);
  });

  it('a parse error on save keeps the running mock and says why', async () => {
    const r = await must('tcpWorkbench.startScriptServer', { uri: file, line: 1 });
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const mark = a.logCount();
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(3, 0), 'on "BROKEN send "x"\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save());
    await waitFor(() => /fake sensor keeps running: the file has an error/.test(logSince(a, mark)), 'the parse error in the log');
    assert.strictEqual(server(a, r.id).state, 'listening');
    const back = await exchange(r.port, Buffer.from('PING\n'), 'WELCOME\nPONG\n'.length);
    assert.strictEqual(back.toString(), 'WELCOME\nPONG\n');
  });

  it('Start on a stopped mock entry reads the file again: the new rules answer', async () => {
    const r = await must('tcpWorkbench.startScriptServer', { uri: file, line: 0 });
    await run('tcpWorkbench.stopServer', { entryId: r.id });
    fs.writeFileSync(file, MOCK.replace('PONG', 'PONG AGAIN'));
    const again = await must('tcpWorkbench.startServer', { entryId: r.id });
    assert.strictEqual(again.id, r.id);
    const back = await exchange(again.port, Buffer.from('PING\n'), 'WELCOME\nPONG AGAIN\n'.length);
    assert.strictEqual(back.toString(), 'WELCOME\nPONG AGAIN\n');
  });

  it('refuses a line outside any listen block, and a file that does not parse', async () => {
    fs.writeFileSync(file, `${MOCK}\n### client\nconnect 127.0.0.1:1\nsend "x"\n`);
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.startScriptServer', { uri: file, line: 8 }), undefined);
    assert.match(logSince(a, mark), /has no listen block at line 9/);
    fs.writeFileSync(file, 'listen 127.0.0.1:0\n### x\non "unterminated send "y"\n');
    assert.strictEqual(await run('tcpWorkbench.startScriptServer', { uri: file, line: 0 }), undefined);
    assert.ok(!a.servers().some((s) => s.kind === 'mock' && s.state === 'listening'));
  });
});
