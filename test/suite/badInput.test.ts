// Bad settings and bad `host:port` input through the commands: each gives a message that names the
// problem, nothing starts (servers stay stopped, no session), and the next valid command still works.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, close, listen, logSince, must, run, setSetting, waitFor, fetchName } from './helpers';

const KEYS = ['echoPort', 'filePort', 'fileRoot', 'fileDeny', 'encoding', 'host'];

describe('Bad settings and input (commands in the extension host)', () => {
  let a: Api;
  let peer: (net.Server & { port: number }) | undefined;
  let tmp: string | undefined;

  before(async () => {
    a = await api();
    await a.stopAll();
  });

  afterEach(async () => {
    for (const k of KEYS) {
      await setSetting(k, undefined);
    }
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await a.stopAll();
    await close(peer);
    peer = undefined;
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
      tmp = undefined;
    }
  });

  /** Nothing listens and no session is open. */
  function nothingStarted(): void {
    assert.deepStrictEqual(
      a
        .servers()
        .filter((s) => s.state !== 'stopped')
        .map((s) => [s.id, s.state]),
      [],
    );
    assert.deepStrictEqual(a.sessions(), []);
  }

  /** Runs a command that must fail; returns what it logged. */
  async function fails(command: string, args: unknown): Promise<string> {
    const mark = a.logCount();
    const r = await vscode.commands.executeCommand(command, args);
    assert.strictEqual(r, undefined, `${command} should fail, but returned ${JSON.stringify(r)}`);
    const said = logSince(a, mark);
    assert.match(said, /^error: /m, `${command} logged no error:\n${said}`);
    return said;
  }

  /** The next valid command works: an echo server starts on a free port and answers. */
  async function stillWorks(): Promise<void> {
    const r = await must('tcpWorkbench.startEchoServer', { port: 0 });
    assert.ok(r && r.port > 0, `the echo server did not start after the bad input: ${JSON.stringify(r)}`);
    const s = await must('tcpWorkbench.connect', { address: r.address, show: false });
    assert.ok(s, 'connected to it');
    await run('tcpWorkbench.disconnect', { sessionId: s.id });
    await a.stopAll();
  }

  const portCases: [unknown, RegExp][] = [
    [70000, /Port 70000 is out of range \(0-65535\)/],
    [-1, /"-1" is not a port number/],
    ['abc', /"abc" is not a port number/],
    [1.5, /"1\.5" is not a port number/],
  ];
  for (const [key, command] of [
    ['echoPort', 'tcpWorkbench.startEchoServer'],
    ['filePort', 'tcpWorkbench.startFileServer'],
  ]) {
    for (const [value, message] of portCases) {
      it(`${key} ${JSON.stringify(value)}: names the setting, starts nothing`, async () => {
        await setSetting(key, value);
        // No port in the arguments: the setting is what counts. `{}` keeps the command from asking.
        const said = await fails(command, {});
        assert.match(said, new RegExp(`Setting "tcpWorkbench\\.${key}": `));
        assert.match(said, message);
        nothingStarted();
        await setSetting(key, undefined);
        await stillWorks();
      });
    }
  }

  it('echoPort 0 and filePort 0 mean any free port: both start', async () => {
    await setSetting('echoPort', 0);
    await setSetting('filePort', 0);
    const e = await must('tcpWorkbench.startEchoServer', {});
    const f = await must('tcpWorkbench.startFileServer', {});
    assert.ok(e && e.port > 0, `echo: ${JSON.stringify(e)}`);
    assert.ok(f && f.port > 0 && f.port !== e.port, `file: ${JSON.stringify(f)}`);
    assert.strictEqual(a.servers().filter((s) => s.state === 'listening').length, 2);
  });

  it('fileRoot that does not exist: names the folder, starts nothing', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-bad-root-'));
    const missing = path.join(tmp, 'no-such-folder');
    await setSetting('fileRoot', missing);
    const said = await fails('tcpWorkbench.startFileServer', { port: 0 });
    assert.ok(said.includes(`Setting "tcpWorkbench.fileRoot": the folder ${missing} does not exist.`), said);
    nothingStarted();
    assert.strictEqual(fs.existsSync(missing), false, 'the folder was not created');
    await stillWorks();
  });

  it('fileRoot that is a file: says so, starts nothing', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-bad-root-'));
    const file = path.join(tmp, 'plain.txt');
    fs.writeFileSync(file, 'not a folder');
    await setSetting('fileRoot', file);
    const said = await fails('tcpWorkbench.startFileServer', { port: 0 });
    assert.ok(said.includes(`Setting "tcpWorkbench.fileRoot": ${file} is a file, not a folder.`), said);
    nothingStarted();
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'not a folder');
    await stillWorks();
  });

  it('a fileDeny pattern that cannot be used: names the setting and the pattern, starts nothing', async () => {
    await setSetting('fileDeny', ['*.log', '../x']);
    const said = await fails('tcpWorkbench.startFileServer', { port: 0 });
    assert.ok(said.includes('Setting "tcpWorkbench.fileDeny": Deny pattern "../x": '), said);
    nothingStarted();
    await setSetting('fileDeny', undefined);
    await stillWorks();
  });

  it('a fileDeny list replaces the default: its patterns are denied, the default ones are not', async () => {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'the tests run with a workspace folder open');
    const env = path.join(ws, '.env');
    fs.writeFileSync(env, 'API_KEY=served-because-the-user-said-so\n');
    try {
      await setSetting('fileDeny', ['*.md']);
      const r = await must('tcpWorkbench.startFileServer', { port: 0 });
      assert.ok(r && r.port > 0, `no start result: ${JSON.stringify(r)}`);
      assert.strictEqual((await fetchName(r.port, 'README.md')).length, 0, 'README.md served despite *.md');
      assert.strictEqual((await fetchName(r.port, '.env')).toString('utf8'), 'API_KEY=served-because-the-user-said-so\n');
      const listing = (await fetchName(r.port, '/')).toString('utf8').split('\n');
      assert.ok(listing.includes('.env') && listing.includes('messages.txt') && !listing.includes('README.md'), listing.join(', '));
    } finally {
      fs.rmSync(env, { force: true });
    }
  });

  it('an unknown encoding: every command that would use it refuses, naming the setting', async () => {
    peer = await listen((s) => s.on('error', () => undefined));
    await setSetting('encoding', 'ebcdic');
    for (const [command, args] of [
      ['tcpWorkbench.startEchoServer', { port: 0 }],
      ['tcpWorkbench.startFileServer', { port: 0 }],
      ['tcpWorkbench.connect', { address: `127.0.0.1:${peer.port}`, show: false }],
    ] as const) {
      const said = await fails(command, args);
      assert.match(said, /Setting "tcpWorkbench\.encoding": Unknown encoding "ebcdic"/, command);
      nothingStarted();
    }
    await setSetting('encoding', undefined);
    await stillWorks();
  });

  it('a host that is not a host name: names the setting, starts nothing', async () => {
    await setSetting('host', 'not a host!');
    const said = await fails('tcpWorkbench.startEchoServer', { port: 0 });
    assert.match(said, /Setting "tcpWorkbench\.host": "not a host!" is not a valid host name\./);
    nothingStarted();
    await setSetting('host', undefined);
    await stillWorks();
  });

  const addressCases: [string, RegExp][] = [
    [':80', /":80" has no host/],
    ['host:', /"host:" has no port/],
    ['[::1]', /"\[::1\]" has no port/],
    ['1.2.3.4:99999', /Port 99999 is out of range \(1-65535\)/],
    ['abc', /"abc" has no port/],
    ['', /Enter host:port/],
    ['0', /Port 0 is out of range \(1-65535\)/],
    ['::1:80', /looks like an IPv6 address: put it in brackets/],
    ['[1.2.3.4]:80', /"1\.2\.3\.4" in brackets is not an IPv6 address/],
    ['bad host!:80', /"bad host!" is not a valid host name/],
  ];
  for (const [address, message] of addressCases) {
    it(`connect and downloadFile to ${JSON.stringify(address)}: a clear message, nothing opened`, async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-bad-address-'));
      const c = await fails('tcpWorkbench.connect', { address, show: false });
      assert.match(c, message);
      nothingStarted();
      const d = await fails('tcpWorkbench.downloadFile', { address, name: 'a.txt', folder: tmp });
      assert.match(d, message);
      assert.deepStrictEqual(fs.readdirSync(tmp), [], 'nothing was written');
      nothingStarted();
      await stillWorks();
    });
  }

  it('an address that is not text is refused instead of opening a picker', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-bad-address-'));
    for (const [command, args] of [
      ['tcpWorkbench.connect', { address: 9007 }],
      ['tcpWorkbench.downloadFile', { address: null, name: 'a.txt', folder: tmp }],
    ] as const) {
      // A picker would wait for a person; the test would then time out instead of failing fast.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const said = await Promise.race([
        fails(command, args),
        new Promise<string>((_, reject) => (timer = setTimeout(() => reject(new Error(`${command} did not answer within 3 s (did it open a picker?)`)), 3000))),
      ]).finally(() => clearTimeout(timer));
      assert.match(said, /"address" must be text like host:port/);
      nothingStarted();
    }
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await stillWorks();
  });

  it('a refused connection names host and port and leaves no session', async () => {
    // A port that was free a moment ago: bound, then closed.
    const probe = await listen((s) => s.destroy());
    const port = probe.port;
    await close(probe);
    const said = await fails('tcpWorkbench.connect', { address: `127.0.0.1:${port}`, show: false });
    assert.match(said, new RegExp(`127\\.0\\.0\\.1:${port}`));
    await waitFor(() => a.sessions().length === 0, 'no session');
    nothingStarted();
    await stillWorks();
  });
});
