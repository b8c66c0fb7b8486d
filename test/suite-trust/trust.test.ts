// Workspace Trust in the real editor: the folder is untrusted and its .vscode/settings.json asks for
// tcpWorkbench.host 0.0.0.0, a fileRoot outside the workspace and an empty fileDeny next to a .env
// (test/editor/run.mjs writes them). All three are restricted settings, so VS Code must ignore them: the
// servers stay on loopback, serving the workspace, and the default deny list keeps the .env in.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Api, api, exchange, fetchName, logSince, manifestDefault, server, tryConnect } from '../suite/helpers';

interface StartResult {
  id: string;
  address: string;
  port: number;
}

interface WorkspaceSettings {
  'tcpWorkbench.host': string;
  'tcpWorkbench.fileRoot': string;
  'tcpWorkbench.fileDeny': string[];
  'tcpWorkbench.replyText': string;
}

describe('Workspace Trust (untrusted folder, restricted settings)', () => {
  let a: Api;
  let ws: string;
  let wanted: WorkspaceSettings;

  before(async () => {
    a = await api();
    await a.stopAll();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the trust run opens a folder');
    ws = folder.uri.fsPath;
    wanted = JSON.parse(fs.readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8')) as WorkspaceSettings;
  });

  afterEach(async () => {
    await a.stopAll();
  });

  it('runs in an untrusted workspace whose settings ask for every interface and a root outside it', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    // What the folder asks for: if VS Code applied it, the servers would listen on every interface.
    assert.strictEqual(wanted['tcpWorkbench.host'], '0.0.0.0');
    assert.ok(path.isAbsolute(wanted['tcpWorkbench.fileRoot']) && !wanted['tcpWorkbench.fileRoot'].startsWith(ws + path.sep));
    assert.ok(fs.existsSync(path.join(wanted['tcpWorkbench.fileRoot'], 'secret.txt')), 'the outside folder holds the secret');
    // And it tries to switch the deny list off, next to a .env of its own.
    assert.deepStrictEqual(wanted['tcpWorkbench.fileDeny'], []);
    assert.match(fs.readFileSync(path.join(ws, '.env'), 'utf8'), /untrusted-env-marker/);
  });

  it('ignores the restricted settings and applies the others from the same file', () => {
    const c = vscode.workspace.getConfiguration('tcpWorkbench', vscode.workspace.workspaceFolders?.[0]?.uri);
    assert.strictEqual(c.get('host'), '127.0.0.1');
    assert.strictEqual(c.get('fileRoot'), '');
    assert.deepStrictEqual(c.get('fileDeny'), manifestDefault('tcpWorkbench.fileDeny'));
    assert.ok((c.get<string[]>('fileDeny') ?? []).includes('.env'));
    // Not restricted: this proves the settings file was read, so the two above were ignored, not missed.
    assert.strictEqual(c.get('replyText'), wanted['tcpWorkbench.replyText']);
  });

  it('starts the file server on 127.0.0.1, serving the workspace folder, not the outside root', async () => {
    const r = await vscode.commands.executeCommand<StartResult>('tcpWorkbench.startFileServer', { port: 0 });
    assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
    assert.strictEqual(r.address, `127.0.0.1:${r.port}`);
    const s = server(a, r.id);
    assert.strictEqual(s.state, 'listening');
    assert.strictEqual(s.address, `127.0.0.1:${r.port}`);
    assert.strictEqual(s.root, ws);
    assert.notStrictEqual(s.root, wanted['tcpWorkbench.fileRoot']);
    assert.notStrictEqual(s.root, '/');
    // It serves the workspace's own file, and not a byte of the secret.
    const readme = await fetchName(r.port, 'README.md');
    assert.ok(readme.equals(fs.readFileSync(path.join(ws, 'README.md'))), 'README.md of the workspace, byte-exact');
    const secret = await fetchName(r.port, 'secret.txt');
    assert.strictEqual(secret.includes('not for the network'), false);
  });

  it('keeps denying .env: the workspace cannot empty the deny list', async () => {
    const r = await vscode.commands.executeCommand<StartResult>('tcpWorkbench.startFileServer', { port: 0 });
    assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
    const mark = a.logCount();
    const env = await fetchName(r.port, '.env');
    assert.strictEqual(env.length, 0, `${env.length} bytes of .env came back`);
    assert.strictEqual(env.includes('untrusted-env-marker'), false);
    const listing = (await fetchName(r.port, '/')).toString('utf8').split('\n');
    assert.ok(listing.includes('README.md'), `listing: ${listing.join(', ')}`);
    assert.strictEqual(listing.includes('.env'), false, 'the listing shows .env');
    assert.match(logSince(a, mark), /"\.env": .* \(denied by tcpWorkbench\.fileDeny: \.env\)/);
  });

  it('starts the echo server on 127.0.0.1 only, answering with the workspace reply text', async () => {
    const r = await vscode.commands.executeCommand<StartResult>('tcpWorkbench.startEchoServer', { port: 0, mode: 'reply' });
    assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
    assert.strictEqual(r.address, `127.0.0.1:${r.port}`);
    const reply = wanted['tcpWorkbench.replyText'];
    const back = await exchange(r.port, Buffer.from('hello'), Buffer.byteLength(reply));
    assert.strictEqual(back.toString('utf8'), reply);
    assert.strictEqual(await tryConnect(r.port), 'connected');
  });
});
