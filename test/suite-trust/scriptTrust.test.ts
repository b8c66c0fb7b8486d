// Running a `.tcp` script connects to the network, so in an untrusted workspace a call without a person
// (an options object) is refused with a clear message; from the editor it asks first (a modal).
import * as assert from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, logSince } from '../suite/helpers';

describe('Workspace Trust: scripts', () => {
  it('refuses to run a script without asking in an untrusted workspace', async () => {
    const a = await api();
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const mark = a.logLines().length;
    const uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'hello.tcp'));
    const r = await vscode.commands.executeCommand('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.strictEqual(r, undefined);
    assert.match(logSince(a, mark), /not trusted.*running a script connects to the network/);
  });
});

describe('Workspace Trust: agent tools', () => {
  it('a tool that connects is refused in an untrusted workspace, as a readable result', async () => {
    await api();
    const r = await vscode.lm.invokeTool('tcpWorkbench_exchange', { input: { port: 9, send: 'x' }, toolInvocationToken: undefined });
    const text = r.content.map((p) => (p as { value?: string }).value ?? '').join('');
    assert.match(text, /tcpWorkbench_exchange refused: this workspace is not trusted/);
  });
});
