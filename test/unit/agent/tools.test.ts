// The tool table itself: the manifest's languageModelTools say what the table says (one source of truth,
// checked), the schema checker refuses what it should, and exchange's waits end the way they say.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CoreAgentHost } from '../../../src/core/agent/coreHost';
import { invokeTool } from '../../../src/core/agent/invoke';
import { checkInput } from '../../../src/core/agent/schema';
import { TOOLS, toolNamed } from '../../../src/core/agent/tools';
import { capResult, MAX_RESULT_CHARS } from '../../../src/core/agent/limits';

const ROOT = path.resolve(__dirname, '../../../..');
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(ROOT, f), 'utf8'));

describe('agent tools: the table', () => {
  it("package.json contributes each tool with the table's name, model description and schema, and both languages name it", () => {
    const contributed = read('package.json').contributes.languageModelTools as Record<string, unknown>[];
    const en = read('package.nls.json');
    const zh = read('package.nls.zh-cn.json');
    assert.deepEqual(
      contributed.map((t) => t.name),
      TOOLS.map((t) => t.name),
    );
    for (const t of TOOLS) {
      const c = contributed.find((x) => x.name === t.name) ?? assert.fail(t.name);
      assert.equal(c.modelDescription, t.description, `${t.name}: run the table through package.json again`);
      assert.deepEqual(c.inputSchema, JSON.parse(JSON.stringify(t.inputSchema)), t.name);
      for (const key of [c.displayName, c.userDescription].map((k) => String(k).replace(/^%|%$/g, ''))) {
        assert.ok(en[key] && zh[key], `${t.name}: ${key} missing in package.nls.json or package.nls.zh-cn.json`);
      }
    }
  });

  it('the schema checker names the first problem', () => {
    const schema = toolNamed('tcpWorkbench_exchange')!.inputSchema;
    assert.equal(checkInput(schema, { port: 80 }), undefined);
    assert.equal(checkInput(schema, null), 'The input must be an object, not null.');
    assert.equal(checkInput(schema, {}), '"port" is required.');
    assert.equal(checkInput(schema, { port: 80.5 }), '"port" must be a whole number.');
    assert.equal(checkInput(schema, { port: 0 }), '"port" must be between 1 and 65535, not 0.');
    assert.equal(checkInput(schema, { port: 80, encoding: 'ebcdic' }), '"encoding" must be one of utf-8, gbk, gb18030, latin1, hex, not "ebcdic".');
    assert.match(checkInput(schema, { port: 80, colour: 'red' }) ?? '', /^Unknown property "colour"/);
    assert.equal(checkInput(schema, { port: 80, untilClose: 'yes' }), '"untilClose" must be true or false, not string.');
  });

  it('a result is cut at the cap with a note', () => {
    const cut = capResult('x'.repeat(MAX_RESULT_CHARS + 10));
    assert.equal(cut.length, MAX_RESULT_CHARS);
    assert.match(cut, /cut: the result was 65546 characters/);
    assert.equal(capResult('short'), 'short');
  });
});

describe('agent tools: exchange against a real peer', () => {
  let host: CoreAgentHost;
  let peer: net.Server;
  let port: number;

  beforeEach(async () => {
    host = new CoreAgentHost(ROOT);
    // Answers "A" with two chunks 50 ms apart, "BYE" with a close, anything else not at all.
    peer = net.createServer((s) => {
      s.on('data', (d) => {
        const t = d.toString();
        if (t === 'A') {
          s.write('one\n');
          setTimeout(() => s.write('two\n'), 50);
        } else if (t === 'BYE') {
          s.end('bye\n');
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    port = (peer.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    await host.dispose();
    await new Promise<void>((r) => peer.close(() => r()));
  });

  const exchange = async (input: object) => {
    const o = await invokeTool(host, toolNamed('tcpWorkbench_exchange')!, { port, timeoutMs: 3000, ...input });
    assert.equal(o.isError, false, o.text);
    return JSON.parse(o.text);
  };

  it('without a condition: waits for the quiet after the answer, so both chunks are there', async () => {
    const r = await exchange({ send: 'A', quietMs: 200 });
    assert.equal(r.endedBy, 'quiet');
    assert.equal(r.received.text, 'one\ntwo\n');
    assert.ok(r.timings.firstByteMs <= r.timings.totalMs);
  });

  it('untilBytes stops at the count; untilClose at the close; sendHex sends bytes', async () => {
    assert.equal((await exchange({ send: 'A', untilBytes: 4 })).received.text, 'one\n');
    const closed = await exchange({ sendHex: '42 59 45', untilClose: true });
    assert.equal(closed.endedBy, 'close');
    assert.equal(closed.ok, true);
    assert.equal(closed.received.hex, '62 79 65 0a');
  });

  it('a condition never met ends at the timeout with ok false, in about the time asked', async () => {
    const t0 = Date.now();
    const r = await exchange({ send: 'nothing', untilRegex: 'never', timeoutMs: 300 });
    assert.equal(r.endedBy, 'timeout');
    assert.equal(r.ok, false);
    assert.ok(Date.now() - t0 < 2500, `${Date.now() - t0} ms`);
  });

  it('a backtracking regex is refused before connecting', async () => {
    const o = await invokeTool(host, toolNamed('tcpWorkbench_exchange')!, { port, untilRegex: '(a)\\1' });
    assert.equal(o.isError, true);
    assert.match(o.text, /"untilRegex" cannot be used: .*backtracking/);
  });
});
