// EchoServer#setClientEncoding: one client of a server decoded (and sent to) in its own encoding while
// another keeps the server's, with raw sockets that control the segmenting.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as iconv from 'iconv-lite';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { sleep, waitFor } from '../support';

describe('EchoServer#setClientEncoding', () => {
  let server: EchoServer;
  const sockets: net.Socket[] = [];
  const texts = new Map<number, string>();

  beforeEach(async () => {
    server = new EchoServer({ mode: 'manual', encoding: 'utf-8' });
    server.onData((d) => {
      if (d.direction === 'in') {
        texts.set(d.client.id, (texts.get(d.client.id) ?? '') + (d.text ?? ''));
      }
    });
    await server.start();
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) {
      s.destroy();
    }
    texts.clear();
    await server.stop();
    server.dispose();
  });

  async function connect(): Promise<{ socket: net.Socket; id: number; got: Buffer[] }> {
    const before = server.clients.length;
    const socket = net.connect({ host: '127.0.0.1', port: server.address?.port ?? 0, noDelay: true });
    sockets.push(socket);
    const got: Buffer[] = [];
    socket.on('data', (b: Buffer) => got.push(b));
    await waitFor(() => server.clients.length === before + 1, 'the accept');
    return { socket, id: server.clients[server.clients.length - 1].id, got };
  }

  async function writeBytewise(socket: net.Socket, bytes: Buffer): Promise<void> {
    for (const b of bytes) {
      socket.write(Buffer.from([b]));
      await sleep(10);
    }
  }

  it('decodes gbk split into 1-byte segments whole for a gbk client while another stays utf-8', async () => {
    const a = await connect();
    const b = await connect();
    assert.equal(server.setClientEncoding(a.id, 'gbk'), true);
    assert.equal(server.encodingOf(a.id), 'gbk');
    assert.equal(server.clientEncoding(b.id), undefined);
    assert.equal(server.encodingOf(b.id), 'utf-8');
    await writeBytewise(a.socket, iconv.encode('你好，世界', 'gbk'));
    await writeBytewise(b.socket, Buffer.from('你好，世界'));
    await waitFor(() => texts.get(a.id) === '你好，世界', `gbk text of client a (got ${JSON.stringify(texts.get(a.id))})`);
    await waitFor(() => texts.get(b.id) === '你好，世界', `utf-8 text of client b (got ${JSON.stringify(texts.get(b.id))})`);
  });

  it('sends text to a gbk client as gbk bytes and to the others in the server encoding', async () => {
    const a = await connect();
    const b = await connect();
    server.setClientEncoding(a.id, 'gbk');
    assert.equal(server.sendText(a.id, '中文', 'crlf'), true);
    await waitFor(() => Buffer.concat(a.got).length === 6, 'the gbk bytes');
    assert.deepEqual(Buffer.concat(a.got), Buffer.concat([iconv.encode('中文', 'gbk'), Buffer.from('\r\n')]));
    assert.equal(server.broadcastText('中'), 2);
    await waitFor(() => Buffer.concat(b.got).length === 3, 'the utf-8 bytes');
    assert.deepEqual(Buffer.concat(b.got), Buffer.from('中'));
    await waitFor(() => Buffer.concat(a.got).length === 8, 'the gbk broadcast');
    assert.deepEqual(Buffer.concat(a.got).subarray(6), iconv.encode('中', 'gbk'));
  });

  it('flushes what the old decoder held back, then goes back to the server encoding', async () => {
    const a = await connect();
    server.setClientEncoding(a.id, 'gbk');
    a.socket.write(Buffer.from([0x41, 0xc4])); // "A" and half of 你
    await waitFor(() => texts.get(a.id) === 'A', 'the A');
    assert.equal(server.setClientEncoding(a.id, undefined), true);
    assert.ok((texts.get(a.id) ?? '').length > 1, 'the held-back byte is reported, not dropped');
    assert.equal(server.encodingOf(a.id), 'utf-8');
    assert.equal(server.clientEncoding(a.id), undefined);
  });

  it('refuses an unknown encoding and an unknown client', async () => {
    const a = await connect();
    assert.throws(() => server.setClientEncoding(a.id, 'klingon' as 'gbk'), /Unknown encoding "klingon"/);
    assert.equal(server.encodingOf(a.id), 'utf-8');
    assert.equal(server.setClientEncoding(9999, 'gbk'), false);
  });

  it('keeps a reply-mode server replying in its own encoding to a gbk client', async () => {
    await server.stop();
    server.dispose();
    server = new EchoServer({ mode: 'reply', replyText: '好', encoding: 'utf-8' });
    await server.start();
    const a = await connect();
    server.setClientEncoding(a.id, 'gbk');
    a.socket.write('x');
    await waitFor(() => Buffer.concat(a.got).length === 3, 'the reply');
    assert.deepEqual(Buffer.concat(a.got), Buffer.from('好'));
  });
});
