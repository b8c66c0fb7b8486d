// Values computed while a block runs, against our echo server and hand-made peers: arithmetic on
// captures, counts from captures, generators, expect file, expect nothing, frames, and the failures
// of values that do not fit.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CODES, ListenBlock, RunResult, ScriptRunner, StepResult, formatFailure, parseScript, toJUnit } from '../../../src/core/script';
import { MockServer } from '../../../src/core/script/mockServer';
import { readAll } from '../support';
import { useEchoFixture } from './echoFixture';

describe('script values, generators and new expects', () => {
  const fx = useEchoFixture('tcpwb-values-');

  async function run(text: string, vars: Record<string, string> = {}): Promise<RunResult> {
    const script = parseScript(text, { vars: { port: String(fx.port), ...vars } });
    assert.deepEqual(script.diagnostics, []);
    const runner = new ScriptRunner(script);
    try {
      return await runner.run({ file: path.join(fx.tmp, 'test.tcp') });
    } finally {
      runner.dispose();
    }
  }

  const why = (r: RunResult, i = 0): string => r.blocks[i].failure?.message ?? '(passed)';
  const sent = (r: RunResult): string[] => r.blocks[0].steps.filter((s: StepResult) => s.step.kind === 'send').map((s) => s.sent?.text ?? '');

  it('arithmetic on a capture, and a count from a capture (expect bytes {{n + 2}}, repeat {{n}})', async () => {
    const r = await run(
      [
        '### counts',
        'connect 127.0.0.1:{{port}}',
        'send "LEN 3\\n"',
        'expect /LEN (\\d+)\\n/ -> n',
        'send "{{n * 10 + 2}}|{{(n + 1) % 3}}|{{n / 2}}|{{-n}}\\n"',
        'expect "32|1|1|-3\\n"',
        'send "abcde"',
        'expect bytes {{n + 2}} -> five',
        'repeat {{n}}',
        '  send "{{$seq}}."',
        '  expect "{{$seq}}."',
      ].join('\n'),
    );
    assert.equal(r.blocks[0].status, 'passed', why(r));
    assert.deepEqual(sent(r).slice(-3), ['1.', '2.', '3.']);
  });

  it('generators: $now, $nowMs, $uuid, $random A B, $randomHex N, and $seq per nested repeat', async () => {
    const before = Date.now();
    const r = await run(
      [
        '### generators',
        'connect 127.0.0.1:{{port}}',
        'send "{{$now}} {{$nowMs}} {{$uuid}} {{$random 0 255}} {{$randomHex 8}} {{$seq}}\\n"',
        'expect /^(\\d+) (\\d+) ([0-9a-f-]{36}) (\\d+) ([0-9a-f]{8}) 1\\n/ -> s ms id byte hex',
        'repeat 2',
        '  repeat 3',
        '    send "<{{$seq}}>"',
        '  send "[{{$seq}}]"',
        'expect "<1><2><3>[1]<1><2><3>[2]"',
      ].join('\n'),
    );
    assert.equal(r.blocks[0].status, 'passed', why(r));
    const c = r.blocks[0].steps.find((s) => s.captured)?.captured ?? {};
    assert.ok(Math.abs(Number(c.s) - Math.floor(before / 1000)) <= 2, c.s);
    assert.ok(Number(c.ms) >= before && Number(c.ms) <= Date.now(), c.ms);
    assert.match(c.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(Number(c.byte) >= 0 && Number(c.byte) <= 255);
  });

  it('a capture that is not a number fails the step that needs one, with the value', async () => {
    const r = await run('### nan\nconnect 127.0.0.1:{{port}}\nsend "n=abc\\n"\nexpect /n=(\\w+)\\n/ -> n\nexpect bytes {{n}}\n');
    assert.equal(r.blocks[0].status, 'failed');
    assert.equal(r.blocks[0].failure?.code, 'step.badValue');
    assert.equal(why(r), '{{n}} is "abc", not a whole number.');
    const big = await run('### big\nconnect 127.0.0.1:{{port}}\nsend "n=0\\n"\nexpect /n=(\\d+)\\n/ -> n\nrepeat {{n}}\n  send "x"\n');
    assert.equal(big.blocks[0].failure?.message, '{{n}} is 0; it must be from 1 to 1,000,000 here.');
  });

  it('static expressions are folded while parsing; bad ones are diagnostics at their columns', () => {
    const s = parseScript('@a = 4\n### t\nconnect 1\nexpect bytes {{a * 2}}\nsend "{{a + }}"\n');
    const step = s.blocks[0].kind === 'client' ? s.blocks[0].steps[0] : undefined;
    assert.ok(step?.kind === 'expect' && step.match === 'bytes');
    assert.equal(step.count, 8);
    assert.deepEqual(
      s.diagnostics.map((d) => [d.code, d.range.line, d.range.start, d.range.end]),
      [[CODES.badExpression, 4, 6, 14]],
    );
  });

  it('expect file: the next bytes equal a file; a difference is reported at its byte', async () => {
    fs.writeFileSync(path.join(fx.tmp, 'want.bin'), Buffer.from([0, 1, 2, 0xff, 0x0a]));
    const ok = await run('### file\nconnect 127.0.0.1:{{port}}\nsend hex 00 01 02 ff 0a\nexpect file want.bin\n');
    assert.equal(ok.blocks[0].status, 'passed', why(ok));
    const bad = await run('### file\nconnect 127.0.0.1:{{port}}\nsend hex 00 01 03 ff 0a\nexpect file want.bin\n');
    assert.equal(bad.blocks[0].failure?.step?.failure?.offset, 2);
    assert.equal(why(bad), 'expected hex 00 01 02 ff 0a got hex 00 01 03 ff 0a (first difference at byte 2)');
    const none = await run('### file\nconnect 127.0.0.1:{{port}}\nexpect file nope.bin\n');
    assert.match(why(none), /ENOENT/);
  });

  it('expect nothing: passes on silence, fails at once on a byte (and names it)', async () => {
    const quiet = await run('### quiet\nconnect 127.0.0.1:{{port}}\nsend "a"\nexpect "a"\nexpect nothing 150ms\n');
    assert.equal(quiet.blocks[0].status, 'passed', why(quiet));
    const p = await fx.peers.listen((s) => setTimeout(() => s.write('late\n'), 100));
    const t0 = Date.now();
    const loud = await run('### loud\nconnect 127.0.0.1:{{p}}\nexpect nothing 5s\n', { p: String(p) });
    assert.equal(loud.blocks[0].status, 'failed');
    assert.equal(why(loud), 'expected nothing within 5000 ms got "late\\n"');
    assert.ok(Date.now() - t0 < 4000, 'it failed when the byte came, not at the end of the 5 s');
  });

  it('leftover bytes at the end of a passed block are reported (and in JUnit)', async () => {
    const r = await run('### extra\nconnect 127.0.0.1:{{port}}\nsend "ab\\ncd\\n"\nexpect "ab\\n"\nwait 100ms\n');
    assert.equal(r.blocks[0].status, 'passed', why(r));
    assert.deepEqual(
      r.blocks[0].leftovers?.map((l) => l.bytes.text),
      ['cd\n'],
    );
    assert.match(toJUnit([{ file: 'x.tcp', result: r }]), /\(3 bytes left unread: &quot;cd\\n&quot; \(hex 63 64 0a\)\)/);
  });

  it('frames over a socket: a 2-byte length prefix built and read back, with CRC-32', async () => {
    const r = await run(
      ['@msg = hello, frames', '### framed echo', 'connect 127.0.0.1:{{port}}', 'send frame u16be(len) "{{msg}}" crc32', 'expect frame u16be(len) * crc32 -> body'].join('\n'),
    );
    assert.equal(r.blocks[0].status, 'passed', why(r));
    assert.equal(r.blocks[0].steps[2].captured?.body, 'hello, frames');
  });

  it('a mock answers with frames and counts its hits per client in {{$seq}}', async () => {
    const script = parseScript('### m\nlisten 127.0.0.1:0\non /^(\\w+)\\n/ send frame u8({{$seq}}) u8(len) "{{1}}" xor8\n');
    assert.deepEqual(script.diagnostics, []);
    const mock = new MockServer({ block: script.blocks[0] as ListenBlock, file: path.join(fx.tmp, 'm.tcp') });
    try {
      const { port } = await mock.start();
      const s = net.connect(port, '127.0.0.1');
      fx.peers.sockets.add(s);
      s.end('ab\ncd\n');
      const got = await readAll(s);
      const frame = (seq: number, text: string): Buffer => {
        const b = Buffer.concat([Buffer.from([seq, text.length]), Buffer.from(text)]);
        return Buffer.concat([b, Buffer.from([b.reduce((x, y) => x ^ y, 0)])]);
      };
      assert.equal(got.toString('hex'), Buffer.concat([frame(1, 'ab'), frame(2, 'cd')]).toString('hex'));
    } finally {
      await mock.stop();
      mock.dispose();
    }
  });
});

describe('failures in compiler style', () => {
  const fx = useEchoFixture('tcpwb-report-');

  async function report(text: string): Promise<string | undefined> {
    const script = parseScript(text, { vars: { port: String(fx.port) } });
    const runner = new ScriptRunner(script);
    try {
      const r = await runner.run({ file: path.join(fx.tmp, 't.tcp') });
      return formatFailure('t.tcp', text, r.blocks[0]);
    } finally {
      runner.dispose();
    }
  }

  it('file:line:col, the source line, a caret under the argument, expected and actual with the byte marked', async () => {
    const out = await report('### bad\nconnect 127.0.0.1:{{port}}\nsend "PANG\\n"\nexpect "PONG\\n"   # why\n');
    assert.equal(
      out,
      [
        't.tcp:4:8: expected "PONG\\n" got "PANG\\n" (first difference at byte 1)',
        '  4 | expect "PONG\\n"   # why',
        '    |        ^^^^^^^^',
        '    expected  "PONG\\n"   50 4f 4e 47 0a',
        '    actual    "PANG\\n"   50 41 4e 47 0a',
        '                            ^^ byte 1',
      ].join('\n'),
    );
  });

  it('a frame with a wrong checksum: the caret under the frame, the checksum byte marked', async () => {
    const out = await report('### crc\nconnect 127.0.0.1:{{port}}\nsend hex 01 02 00\nexpect frame hex 01 02 sum8\n');
    const lines = out?.split('\n') ?? [];
    assert.equal(lines[0], 't.tcp:4:8: expected hex 01 02 03 got hex 01 02 00 (sum8 should be 03, got 00 at byte 2)');
    assert.equal(lines[2], '    |        ^^^^^^^^^^^^^^^^^^^^');
    assert.equal(lines[5].indexOf('^^'), lines[4].indexOf('00'));
  });

  it('nothing for a passed block', async () => {
    assert.equal(await report('### ok\nconnect 127.0.0.1:{{port}}\nsend "a"\nexpect "a"\n'), undefined);
  });
});
