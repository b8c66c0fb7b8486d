// Workspace Trust in the real editor: the folder is untrusted and its .vscode/settings.json asks for
// tcpWorkbench.host 0.0.0.0 and a fileRoot outside the workspace (test/editor/run.mjs writes it). Both are
// restricted settings, so VS Code must ignore them and the servers stay on loopback, serving the workspace.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Api, api, exchange, server, tryConnect } from '../suite/helpers';

interface StartResult {
  id: string;
  address: string;
  port: number;
}

interface WorkspaceSettings {
  'tcpWorkbench.host': string;
  'tcpWorkbench.fileRoot': string;
  'tcpWorkbench.replyText': string;
}

/** Asks a file server for `name` the way the protocol goes: send the name, read until the server closes. */
function fetchName(port: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(name));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no end from the file server within 5 s for "${name}"`));
    }, 5000);
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts));
    });
    s.on('error', () => undefined); // a reset still ends in 'close'
  });
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
  });

  it('ignores the restricted settings and applies the others from the same file', () => {
    const c = vscode.workspace.getConfiguration('tcpWorkbench', vscode.workspace.workspaceFolders?.[0]?.uri);
    assert.strictEqual(c.get('host'), '127.0.0.1');
    assert.strictEqual(c.get('fileRoot'), '');
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
