// "Save as script": recorded traffic written as a .tcp block parses clean and replays green against
// the same kind of peer, byte for byte (text, binary, gbk, braces and quotes).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as os from 'node:os';
import * as iconv from 'iconv-lite';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { ClientBlock, RecordedChunk, ScriptRunner, parseScript, scriptString, writeConversation, writeScript } from '../../../src/core/script';

describe('script writer', () => {
  let echo: EchoServer;
  let port: number;

  beforeEach(async () => {
    echo = new EchoServer();
    port = (await echo.start()).port;
  });

  afterEach(async () => {
    await echo.stop();
    echo.dispose();
  });

  it('escapes what the parser unescapes', () => {
    assert.equal(scriptString('a"b\\c\n\r\t\0\x01{{x}}{{{'), '"a\\"b\\\\c\\n\\r\\t\\0\\x01\\{{x}}\\{\\{{"');
    const s = parseScript(`### t\nconnect 1\nsend ${scriptString('a"b\\c\n\r\t\0\x01{{x}}{{{')}\n`);
    assert.deepEqual(s.diagnostics, []);
    const step = (s.blocks[0] as ClientBlock).steps[0];
    assert.ok(step.kind === 'send' && step.payload.kind === 'text');
    assert.deepEqual(step.payload.text, ['a"b\\c\n\r\t\0\x01{{x}}{{{']);
  });

  for (const encoding of ['utf-8', 'gbk'] as const) {
    it(`writes a ${encoding} session that replays green against an echo server`, async () => {
      const out = (b: Buffer): RecordedChunk => ({ direction: 'out', bytes: b });
      const inn = (b: Buffer): RecordedChunk => ({ direction: 'in', bytes: b });
      const text = iconv.encode('你好 "{{name}}"\nline two\n', encoding);
      const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, ...Array.from({ length: 40 }, (_, i) => i)]);
      const chunks = [out(text), inn(text.subarray(0, 3)), inn(text.subarray(3)), out(binary), inn(binary)];
      const file = writeScript({ title: 'recorded\nsession', host: '127.0.0.1', port, encoding, chunks });
      const script = parseScript(file);
      assert.deepEqual(script.diagnostics, [], file);
      assert.equal(script.blocks[0].title, 'recorded session');
      assert.match(file, /^send hex 00 01 02 ff fe 80/m);
      const runner = new ScriptRunner(script);
      const r = await runner.run({ file: path.join(os.tmpdir(), 'recorded.tcp') });
      runner.dispose();
      assert.equal(r.blocks[0].status, 'passed', `${r.blocks[0].failure?.message}\n${file}`);
      assert.equal(r.blocks[0].bytesOut, text.length + binary.length);
    });
  }

  it('ends with expect close when the peer closed', () => {
    const file = writeScript({ title: 't', host: '::1', port: 9, encoding: 'utf-8', chunks: [], peerClosed: true });
    assert.match(file, /connect \[::1\]:9\nexpect close\n$/);
  });

  it('writes several sessions as one block of named connections, in the order the bytes went, and it replays', async () => {
    const c = (direction: 'in' | 'out', text: string, seq: number): RecordedChunk => ({ direction, bytes: Buffer.from(text), seq });
    const session = (name: string, chunks: RecordedChunk[]) => ({ name, title: '', host: '127.0.0.1', port, encoding: 'utf-8' as const, chunks });
    const file = writeConversation('two at once', [
      session('session1', [c('out', 'hi ', 0), c('out', 'bob\n', 1), c('in', 'hi bob\n', 4)]),
      session('session2', [c('out', 'yo\n', 2), c('in', 'yo\n', 3)]),
    ]);
    assert.equal(
      file.split('\n').slice(2).join('\n'),
      '### two at once\nconnect session1 127.0.0.1:' +
        port +
        '\nconnect session2 127.0.0.1:' +
        port +
        '\nsession1 send "hi bob\\n"\nsession2 send "yo\\n"\nsession2 expect "yo\\n"\nsession1 expect "hi bob\\n"\nsession1 close\nsession2 close\n',
    );
    const script = parseScript(file);
    assert.deepEqual(script.diagnostics, []);
    const runner = new ScriptRunner(script);
    const r = await runner.run({ file: path.join(os.tmpdir(), 'x.tcp') });
    runner.dispose();
    assert.equal(r.passed, 1, r.blocks[0].failure?.message);
  });
});
