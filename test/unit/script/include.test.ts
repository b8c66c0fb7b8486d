// `include PATH` (shared steps and settings from real files) and variables from outside a file:
// --vars-file lines, TCPW_VAR_ environment variables and the one precedence rule between them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODES, ScriptRunner, envVars, failedAt, mergeVars, parseScript, parseVarsFile, readVarsFile } from '../../../src/core/script';
import { useEchoFixture } from './echoFixture';

describe('script include and outside variables', () => {
  const fx = useEchoFixture('tcpwb-include-');

  function write(name: string, text: string): string {
    const f = path.join(fx.tmp, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  }

  const at = (file: string, text: string) =>
    parseScript(text, { file }).diagnostics.map((d) => `${d.code}${d.args.form ? `:${d.args.form}` : ''}@${d.range.line} ${d.message}`);

  describe('include', () => {
    it('pulls shared settings and steps into a block, and runs them', async () => {
      write('common/settings.tcp', `@host = 127.0.0.1\n@timeout = 700ms\n`);
      write('common/login.tcp', '# shared login\nsend "LOGIN {{user}}\\n"\nexpect /LOGIN (\\w+)\\n/ -> who\n');
      const main = write(
        'main.tcp',
        `include common/settings.tcp\n@user = ann\n### login\nconnect {{host}}:${fx.port}\ninclude common/login.tcp\nsend "{{who}}!"\nexpect "ann!"\n`,
      );
      const script = parseScript(fs.readFileSync(main, 'utf8'), { file: main });
      assert.deepEqual(script.diagnostics, []);
      assert.equal(script.settings.timeoutMs, 700);
      const runner = new ScriptRunner(script);
      const r = await runner.run({ file: main });
      runner.dispose();
      assert.equal(r.blocks[0].status, 'passed', failedAt(r.blocks[0]));
      // The included steps run at the include line.
      assert.deepEqual(
        r.blocks[0].steps.map((s) => `${s.line} ${s.step.kind}`),
        ['3 connect', '4 send', '4 expect', '5 send', '6 expect'],
      );
    });

    it('reports a missing file, a cycle, a file with blocks and an included problem at the include line', () => {
      write('a.tcp', 'include b.tcp\n');
      write('b.tcp', 'include a.tcp\n');
      write('blocks.tcp', '### x\nconnect 1\n');
      write('bad.tcp', 'send "ok"\nexpect maybe\n');
      const main = path.join(fx.tmp, 'main.tcp');
      const H = '### t\nconnect 127.0.0.1:1\n';
      assert.deepEqual(at(main, `${H}include nope.tcp\n`), ['script.badInclude:missing@2 Cannot include nope.tcp: no such file.']);
      assert.deepEqual(at(main, `${H}include main.tcp\n`), ['script.badInclude:cycle@2 main.tcp includes itself (through main.tcp).']);
      assert.deepEqual(at(main, `${H}include a.tcp\n`), ['script.badInclude:cycle@2 a.tcp includes itself (through main.tcp → a.tcp → b.tcp).']);
      assert.deepEqual(at(main, `${H}include blocks.tcp\n`), [
        'script.badInclude:blocks@2 blocks.tcp has blocks (### on line 1); an included file holds only steps and settings.',
      ]);
      assert.deepEqual(at(main, `${H}include bad.tcp\n`), [
        'script.inInclude@2 bad.tcp:2:8: Expected "text", hex, /regex/, bytes, close, file, nothing, frame, tls or cert after expect, not "maybe".',
      ]);
      // Without the file's path (an unsaved editor) an include cannot be resolved.
      assert.deepEqual(
        parseScript(`${H}include a.tcp\n`).diagnostics.map((d) => `${d.code}:${d.args.form}`),
        [`${CODES.badInclude}:noFile`],
      );
    });

    it('checks an include file on its own without asking for what the including file defines', () => {
      const inc = write('login.tcp', 'alice send "{{user}}\\n"\nalice expect "ok"\nfrob\n');
      assert.deepEqual(at(inc, fs.readFileSync(inc, 'utf8')), [
        'script.unknownStep:step@2 Unknown step "frob". Steps: connect, send, expect, wait, close, shutdown, starttls, repeat, retry, any order, include, nodelay, reset, pause, resume.',
      ]);
      assert.deepEqual(parseScript(fs.readFileSync(inc, 'utf8'), { file: inc }).blocks, []);
    });
  });

  describe('variables from outside', () => {
    it('reads name=value lines, with comments, blank lines and quoted values', () => {
      assert.deepEqual(parseVarsFile('# staging\nhost = 10.0.0.2\n\nport=9000\ngreeting = "  hi  "\nempty=\n', 'v.env'), {
        host: '10.0.0.2',
        port: '9000',
        greeting: '  hi  ',
        empty: '',
      });
      assert.throws(() => parseVarsFile('host 10.0.0.2\n', 'v.env'), /v\.env:1: expected name=value/);
      assert.throws(() => readVarsFile(path.join(fx.tmp, 'none.env')), /Cannot read the vars file .*none\.env: no such file\./);
    });

    it('takes TCPW_VAR_ environment variables whose rest is a variable name', () => {
      assert.deepEqual(envVars({ TCPW_VAR_host: 'h', TCPW_VAR_: 'x', 'TCPW_VAR_a b': 'y', PATH: '/bin', TCPW_VAR_x_1: '1' }), { host: 'h', x_1: '1' });
    });

    it('one precedence rule: --var over --vars-file (later over earlier) over the environment over the file', () => {
      const vars = mergeVars({ a: 'env', b: 'env', c: 'env', d: 'env' }, [{ a: 'file1', b: 'file1' }, { a: 'file2' }], { d: 'cli' });
      assert.deepEqual(vars, { a: 'file2', b: 'file1', c: 'env', d: 'cli' });
      const s = parseScript('@a = own\n@e = own\n### t\nconnect 127.0.0.1:1\nsend "{{a}} {{e}}"\n', { vars });
      const block = s.blocks[0];
      const step = block.kind === 'client' ? block.steps[0] : undefined;
      assert.equal(step?.kind === 'send' && step.payload.kind === 'text' ? step.payload.text.join('') : '', 'file2 own');
    });
  });
});
