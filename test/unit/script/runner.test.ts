// The client-block runner against real peers: our EchoServer, the tutorial python reply server, nc,
// and hand-written socket servers for split deliveries, early closes, floods and gbk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { RunResult, ScriptRunner, StepResult, parseScript } from '../../../src/core/script';
import { PEERS, sleep, waitFor } from '../support';
import { useEchoFixture } from './echoFixture';

describe('script runner', () => {
  const fx = useEchoFixture('tcpwb-script-');
  const peers = fx.peers;

  async function run(text: string, vars: Record<string, string> = {}, signal?: AbortSignal): Promise<RunResult> {
    const script = parseScript(text, { vars: { port: String(fx.port), ...vars } });
    assert.deepEqual(script.diagnostics, []);
    const runner = new ScriptRunner(script);
    try {
      return await runner.run({ file: path.join(fx.tmp, 'test.tcp'), signal });
    } finally {
      runner.dispose();
    }
  }

  const failureOf = (r: RunResult, i = 0): string => r.blocks[i].failure?.message ?? '(passed)';

  it('passes every kind of step against our echo server', async () => {
    fs.mkdirSync(path.join(fx.tmp, 'data'));
    fs.writeFileSync(path.join(fx.tmp, 'data', 'frame.bin'), Buffer.from([1, 2, 3, 0, 255]));
    const r = await run(
      [
        '### everything',
        'connect 127.0.0.1:{{port}}',
        'send "hello\\n"',
        'expect "hello\\n"',
        'send hex 48 65 6c 6c 6f',
        'expect hex 48 65 6c 6c 6f',
        'send file data/frame.bin',
        'expect hex 01 02 03 00 ff',
        'send "PONG 42\\n"',
        'expect /PONG (\\d+)\\n/ -> n',
        'send "n is {{n}}."',
        'expect "n is 42."',
        'send "abcdef"',
        'wait 20ms',
        'expect bytes 6 -> six',
        'repeat 5 every 10ms',
        '  send "PING\\n"',
        '  expect "PING\\n"',
        'shutdown',
        'expect close',
      ].join('\n'),
    );
    assert.equal(r.blocks[0].status, 'passed', failureOf(r));
    const b = r.blocks[0];
    assert.equal(b.stepsRun, 1 + 13 + 10 + 2);
    const re = b.steps.find((s) => s.captured?.n) as StepResult;
    assert.deepEqual(re.captured, { n: '42' });
    assert.equal(re.received?.text, 'PONG 42\n');
    assert.equal(re.received?.hex, '50 4f 4e 47 20 34 32 0a');
    assert.deepEqual(b.steps.find((s) => s.captured?.six)?.captured, { six: 'abcdef' });
    assert.deepEqual(
      b.steps.filter((s) => s.iteration).map((s) => s.iteration?.[0]),
      [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    );
    assert.equal(b.bytesIn, b.bytesOut);
    assert.equal(r.passed, 1);
  });

  it('reports a mismatch with expected, actual and the first differing byte, then runs the next block', async () => {
    const r = await run('### bad\nconnect 127.0.0.1:{{port}}\nsend "PANG\\n"\nexpect "PONG\\n"\nsend "never"\n### good\nconnect 127.0.0.1:{{port}}\nsend "x"\nexpect "x"\n');
    assert.deepEqual(
      r.blocks.map((b) => b.status),
      ['failed', 'passed'],
    );
    const f = r.blocks[0].failure;
    assert.equal(f?.line, 3);
    assert.equal(f?.message, 'expected "PONG\\n" got "PANG\\n" (first difference at byte 1)');
    assert.equal(f?.step?.failure?.offset, 1);
    assert.equal(f?.step?.failure?.expected?.hex, '50 4f 4e 47 0a');
    assert.equal(f?.step?.failure?.actual?.text, 'PANG\n');
    assert.equal(r.blocks[0].stepsRun, 3, 'the step after the failure did not run');
    assert.deepEqual([r.passed, r.failed], [1, 1]);
  });

  it('sends \\xHH as one raw byte in any encoding', async () => {
    for (const enc of ['utf-8', 'gbk']) {
      const r = await run(`@encoding = ${enc}\n### raw\nconnect 127.0.0.1:{{port}}\nsend "a\\xff\\x00é"\nexpect hex 61 ff 00\nexpect "é"\n`);
      assert.equal(r.blocks[0].status, 'passed', `${enc}: ${failureOf(r)}`);
    }
  });

  it('fails a hex expect with a hex message', async () => {
    const r = await run('### hex\nconnect 127.0.0.1:{{port}}\nsend hex 01 02 03\nexpect hex 01 02 04\n');
    assert.equal(failureOf(r), 'expected hex 01 02 04 got hex 01 02 03 (first difference at byte 2)');
  });

  it('times a step out with what arrived so far (@timeout)', async () => {
    const t0 = Date.now();
    const r = await run('@timeout = 200ms\n### slow\nconnect 127.0.0.1:{{port}}\nsend "PO"\nexpect "PONG"\n');
    assert.equal(failureOf(r), 'expected "PONG" got "PO" (nothing more within 200 ms)');
    assert.ok(Date.now() - t0 < 2000);
  });

  it('times a whole block out (@blockTimeout)', async () => {
    const r = await run('@blockTimeout = 300ms\n### long\nconnect 127.0.0.1:{{port}}\nrepeat 100\n  send "x"\n  expect "x"\n  wait 50ms\n');
    assert.equal(r.blocks[0].status, 'failed');
    assert.match(failureOf(r), /the block timed out after 300 ms/);
    assert.ok(r.blocks[0].durationMs < 1500, `${r.blocks[0].durationMs} ms`);
  });

  it('fails when the peer closes early (tutorial python server that replies once)', async () => {
    const { line } = await peers.startPeer('python3', [path.join(PEERS, 'reply_server.py'), 'PONG\\n', 'once']);
    const r = await run(
      '### twice\nconnect 127.0.0.1:{{py}}\nsend "PING\\n"\nexpect "PONG\\n"\nsend "PING\\n"\nexpect "PONG\\n"\n### once\nconnect 127.0.0.1:{{py}}\nsend "PING\\n"\nexpect "PONG\\n"\nexpect close\n',
      { py: line },
    );
    assert.equal(r.blocks[0].status, 'failed');
    assert.equal(r.blocks[0].failure?.line, 5);
    assert.match(failureOf(r), /^expected "PONG\\n" got nothing \(then the peer closed/);
    assert.equal(r.blocks[1].status, 'passed', failureOf(r, 1));
  });

  it('fails expect close when the peer sends more, or stays open', async () => {
    const r = await run('@timeout = 200ms\n### more\nconnect 127.0.0.1:{{port}}\nsend "x"\nwait 50ms\nexpect close\n### open\nconnect 127.0.0.1:{{port}}\nexpect close\n');
    assert.equal(failureOf(r, 0), 'expected the peer to close got "x" (the peer sent more instead of closing)');
    assert.equal(failureOf(r, 1), 'expected the peer to close got nothing (nothing more within 200 ms)');
  });

  it('fails connect to a port where nothing listens, and a missing send file', async () => {
    const r = await run('### refused\nconnect 127.0.0.1:{{free}}\nsend "x"\n### file\nconnect 127.0.0.1:{{port}}\nsend file nope.bin\n', {
      free: String(await peers.refusedPort()),
    });
    assert.equal(r.blocks[0].failure?.line, 1);
    assert.match(failureOf(r, 0), /connection refused/);
    assert.match(failureOf(r, 1), /^cannot send: .*ENOENT/);
  });

  it('flushes the last sends of a passed block (and before close) before the socket goes', async () => {
    fs.writeFileSync(path.join(fx.tmp, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 7));
    const got: number[] = [];
    const p = await peers.listen((s) => {
      let n = 0;
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => got.push(n));
    });
    const r = await run('### last\nconnect 127.0.0.1:{{p}}\nsend file big.bin\n### close\nconnect 127.0.0.1:{{p}}\nsend file big.bin\nclose\n', { p: String(p) });
    assert.deepEqual(
      r.blocks.map((b) => b.status),
      ['passed', 'passed'],
    );
    await waitFor(() => got.length === 2, 'the peer to see both ends');
    assert.deepEqual(got, [8 * 1024 * 1024, 8 * 1024 * 1024]);
  });

  it('fails a send to a peer that stops reading, at the step timeout', async () => {
    fs.writeFileSync(path.join(fx.tmp, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 1));
    const p = await peers.listen((s) => s.pause());
    const t0 = Date.now();
    const r = await run('@timeout = 300ms\n### stuck\nconnect 127.0.0.1:{{p}}\nsend file big.bin\n', { p: String(p) });
    assert.equal(failureOf(r), 'send failed: the peer did not read what we sent in time');
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  });

  it('matches text that arrives in 1-byte segments', async () => {
    const p = await peers.listen((s) => {
      void (async () => {
        for (const c of Buffer.from('hello world\n')) {
          s.write(Buffer.from([c]));
          await sleep(5);
        }
        for (const c of Buffer.from('VALUE 17\n')) {
          s.write(Buffer.from([c]));
          await sleep(5);
        }
      })();
    });
    const r = await run('### split\nconnect 127.0.0.1:{{p}}\nexpect "hello world\\n"\nexpect /VALUE (\\d+)\\n/ -> v\n', { p: String(p) });
    assert.equal(r.blocks[0].status, 'passed', failureOf(r));
    assert.deepEqual(r.blocks[0].steps[2].captured, { v: '17' });
  });

  it('sends and matches gbk text as gbk bytes', async () => {
    const seen: Buffer[] = [];
    const p = await peers.listen((s) => {
      s.on('data', (d: Buffer) => {
        seen.push(d);
        s.write(Buffer.concat([iconv.encode('收到：', 'gbk'), d]));
      });
    });
    const r = await run('@encoding = gbk\n### 中文\nconnect 127.0.0.1:{{p}}\nsend "你好\\n"\nexpect /收到：(.+)\\n/ -> what\n', { p: String(p) });
    assert.equal(r.blocks[0].status, 'passed', failureOf(r));
    assert.deepEqual(Buffer.concat(seen), iconv.encode('你好\n', 'gbk'));
    assert.deepEqual(r.blocks[0].steps[2].captured, { what: '你好' });
    assert.equal(r.blocks[0].steps[2].received?.text, '收到：你好\n');
  });

  it('talks to nc', async () => {
    const { child: nc, port: ncPort } = await peers.listenNc();
    let out = '';
    nc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    nc.stdin.write('READY\n');
    await sleep(200);
    const r = await run('### nc\nconnect 127.0.0.1:{{n}}\nexpect "READY\\n"\nsend "bye\\n"\nclose\n', { n: String(ncPort) });
    assert.equal(r.blocks[0].status, 'passed', failureOf(r));
    await waitFor(() => out === 'bye\n', 'nc to print what the script sent');
  });

  it('keeps at most 1 MiB unconsumed, dropping and counting older bytes', async () => {
    const p = await peers.listen((s) => s.end(Buffer.alloc(3 * 1024 * 1024, 0x61)));
    const r = await run('### flood\nconnect 127.0.0.1:{{p}}\nwait 500ms\nexpect bytes 1048576\nexpect close\n', { p: String(p) });
    assert.equal(r.blocks[0].status, 'passed', failureOf(r));
    assert.equal(r.blocks[0].bytesIn, 3 * 1024 * 1024);
    assert.equal(r.blocks[0].bytesDropped, 2 * 1024 * 1024);
  });

  it('does not freeze on a catastrophic regex', async () => {
    const p = await peers.listen((s) => s.write(`${'a'.repeat(30000)}b`));
    const t0 = Date.now();
    const r = await run('@timeout = 300ms\n### evil\nconnect 127.0.0.1:{{p}}\nexpect /(a+)+$/\n', { p: String(p) });
    assert.equal(r.blocks[0].status, 'failed');
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  });

  it('cancels mid-run at once and leaves no socket open', async () => {
    let open = 0;
    let closed = 0;
    const p = await peers.listen((s) => {
      open++;
      s.on('close', () => closed++);
    });
    const ac = new AbortController();
    const script = parseScript(`@timeout = 30s\n### hang\nconnect 127.0.0.1:${p}\nexpect "never"\n### next\nconnect 127.0.0.1:${p}\n`);
    const runner = new ScriptRunner(script);
    const events: string[] = [];
    runner.onDidStartBlock((e) => events.push(`start ${e.block.title}`));
    runner.onDidFinishStep((e) => events.push(`step ${e.result.step.kind} ${e.result.ok}`));
    runner.onDidFinishBlock((e) => events.push(`done ${e.block.title} ${e.result.status}`));
    const running = runner.run({ file: path.join(fx.tmp, 'x.tcp'), signal: ac.signal });
    await waitFor(() => open === 1, 'the script to connect');
    const t0 = Date.now();
    ac.abort();
    const r = await running;
    runner.dispose();
    assert.ok(Date.now() - t0 < 500, `cancel took ${Date.now() - t0} ms`);
    assert.equal(r.cancelled, true);
    assert.deepEqual(
      r.blocks.map((b) => b.status),
      ['cancelled', 'cancelled'],
    );
    await waitFor(() => closed === 1, 'the server side to see the socket close');
    assert.equal(open, 1, 'the next block did not connect');
    assert.deepEqual(events, ['start hang', 'step connect true', 'step expect false', 'done hang cancelled', 'start next', 'done next cancelled']);
  });

  it('cancels a million-step repeat of steps without I/O (the event loop keeps turning)', async () => {
    const ac = new AbortController();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    const r = await run('### tight\nconnect 127.0.0.1:{{port}}\nrepeat 1000000\n  shutdown\n', {}, ac.signal);
    clearInterval(iv);
    assert.equal(r.blocks[0].status, 'cancelled');
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
    assert.ok(ticks >= 5, `only ${ticks} timer ticks ran`);
    assert.ok(r.blocks[0].stepsRun < 1_000_001);
  });

  it('fires one transfer event per chunk each way', async () => {
    const script = parseScript(`### t\nconnect 127.0.0.1:${fx.port}\nsend "ab"\nexpect "ab"\n`);
    const runner = new ScriptRunner(script);
    const seen: string[] = [];
    runner.onDidTransfer((e) => seen.push(`${e.direction} ${e.bytes.toString()}`));
    const r = await runner.run({ file: path.join(fx.tmp, 'x.tcp') });
    runner.dispose();
    assert.equal(r.passed, 1);
    assert.deepEqual(seen, ['out ab', 'in ab']);
  });

  it('runs only the blocks asked for', async () => {
    const script = parseScript(`### a\nconnect 127.0.0.1:${fx.port}\n### b\nconnect 127.0.0.1:${fx.port}\n`);
    const runner = new ScriptRunner(script);
    const r = await runner.run({ file: path.join(fx.tmp, 'x.tcp'), only: [1] });
    runner.dispose();
    assert.deepEqual(
      r.blocks.map((b) => b.block.title),
      ['b'],
    );
  });

  it("closes each block's connection when the block ends, passed or failed", async () => {
    let accepted = 0;
    fx.echo.onDidAcceptClient(() => accepted++);
    const r = await run('@timeout = 100ms\n### a\nconnect 127.0.0.1:{{port}}\nsend "x"\nexpect "y"\n### b\nconnect 127.0.0.1:{{port}}\n');
    assert.deepEqual(
      r.blocks.map((b) => b.status),
      ['failed', 'passed'],
    );
    await waitFor(() => fx.echo.clients.length === 0, 'the echo server to see every script connection leave');
    assert.equal(accepted, 2);
  });
});
