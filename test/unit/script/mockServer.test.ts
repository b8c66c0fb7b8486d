// Mock servers from listen blocks, against real clients: the tutorial python client, nc, raw sockets
// (1-byte segments, two messages in one segment, 100 clients at once), and the CLI's serve script / run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListenBlock, parseScript } from '../../../src/core/script';
import { MockServer, RuleHitEvent, describeHit } from '../../../src/core/script/mockServer';
import { PEERS, Peers, firstLine, finish, sleep, waitFor } from '../support';

const CLI = path.resolve(__dirname, '../../../src/cli.js');

const SENSOR = [
  '### fake sensor',
  'listen 127.0.0.1:0',
  'on "PING" send "PONG\\r\\n"',
  'on /^GET (\\w+)\\r?\\n/ send "VALUE {{1}}\\r\\n"',
  'on /^ID (\\d+)\\n/ wait 20ms send "YOU ARE {{1}}\\n"',
  'on hex 01 03 00 00 send hex 01 03 02 00 2a',
  'on /(a+)+$/ send "EVIL\\n"',
  'on "QUIT" send "BYE\\n" close',
  'otherwise send "ERR\\n"',
].join('\n');

describe('mock server (listen blocks)', () => {
  const peers = new Peers();
  const servers: MockServer[] = [];
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-mock-'));
  });

  afterEach(async () => {
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function start(text: string): Promise<{ server: MockServer; port: number; hits: RuleHitEvent[] }> {
    const script = parseScript(text);
    assert.deepEqual(script.diagnostics, []);
    const server = new MockServer({ block: script.blocks[0] as ListenBlock, file: path.join(tmp, 'm.tcp') });
    servers.push(server);
    const hits: RuleHitEvent[] = [];
    server.onDidHitRule((e) => hits.push(e));
    return { server, port: (await server.start()).port, hits };
  }

  /** Reads from a socket until `want` bytes arrived (bounded in time). */
  function readN(s: net.Socket, want: number, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      let got = '';
      const timer = setTimeout(() => reject(new Error(`got only ${JSON.stringify(got)}`)), timeoutMs);
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.length >= want) {
          clearTimeout(timer);
          resolve(got);
        }
      });
    });
  }

  it('answers the tutorial python client (one send, one recv)', async () => {
    const { port, hits } = await start(SENSOR);
    const r = await peers.run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(port), 'PING']);
    assert.equal(r.stdout.toString(), 'PONG\r\n');
    await waitFor(() => hits.length === 1, 'the rule hit event');
    assert.equal(describeHit(hits[0]), 'rule 1 "PING" → 6 bytes');
  });

  it('answers nc with a regex capture, and closes after QUIT', async () => {
    const { port } = await start(SENSOR);
    const r = await peers.run('nc', ['127.0.0.1', String(port)], 'GET temp\nQUIT');
    assert.equal(r.stdout.toString(), 'VALUE temp\r\nBYE\n');
  });

  it('matches a message sent in 1-byte segments', async () => {
    const { port } = await start(SENSOR);
    const s = await peers.connect(port);
    const reply = readN(s, 'VALUE humidity\r\n'.length);
    for (const b of Buffer.from('GET humidity\n')) {
      s.write(Buffer.from([b]));
      await sleep(3);
    }
    assert.equal(await reply, 'VALUE humidity\r\n');
  });

  it('answers two messages in one segment in order, and bytes rules', async () => {
    const { port } = await start(SENSOR);
    const s = await peers.connect(port);
    const reply = readN(s, 'PONG\r\nVALUE x\r\n'.length + 5);
    s.write(Buffer.concat([Buffer.from('PING\nGET x\n'), Buffer.from([1, 3, 0, 0])]));
    assert.equal(await reply, 'PONG\r\nVALUE x\r\n\x01\x03\x02\x00\x2a');
  });

  it('answers an unmatched line with otherwise, and a quiet unmatched chunk too', async () => {
    const { port } = await start(SENSOR);
    const s = await peers.connect(port);
    const reply = readN(s, 8);
    s.write('hello\n');
    await sleep(50);
    s.write('no newline');
    assert.equal(await reply, 'ERR\nERR\n');
  });

  it("runs a client's delayed answers in order, without piling up listeners", async () => {
    const { port } = await start('### m\nlisten 127.0.0.1:0\non /^N (\\d+)\\n/ wait 2ms send "R {{1}}\\n"\non "FAST" send "F\\n"\n');
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const s = await peers.connect(port);
      const want = `${Array.from({ length: 30 }, (_, i) => `R ${i}\n`).join('')}F\n`;
      const reply = readN(s, want.length);
      s.write(`${Array.from({ length: 30 }, (_, i) => `N ${i}\n`).join('')}FAST`);
      assert.equal(await reply, want);
      await sleep(20);
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.map((w) => w.message),
      [],
    );
  });

  it('gives 100 clients at once their own answers', async () => {
    const { port, server } = await start(SENSOR);
    const all = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const s = await peers.connect(port);
        const reply = readN(s, `YOU ARE ${i}\n`.length);
        s.write(`ID ${i}\n`);
        return [i, await reply] as const;
      }),
    );
    for (const [i, reply] of all) {
      assert.equal(reply, `YOU ARE ${i}\n`);
    }
    assert.equal(server.stats.clientsAccepted, 100);
  });

  it('stays responsive to others while a catastrophic regex rule meets hostile input', async () => {
    const { port } = await start(SENSOR);
    const evil = await peers.connect(port);
    evil.write(`${'a'.repeat(50000)}b`);
    const s = await peers.connect(port);
    const reply = readN(s, 6);
    const t0 = Date.now();
    s.write('PING');
    assert.equal(await reply, 'PONG\r\n');
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
  });

  it('keeps a flooding client bounded and still answers it afterwards', async () => {
    const { port } = await start('### m\nlisten 127.0.0.1:0\non "PING" send "PONG\\n"\n');
    const s = await peers.connect(port);
    const reply = readN(s, 5, 10000);
    const junk = Buffer.alloc(1024 * 1024, 0x7a);
    for (let i = 0; i < 8; i++) {
      s.write(junk);
    }
    s.write('PING');
    assert.equal(await reply, 'PONG\n');
  });

  it('closes an idle client (on idle), greets on connect', async () => {
    const { port } = await start('### m\nlisten 127.0.0.1:0\non connect send "HI\\n"\non idle 200ms send "BYE\\n" close\n');
    const s = await peers.connect(port);
    const t0 = Date.now();
    const got = await new Promise<string>((resolve) => {
      let all = '';
      s.on('data', (d: Buffer) => (all += d.toString()));
      s.on('close', () => resolve(all));
    });
    assert.equal(got, 'HI\nBYE\n');
    assert.ok(Date.now() - t0 >= 150, `${Date.now() - t0} ms`);
  });

  it('run starts the listen block, runs the client blocks against it, stops it (exit 0)', async () => {
    const f = path.join(tmp, 'self.tcp');
    fs.writeFileSync(
      f,
      `${SENSOR}\n\n### client\nconnect {{listen.host}}:{{listen.port}}\nsend "PING\\nGET t\\n"\nexpect "PONG\\r\\n"\nexpect "VALUE t\\r\\n"\nsend "QUIT"\nexpect "BYE\\n"\nexpect close\n`,
    );
    const r = await peers.run(process.execPath, [CLI, 'run', f]);
    assert.equal(r.code, 0, `${r.stdout.toString()}${r.stderr}`);
    assert.match(r.stdout.toString(), /^✓ client \(\d+ ms\)\n1 passed, 0 failed\n$/);
    assert.match(r.stderr, /^mock "fake sensor" listening on 127\.0\.0\.1:\d+\n/);
    assert.match(r.stderr, /rule 1 "PING" → 6 bytes/);
  });

  it('serve script prints listening on first, answers, and stops on SIGTERM', async () => {
    const f = path.join(tmp, 'm.tcp');
    fs.writeFileSync(f, SENSOR);
    const child = peers.spawn(process.execPath, [CLI, 'serve', 'script', f, '--block', 'fake sensor']);
    const done = finish(child, 15000, 'serve script');
    const line = await firstLine(child.stdout, 5000, 'serve script');
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    assert.ok(m, line);
    const r = await peers.run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', m[1], 'PING']);
    assert.equal(r.stdout.toString(), 'PONG\r\n');
    child.kill('SIGTERM');
    const end = await done;
    assert.equal(end.code, 0);
    assert.match(end.stderr, /client 1: rule 1 "PING" → 6 bytes/);
  });

  it('serve script refuses a file without that listen block (exit 2)', async () => {
    const f = path.join(tmp, 'm.tcp');
    fs.writeFileSync(f, SENSOR);
    const r = await peers.run(process.execPath, [CLI, 'serve', 'script', f, '--block', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no listen block titled "nope"/);
  });
});
