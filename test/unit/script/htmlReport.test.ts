// `run --html`: a real `node out/src/cli.js run` against real peers (the tutorials' python chat server and
// echo server), and the page it writes: one lane per connection, arrows with their byte counts, the failed
// step highlighted with expected against actual, hostile bytes escaped, nothing loaded from elsewhere.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PEERS, Scaffold } from '../support';
import { startChat } from './realServers';
import { ScriptRunner, parseScript, toHtml, toJUnit } from '../../../src/core/script';
import { BLOCK_TIMELINE_EVENTS } from '../../../src/core/script/blockTimeline';
import { MAX_DRAWN_EVENTS } from '../../../src/core/script/htmlReport';

const CLI = path.resolve(__dirname, '../../../src/cli.js');

/** The arrows of one kind drawn in a page: [from, to, size] of each. */
function arrows(html: string, kind: 'write' | 'read'): [number, number, number][] {
  return [...html.matchAll(new RegExp(`data-kind="${kind}" data-size="(\\d+)" data-from="(\\d+)" data-to="(\\d+)"`, 'g'))].map((m) => [
    Number(m[2]),
    Number(m[3]),
    Number(m[1]),
  ]);
}

describe('run --html', () => {
  const peers = new Scaffold();
  let tmp = '';
  beforeEach(() => {
    tmp = peers.tempDir('tcpwb-html-');
  });
  afterEach(() => peers.dispose());

  const write = (name: string, text: string): string => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const cli = async (...args: string[]) => {
    const r = await peers.run(process.execPath, [CLI, 'run', ...args]);
    return { code: r.code, out: r.stdout.toString(), err: r.stderr };
  };

  const HOSTILE = '<script>alert(1)</script>';
  const chat = (port: number): string =>
    [
      `@chat = 127.0.0.1:${port}`,
      '### chat <b>two</b>',
      'connect alice {{chat}}',
      'alice send "alice\\n"',
      'alice expect "welcome alice\\n"',
      'connect bob {{chat}}',
      'bob send "bob\\n"',
      'bob expect "welcome bob\\n"',
      'alice expect "bob joined\\n"',
      'wait 10ms',
      `alice send "${HOSTILE}\\n"`,
      'bob expect "alice: hello\\n"',
    ].join('\n');

  it('draws a lane per connection, each arrow with its bytes, and the failed step with expected vs actual, escaped', async () => {
    const port = await startChat(peers);
    const f = write('chat.tcp', chat(port));
    const out = path.join(tmp, 'report.html');
    const r = await cli(f, '--html', out);
    assert.equal(r.code, 1, r.err);
    const html = fs.readFileSync(out, 'utf8');
    // Lanes: the script and one per connection, by name and address.
    for (const lane of ['script', `alice 127.0.0.1:${port}`, `bob 127.0.0.1:${port}`]) {
      assert.ok(html.includes(`text-anchor="middle">${lane}</text><line class="laneLine"`), lane);
    }
    // Our sends are exact (one write each); what each recv got adds up to what the peer sent that lane.
    assert.deepEqual(arrows(html, 'write'), [
      [0, 1, 6],
      [0, 2, 4],
      [0, 1, HOSTILE.length + 1],
    ]);
    const got = (lane: number): number =>
      arrows(html, 'read')
        .filter(([from]) => from === lane)
        .reduce((n, [, , size]) => n + size, 0);
    assert.equal(got(1), 'welcome alice\n'.length + 'bob joined\n'.length);
    assert.equal(got(2), 'welcome bob\n'.length + `alice: ${HOSTILE}\n`.length);
    assert.match(html, /class="mark connect"/);
    assert.match(html, /wait 10 ms/);
    // The failed step: its row highlighted, its mark on bob's lane, the failure in compiler style with hex.
    assert.equal(html.match(/class="failedRow"/g)?.length, 1);
    assert.match(html, /✗ line 12 bob expect: expected &quot;alice: hello\\n&quot;/);
    assert.match(html, /<pre class="failure">.*chat\.tcp:12:12: expected &quot;alice: hello\\n&quot; got .*\(first difference at byte 7\)\n {2}12 \| bob expect/);
    assert.match(html, /expected {2}&quot;alice: hello\\n&quot; +61 6c 69 63 65 3a 20 68/);
    assert.match(html, /actual {4}&quot;alice: &lt;script&gt;alert\(1\)&lt;\/script&gt;\\n&quot; +61 6c 69 63 65 3a 20 3c/);
    assert.match(html, /\^\^ byte 7/);
    assert.match(html, /chat &lt;b&gt;two&lt;\/b&gt;/);
    // Nothing from the wire or the file becomes markup; nothing is loaded from elsewhere; no script.
    assert.ok(!html.includes(HOSTILE) && !html.includes('<b>two'), 'escaped');
    assert.ok(!/<script|\b(src|href)=|url\((?!#)|@import/i.test(html), 'self-contained');
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^"'\s)]+/g))], ['http://www.w3.org/2000/svg']);
  });

  it('reports a passed block with its timeline next to JUnit, and replaces only its own earlier report', async () => {
    const port = Number((await peers.startPeer('python3', [path.join(PEERS, 'echo_server.py'), '127.0.0.1', '0'])).line);
    const f = write('echo.tcp', `### echo\nconnect 127.0.0.1:${port}\nsend "PING\\n"\nexpect "PING\\n"\nclose\n`);
    const [html, xml] = [path.join(tmp, 'r.html'), path.join(tmp, 'r.xml')];
    fs.writeFileSync(html, 'my notes');
    const refused = await cli(f, '--html', html);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /is not an HTML report/);
    assert.equal(fs.readFileSync(html, 'utf8'), 'my notes');
    fs.rmSync(html);
    for (let i = 0; i < 2; i++) {
      const r = await cli(f, '--html', html, '--junit', xml);
      assert.equal(r.code, 0, r.err);
    }
    const page = fs.readFileSync(html, 'utf8');
    assert.match(page, /<section class="block passed">/);
    assert.match(page, /tcp-workbench run: 1 passed, 0 failed/);
    assert.deepEqual(arrows(page, 'write'), [[0, 1, 5]]);
    assert.equal(
      arrows(page, 'read').reduce((n, a) => n + a[2], 0),
      5,
    );
    assert.match(page, /data-kind="fin"/);
    assert.ok(!page.includes('class="failedRow"'));
    assert.ok(fs.readFileSync(xml, 'utf8').includes('<testcase name="echo"'));
  });

  it('keeps each timeline bounded and says what the report leaves out', async function () {
    this.timeout(30000);
    const port = Number((await peers.startPeer('python3', [path.join(PEERS, 'echo_server.py'), '127.0.0.1', '0'])).line);
    const file = path.join(tmp, 'many.tcp');
    const text = `### many\nconnect 127.0.0.1:${port}\nrepeat 700\n  send "x"\n  expect "x"\n`;
    const runner = new ScriptRunner(parseScript(text, { file }));
    const result = await runner.run({ file, timelines: true });
    runner.dispose();
    const t = result.blocks[0].timeline;
    assert.equal(result.blocks[0].status, 'passed');
    assert.ok(t && t.timeline.size === BLOCK_TIMELINE_EVENTS && t.timeline.summary.events > 0, `kept ${t?.timeline.size}`);
    // The same real run, reported many times over: the later blocks' timelines are left out, and said so.
    const copies = Math.ceil(MAX_DRAWN_EVENTS / BLOCK_TIMELINE_EVENTS) + 2;
    const page = toHtml(Array.from({ length: copies }, (_, i) => ({ file: `many${i}.tcp`, source: text, result })));
    assert.equal(page.match(/<svg /g)?.length, MAX_DRAWN_EVENTS / BLOCK_TIMELINE_EVENTS);
    assert.equal(page.match(/Timeline left out: the report draws at most 20000 events in all/g)?.length, copies - MAX_DRAWN_EVENTS / BLOCK_TIMELINE_EVENTS);
    assert.match(page, /earlier events summarized/);
    assert.match(page, /\(\d+ more lines cut\)/);
    // A run without timelines records none (JUnit reads the same results).
    const plain = new ScriptRunner(parseScript(text, { file }));
    const r2 = await plain.run({ file });
    plain.dispose();
    assert.equal(r2.blocks[0].timeline, undefined);
    assert.ok(toJUnit([{ file: 'many.tcp', result: r2 }]).includes('line 4 [2] send ok'));
  });
});
