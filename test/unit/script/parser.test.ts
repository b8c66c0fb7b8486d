// The .tcp parser: every construct into the AST with its ranges, every diagnostic at its columns,
// and bounded random input that must never throw.
import * as assert from 'node:assert/strict';
import { CODES, ClientBlock, ListenBlock, Script, ScriptParseError, Step, assertRunnable, parseScript } from '../../../src/core/script';
import { WorkbenchError } from '../../../src/core/errors';

const client = (s: Script, i = 0): ClientBlock => s.blocks[i] as ClientBlock;
const errors = (s: Script): string[] => s.diagnostics.map((d) => `${d.code}@${d.range.line}:${d.range.start}-${d.range.end}`);

describe('script parser', () => {
  describe('constructs', () => {
    it('reads variables, settings and a block with every client step', () => {
      const s = parseScript(
        [
          '# a comment',
          '@host = 127.0.0.1   # trailing comment',
          '@encoding = gbk',
          '@timeout = 2s',
          '@blockTimeout = 30s',
          '@greeting = "hi\\tthere"',
          '',
          '### echo round trip',
          'connect {{host}}:9007',
          'send "hello\\n"',
          'expect "hello\\n"',
          'send hex 48 65 6c 6c 6f',
          'expect hex 0x48 656c',
          'send file data/frame.bin',
          'expect /PONG (\\d+)\\n/ -> n',
          'send "n={{n}} {{greeting}}"',
          'wait 100ms',
          'expect bytes 1024 -> blob',
          'expect close',
          'close',
          'shutdown',
        ].join('\n'),
      );
      assert.deepEqual(s.diagnostics, []);
      assert.deepEqual(s.settings, { encoding: 'gbk', timeoutMs: 2000, blockTimeoutMs: 30000 });
      assert.deepEqual(
        s.variables.map((v) => [v.name, v.value]),
        [
          ['host', '127.0.0.1'],
          ['encoding', 'gbk'],
          ['timeout', '2s'],
          ['blockTimeout', '30s'],
          ['greeting', 'hi\tthere'],
        ],
      );
      const b = client(s);
      assert.equal(b.title, 'echo round trip');
      assert.deepEqual(b.titleRange, { line: 7, start: 0, end: 19 });
      assert.deepEqual(b.connect, { host: '127.0.0.1', port: 9007, range: { line: 8, start: 0, end: 21 } });
      assert.deepEqual(
        b.steps.map((x) => x.kind),
        ['send', 'expect', 'send', 'expect', 'send', 'expect', 'send', 'wait', 'expect', 'expect', 'close', 'shutdown'],
      );
      const [send, expect, sendHex, expectHex, sendFile, expectRe, sendVar, wait, bytes] = b.steps;
      assert.deepEqual(send, {
        kind: 'send',
        keywordRange: { line: 9, start: 0, end: 4 },
        range: { line: 9, start: 0, end: 14 },
        payload: { kind: 'text', text: ['hello\n'], range: { line: 9, start: 5, end: 14 } },
      });
      assert.ok(expect.kind === 'expect' && expect.match === 'text' && expect.text[0] === 'hello\n');
      assert.ok(sendHex.kind === 'send' && sendHex.payload.kind === 'hex' && sendHex.payload.bytes.toString() === 'Hello');
      assert.ok(expectHex.kind === 'expect' && expectHex.match === 'hex' && expectHex.bytes.toString('hex') === '48656c');
      assert.ok(sendFile.kind === 'send' && sendFile.payload.kind === 'file' && sendFile.payload.path === 'data/frame.bin');
      assert.ok(expectRe.kind === 'expect' && expectRe.match === 'regex');
      assert.deepEqual(expectRe.captures, [{ name: 'n', group: 1, range: { line: 14, start: 25, end: 26 } }]);
      assert.ok(sendVar.kind === 'send' && sendVar.payload.kind === 'text');
      assert.deepEqual(sendVar.payload.text, ['n=', { ref: 'n', range: { line: 15, start: 8, end: 13 } }, ' hi\tthere']);
      assert.ok(wait.kind === 'wait' && wait.ms === 100);
      assert.ok(bytes.kind === 'expect' && bytes.match === 'bytes' && bytes.count === 1024);
    });

    it('nests indented steps under repeat, with every', () => {
      const s = parseScript('### pings\nconnect 127.0.0.1:1\nrepeat 10 every 50ms\n  send "PING\\n"\n  repeat 2\n    expect "P"\n  expect "ING\\n"\nclose\n');
      assert.deepEqual(s.diagnostics, []);
      const [rep, close] = client(s).steps;
      assert.ok(rep.kind === 'repeat');
      assert.equal(rep.count, 10);
      assert.equal(rep.everyMs, 50);
      assert.deepEqual(
        rep.steps.map((x: Step) => x.kind),
        ['send', 'repeat', 'expect'],
      );
      const inner = rep.steps[1];
      assert.ok(inner.kind === 'repeat' && inner.count === 2 && inner.everyMs === undefined && inner.steps.length === 1);
      assert.equal(close.kind, 'close');
    });

    it('decodes every escape', () => {
      const s = parseScript('### e\nconnect 127.0.0.1:1\nsend "\\n\\r\\t\\\\\\"\\0\\x41\\u{4e2d}\\u{1F600}\\{{x}}"\n');
      assert.deepEqual(s.diagnostics, []);
      const send = client(s).steps[0];
      assert.ok(send.kind === 'send' && send.payload.kind === 'text');
      assert.deepEqual(send.payload.text, ['\n\r\t\\"\0A中😀{{x}}']);
    });

    it('reads a listen block with every rule and chained actions', () => {
      const s = parseScript(
        [
          '### fake sensor',
          'listen 127.0.0.1:0',
          'on connect send "WELCOME\\r\\n"',
          'on "PING" send "PONG\\r\\n"',
          'on /^GET (\\w+)\\r?\\n/ send "VALUE {{1}}\\r\\n"',
          'on hex 01 03 00 00 send hex 01 03 02 00 2a',
          'on "SLOW" wait 500ms send "DONE\\n"',
          'on "QUIT" send "BYE\\n" close',
          'on idle 10s close',
          'otherwise send "ERR\\n"',
        ].join('\n'),
      );
      assert.deepEqual(s.diagnostics, []);
      const b = s.blocks[0] as ListenBlock;
      assert.equal(b.kind, 'listen');
      assert.deepEqual([b.host, b.port], ['127.0.0.1', 0]);
      assert.deepEqual(
        b.rules.map((r) => r.trigger.kind),
        ['connect', 'text', 'regex', 'hex', 'text', 'text', 'idle', 'otherwise'],
      );
      assert.deepEqual(
        b.rules.map((r) => r.actions.map((a) => a.kind).join('+')),
        ['send', 'send', 'send', 'send', 'wait+send', 'send+close', 'close', 'send'],
      );
      const hex = b.rules[3];
      assert.ok(hex.trigger.kind === 'hex' && hex.trigger.bytes.toString('hex') === '01030000');
      assert.ok(hex.actions[0].kind === 'send' && hex.actions[0].payload.kind === 'hex' && hex.actions[0].payload.bytes.toString('hex') === '010302002a');
      const re = b.rules[2].actions[0];
      assert.ok(re.kind === 'send' && re.payload.kind === 'text');
      assert.deepEqual(re.payload.text[1], { ref: '1', range: { line: 4, start: 33, end: 38 } });
      assert.ok(b.rules[6].trigger.kind === 'idle' && b.rules[6].trigger.ms === 10000);
      assert.deepEqual(
        b.rules.map((r) => r.index),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    it('applies --var overrides and defines names the file does not', () => {
      const s = parseScript('@host = 10.0.0.1\n### b\nconnect {{host}}:{{port}}\n', { vars: { host: '127.0.0.1', port: '9100' } });
      assert.deepEqual(s.diagnostics, []);
      assert.deepEqual([client(s).connect?.host, client(s).connect?.port], ['127.0.0.1', 9100]);
      assert.equal(s.variables[0].overridden, true);
    });

    it('takes bare ports, IPv6 in brackets and CRLF line ends', () => {
      const s = parseScript('### a\r\nconnect 9007\r\n### b\r\nconnect [::1]:9007\r\n');
      assert.deepEqual(s.diagnostics, []);
      assert.deepEqual([client(s, 0).connect?.host, client(s, 1).connect?.host], ['127.0.0.1', '::1']);
    });

    it('lists tokens with their kinds for highlighting', () => {
      const s = parseScript('### t\nconnect 127.0.0.1:1\nexpect /x/ -> n # c\nwait 5s\nsend hex 0a\n');
      const kinds = s.tokens.map((t) => `${t.kind}:${t.text}`);
      assert.deepEqual(kinds, [
        'title:### t',
        'keyword:connect',
        'word:127.0.0.1:1',
        'keyword:expect',
        'regex:/x/',
        'operator:->',
        'word:n',
        'comment:# c',
        'keyword:wait',
        'duration:5s',
        'keyword:send',
        'keyword:hex',
        'hex:0a',
      ]);
    });
  });

  describe('diagnostics', () => {
    const cases: [string, string, string][] = [
      ['unknown step', 'frob 1', `${CODES.unknownStep}@2:0-4`],
      ['bad escape', 'send "a\\qb"', `${CODES.badEscape}@2:7-9`],
      ['bad \\x escape', 'send "\\xZ1"', `${CODES.badEscape}@2:6-10`],
      ['bad \\u escape', 'send "\\u{110000}"', `${CODES.badEscape}@2:6-16`],
      ['unterminated string', 'send "abc', `${CODES.unterminated}@2:5-9`],
      ['unterminated regex', 'expect /abc', `${CODES.unterminated}@2:7-11`],
      ['odd hex digits', 'send hex 48 656', `${CODES.oddHex}@2:12-15`],
      ['not hex', 'expect hex 4g', `${CODES.badHex}@2:11-13`],
      ['bad regex', 'expect /a(/', `${CODES.badRegex}@2:7-11`],
      ['backtracking regex', 'expect /(a)\\1/', `${CODES.badRegex}@2:7-14`],
      ['bad regex flags', 'expect /a/gx', `${CODES.badRegex}@2:7-12`],
      ['undefined variable', 'send "x{{nope}}"', `${CODES.undefinedVariable}@2:7-15`],
      ['bad duration', 'wait 100', `${CODES.badDuration}@2:5-8`],
      ['too long a duration', 'wait 2h', `${CODES.badDuration}@2:5-7`],
      ['bad repeat', 'repeat 0\n  send "x"', `${CODES.badRepeat}@2:7-8`],
      ['too many repeats', 'repeat 1000001\n  send "x"', `${CODES.badRepeat}@2:7-14`],
      ['empty repeat', 'repeat 3\nsend "x"', `${CODES.emptyRepeat}@2:0-6`],
      ['unexpected indent', 'send "a"\n  send "b"', `${CODES.badIndent}@3:0-2`],
      ['extra argument', 'close now', `${CODES.extraArgument}@2:6-9`],
      ['missing argument', 'wait', `${CODES.missingArgument}@2:0-4`],
      ['bad byte count', 'expect bytes x', `${CODES.badCount}@2:13-14`],
      ['bad capture name', 'expect /(a)/ -> 9x', `${CODES.badCapture}@2:16-18`],
      ['misplaced connect', 'connect 127.0.0.1:2', `${CODES.misplacedConnect}@2:0-7`],
    ];
    for (const [what, body, want] of cases) {
      it(`reports ${what} at its columns`, () => {
        const s = parseScript(`### t\nconnect 127.0.0.1:1\n${body}\n`);
        assert.deepEqual(errors(s), [want]);
        assert.ok(s.diagnostics[0].message.length > 10, s.diagnostics[0].message);
      });
    }

    it('reports a bad address, a step outside a block, a missing connect and a bad encoding', () => {
      assert.deepEqual(errors(parseScript('### t\nconnect 127.0.0.1:99999\n')), [`${CODES.badAddress}@1:8-23`]);
      assert.deepEqual(errors(parseScript('send "x"\n### t\nconnect 1\n')), [`${CODES.outsideBlock}@0:0-8`]);
      // A file without blocks is an include file: its steps are checked, and are no error for being outside a block.
      assert.deepEqual(errors(parseScript('send "x"\n')), []);
      assert.deepEqual(errors(parseScript('### t\nsend "x"\n')), [`${CODES.noConnect}@0:0-5`]);
      assert.deepEqual(errors(parseScript('@encoding = ebcdic\n')), [`${CODES.badEncoding}@0:0-18`]);
      assert.deepEqual(errors(parseScript('@ = 1\n')), [`${CODES.badVariable}@0:0-5`]);
      assert.deepEqual(errors(parseScript('###\nconnect 1\n')), [`${CODES.emptyTitle}@0:0-3`]);
    });

    it('warns about an empty block, and checks a listen address (port 0 allowed)', () => {
      const empty = parseScript('### nothing here\n\n# just a comment\n');
      assert.deepEqual(errors(empty), [`${CODES.emptyBlock}@0:0-16`]);
      assert.equal(empty.diagnostics[0].severity, 'warning');
      assert.deepEqual(errors(parseScript('### m\nlisten 127.0.0.1:70000\n')), [`${CODES.badAddress}@1:7-22`]);
      assert.deepEqual(errors(parseScript('### m\nlisten 0\non "a" send "b"\n')), []);
      assert.deepEqual(errors(parseScript('### m\nlisten 0\n  on "a" send "b"\n')), [`${CODES.badIndent}@2:0-2`]);
    });

    it('defines {{listen.port}} for client blocks after a listen block', () => {
      const s = parseScript('### m\nlisten 127.0.0.1:9100\non "a" send "b"\n### c\nconnect {{listen.host}}:{{listen.1.port}}\n');
      assert.deepEqual(s.diagnostics, []);
      assert.deepEqual(client(s, 1).connect, { host: '127.0.0.1', port: 9100, range: { line: 4, start: 0, end: 41 } });
    });

    it('assertRunnable throws a script.parse WorkbenchError at the first error, not for warnings', () => {
      assert.doesNotThrow(() => assertRunnable(parseScript('### empty\n'), 'a.tcp'));
      assert.throws(
        () => assertRunnable(parseScript('### t\nconnect 1\nwait 5\nfrob\n'), 'a.tcp'),
        (e: unknown) => e instanceof ScriptParseError && e instanceof WorkbenchError && e.code === 'script.parse' && e.message.startsWith('a.tcp:3:6: ') && e.args.count === 2,
      );
    });

    it('bounds nested repeats to a million in all', () => {
      const s = parseScript('### t\nconnect 127.0.0.1:1\nrepeat 1000\n  repeat 1001\n    send "x"\n');
      assert.deepEqual(errors(s), [`${CODES.badRepeat}@3:2-8`]);
    });

    it('reports listen-block mistakes', () => {
      const s = parseScript('### m\nlisten 127.0.0.1:0\nsend "x"\non "a" jump\non nothing send "x"\non "b"\n');
      assert.deepEqual(errors(s), [`${CODES.badRule}@2:0-4`, `${CODES.badRule}@3:7-11`, `${CODES.badRule}@4:3-10`, `${CODES.badRule}@5:0-6`]);
    });

    it('knows a capture only after the step that makes it, and only in its block', () => {
      const s = parseScript('### a\nconnect 1\nsend "{{n}}"\nexpect /(x)/ -> n\nsend "{{n}}"\n### b\nconnect 1\nsend "{{n}}"\n');
      assert.deepEqual(errors(s), [`${CODES.undefinedVariable}@2:6-11`, `${CODES.undefinedVariable}@7:6-11`]);
    });
  });

  describe('fuzzing', () => {
    /** A small deterministic PRNG, so a failure reproduces. */
    function rng(seed: number): () => number {
      let x = seed;
      return () => {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        return x / 0x7fffffff;
      };
    }
    const PIECES = [
      '### ',
      'connect ',
      'listen ',
      'send ',
      'expect ',
      'repeat ',
      'every ',
      'wait ',
      'on ',
      'otherwise ',
      'hex ',
      'file ',
      'bytes ',
      'close',
      '"',
      '\\',
      '\\x',
      '\\u{',
      '{{',
      '}}',
      '/',
      '(',
      ')+',
      '[',
      ']',
      '->',
      '@',
      '=',
      '#',
      '\n',
      '  ',
      '\t',
      '0',
      '9',
      'ms',
      's',
      ':',
      '127.0.0.1',
      'a',
      'é',
      '中',
      '\r',
      '\0',
      '😀',
    ];

    it('never throws on 3000 random scripts, and every diagnostic range lies inside its line', () => {
      const next = rng(42);
      for (let n = 0; n < 3000; n++) {
        let text = '';
        const len = Math.floor(next() * 60);
        for (let i = 0; i < len; i++) {
          text += next() < 0.8 ? PIECES[Math.floor(next() * PIECES.length)] : String.fromCharCode(Math.floor(next() * 0x3000));
        }
        const lines = text.split(/\r?\n|\r/);
        let s: Script;
        try {
          s = parseScript(text);
        } catch (e) {
          assert.fail(`parseScript threw on ${JSON.stringify(text)}: ${(e as Error).stack}`);
        }
        for (const d of s.diagnostics) {
          assert.ok(
            d.range.line < lines.length && d.range.start <= d.range.end && d.range.end <= lines[d.range.line].length,
            `${JSON.stringify(text)} → ${JSON.stringify(d)}`,
          );
        }
      }
    });
  });
});
