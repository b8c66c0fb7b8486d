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
      `${bad}:2:19: The variable "port" is not defined here (define it with @port = value above, or capture it with -> port).\n${bad}:3:8: Unknown escape "\\q". Use \\n \\r \\t \\\\ \\" \\0 \\xHH or \\u{HHHH}.\n${bad}:4:1: Unknown step "frob". Steps: connect, send, expect, wait, close, shutdown, repeat, retry, any order, include.\n`,
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
});
