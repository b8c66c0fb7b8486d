// `.tcp` files against real servers nobody here wrote: Redis (RESP with computed $len), memcached
// (expect bytes {{n}}), a Modbus RTU-over-TCP server from Debian's python3-pymodbus (CRC-16/MODBUS
// appended and verified; a corrupted CRC fails at its byte) and Python's http.server (Content-Length,
// then expect bytes {{len}}; headers matched with /…/i).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { RunResult, ScriptRunner, StepResult, parseScript } from '../../../src/core/script';
import { PEERS } from '../support';
import { servePeer } from './realServers';
import { useEchoFixture } from './echoFixture';

describe('scripts against real servers', () => {
  const fx = useEchoFixture('tcpwb-real-');

  async function run(text: string, vars: Record<string, string>): Promise<RunResult> {
    const script = parseScript(text, { vars });
    assert.deepEqual(script.diagnostics, []);
    const runner = new ScriptRunner(script);
    try {
      return await runner.run({ file: path.join(fx.tmp, 'test.tcp') });
    } finally {
      runner.dispose();
    }
  }

  const why = (r: RunResult, i = 0): string => r.blocks[i].failure?.message ?? '(passed)';
  const captured = (r: RunResult, name: string): string | undefined =>
    r.blocks.flatMap((b) => b.steps).find((s: StepResult) => s.captured?.[name] !== undefined)?.captured?.[name];

  const serve = (cmd: string, args: (port: number) => string[]): Promise<number> => servePeer(fx.peers, cmd, args);

  it('Redis: SET and GET with $len computed from the values, the reply read with expect bytes {{n}}', async () => {
    const port = await serve('redis-server', (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const r = await run(
      [
        '@key = greeting',
        '@value = hello wörld, 你好',
        '### set and get',
        'connect 127.0.0.1:{{port}}',
        'send "*3\\r\\n$3\\r\\nSET\\r\\n${{len(key)}}\\r\\n{{key}}\\r\\n${{len(value)}}\\r\\n{{value}}\\r\\n"',
        'expect "+OK\\r\\n"',
        'send "*2\\r\\n$3\\r\\nGET\\r\\n${{len(key)}}\\r\\n{{key}}\\r\\n"',
        'expect /^\\$(\\d+)\\r\\n/ -> n',
        'expect bytes {{n}} -> got',
        'expect "\\r\\n"',
        'send "*2\\r\\n$6\\r\\nSTRLEN\\r\\n${{len(key)}}\\r\\n{{key}}\\r\\n"',
        'expect ":{{n}}\\r\\n"',
        'send "PING\\r\\nPING\\r\\n"',
        'expect "+PONG\\r\\n"',
        'expect "+PONG\\r\\n"',
        'expect nothing 100ms',
      ].join('\n'),
      { port: String(port) },
    );
    assert.equal(r.blocks[0].status, 'passed', why(r));
    assert.equal(captured(r, 'n'), String(Buffer.byteLength('hello wörld, 你好')));
    assert.equal(captured(r, 'got'), 'hello wörld, 你好');
    assert.deepEqual(r.blocks[0].leftovers, []);
  });

  it('Redis: an unread reply is reported as leftover bytes of the block', async () => {
    const port = await serve('redis-server', (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const r = await run('### ping twice\nconnect 127.0.0.1:{{port}}\nsend "PING\\r\\nPING\\r\\n"\nexpect "+PONG\\r\\n"\nwait 200ms\n', { port: String(port) });
    assert.equal(r.blocks[0].status, 'passed', why(r));
    const l = r.blocks[0].leftovers ?? [];
    assert.deepEqual(
      l.map((x) => [x.connection, x.bytes.length, x.bytes.text]),
      [['', 7, '+PONG\r\n']],
    );
  });

  it('memcached: set with a computed byte count, get with expect bytes {{n}}', async () => {
    // memcached refuses to run as root unless told which user to be.
    const port = await serve('memcached', (p) => ['-l', '127.0.0.1', '-p', String(p), '-U', '0', '-m', '8', ...(process.getuid?.() === 0 ? ['-u', 'root'] : [])]);
    const r = await run(
      [
        '@v = twelve bytes',
        '### set and get',
        'connect 127.0.0.1:{{port}}',
        'send "set k 0 0 {{len(v)}}\\r\\n{{v}}\\r\\n"',
        'expect "STORED\\r\\n"',
        'send "get k\\r\\n"',
        'expect /^VALUE k 0 (\\d+)\\r\\n/ -> n',
        'expect bytes {{n}} -> data',
        'expect "\\r\\nEND\\r\\n"',
        'send "incr nope {{n + 1}}\\r\\n"',
        'expect "NOT_FOUND\\r\\n"',
      ].join('\n'),
      { port: String(port) },
    );
    assert.equal(r.blocks[0].status, 'passed', why(r));
    assert.equal(captured(r, 'data'), 'twelve bytes');
  });

  describe('Modbus RTU over TCP (python3-pymodbus)', () => {
    const start = (): Promise<number> => serve('/usr/bin/python3', (p) => [path.join(PEERS, 'modbus_rtu_server.py'), String(p)]);

    it('reads holding registers: the CRC appended on send and verified on expect', async () => {
      const port = await start();
      const r = await run(
        [
          '@encoding = latin1',
          '### read 3 holding registers',
          'connect 127.0.0.1:{{port}}',
          'send frame hex 01 03 00 00 00 03 crc16modbus',
          'expect frame hex 01 03 u8(len) u16be(42) u16be(7) u16be(1000) crc16modbus',
          'send frame u8(1) u8(3) u16be(1) u16be(2) crc16modbus',
          'expect frame hex 01 03 u8(len) * crc16modbus -> regs',
          '### a request with a bad CRC gets no answer',
          'connect 127.0.0.1:{{port}}',
          'send hex 01 03 00 00 00 03 00 00',
          'expect nothing 300ms',
        ].join('\n'),
        { port: String(port) },
      );
      assert.equal(r.blocks[0].status, 'passed', why(r));
      assert.equal(r.blocks[1].status, 'passed', why(r, 1));
      assert.equal(Buffer.from(captured(r, 'regs') ?? '', 'latin1').toString('hex'), '000703e8');
    });

    it('a reply whose CRC was corrupted on the way fails at the CRC byte that differs', async () => {
      const port = await start();
      // A relay that flips the last byte of every reply from the real server.
      const relay = await fx.peers.listen((client) => {
        const up = net.connect(port, '127.0.0.1');
        fx.peers.sockets.add(up);
        client.pipe(up);
        up.on('data', (d: Buffer) => {
          const bad = Buffer.from(d);
          bad[bad.length - 1] ^= 0xff;
          client.write(bad);
        });
        client.on('close', () => up.destroy());
      });
      const r = await run('### corrupted\nconnect 127.0.0.1:{{port}}\nsend frame hex 01 03 00 00 00 03 crc16modbus\nexpect frame hex 01 03 u8(len) * crc16modbus\n', {
        port: String(relay),
      });
      assert.equal(r.blocks[0].status, 'failed');
      const f = r.blocks[0].failure;
      assert.equal(f?.step?.failure?.offset, 10);
      assert.equal(f?.args.why, 'checksum');
      assert.match(
        f?.message ?? '',
        /^expected hex 01 03 06 00 2a 00 07 03 e8 89 cc got hex 01 03 06 00 2a 00 07 03 e8 89 33 \(crc16modbus should be 89 cc, got 89 33 at byte 10\)$/,
      );
    });
  });

  it("Python's http.server: headers with /…/i, then expect bytes {{len}} of Content-Length", async () => {
    const body = 'héllo from a file\n'.repeat(20);
    fs.writeFileSync(path.join(fx.tmp, 'hello.txt'), body);
    const port = await serve('python3', (p) => ['-m', 'http.server', String(p), '--bind', '127.0.0.1', '--directory', fx.tmp]);
    const r = await run(
      [
        '### get a file',
        'connect 127.0.0.1:{{port}}',
        'send "GET /hello.txt HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n"',
        'expect /^http\\/1\\.[01] 200 ok\\r\\n/i',
        'expect /^content-length: (\\d+)\\r\\n/im -> len',
        'expect /\\r\\n\\r\\n/',
        'expect bytes {{len}} -> got',
        'expect close',
      ].join('\n'),
      { port: String(port) },
    );
    assert.equal(r.blocks[0].status, 'passed', why(r));
    assert.equal(captured(r, 'len'), String(Buffer.byteLength(body)));
    assert.equal(captured(r, 'got'), body);
  });
});
