// Every diagnostic and every step failure carries a code and the values its sentence needs, and the
// extension's table (src/common/scriptMessages.ts, read as text: it imports vscode) has a sentence for each
// code and each form. A new code, form or failure without a translation fails here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODES, FAILURES, FORMS, RunResult, ScriptRunner, parseScript } from '../../../src/core/script';
import { NEEDS } from '../../../src/core/script/payload';
import { Peers } from '../support';
import { PROBLEMS, UNPRODUCIBLE, corpusOptions } from './problemCorpus';

const ROOT = path.resolve(__dirname, '../../../..');
// The provoke steps' sentences live beside it (provokeMessages.ts) and are spread into its table.
const TABLE = ['scriptMessages.ts', 'provokeMessages.ts'].map((f) => fs.readFileSync(path.join(ROOT, 'src/common', f), 'utf8')).join('\n');

/** The entries of `export const NAME ... = { 'key': ..., }` in the table file, by key. */
function entries(name: string): Map<string, string> {
  const start = TABLE.indexOf(`export const ${name}`);
  assert.ok(start >= 0, `${name} is not in scriptMessages.ts`);
  const body = TABLE.slice(start, TABLE.indexOf('\n};', start));
  const out = new Map<string, string>();
  const keys = [...body.matchAll(/^ {2}'([\w.]+)':/gm)];
  keys.forEach((m, i) => out.set(m[1], body.slice(m.index, keys[i + 1]?.index ?? body.length)));
  return out;
}

const formKey = (code: string, form: string | undefined): string => (form ? `${code}:${form}` : code);

