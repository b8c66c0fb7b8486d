// `run` as a user runs it: a real `node out/src/cli.js run` process, its output lines, exit codes and
// a JUnit report that a real XML parser (python's) reads.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useEchoFixture } from './echoFixture';

const CLI = path.resolve(__dirname, '../../../src/cli.js');

describe('cli run', () => {
  const fx = useEchoFixture('tcpwb-run-');
  const peers = fx.peers;

  function write(name: string, text: string): string {
    const f = path.join(fx.tmp, name);
    fs.writeFileSync(f, text);
    return f;
  }

  async function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const r = await peers.run(process.execPath, [CLI, 'run', ...args]);
    return { code: r.code, out: r.stdout.toString(), err: r.stderr };
  }

  const MIXED = '### good\nconnect 127.0.0.1:{{port}}\nsend "PING\\n"\nexpect "PING\\n"\n\n### bad <&>\nconnect 127.0.0.1:{{port}}\nsend "PANG"\nexpect "PONG"\n';

  it('prints a line per block and the tally; exit 0 when all pass', async () => {
    const f = write('ok.tcp', `@port = ${fx.port}\n### one\nconnect 127.0.0.1:{{port}}\nsend "a"\nexpect "a"\n### two\nconnect 127.0.0.1:{{port}}\n`);
    const r = await cli(f);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^✓ one \(\d+ ms\)\n✓ two \(\d+ ms\)\n2 passed, 0 failed\n$/);
  });

  it('exits 1 with the failing line and expected vs got; writes JUnit XML that parses', async () => {
    const f = write('mixed.tcp', MIXED);
    const xml = path.join(fx.tmp, 'report.xml');
    const r = await cli(f, '--var', `port=${fx.port}`, '--junit', xml);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^✓ good \(\d+ ms\)\n✗ bad <&> — line 9: expected "PONG" got "PANG" \(first difference at byte 1\)\n1 passed, 1 failed\n$/);
    const py =
      'import sys, xml.etree.ElementTree as E\nr = E.parse(sys.argv[1]).getroot()\nfor c in r.iter("testcase"):\n  f = c.find("failure")\n  print(c.get("name"), "|", f.get("message") if f is not None else "ok")\nprint(r.get("tests"), r.get("failures"))\n';
    const parsed = await peers.run('python3', ['-c', py, xml]);
    assert.equal(parsed.code, 0, parsed.stderr);
    assert.equal(parsed.stdout.toString(), 'good | ok\nbad <&> | line 9: expected "PONG" got "PANG" (first difference at byte 1)\n2 1\n');
    // A second run replaces our own earlier report.
    assert.equal((await cli(f, '--var', `port=${fx.port}`, '--junit', xml)).code, 1);
  });

  it('refuses to overwrite a file that is not a JUnit report', async () => {
    const f = write('mixed.tcp', MIXED);
    const keep = write('notes.xml', 'my notes');
    const r = await cli(f, '--var', `port=${fx.port}`, '--junit', keep);
    assert.equal(r.code, 2);
    assert.match(r.err, /is not a JUnit report/);
    assert.equal(fs.readFileSync(keep, 'utf8'), 'my notes');
  });

  it('exits 2 with FILE:LINE:COL for parse errors and runs nothing', async () => {
    let accepted = 0;
    fx.echo.onDidAcceptClient(() => accepted++);
    const good = write('good.tcp', `### g\nconnect 127.0.0.1:${fx.port}\n`);
    const bad = write('bad.tcp', '### b\nconnect 127.0.0.1:{{port}}\nsend "a\\q"\nfrob\n');
    const r = await cli(good, bad);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      `${bad}:2:19: The variable "port" is not defined here (define it with @port = value above, or capture it with -> port).\n${bad}:3:8: Unknown escape "\\q". Use \\n \\r \\t \\\\ \\" \\0 \\xHH or \\u{HHHH}.\n${bad}:4:1: Unknown step "frob". Steps: connect, send, expect, wait, close, shutdown, starttls, repeat, retry, any order, include, nodelay, reset, pause, resume.\n`,
    );
    assert.equal(r.out, '');
    assert.equal(accepted, 0);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await cli()).code, 2);
    assert.equal((await cli(path.join(fx.tmp, 'missing.tcp'))).code, 2);
    const f = write('a.tcp', `### g\nconnect 127.0.0.1:${fx.port}\n`);
    assert.match((await cli(f, '--timeout', 'soon')).err, /--timeout needs a duration/);
    assert.match((await cli(f, '--var', 'novalue')).err, /--var needs name=value/);
  });

  it("--timeout overrides the file's @timeout; several files print their names", async () => {
    const slow = write('slow.tcp', `@timeout = 30s\n### waits\nconnect 127.0.0.1:${fx.port}\nexpect "never"\n`);
    const ok = write('ok.tcp', `### fine\nconnect 127.0.0.1:${fx.port}\n`);
    const t0 = Date.now();
    const r = await cli(slow, ok, '--timeout', '200ms');
    assert.equal(r.code, 1);
    assert.ok(Date.now() - t0 < 5000);
    assert.match(
      r.out,
      new RegExp(`^${slow}\\n✗ waits — line 4: expected "never" got nothing \\(nothing more within 200 ms\\)\\n${ok}\\n✓ fine \\(\\d+ ms\\)\\n1 passed, 1 failed\\n$`),
    );
  });

  it("--tap writes TAP 13 that perl's TAP::Parser reads: a point per block, the failure in YAML", async () => {
    const f = write('mixed.tcp', MIXED);
    const tap = path.join(fx.tmp, 'report.tap');
    const r = await cli(f, '--var', `port=${fx.port}`, '--tap', tap);
    assert.equal(r.code, 1, r.err);
    const text = fs.readFileSync(tap, 'utf8');
    assert.match(
      text,
      /^TAP version 13\n1\.\.2\nok 1 - .*mixed\.tcp: good\nnot ok 2 - .*mixed\.tcp: bad <&>\n {2}---\n {2}message: "line 9: expected \\"PONG\\" got \\"PANG\\" \(first difference at byte 1\)"\n/,
    );
    const pl =
      'use TAP::Parser; my $p = TAP::Parser->new({ source => $ARGV[0] }); while (my $r = $p->next) { print $r->number, " ", ($r->is_ok ? "ok" : "not ok"), "\\n" if $r->is_test; } print "plan ", $p->tests_planned, " failed ", scalar($p->failed), "\\n";';
    const parsed = await peers.run('perl', ['-e', pl, tap]);
    assert.equal(parsed.code, 0, parsed.stderr);
    assert.equal(parsed.stdout.toString(), '1 ok\n2 not ok\nplan 2 failed 1\n');
    const keep = write('notes.tap', 'my notes');
    assert.match((await cli(f, '--var', `port=${fx.port}`, '--tap', keep)).err, /is not a TAP report/);
    assert.equal(fs.readFileSync(keep, 'utf8'), 'my notes');
  });

  it("--jobs runs files at once, each file's blocks in order, output grouped per file in the order given", async () => {
    // A server that sees which files are between their "start" and "end" at the same time.
    const active = new Map<string, number>();
    let most = 0;
    const port = await peers.listen((s) => {
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        for (const [, name, what] of d.matchAll(/(\w) (start|end)\n/g)) {
          active.set(name, (active.get(name) ?? 0) + (what === 'start' ? 1 : -1));
          most = Math.max(most, [...active.values()].filter((n) => n > 0).length);
        }
      });
    });
    const block = (n: string, t: string): string => `### ${n} ${t}\nconnect 127.0.0.1:${port}\nsend "${n} start\\n"\nwait 300ms\nsend "${n} end\\n"\n`;
    const file = (n: string): string => write(`${n}.tcp`, block(n, 'one') + block(n, 'two'));
    const a = file('a');
    const b = file('b');
    const r = await cli(a, b, '--jobs', '2');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^${a}\\n✓ a one \\(\\d+ ms\\)\\n✓ a two \\(\\d+ ms\\)\\n${b}\\n✓ b one \\(\\d+ ms\\)\\n✓ b two \\(\\d+ ms\\)\\n4 passed, 0 failed\\n$`));
    assert.equal(most, 2, 'two files at once');
    most = 0;
    assert.equal((await cli(a, b, '--jobs', '1')).code, 0);
    assert.equal(most, 1, 'one block at a time');
    assert.match((await cli(a, '--jobs', '0')).err, /--jobs needs a whole number from 1 to 64/);
  });

  it('--vars-file and TCPW_VAR_ environment variables, with --var over both', async () => {
    const f = write('vars.tcp', `@port = 1\n@text = own\n### vars\nconnect 127.0.0.1:{{port}}\nsend "{{text}}"\nexpect "{{want}}"\n`);
    const vars = write('staging.env', `# the echo server of this test\nport = ${fx.port}\ntext = from-file\nwant = from-file\n`);
    process.env.TCPW_VAR_text = 'from-env';
    process.env.TCPW_VAR_want = 'from-env';
    try {
      assert.equal((await cli(f, '--vars-file', vars)).code, 0);
      assert.equal((await cli(f, '--var', `port=${fx.port}`)).code, 0);
      const r = await cli(f, '--vars-file', vars, '--var', 'text=from-cli');
      assert.match(r.out, /expected "from-file" got "from-cli"/);
    } finally {
      delete process.env.TCPW_VAR_text;
      delete process.env.TCPW_VAR_want;
    }
    const bad = write('bad.env', 'port 9\n');
    const r = await cli(f, '--vars-file', bad);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.env:1: expected name=value/);
  });

  it('run --keylog writes the TLS session keys of a listen tls:// mock conversation; --var sets tls.insecure', async () => {
    const config = fs.mkdtempSync(path.join(fx.tmp, 'config-'));
    const keylog = path.join(fx.tmp, 'keys.log');
    const f = write(
      'tls.tcp',
      '### mock\nlisten tls://127.0.0.1:0\non "PING" send "PONG"\n\n### client\nconnect tls://127.0.0.1:{{listen.port}}\nsend "PING"\nexpect "PONG"\nexpect tls protocol TLSv1.3\n',
    );
    const before = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = config;
    try {
      const refused = await cli(f);
      assert.equal(refused.code, 1, refused.err);
      assert.match(refused.out, /✗ client — line 6: TLS with 127\.0\.0\.1:\d+: .*unknown authority/);
      const r = await cli(f, '--var', 'tls.insecure=true', '--keylog', keylog);
      assert.equal(r.code, 0, r.out + r.err);
    } finally {
      if (before === undefined) {
        delete process.env.XDG_CONFIG_HOME;
      } else {
        process.env.XDG_CONFIG_HOME = before;
      }
    }
    // The generated CA went to the config folder, never the current directory.
    assert.ok(fs.existsSync(path.join(config, 'tcp-workbench', 'ca.pem')));
    const lines = fs.readFileSync(keylog, 'utf8').trim().split('\n');
    for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
      assert.ok(
        lines.some((l) => new RegExp(`^${label} [0-9a-f]{64} [0-9a-f]{64,96}$`).test(l)),
        `${label} in ${lines.join('\n')}`,
      );
    }
    assert.equal(fs.statSync(keylog).mode & 0o777, 0o600);
  });
});
