// The file server and Download File…: a tutorial-style python client against the extension's server,
// the download command against a protocol server written here, byte-exact files in the workspace.
import * as assert from 'node:assert';
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, cleanup, close, listen, logSince, must, REPO, run, scratchFolder, server, fetchName, manifestDefault } from './helpers';

function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', args, { timeout: 15_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/**
 * The tutorial file server in a few lines: read the name (complete once 50 ms pass without more bytes),
 * send the file's bytes, close; an unknown name gets zero bytes.
 */
function protocolServer(files: Map<string, Buffer>): Promise<net.Server & { port: number }> {
  return listen((s) => {
    const parts: Buffer[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    s.on('error', () => undefined);
    s.on('data', (c: Buffer) => {
      parts.push(c);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const body = files.get(Buffer.concat(parts).toString('utf8'));
        if (body) {
          s.end(body);
        } else {
          s.end();
        }
      }, 50);
    });
  });
}

describe('File server and Download File (commands in the extension host)', () => {
  let a: Api;
  let dir: string | undefined;
  let peer: (net.Server & { port: number }) | undefined;
  const blob = crypto.randomBytes(300 * 1024 + 7);

  before(async () => {
    a = await api();
    await a.stopAll();
  });

  beforeEach(() => {
    dir = scratchFolder('tcp-test');
  });

  afterEach(async () => {
    await a.stopAll();
    await close(peer);
    peer = undefined;
    cleanup(dir);
    dir = undefined;
  });

  it('serves the workspace to a tutorial-style python client', async () => {
    const root = dir as string;
    fs.mkdirSync(path.join(root, 'sub'));
    fs.writeFileSync(path.join(root, 'sub', 'blob.bin'), blob);
    const r = await must('tcpWorkbench.startFileServer', { port: 0, root });
    assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
    assert.strictEqual(server(a, r.id).root, root);
    const out = path.join(root, 'got.bin');
    const said = await python([path.join(REPO, 'test/peers/file_client.py'), '127.0.0.1', String(r.port), 'sub/blob.bin', out]);
    assert.match(said, new RegExp(`received ${blob.length} bytes`));
    assert.ok(fs.readFileSync(out).equals(blob), 'the python client got the file byte-exact');
    const missing = await python([path.join(REPO, 'test/peers/file_client.py'), '127.0.0.1', String(r.port), 'nope.txt', path.join(root, 'nope.out')]);
    assert.match(missing, /file does not exist/);
    assert.strictEqual(fs.existsSync(path.join(root, 'nope.out')), false);
  });

  it('serves the folder of the fileRoot setting (relative to the workspace) when no root is given', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the tests run with a workspace folder open');
    const setting = vscode.workspace.getConfiguration('tcpWorkbench').get<string>('fileRoot', '');
    const expected = setting ? path.resolve(ws, setting) : ws;
    const r = await must('tcpWorkbench.startFileServer', { port: 0 });
    assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
    assert.strictEqual(server(a, r.id).root, expected);
    const name = `tcp-test-${crypto.randomBytes(4).toString('hex')}.txt`;
    fs.writeFileSync(path.join(expected, name), 'from the workspace\n');
    try {
      const got = await must('tcpWorkbench.downloadFile', { address: r.address, name, folder: path.join(dir as string, 'down') });
      assert.ok(got, 'downloaded');
      assert.strictEqual(got.path, path.join(dir as string, 'down', name));
      assert.strictEqual(fs.readFileSync(got.path, 'utf8'), 'from the workspace\n');
    } finally {
      fs.rmSync(path.join(expected, name), { force: true });
    }
  });

  it('denies the default list in the workspace: .env and .git/ refused and hidden, the rest served', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the tests run with a workspace folder open');
    assert.deepStrictEqual(vscode.workspace.getConfiguration('tcpWorkbench').get('fileDeny'), manifestDefault('tcpWorkbench.fileDeny'));
    const marker = `fake-env-marker-${crypto.randomBytes(6).toString('hex')}`;
    const env = path.join(ws, '.env');
    const git = path.join(ws, '.git');
    assert.strictEqual(fs.existsSync(env) || fs.existsSync(git), false, 'the sample workspace has no .env or .git of its own');
    fs.writeFileSync(env, `API_KEY=${marker}\n`);
    fs.mkdirSync(git);
    fs.writeFileSync(path.join(git, 'config'), `[remote] url = https://${marker}@example.invalid\n`);
    try {
      const r = await must('tcpWorkbench.startFileServer', { port: 0 });
      assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
      assert.strictEqual(server(a, r.id).root, ws);
      const mark = a.logCount();
      for (const name of ['.env', '.ENV', '.env.', './.env', '.git/config', '.git/']) {
        const got = await fetchName(r.port, name);
        assert.strictEqual(got.length, 0, `${name}: ${got.length} bytes came back`);
      }
      const listing = (await fetchName(r.port, '/')).toString('utf8').split('\n');
      assert.ok(listing.includes('README.md'), `listing: ${listing.join(', ')}`);
      assert.strictEqual(listing.includes('.env') || listing.includes('.git/'), false, `listing: ${listing.join(', ')}`);
      const readme = await fetchName(r.port, 'README.md');
      assert.ok(readme.equals(fs.readFileSync(path.join(ws, 'README.md'))), 'README.md still served');
      const log = logSince(a, mark);
      assert.match(log, /"\.env": .* \(denied by tcpWorkbench\.fileDeny: \.env\)/);
      assert.match(log, /"\.git\/config": .* \(denied by tcpWorkbench\.fileDeny: \.git\/\)/);
      assert.strictEqual(log.includes(marker), false);
    } finally {
      fs.rmSync(env, { force: true });
      fs.rmSync(git, { recursive: true, force: true });
    }
  });

  it('downloads from a server started by the test into the workspace, byte-exact', async () => {
    peer = await protocolServer(new Map([['blob.bin', blob]]));
    const target = path.join(dir as string, 'downloads');
    const got = await must('tcpWorkbench.downloadFile', { address: `127.0.0.1:${peer.port}`, name: 'blob.bin', folder: target });
    assert.ok(got, 'the command returned a result');
    assert.strictEqual(got.path, path.join(target, 'blob.bin'));
    assert.strictEqual(got.bytes, blob.length);
    assert.ok(fs.readFileSync(got.path).equals(blob), 'byte-exact');
    assert.strictEqual(got.sha256, crypto.createHash('sha256').update(blob).digest('hex'));
  });

  it('keeps both files when asked, and refuses to overwrite by default', async () => {
    peer = await protocolServer(new Map([['a.txt', Buffer.from('second')]]));
    const folder = dir as string;
    fs.writeFileSync(path.join(folder, 'a.txt'), 'first');
    const mark = a.logCount();
    const refused = await run('tcpWorkbench.downloadFile', { address: `127.0.0.1:${peer.port}`, name: 'a.txt', folder });
    assert.strictEqual(refused, undefined);
    assert.match(logSince(a, mark), /already exists/);
    assert.strictEqual(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8'), 'first');
    const kept = await must('tcpWorkbench.downloadFile', { address: `127.0.0.1:${peer.port}`, name: 'a.txt', folder, existing: 'keep-both' });
    assert.ok(kept && kept.path !== path.join(folder, 'a.txt'));
    assert.strictEqual(fs.readFileSync(kept.path, 'utf8'), 'second');
    assert.strictEqual(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8'), 'first');
  });

  it('says "not found on the server" for an empty answer and leaves no file', async () => {
    peer = await protocolServer(new Map());
    const folder = dir as string;
    const mark = a.logCount();
    const r = await run('tcpWorkbench.downloadFile', { address: `127.0.0.1:${peer.port}`, name: 'missing.txt', folder });
    assert.strictEqual(r, undefined);
    assert.match(logSince(a, mark), new RegExp(`"missing.txt" was not found on the server 127\\.0\\.0\\.1:${peer.port}`));
    assert.deepStrictEqual(fs.readdirSync(folder), []);
  });
});