describe('script message args (codes, forms and values for translation)', () => {
  describe('the extension table', () => {
    const table = new Map([...entries('DIAGNOSTIC_SENTENCES'), ...entries('PROVOKE_SENTENCES')]);

    it('has a sentence for every DiagnosticCode and nothing else', () => {
      assert.deepEqual([...table.keys()].sort(), Object.values(CODES).sort());
    });

    it('words every form of the codes that have several', () => {
      const missing: string[] = [];
      for (const [code, forms] of Object.entries(FORMS)) {
        for (const form of forms ?? []) {
          if (!new RegExp(`(=== |case )'${form}'`).test(table.get(code) ?? '')) {
            missing.push(formKey(code, form));
          }
        }
      }
      assert.deepEqual(missing, []);
    });

    it('has a sentence for every step-failure code and every missing-argument phrase', () => {
      assert.deepEqual([...entries('FAILURE_SENTENCES').keys()].sort(), Object.values(FAILURES).sort());
      const needs = TABLE.slice(TABLE.indexOf('const NEEDS'), TABLE.indexOf('\n};', TABLE.indexOf('const NEEDS')));
      const worded = [...needs.matchAll(/^ {2}(\w+): \(\) =>/gm)].map((m) => m[1]);
      assert.deepEqual(worded.sort(), Object.keys(NEEDS).sort());
    });

    it('the check itself notices a code without a sentence', () => {
      const without = [...table.keys()].filter((k) => k !== CODES.badHex);
      assert.notDeepEqual(without.sort(), Object.values(CODES).sort());
    });
  });

  describe('the diagnostics', () => {
    it('the corpus produces every code and every form of FORMS (one script each)', () => {
      const want = new Set<string>();
      for (const code of Object.values(CODES)) {
        const forms = FORMS[code];
        (forms ?? [undefined]).forEach((f) => want.add(formKey(code, f)));
      }
      UNPRODUCIBLE.forEach((k) => want.delete(k));
      const got = new Set(PROBLEMS.map((p) => formKey(p.code, p.form)));
      assert.deepEqual(
        [...want].filter((k) => !got.has(k)),
        [],
        'codes or forms without a script in problemCorpus.ts',
      );
    });

    for (const p of PROBLEMS) {
      it(`${formKey(p.code, p.form)}: carries its form and the values of its sentence`, () => {
        const diags = parseScript(p.script, corpusOptions('/corpus')).diagnostics;
        const d = diags.find((x) => x.code === p.code && x.args.form === p.form);
        assert.ok(d, JSON.stringify(diags));
        const forms = FORMS[d.code as keyof typeof FORMS];
        if (forms) {
          assert.ok(forms.includes(String(d.args.form)), `form ${d.args.form} is not in FORMS[${d.code}]`);
        } else {
          assert.equal(d.args.form, undefined);
        }
        // Every quoted word of the English message is one of the args (what a translation must repeat).
        const values = Object.values(d.args).map(String);
        for (const [, word] of d.message.matchAll(/"([^"\s]+)"/g)) {
          if (!/^(text|= value|### title|\.\.\.)$/.test(word)) {
            assert.ok(
              values.some((v) => v === word || v.endsWith(word)),
              `"${word}" of ${JSON.stringify(d.message)} is not in ${JSON.stringify(d.args)}`,
            );
          }
        }
      });
    }

    it('an undefined variable and an unknown step keep their English and name their word', () => {
      const d = parseScript('### t\nconnect 127.0.0.1:9007\nfrob {{nope}}\nsend "{{nope}}"\n').diagnostics;
      const step = d.find((x) => x.code === CODES.unknownStep);
      assert.equal(
        step?.message,
        'Unknown step "frob". Steps: connect, send, expect, wait, close, shutdown, starttls, repeat, retry, any order, include, nodelay, reset, pause, resume.',
      );
      assert.deepEqual(step?.args, {
        form: 'step',
        word: 'frob',
        steps: 'connect, send, expect, wait, close, shutdown, starttls, repeat, retry, any order, include, nodelay, reset, pause, resume',
      });
      const v = d.find((x) => x.code === CODES.undefinedVariable);
      assert.deepEqual(v?.args, { name: 'nope' });
    });

    it("a bad address carries the address error's own code and values", () => {
      const d = parseScript('### t\nconnect 127.0.0.1:99999\n').diagnostics.find((x) => x.code === CODES.badAddress);
      assert.deepEqual(d?.args, { form: 'address', reason: 'address.portRange', text: '99999', min: 1 });
    });
  });

  describe('the step failures (real sockets on 127.0.0.1)', () => {
    const peers = new Peers();
    let tmp: string;

    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-args-'));
    });

    afterEach(async () => {
      await peers.dispose();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    async function failureOf(text: string, port: number, blockTimeoutMs?: number): Promise<NonNullable<RunResult['blocks'][number]['failure']>> {
      const script = parseScript(text, { vars: { port: String(port) } });
      assert.deepEqual(script.diagnostics, []);
      const runner = new ScriptRunner(script);
      try {
        const r = await runner.run({ file: path.join(tmp, 't.tcp'), blockTimeoutMs });
        const f = r.blocks[0]?.failure;
        assert.ok(f, 'the block should fail');
        assert.ok((Object.values(FAILURES) as string[]).includes(f.code), f.code);
        assert.equal(f.step?.failure?.code ?? f.code, f.code);
        return f;
      } finally {
        runner.dispose();
      }
    }

    it('a differing byte: expected and actual as shown, the offset, the English unchanged', async () => {
      const port = await peers.listen((s) => s.write('HELLO\n'));
      const f = await failureOf('### t\nconnect 127.0.0.1:{{port}}\nexpect "HELLX\\n"\n', port);
      assert.equal(f.message, 'expected "HELLX\\n" got "HELLO\\n" (first difference at byte 4)');
      assert.deepEqual(f.args, { want: 'bytes', expected: '"HELLX\\n"', actual: '"HELLO\\n"', actualLength: 6, why: 'differs', offset: 4 });
    });

    it('nothing within the timeout, and a peer that closes first', async () => {
      const silent = await peers.listen(() => undefined);
      const t = await failureOf('@timeout = 150ms\n### t\nconnect 127.0.0.1:{{port}}\nexpect bytes 3\n', silent);
      assert.deepEqual(t.args, { want: 'count', count: 3, actual: 'nothing', actualLength: 0, why: 'timeout', ms: 150 });
      const closing = await peers.listen((s) => s.end('ab'));
      const c = await failureOf('### t\nconnect 127.0.0.1:{{port}}\nexpect "abc"\n', closing);
      assert.equal(c.code, FAILURES.expect);
      assert.equal(c.args.why, 'peerClosed');
      assert.equal(c.args.actual, '"ab"');
    });

    it('more data instead of a close', async () => {
      const port = await peers.listen((s) => s.write('x'));
      const f = await failureOf('### t\nconnect 127.0.0.1:{{port}}\nexpect close\n', port);
      assert.equal(f.message, 'expected the peer to close got "x" (the peer sent more instead of closing)');
      assert.deepEqual(f.args, { want: 'close', actual: '"x"', actualLength: 1, why: 'notClosed' });
    });

    it('a refused connection names the address; a block out of time says how long it had', async () => {
      const closed = await peers.refusedPort();
      const r = await failureOf('### t\nconnect 127.0.0.1:{{port}}\nsend "a"\n', closed);
      assert.equal(r.code, FAILURES.refused);
      assert.equal(r.message, `nothing is listening on 127.0.0.1:${closed} (connection refused)`);
      assert.equal(r.args.where, `127.0.0.1:${closed}`);
      const port = await peers.listen(() => undefined);
      const w = await failureOf('### t\nconnect 127.0.0.1:{{port}}\nwait 2s\n', port, 200);
      assert.deepEqual([w.code, w.args, w.message], [FAILURES.blockTimeout, { ms: 200 }, 'the block timed out after 200 ms']);
    });

    it('a file to send that is not there names its path', async () => {
      const port = await peers.listen(() => undefined);
      const f = await failureOf('### t\nconnect 127.0.0.1:{{port}}\nsend file nope.bin\n', port);
      assert.equal(f.code, FAILURES.cannotRead);
      assert.equal(f.args.path, 'nope.bin');
      assert.match(f.message, /^cannot send: ENOENT/);
      assert.equal(`cannot send: ${f.args.error}`, f.message);
    });
  });
});
