// The headless CLI as a user runs it: a real `node out/src/cli.js` process, real peers (python, nc), exit codes.
import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../src/core/servers/echoServer';
import { PEERS, Peers, RunResult, finish, firstLine, onFreePort, waitFor } from './support';

const CLI = path.resolve(__dirname, '../../src/cli.js');

/** The CLI's output as text: every test reads what a user would see. */
interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const asText = (r: RunResult): Result => ({ ...r, stdout: r.stdout.toString() });

describe('cli', () => {
  const peers = new Peers();
  const servers: EchoServer[] = [];
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-cli-'));
  });

  afterEach(async () => {
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function cli(args: string[], input?: string, timeoutMs?: number): Promise<Result> {
    return peers.run(process.execPath, [CLI, ...args], input, timeoutMs).then(asText);
  }

  function run(cmd: string, args: string[], input?: string): Promise<Result> {
    return peers.run(cmd, args, input).then(asText);
  }

  /** Starts a CLI server and waits for its first stdout line, `listening on HOST:PORT`. */
  async function serve(args: string[]): Promise<{ child: ChildProcess; port: number; firstLine: string; stderr: () => string; result: Promise<Result> }> {
    const child = peers.spawn(process.execPath, [CLI, 'serve', ...args]);
    const result = finish(child, 15000, `cli serve ${args.join(' ')}`).then(asText);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = result.then((r): never => {
      throw new Error(`exited early with ${r.code}: ${r.stderr}`);
    });
    const line = await Promise.race([
      firstLine(child.stdout, 5000, 'the CLI server').catch((e: Error) => {
        throw new Error(`${e.message}; stderr: ${err}`);
      }),
      exited,
    ]);
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    if (!m) {
      throw new Error(`unexpected first line ${JSON.stringify(line)}`);
    }
    return { child, port: Number(m[1]), firstLine: line, stderr: () => err, result };
  }

  const oneLine = (s: string) => s.trim().split('\n').length === 1;

  it('--help prints every command and exits 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['serve echo', 'serve file', 'download HOST:PORT NAME', 'list HOST:PORT', 'send HOST:PORT TEXT']) {
      assert.ok(r.stdout.includes(c), `help lacks ${c}`);
    }
  });

  const usageCases: [string[], RegExp][] = [
    [[], /No command given/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['serve'], /serve needs echo, file or relay/],
    [['serve', 'chat'], /Unknown server "chat"/],
    [['serve', 'echo', '--port', 'abc'], /"abc" is not a port number/],
    [['serve', 'echo', '--port', '70000'], /out of range/],
    [['serve', 'echo', '--mode', 'shout'], /Unknown mode "shout"/],
    [['serve', 'echo', '--mode', 'reply'], /needs --reply/],
    [['serve', 'echo', '--encoding', 'ebcdic'], /Unknown encoding "ebcdic"/],
    [['serve', 'echo', '--mode', 'reply', '--reply', 'zz', '--encoding', 'hex'], /not hex bytes/],
    [['serve', 'echo', '--bogus'], /Unknown option '--bogus'/],
    [['serve', 'file'], /needs --root/],
    [['serve', 'file', '--root', '.', '--deny', ''], /--deny: Deny pattern "": an empty pattern/],
    [['serve', 'file', '--root', '.', '--deny', '../x'], /--deny: Deny pattern "\.\.\/x"/],
    [['serve', 'file', '--root', '.', '--deny'], /--deny/],
    [['send', '127.0.0.1', 'hi'], /has no port/],
    [['send', '127.0.0.1:7'], /needs HOST:PORT and TEXT/],
    [['send', '127.0.0.1:7', 'x', '--line-ending', 'cr'], /Unknown line ending "cr"/],
    [['send', '127.0.0.1:7', 'x', 'y'], /Unexpected argument "y"/],
    [['download', '127.0.0.1:7'], /needs HOST:PORT and NAME/],
    [['list'], /needs HOST:PORT/],
    [['list', '::1:7'], /brackets/],
  ];
  for (const [args, message] of usageCases) {
    it(`usage error exits 2: ${JSON.stringify(args.join(' '))}`, async () => {
      const r = await cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(oneLine(r.stderr), r.stderr);
      assert.equal(r.stdout, '');
    });
  }

  describe('serve echo', () => {
    it('prints "listening on" first, echoes to the python client and nc, logs clients, and exits 0 on SIGTERM with a client connected', async () => {
      const srv = await serve(['echo', '--port', '0']);
      assert.ok(srv.port > 0);
      const py = await run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(srv.port), 'hello 世界']);
      assert.equal(py.stdout, 'hello 世界');
      const nc = await run('nc', ['-N', '127.0.0.1', String(srv.port)], 'via nc\n');
      assert.equal(nc.stdout, 'via nc\n');
      const live = await peers.connect(srv.port);
      const liveClosed = new Promise<void>((resolve) => live.on('close', () => resolve()));
      live.on('error', () => undefined);
      await waitFor(() => /client 3 connected from 127\.0\.0\.1:\d+/.test(srv.stderr()), 'the third client in the log');
      assert.match(srv.stderr(), /client 1 left: closed-by-peer/);
      srv.child.kill('SIGTERM');
      const r = await srv.result;
      assert.equal(r.code, 0, r.stderr);
      await liveClosed;
    });

    it('listens on the port asked for; SIGINT exits 0', async () => {
      const inUse = (e: unknown) => /already in use/i.test(String(e));
      const { port, srv } = await onFreePort(async (port) => ({ port, srv: await serve(['echo', '--port', String(port), '--host', '127.0.0.1']) }), inUse);
      assert.equal(srv.port, port);
      srv.child.kill('SIGINT');
      assert.equal((await srv.result).code, 0);
    });

    it('a port in use exits 1 with a one-line message', async () => {
      const srv = await serve(['echo']);
      const r = await cli(['serve', 'echo', '--port', String(srv.port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`Port ${srv.port} is already in use`));
      assert.ok(oneLine(r.stderr));
      assert.equal(r.stdout, '');
    });

    it('reply mode in gbk answers the python client', async () => {
      const srv = await serve(['echo', '--mode', 'reply', '--reply', '收到', '--encoding', 'gbk']);
      const py = await run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(srv.port), '你好', 'gbk']);
      assert.equal(py.code, 0, py.stderr);
      assert.equal(py.stdout, '收到');
    });

    it('manual mode broadcasts each stdin line to every client', async () => {
      const srv = await serve(['echo', '--mode', 'manual']);
      const a = await peers.connect(srv.port);
      const b = await peers.connect(srv.port);
      let gotA = '';
      let gotB = '';
      a.on('data', (d: Buffer) => (gotA += d.toString()));
      b.on('data', (d: Buffer) => (gotB += d.toString()));
      await waitFor(() => /client 2 connected/.test(srv.stderr()), 'both clients');
      srv.child.stdin?.write('hello everyone\n');
      await waitFor(() => gotA === 'hello everyone\n' && gotB === 'hello everyone\n', 'the broadcast');
      // The clients can have the line before the server's stderr report of it has reached us.
      await waitFor(() => /sent to 2 clients/.test(srv.stderr()), 'the "sent to 2 clients" report');
      srv.child.kill('SIGTERM');
      assert.equal((await srv.result).code, 0);
    });
  });

  describe('send', () => {
    it('prints what our echo server sends back (line ending applied)', async () => {
      const server = new EchoServer({ port: 0 });
      servers.push(server);
      const { port } = await server.start();
      const seen: Buffer[] = [];
      server.onData((e) => e.direction === 'in' && seen.push(e.bytes));
      const t0 = Date.now();
      const r = await cli(['send', `127.0.0.1:${port}`, 'ping 你好', '--line-ending', 'crlf']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'ping 你好\r\n');
      assert.deepEqual(Buffer.concat(seen), Buffer.from('ping 你好\r\n'));
      // Our echo server keeps the connection open: send stops once the peer goes quiet, not at a time limit.
      assert.match(r.stderr, /received 13 bytes; quiet/);
      assert.ok(Date.now() - t0 < 15000);
    });

    it('hex: sends the bytes and prints a hex dump', async () => {
      const server = new EchoServer({ port: 0 });
      servers.push(server);
      const { port } = await server.start();
      const r = await cli(['send', `127.0.0.1:${port}`, '48 65 6c 6c 6f', '--encoding', 'hex', '--line-ending', 'lf']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '48 65 6c 6c 6f 0a\n');
    });

    it('stops when the peer closes (reply server in gbk that closes after answering)', async () => {
      const port = await peers.listen((c) => c.once('data', () => c.end(Buffer.from('cad5b5bd', 'hex'))));
      const r = await cli(['send', `127.0.0.1:${port}`, 'x', '--encoding', 'gbk']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '收到');
      // It ended because the peer closed, not because of the quiet gap.
      assert.match(r.stderr, /received 4 bytes; closed/);
    });

    it('a silent peer: nothing printed, exits 0 after the quiet gap', async () => {
      const server = new EchoServer({ port: 0, mode: 'manual' });
      servers.push(server);
      const { port } = await server.start();
      const t0 = Date.now();
      const r = await cli(['send', `127.0.0.1:${port}`, 'anyone?']);
      const took = Date.now() - t0;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /nothing came back; quiet/);
      assert.ok(took >= 1000 && took < 15000, `took ${took} ms`);
      assert.equal(server.stats.bytesIn, 7);
    });

    it('a refused connection exits 1 with a one-line message naming host:port', async () => {
      const port = await peers.refusedPort();
      const r = await cli(['send', `127.0.0.1:${port}`, 'x']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`refused by 127\\.0\\.0\\.1:${port}`));
      assert.ok(oneLine(r.stderr), r.stderr);
    });
  });

  describe('serve file, download, list', () => {
    function makeRoot(): string {
      const root = path.join(tmp, 'root');
      fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(root, 'hello.txt'), 'hello file\n');
      fs.writeFileSync(path.join(root, 'sub', 'inner.bin'), Buffer.from([0, 1, 2, 255]));
      return root;
    }

    it('serves a file to nc and logs the request', async () => {
      const srv = await serve(['file', '--root', makeRoot()]);
      const nc = await run('nc', ['-N', '127.0.0.1', String(srv.port)], 'hello.txt');
      assert.equal(nc.stdout, 'hello file\n');
      await waitFor(() => /"hello.txt": served/.test(srv.stderr()), 'the request in the log');
      srv.child.kill('SIGTERM');
      assert.equal((await srv.result).code, 0);
    });

    it('download saves the file, refuses to overwrite unless asked, and exits 3 for an unknown file', async () => {
      const srv = await serve(['file', '--root', makeRoot()]);
      const out = path.join(tmp, 'out');
      fs.mkdirSync(out);
      const r = await cli(['download', `127.0.0.1:${srv.port}`, 'sub/inner.bin', '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), path.join(out, 'inner.bin'));
      assert.deepEqual(fs.readFileSync(path.join(out, 'inner.bin')), Buffer.from([0, 1, 2, 255]));

      fs.writeFileSync(path.join(out, 'hello.txt'), 'mine');
      const again = await cli(['download', `127.0.0.1:${srv.port}`, 'hello.txt', '--out', out]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /--overwrite/);
      assert.equal(fs.readFileSync(path.join(out, 'hello.txt'), 'utf-8'), 'mine');
      const over = await cli(['download', `127.0.0.1:${srv.port}`, 'hello.txt', '--out', out, '--overwrite']);
      assert.equal(over.code, 0, over.stderr);
      assert.equal(fs.readFileSync(path.join(out, 'hello.txt'), 'utf-8'), 'hello file\n');

      const missing = await cli(['download', `127.0.0.1:${srv.port}`, 'nope.txt', '--out', out]);
      assert.equal(missing.code, 3, missing.stderr);
      assert.match(missing.stderr, /not found/);
      assert.ok(oneLine(missing.stderr));
      assert.deepEqual(fs.readdirSync(out).sort(), ['hello.txt', 'inner.bin'], 'nothing left behind');
    });

    it('list prints the root and a subfolder; --no-listing gives nothing', async () => {
      const root = makeRoot();
      const srv = await serve(['file', '--root', root]);
      const top = await cli(['list', `127.0.0.1:${srv.port}`]);
      assert.equal(top.code, 0, top.stderr);
      assert.deepEqual(top.stdout.trim().split('\n').sort(), ['hello.txt', 'sub/']);
      const sub = await cli(['list', `127.0.0.1:${srv.port}`, 'sub/']);
      assert.equal(sub.stdout.trim(), 'inner.bin');
      const quiet = await serve(['file', '--root', root, '--no-listing']);
      const none = await cli(['list', `127.0.0.1:${quiet.port}`]);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, '');
      assert.match(none.stderr, /no entries/);
    });

    /** A root with secrets beside the files makeRoot() serves. */
    function secretRoot(): string {
      const root = makeRoot();
      fs.writeFileSync(path.join(root, '.env'), 'API_KEY=cli-secret\n');
      fs.mkdirSync(path.join(root, '.git'));
      fs.writeFileSync(path.join(root, '.git', 'config'), '[remote] url = https://token@host\n');
      fs.writeFileSync(path.join(root, 'notes.log'), 'a log\n');
      return root;
    }

    it('denies the default list: .env and .git/config refused (zero bytes) and hidden from list', async () => {
      const srv = await serve(['file', '--root', secretRoot()]);
      for (const name of ['.env', '.git/config', '.ENV', 'sub/../.env']) {
        const nc = await run('nc', ['-N', '127.0.0.1', String(srv.port)], name);
        assert.equal(nc.stdout, '', `${name} served`);
      }
      await waitFor(() => /"\.env": refused \(denied by the deny list: \.env\)/.test(srv.stderr()), 'the deny reason in the log');
      assert.match(srv.stderr(), /"\.git\/config": refused \(denied by the deny list: \.git\/\)/);
      assert.match(srv.stderr(), /deny list: the default \(\d+ patterns\)\n/);
      const top = await cli(['list', `127.0.0.1:${srv.port}`]);
      assert.deepEqual(top.stdout.trim().split('\n').sort(), ['hello.txt', 'notes.log', 'sub/']);
      const dl = await cli(['download', `127.0.0.1:${srv.port}`, '.env', '--out', tmp]);
      assert.equal(dl.code, 3, dl.stderr);
      assert.equal(fs.existsSync(path.join(tmp, '.env')), false);
    });

    it('--deny adds to the default list (repeatable)', async () => {
      const srv = await serve(['file', '--root', secretRoot(), '--deny', '*.log', '--deny', 'sub/']);
      const top = await cli(['list', `127.0.0.1:${srv.port}`]);
      assert.deepEqual(top.stdout.trim().split('\n'), ['hello.txt']);
      for (const name of ['.env', 'notes.log', 'sub/inner.bin']) {
        assert.equal((await run('nc', ['-N', '127.0.0.1', String(srv.port)], name)).stdout, '', name);
      }
      assert.equal((await run('nc', ['-N', '127.0.0.1', String(srv.port)], 'hello.txt')).stdout, 'hello file\n');
      assert.match(srv.stderr(), /deny list: the default \(\d+ patterns\) \+ "\*\.log" \+ "sub\/"/);
    });

    it('--no-default-deny serves what the default denies; with --deny only those patterns stay', async () => {
      const root = secretRoot();
      const open = await serve(['file', '--root', root, '--no-default-deny']);
      assert.equal((await run('nc', ['-N', '127.0.0.1', String(open.port)], '.env')).stdout, 'API_KEY=cli-secret\n');
      assert.match(open.stderr(), /deny list: none/);
      const top = await cli(['list', `127.0.0.1:${open.port}`]);
      assert.deepEqual(top.stdout.trim().split('\n').sort(), ['.env', '.git/', 'hello.txt', 'notes.log', 'sub/']);
      const only = await serve(['file', '--root', root, '--no-default-deny', '--deny', '.git/']);
      assert.equal((await run('nc', ['-N', '127.0.0.1', String(only.port)], '.env')).stdout, 'API_KEY=cli-secret\n');
      assert.equal((await run('nc', ['-N', '127.0.0.1', String(only.port)], '.git/config')).stdout, '');
      assert.match(only.stderr(), /deny list: "\.git\/"\n/);
    });

    it('--help documents --deny and --no-default-deny', async () => {
      const r = await cli(['--help']);
      assert.match(r.stdout, /\[--deny GLOB\]\.\.\. \[--no-default-deny\]/);
      assert.match(r.stdout, /--no-default-deny drops the\s+default list/);
    });

    it('a missing root exits 1', async () => {
      const r = await cli(['serve', 'file', '--root', path.join(tmp, 'nope')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /does not exist/);
      assert.ok(oneLine(r.stderr));
    });
  });
});
