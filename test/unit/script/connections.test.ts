// Several named connections in one block, any order groups and retries, against real servers: the
// tutorials' chat server (two clients), redis-server (pub/sub, a pipeline) and mosquitto (MQTT, two clients).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';
import { RunResult, ScriptRunner, TrafficEvent, failedAt, parseScript, toJUnit } from '../../../src/core/script';
import { Peers, peerPort } from '../support';
import { startChat, startMosquitto, startRedis } from './realServers';

describe('script: named connections, any order, retry', () => {
  const peers = new Peers();
  let tmp = '';

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-conns-'));
  });

  afterEach(async () => {
    await peers.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function run(text: string, traffic?: TrafficEvent[]): Promise<RunResult> {
    const script = parseScript(text);
    assert.deepEqual(
      script.diagnostics.map((d) => d.message),
      [],
    );
    const runner = new ScriptRunner(script);
    runner.onDidTransfer((e) => traffic?.push(e));
    try {
      return await runner.run({ file: path.join(tmp, 'test.tcp') });
    } finally {
      runner.dispose();
    }
  }

  const chat = (port: number, last: string): string =>
    [
      `@chat = 127.0.0.1:${port}`,
      '### two clients chat',
      'connect alice {{chat}}',
      'alice send "alice\\n"',
      'alice expect "welcome alice\\n"',
      'connect bob {{chat}}',
      'bob send "bob\\n"',
      'bob expect "welcome bob\\n"',
      'alice expect "bob joined\\n"',
      'alice send "hi bob\\n"',
      'bob expect "alice: hi bob\\n"',
      'bob close',
      last,
    ].join('\n');

  describe('named connections', () => {
    it('runs the tutorial chat with two clients: one relays to the other, a close is announced', async () => {
      const port = await startChat(peers);
      const traffic: TrafficEvent[] = [];
      const r = await run(chat(port, 'alice expect /bob left\\n/'), traffic);
      assert.equal(r.blocks[0].status, 'passed', failedAt(r.blocks[0]));
      const b = r.blocks[0];
      assert.deepEqual(
        b.steps.map((s) => `${s.step.conn ?? (s.step.kind === 'connect' ? s.step.name : '')} ${s.step.kind}`),
        ['alice connect', 'alice send', 'alice expect', 'bob connect', 'bob send', 'bob expect', 'alice expect', 'alice send', 'bob expect', 'bob close', 'alice expect'],
      );
      // Each chunk names its connection; the totals add up both.
      assert.deepEqual([...new Set(traffic.map((e) => e.connection))].sort(), ['alice', 'bob']);
      assert.equal(b.bytesOut, 'alice\n'.length + 'bob\n'.length + 'hi bob\n'.length);
      assert.ok(toJUnit([{ file: 'chat.tcp', result: r }]).includes('line 11 bob expect ok'));
    });

    it('a failed step names its connection (CLI line and JUnit)', async () => {
      const port = await startChat(peers);
      const r = await run(chat(port, 'alice expect "bob said goodbye\\n"'));
      const b = r.blocks[0];
      assert.equal(b.status, 'failed');
      assert.equal(failedAt(b), 'line 13 (alice): expected "bob said goodbye\\n" got "bob left\\n" (first difference at byte 4)');
      assert.match(toJUnit([{ file: 'chat.tcp', result: r }]), /line 13 alice expect FAILED/);
    });

    it('redis pub/sub: a subscriber gets what another connection publishes', async () => {
      const port = await startRedis(peers);
      const r = await run(
        [
          `### pub/sub`,
          `connect sub 127.0.0.1:${port}`,
          `connect pub 127.0.0.1:${port}`,
          'sub send "SUBSCRIBE news\\r\\n"',
          'sub expect "*3\\r\\n$9\\r\\nsubscribe\\r\\n$4\\r\\nnews\\r\\n:1\\r\\n"',
          'pub send "PUBLISH news hello\\r\\n"',
          'pub expect ":1\\r\\n"',
          'sub expect "*3\\r\\n$7\\r\\nmessage\\r\\n$4\\r\\nnews\\r\\n$5\\r\\nhello\\r\\n"',
        ].join('\n'),
      );
      assert.equal(r.blocks[0].status, 'passed', failedAt(r.blocks[0]));
    });

    it('refuses unnamed steps in a named block, unknown names, and names in a one-connection block', () => {
      const codes = (t: string): string[] => parseScript(t).diagnostics.map((d) => `${d.code}:${d.args.form}@${d.range.line}:${d.range.start}`);
      assert.deepEqual(codes('### t\nconnect a 127.0.0.1:1\nsend "x"\n'), ['script.badConnection:missing@2:0']);
      assert.deepEqual(codes('### t\nconnect a 127.0.0.1:1\nb send "x"\nconnect b 127.0.0.1:1\nb send "x"\n'), ['script.badConnection:unknown@2:0']);
      assert.deepEqual(codes('### t\nconnect 127.0.0.1:1\nb send "x"\n'), ['script.badConnection:notNamed@2:0']);
      assert.deepEqual(codes('### t\nconnect a 127.0.0.1:1\nconnect 127.0.0.1:2\n'), ['script.misplacedConnect:undefined@2:0']);
      // wait and repeat need no connection; steps inside a repeat do.
      assert.deepEqual(codes('### t\nconnect a 127.0.0.1:1\nwait 1ms\nrepeat 2\n  a send "x"\n'), []);
    });

    it('refuses every word that starts a step or a rule as a connection name, and takes any other word', () => {
      const form = (name: string): unknown => parseScript(`### t\nconnect ${name} 127.0.0.1:1\n${name} send "x"\n`).diagnostics[0]?.args.form;
      const words = ['connect', 'send', 'expect', 'wait', 'close', 'shutdown', 'starttls', 'repeat', 'retry', 'any', 'include'];
      for (const word of [...words, 'nodelay', 'reset', 'pause', 'resume', 'listen', 'on', 'otherwise']) {
        assert.equal(form(word), 'name', word);
      }
      for (const word of ['alice', 'sender', 'resets', 'order']) {
        assert.equal(form(word), undefined, word);
      }
    });
  });

  describe('any order', () => {
    const pipeline = (port: number, group: boolean): string =>
      [
        '### pipeline',
        `connect 127.0.0.1:${port}`,
        'send "SET k v\\r\\nGET k\\r\\nPING\\r\\n"',
        ...(group
          ? ['any order', '  expect "+PONG\\r\\n"', '  expect "$1\\r\\nv\\r\\n"', '  expect "+OK\\r\\n"']
          : ['expect "+OK\\r\\n"', 'expect "$1\\r\\nv\\r\\n"', 'expect "+PONG\\r\\n"']),
        'send "QUIT\\r\\n"',
        'expect "+OK\\r\\n"',
        'expect close',
      ].join('\n');

    it('a redis pipeline: replies expected in order, and in a written order the group leaves open', async () => {
      const port = await startRedis(peers);
      for (const group of [false, true]) {
        const r = await run(pipeline(port, group));
        assert.equal(r.blocks[0].status, 'passed', failedAt(r.blocks[0]));
        assert.equal(r.blocks[0].steps.filter((s) => s.step.kind === 'expect').length, 5);
      }
      // The same written order without the group fails at once: the first reply is +OK, not +PONG.
      const wrong = pipeline(port, true).replace('any order\n  expect "+PONG\\r\\n"\n  expect "$1\\r\\nv\\r\\n"\n  expect "+OK\\r\\n"', 'expect "+PONG\\r\\n"');
      const r = await run(wrong);
      assert.equal(r.blocks[0].status, 'failed');
    });

    it('fails when none of the group matches the bytes there, naming every expect left', async () => {
      const port = await startRedis(peers);
      const r = await run(`### t\nconnect 127.0.0.1:${port}\nsend "PING\\r\\n"\nany order\n  expect "+OK\\r\\n"\n  expect ":1\\r\\n"\n`);
      const f = r.blocks[0].failure;
      assert.equal(f?.code, 'step.anyOrder');
      assert.equal(f?.message, 'expected in any order "+OK\\r\\n", ":1\\r\\n" got "+PONG\\r\\n" (none of them matches the bytes there)');
      assert.equal(f?.line, 4);
    });

    it('mosquitto, two MQTT clients: QoS 1 PUBACK and the echoed PUBLISH in any order', async () => {
      const port = await startMosquitto(peers);
      // MQTT 3.1.1 with the remaining lengths counted by hand (frames are the lang engineer's part of issue 21).
      const connect = (id: string): string => `send hex 10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 ${Buffer.from(id).toString('hex')}`;
      const r = await run(
        [
          '@encoding = latin1',
          '### mqtt',
          `connect a 127.0.0.1:${port}`,
          `connect b 127.0.0.1:${port}`,
          `a ${connect('a')}`,
          'a expect hex 20 02 00 00',
          `b ${connect('b')}`,
          'b expect hex 20 02 00 00',
          'a send hex 82 06 00 01 00 01 74 01', // SUBSCRIBE 1 "t" QoS 1
          'a expect hex 90 03 00 01 01',
          'b send hex 82 06 00 01 00 01 74 01',
          'b expect hex 90 03 00 01 01',
          'b send hex 32 07 00 01 74 00 02 68 69', // PUBLISH QoS 1, id 2, "hi"
          'any order',
          '  b expect hex 40 02 00 02', // our PUBACK
          '  b expect /2\\x07\\x00\\x01t[\\s\\S]{2}hi/', // our own message, echoed with the broker's packet id
          '  a expect /2\\x07\\x00\\x01t[\\s\\S]{2}hi/',
        ].join('\n'),
      );
      assert.equal(r.blocks[0].status, 'passed', failedAt(r.blocks[0]));
      const group = r.blocks[0].steps.slice(-3);
      assert.deepEqual(
        group.map((s) => s.ok),
        [true, true, true],
      );
    });
  });

  describe('retry', () => {
    it('a retry group runs its steps again until they pass, each attempt in the results', async () => {
      // A device that is "booting": it answers BUSY twice, then READY.
      let asked = 0;
      const server = net.createServer((s) => s.on('data', () => s.write(++asked < 3 ? 'BUSY\n' : 'READY\n')));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const r = await run(`@timeout = 300ms\n### boot\nconnect 127.0.0.1:${port}\nretry 5 every 20ms\n  send "STATUS\\n"\n  expect "READY\\n"\n`);
        const b = r.blocks[0];
        assert.equal(b.status, 'passed', failedAt(b));
        const expects = b.steps.filter((s) => s.step.kind === 'expect');
        assert.deepEqual(
          expects.map((s) => `${s.attempt?.n}/${s.attempt?.of} ${s.ok}`),
          ['1/5 false', '2/5 false', '3/5 true'],
        );
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    it('a retried block reconnects until the server is up, and says how many attempts it took', async () => {
      const port = await peerPort();
      const server = net.createServer((s) => s.pipe(s));
      const late = setTimeout(() => server.listen(port, '127.0.0.1'), 300);
      try {
        const r = await run(`### late server\nretry 50 every 50ms\nconnect 127.0.0.1:${port}\nsend "hi"\nexpect "hi"\n`);
        const b = r.blocks[0];
        assert.equal(b.status, 'passed', failedAt(b));
        assert.ok(b.attempts && b.attempts.n > 1 && b.attempts.of === 50, JSON.stringify(b.attempts));
      } finally {
        clearTimeout(late);
        await new Promise((r) => server.close(() => r(undefined)));
      }
    });

    it('a retried block that never passes fails with its last attempt', async () => {
      const port = await peerPort();
      const r = await run(`### never\nretry 3 every 10ms\nconnect 127.0.0.1:${port}\n`);
      const b = r.blocks[0];
      assert.equal(b.status, 'failed');
      assert.deepEqual(b.attempts, { n: 3, of: 3 });
      assert.match(failedAt(b), /^line 3, after 3 attempts: nothing is listening/);
    });
  });
});
