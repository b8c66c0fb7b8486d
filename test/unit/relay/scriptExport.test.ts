// Relayed conversations as .tcp scripts: the exact text for small conversations, built by hand and
// recorded through a real relay.
import * as assert from 'node:assert/strict';
import { Conversation, ScriptRecorder, exportListenBlock, exportScript, quoteBytes } from '../../../src/core/relay/scriptExport';
import { Peers, waitFor } from '../support';
import { Relays } from './relayFixtures';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('scriptExport', () => {
  const peers = new Peers();
  const relays = new Relays();

  afterEach(async () => {
    await relays.dispose();
    await peers.dispose();
  });

  describe('quoteBytes', () => {
    it('escapes what the script language escapes, keeps UTF-8 text, and breaks up {{', () => {
      assert.equal(quoteBytes(Buffer.from('a"b\\c\n\r\t\0\x01\x7f')), '"a\\"b\\\\c\\n\\r\\t\\0\\x01\\x7f"');
      assert.equal(quoteBytes(Buffer.from('你好 {{x}}')), '"你好 {\\x7bx}}"');
    });

    it('leaves invalid UTF-8 and mostly-control bytes to hex', () => {
      assert.equal(quoteBytes(Buffer.from([0x48, 0xff])), undefined);
      assert.equal(quoteBytes(Buffer.from([1, 2, 3, 0x41])), undefined);
    });
  });

  it('writes one block per conversation with merged steps, closes, resets and unrecorded bytes', () => {
    const conversations: Conversation[] = [
      {
        title: 'first',
        target: { host: '127.0.0.1', port: 9007 },
        steps: [
          { kind: 'data', direction: 'client→server', bytes: b('GET ') },
          { kind: 'data', direction: 'client→server', bytes: b('x\r\n') },
          { kind: 'data', direction: 'server→client', bytes: b('OK') },
          { kind: 'data', direction: 'server→client', bytes: b('\n') },
          { kind: 'data', direction: 'server→client', bytes: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
          { kind: 'fin', direction: 'server→client' },
          { kind: 'fin', direction: 'client→server' },
        ],
        unrecorded: { 'client→server': 0, 'server→client': 0 },
      },
      {
        title: 'second\nline',
        target: { host: '::1', port: 7 },
        steps: [{ kind: 'data', direction: 'client→server', bytes: b('ping') }],
        reset: 'server',
        unrecorded: { 'client→server': 5, 'server→client': 10 },
      },
    ];
    assert.equal(
      exportScript(conversations),
      [
        '### first',
        'connect 127.0.0.1:9007',
        'send "GET x\\r\\n"',
        'expect hex 4f 4b 0a de ad be ef',
        'expect close',
        'close',
        '',
        '### second line',
        'connect [::1]:7',
        'send "ping"',
        'expect bytes 10',
        '# 5 more bytes the client sent were not recorded',
        '# the server reset the connection here',
        'close',
        '',
      ].join('\n'),
    );
  });

  it('turns the server side into a listen block: greeting, answers by message, close', () => {
    const unrecorded = { 'client→server': 0, 'server→client': 0 };
    const target = { host: '127.0.0.1', port: 9007 };
    const conversations: Conversation[] = [
      {
        title: 'a',
        target,
        unrecorded,
        steps: [
          { kind: 'data', direction: 'server→client', bytes: b('WELCOME\r\n') },
          { kind: 'data', direction: 'client→server', bytes: b('PING') },
          { kind: 'data', direction: 'server→client', bytes: b('PONG') },
          { kind: 'data', direction: 'client→server', bytes: Buffer.from([1, 3, 0, 0]) },
          { kind: 'data', direction: 'server→client', bytes: Buffer.from([1, 3, 2, 0, 0x2a]) },
          { kind: 'data', direction: 'client→server', bytes: b('QUIT') },
          { kind: 'data', direction: 'server→client', bytes: b('BYE\n') },
          { kind: 'fin', direction: 'client→server' },
          { kind: 'fin', direction: 'server→client' },
        ],
      },
      // The same message again: the first answer is kept.
      {
        title: 'b',
        target,
        unrecorded,
        steps: [
          { kind: 'data', direction: 'client→server', bytes: b('PING') },
          { kind: 'data', direction: 'server→client', bytes: b('PANG') },
        ],
      },
    ];
    assert.equal(
      exportListenBlock(conversations, 'mock of 127.0.0.1:9007', { host: '127.0.0.1', port: 0 }),
      [
        '### mock of 127.0.0.1:9007',
        'listen 127.0.0.1:0',
        'on connect send "WELCOME\\r\\n"',
        'on "PING" send "PONG"',
        'on hex 01 03 00 00 send hex 01 03 02 00 2a',
        'on "QUIT" send "BYE\\n" close',
        '',
      ].join('\n'),
    );
  });

  it('records a conversation through a real relay as the exact script', async () => {
    const target = await peers.listen((s) => {
      s.on('data', (d: Buffer) => s.write(d.toString() === 'HELLO\n' ? Buffer.from('WELCOME\n') : Buffer.from([0, 1, 2, 0xff])));
      s.on('end', () => s.end());
    });
    const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: target });
    const recorder = new ScriptRecorder({ target: { host: 'localhost', port: target } });
    relay.addTap(recorder);
    const c = await peers.connect(port);
    const clientPort = c.localPort;
    const got: Buffer[] = [];
    c.on('data', (d: Buffer) => got.push(d));
    const closed = new Promise((r) => c.on('close', r));
    c.write('HELLO\n');
    await waitFor(() => Buffer.concat(got).length === 8, 'WELCOME');
    c.write('BIN');
    await waitFor(() => Buffer.concat(got).length === 12, 'the binary answer');
    c.end();
    await closed;
    await waitFor(() => relay.connections.length === 0 && recorder.conversations.length === 1, 'the relay to finish');
    assert.equal(
      recorder.script(),
      [
        `### connection 1 from 127.0.0.1:${clientPort}`,
        `connect localhost:${target}`,
        'send "HELLO\\n"',
        'expect "WELCOME\\n"',
        'send "BIN"',
        'expect hex 00 01 02 ff',
        'shutdown',
        'expect close',
        '',
      ].join('\n'),
    );
  });
});
