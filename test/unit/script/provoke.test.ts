// The provoke steps of the `.tcp` language against a real python peer that reports what its recv() calls
// got and how the connection ended: pieces (one message, several recvs), together (several messages, one
// recv), reset (ECONNRESET) and shutdown (recv → 0) on named connections, pause/resume; and their parse errors.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunResult, ScriptRunner, formatDiagnostic, parseScript } from '../../../src/core/script';
import { PEERS, Peers, waitFor } from '../support';

interface Report {
  data: string;
  recvs: number[];
  end: 'fin' | 'rst' | 'timeout';
}

describe('script: provoke steps (pieces, together, nodelay, reset, pause)', () => {
  const peers = new Peers();
  afterEach(() => peers.dispose());

  /** Starts recv_report.py for `conns` clients; `reports()` waits until each has printed its line. */
  async function reporter(conns: number, ...flags: string[]): Promise<{ port: number; reports: () => Promise<Report[]> }> {
    const { child, line } = await peers.startPeer('python3', [path.join(PEERS, 'recv_report.py'), String(conns), ...flags]);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const lines = (): string[] => out.split('\n').filter((l) => l.startsWith('{'));
    return {
      port: Number(line),
      reports: async () => {
        await waitFor(() => lines().length >= conns, 'the peer to report', 15000);
        return lines().map((l) => JSON.parse(l) as Report);
      },
    };
  }

  async function run(text: string): Promise<RunResult> {
    const script = parseScript(text);
    assert.deepEqual(
      script.diagnostics.map((d) => d.message),
      [],
    );
    const runner = new ScriptRunner(script);
    try {
      return await runner.run({ file: path.join(__dirname, 'provoke.tcp') });
    } finally {
      runner.dispose();
    }
  }

  const passed = (r: RunResult): void => assert.equal(r.blocks[0].status, 'passed', r.blocks[0].failure?.message);

  it('send … pieces 3 gap 200ms: one message arrives as three recvs (半包); shutdown is a FIN', async () => {
    const peer = await reporter(1);
    passed(await run(`### pieces\nconnect 127.0.0.1:${peer.port}\nsend "abcdef" pieces 3 gap 200ms\nshutdown\nexpect close\n`));
    assert.deepEqual(await peer.reports(), [{ data: 'abcdef', recvs: [2, 2, 2], end: 'fin' }]);
  });

  it('send together: three messages arrive as one recv (粘包), hex and strings mixed', async () => {
    const peer = await reporter(1);
    passed(await run(`### together\nconnect 127.0.0.1:${peer.port}\nsend together "one;" hex 74 77 6f 3b "three;"\nshutdown\nexpect close\n`));
    assert.deepEqual(await peer.reports(), [{ data: 'one;two;three;', recvs: [14], end: 'fin' }]);
  });

  it('the same three messages as three plain sends, each after the peer read the one before, are three recvs', async () => {
    // The counter-test: the together step above is what merges them.
    const peer = await reporter(1, '--ack');
    const r = await run(
      `### apart\nconnect 127.0.0.1:${peer.port}\nsend "one;"\nexpect "got 4\\n"\nsend "two;"\nexpect "got 4\\n"\nsend "three;"\nexpect "got 6\\n"\nshutdown\nexpect close\n`,
    );
    passed(r);
    assert.deepEqual((await peer.reports())[0].recvs, [4, 4, 6]);
  });

  it('reset and shutdown on named connections: alice resets (the peer sees ECONNRESET), bob half-closes (recv → 0) and still reads', async () => {
    const peer = await reporter(2, '--ack');
    const r = await run(
      [
        '### two ways to end',
        `connect alice 127.0.0.1:${peer.port}`,
        'alice send "alice"',
        'alice expect "got 5\\n"',
        `connect bob 127.0.0.1:${peer.port}`,
        'bob send "bob"',
        'bob expect "got 3\\n"',
        'alice reset',
        'bob shutdown',
        'bob expect close',
        '',
      ].join('\n'),
    );
    passed(r);
    const reports = await peer.reports();
    assert.deepEqual(reports.find((x) => x.data === 'alice')?.end, 'rst');
    assert.deepEqual(reports.find((x) => x.data === 'bob')?.end, 'fin');
  });

  it('pause stops reading (what the peer sent stays unread), resume reads it', async () => {
    const peer = await reporter(1, '--greet', 'hello\n');
    const r = await run(`### pause\nconnect 127.0.0.1:${peer.port}\npause\nexpect nothing 300ms\nresume\nexpect "hello\\n"\nnodelay off\nsend "x"\nnodelay on\nclose\n`);
    passed(r);
    assert.deepEqual(
      r.blocks[0].steps.map((s) => `${s.step.kind}:${s.ok}`),
      ['connect:true', 'pause:true', 'expect:true', 'resume:true', 'expect:true', 'nodelay:true', 'send:true', 'nodelay:true', 'close:true'],
    );
    assert.equal((await peer.reports())[0].data, 'x');
  });

  it('without pause the greeting is there at once: expect nothing fails (the pause test can fail)', async () => {
    const peer = await reporter(1, '--greet', 'hello\n');
    const script = parseScript(`### no pause\nconnect 127.0.0.1:${peer.port}\nwait 200ms\nexpect nothing 300ms\n`);
    const runner = new ScriptRunner(script);
    const r = await runner.run({ file: path.join(__dirname, 'provoke.tcp') }).finally(() => runner.dispose());
    assert.equal(r.blocks[0].status, 'failed');
  });

  it('a send in pieces to a closed connection fails as a send does', async () => {
    const peer = await reporter(1);
    const r = await run(`### closed\nconnect 127.0.0.1:${peer.port}\nreset\nsend "abc" pieces 3\n`);
    assert.equal(r.blocks[0].status, 'failed');
    assert.match(r.blocks[0].failure?.message ?? '', /send failed: the connection is already closed/);
    assert.equal((await peer.reports())[0].end, 'rst');
  });

  it("a block's timeline (run --html, Show Timeline) draws the pieces as three writes and marks the reset and the pause", async () => {
    const peer = await reporter(1, '--ack');
    const runner = new ScriptRunner(
      parseScript(`### drawn\nconnect 127.0.0.1:${peer.port}\nsend "abcdef" pieces 3 gap 100ms\nexpect /got/\npause\nresume\nnodelay off\nreset\n`),
    );
    const r = await runner.run({ file: path.join(__dirname, 'provoke.tcp'), timelines: true }).finally(() => runner.dispose());
    passed(r);
    const events = r.blocks[0].timeline?.timeline.events ?? [];
    assert.deepEqual(
      events.filter((e) => e.kind === 'write').map((e) => (e as { size: number }).size),
      [2, 2, 2],
    );
    assert.deepEqual(
      events.filter((e) => ['pause', 'resume', 'noDelay', 'rst'].includes(e.kind) && (e as { lane: number }).lane === 0).map((e) => e.kind),
      ['pause', 'resume', 'noDelay', 'rst'],
    );
    assert.equal((await peer.reports())[0].end, 'rst');
  });

  describe('parsing', () => {
    const errors = (body: string): string[] =>
      parseScript(`### t\nconnect 127.0.0.1:9\n${body}\n`, { file: '/w/x.tcp' }).diagnostics.map((d) => formatDiagnostic('/w/x.tcp', d));

    it('parses the steps with their values, on named connections too', () => {
      const s = parseScript('### t\nconnect a 1\na send hex 41 42 43 pieces {{n}} gap 20ms\na send together "x" file f.bin "y"\na nodelay off\na pause\na resume\na reset\n', {
        vars: { n: '3' },
      });
      assert.deepEqual(s.diagnostics, []);
      const steps = (s.blocks[0] as unknown as { steps: readonly Record<string, unknown>[] }).steps;
      assert.deepEqual(steps[0].pieces, { count: 3, gapMs: 20 });
      assert.deepEqual((steps[0].payload as { bytes: Buffer }).bytes, Buffer.from('ABC'));
      assert.deepEqual(
        (steps[1].together as { kind: string }[]).map((p) => p.kind),
        ['text', 'file', 'text'],
      );
      assert.deepEqual(
        steps.slice(2).map((x) => `${x.conn as string} ${x.kind as string}${x.on === undefined ? '' : ` ${String(x.on)}`}`),
        ['a nodelay false', 'a pause', 'a resume', 'a reset'],
      );
    });

    it('reports each mistake at its file:line:col', () => {
      assert.deepEqual(errors('send "abc" pieces'), ['/w/x.tcp:3:12: pieces needs a count from 1 to 1,000, for example pieces 3.']);
      assert.deepEqual(errors('send "abc" pieces 0'), ['/w/x.tcp:3:19: "0" must be a whole number from 1 to 1,000.']);
      assert.deepEqual(errors('send "abc" pieces 3 gap 11s'), ['/w/x.tcp:3:25: gap needs a duration of at most 10s, for example gap 20ms.']);
      assert.deepEqual(errors('send "abc" pieces 3 gap'), ['/w/x.tcp:3:21: gap needs a duration of at most 10s, for example gap 20ms.']);
      assert.deepEqual(errors('send "abc" gap 20ms'), ['/w/x.tcp:3:12: Unexpected "gap" at the end of the step.']);
      assert.deepEqual(errors('send together "a"'), ['/w/x.tcp:3:1: send together needs two or more messages: strings, hex bytes or files, one after the other.']);
      assert.deepEqual(errors('send together "a" nope'), ['/w/x.tcp:3:19: Expected "text", hex, file or frame after together, not "nope".']);
      assert.deepEqual(errors('nodelay'), ['/w/x.tcp:3:1: nodelay needs on (Nagle off) or off (Nagle on), not "".']);
      assert.deepEqual(errors('nodelay yes'), ['/w/x.tcp:3:9: nodelay needs on (Nagle off) or off (Nagle on), not "yes".']);
      assert.deepEqual(errors('reset now'), ['/w/x.tcp:3:7: Unexpected "now" at the end of the step.']);
    });

    it('a named block needs the connection on reset, and reset cannot name a connection', () => {
      const named = '### t\nconnect a 1\nreset\n';
      assert.match(parseScript(named).diagnostics[0]?.message ?? '', /say which one, for example a reset/);
      assert.match(parseScript('### t\nconnect reset 1\n').diagnostics[0]?.message ?? '', /"reset" cannot name a connection/);
    });
  });
});
