// ClientSession.setEncoding (the editor's per-connection encoding) against a node server that controls
// the chunking, and the traffic preview of a stream-decoded chunk.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as iconv from 'iconv-lite';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { preview } from '../../../src/core/traffic/trafficLog';
import { closeServer, sleep, waitFor } from '../support';

describe('ClientSession#setEncoding', () => {
  let server: net.Server;
  let port: number;
  const peers: net.Socket[] = [];
  const received: Buffer[] = [];
  let session: ClientSession | undefined;

  beforeEach(async () => {
    server = net.createServer((s) => {
      s.setNoDelay(true);
      peers.push(s);
      s.on('data', (c: Buffer) => received.push(c));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    await session?.close();
    session?.dispose();
    session = undefined;
    received.length = 0;
    await closeServer(server, peers.splice(0));
  });

  async function writeBytewise(bytes: Buffer): Promise<void> {
    for (const b of bytes) {
      peers[0].write(Buffer.from([b]));
      await sleep(10);
    }
  }

  it('decodes the next chunks in the new encoding, each split character whole', async () => {
    session = new ClientSession({ host: '127.0.0.1', port, encoding: 'gbk' });
    let text = '';
    session.onData((d) => (text += d.text));
    await session.connect();
    await waitFor(() => peers.length === 1, 'the accept');
    await writeBytewise(iconv.encode('你好', 'gbk'));
    await waitFor(() => text === '你好', 'gbk 你好');
    session.setEncoding('utf-8');
    assert.equal(session.encoding, 'utf-8');
    await writeBytewise(Buffer.from('世界'));
    await waitFor(() => text === '你好世界', `utf-8 世界 (got ${JSON.stringify(text)})`);
    await session.send('中');
    await waitFor(() => Buffer.concat(received).length === 3, 'the utf-8 send');
    assert.deepEqual(Buffer.concat(received), Buffer.from('中'));
  });

  it('delivers what the old decoder held back before switching', async () => {
    session = new ClientSession({ host: '127.0.0.1', port, encoding: 'gbk' });
    const texts: string[] = [];
    session.onData((d) => texts.push(d.text));
    await session.connect();
    await waitFor(() => peers.length === 1, 'the accept');
    peers[0].write(Buffer.from([0x41, 0xc4])); // "A" and half of 你
    await waitFor(() => texts.join('') === 'A', 'the A');
    session.setEncoding('latin1');
    assert.equal(texts.length, 2, 'the held-back byte is flushed as its own event');
    assert.notEqual(texts[1], '', 'and is not dropped');
  });

  it('refuses an unknown encoding and keeps the old one', () => {
    session = new ClientSession({ host: '127.0.0.1', port, encoding: 'gbk' });
    assert.throws(() => session?.setEncoding('klingon' as 'gbk'), /Unknown encoding "klingon"/);
    assert.equal(session.encoding, 'gbk');
  });
});

describe('preview with a stream-decoded text', () => {
  it('shows the decoded text rather than decoding the chunk alone', () => {
    // The second byte of 你 completes the character the stream decoder held back.
    assert.equal(preview(Buffer.from([0xe3]), 'gbk', '你'), '你');
    assert.equal(preview(Buffer.from([0xc4]), 'gbk', ''), '');
    // Without it, a lone lead byte is not text.
    assert.notEqual(preview(Buffer.from([0xc4]), 'gbk'), '');
  });
});
