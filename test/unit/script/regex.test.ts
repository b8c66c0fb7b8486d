// Script regexes on re2js: every documented flag (i m s u) on this runtime, the patterns RE2 refuses, and
// hostile patterns that stay linear — in expects against a real socket and in mock rules.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { CODES, ListenBlock, RunResult, ScriptRunner, parseScript } from '../../../src/core/script';
import { MockServer } from '../../../src/core/script/mockServer';
import { REGEX_WINDOW, compileRegex } from '../../../src/core/script/regex';
import { readAll } from '../support';
import { useEchoFixture } from './echoFixture';

function exec(source: string, flags: string, text: string): string[] | null {
  const re = compileRegex(source, flags);
  assert.ok(typeof re !== 'string', re as string);
  const m = re.exec(text);
  return m && [...m].map((g) => g ?? '');
}

describe('script regexes (re2js)', () => {
  const fx = useEchoFixture('tcpwb-regex-');

  async function run(text: string): Promise<RunResult> {
    const script = parseScript(text, { vars: { port: String(fx.port) } });
    assert.deepEqual(script.diagnostics, []);
    const runner = new ScriptRunner(script);
    try {
      return await runner.run({ file: path.join(fx.tmp, 'test.tcp') });
    } finally {
      runner.dispose();
    }
  }

  describe('flags', () => {
    it('i: case-insensitive, also for non-ASCII letters', () => {
      assert.deepEqual(exec('content-length: (\\d+)', 'i', 'Content-Length: 42\r\n'), ['Content-Length: 42', '42']);
      assert.equal(exec('content-length', '', 'Content-Length'), null);
      assert.deepEqual(exec('straße', 'i', 'STRASSE straße STRAßE'), ['straße']);
    });

    it('m: ^ and $ at line ends', () => {
      assert.deepEqual(exec('^OK$', 'm', 'hello\nOK\nbye'), ['OK']);
      assert.equal(exec('^OK$', '', 'hello\nOK\nbye'), null);
    });

    it('s: . matches a line end', () => {
      assert.deepEqual(exec('a.b', 's', 'a\nb'), ['a\nb']);
      assert.equal(exec('a.b', '', 'a\nb'), null);
    });

    it('u: code points, \\u{…} escapes and property classes', () => {
      assert.deepEqual(exec('^(.)x', 'u', '😀x'), ['😀x', '😀']);
      assert.deepEqual(exec('\\u{1F600}+', 'u', 'a😀😀'), ['😀😀']);
      assert.deepEqual(exec('\\p{Lu}+', 'u', 'abcDEF'), ['DEF']);
    });

    it("i together with u (refused by V8's linear engine before)", () => {
      assert.deepEqual(exec('ping', 'iu', 'PiNg'), ['PiNg']);
      assert.deepEqual(parseScript('### t\nconnect 1\nexpect /ping/iu\n').diagnostics, []);
    });

    it('reports the match index in UTF-16 units, as JavaScript does', () => {
      const re = compileRegex('x', 'u');
      assert.ok(typeof re !== 'string');
      assert.equal(re.exec('😀😀x')?.index, 4);
    });
  });

  describe('refused patterns', () => {
    for (const [source, form] of [
      ['(a)\\1', 'backtracking'],
      ['(?<n>a)\\k<n>', 'backtracking'],
      ['a(?=b)', 'backtracking'],
      ['a(?!b)', 'backtracking'],
      ['(?<=a)b', 'backtracking'],
      ['(?<!a)b', 'backtracking'],
      ['a{1001}', 'unsupported'],
      ['(', 'syntax'],
    ] as const) {
      it(`/${source}/ → ${form}`, () => {
        const d = parseScript(`### t\nconnect 1\nexpect /${source}/\n`).diagnostics;
        assert.equal(d.length, 1);
        assert.equal(d[0].code, CODES.badRegex);
        assert.equal(d[0].args.form, form);
      });
    }
  });

  describe('hostile patterns stay linear', () => {
    // A backtracking engine needs about 2^n steps for these; the runs below are bounded by mocha's timeout.
    for (const source of ['(a+)+$', '(a|aa)*b', '(a*)*b', '(x+x+)+y', '(\\w+\\s?)+$']) {
      it(`/${source}/ over a whole ${REGEX_WINDOW}-character window`, () => {
        assert.equal(exec(source, 'i', `${'a'.repeat(REGEX_WINDOW - 1)}!`), null);
      });
    }

    it('an expect with (a+)+$ against 60,000 hostile bytes times out instead of freezing', async () => {
      const p = await fx.peers.listen((s) => s.write(`${'a'.repeat(60000)}!`));
      const r = await run(`@timeout = 300ms\n### evil\nconnect 127.0.0.1:${p}\nexpect /(a+)+$/i\n`);
      assert.equal(r.blocks[0].status, 'failed');
      assert.equal(r.blocks[0].failure?.args.why, 'timeout');
    });
  });

  describe('in steps and rules', () => {
    it('expect /…/i, /…/m, /…/s, /…/u against the echo server, with captures', async () => {
      const r = await run(
        [
          '### flags',
          'connect 127.0.0.1:{{port}}',
          'send "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n"',
          'expect /content-length: (\\d+)\\r\\n\\r\\n/i -> n',
          'send "a\\nOK\\nz"',
          'expect /^OK$/m',
          'send "x\\ny"',
          'expect /x.y/s',
          'send "😀é"',
          'expect /^(.)é/u -> face',
          'send "{{n}}{{face}}"',
          'expect "5😀"',
        ].join('\n'),
      );
      assert.equal(r.blocks[0].status, 'passed', r.blocks[0].failure?.message);
    });

    it('mock rules: on /ping/i answers PING, Ping and ping', async () => {
      const script = parseScript('### m\nlisten 127.0.0.1:0\non /^(ping)\\r?\\n/im send "pong {{1}}\\n"\n');
      assert.deepEqual(script.diagnostics, []);
      const mock = new MockServer({ block: script.blocks[0] as ListenBlock, file: path.join(fx.tmp, 'm.tcp') });
      try {
        const { port } = await mock.start();
        const s = net.connect(port, '127.0.0.1');
        fx.peers.sockets.add(s);
        s.end('PING\nPing\nping\n');
        assert.equal((await readAll(s)).toString(), 'pong PING\npong Ping\npong ping\n');
      } finally {
        await mock.stop();
        mock.dispose();
      }
    });
  });
});
