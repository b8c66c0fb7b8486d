// The hex dump rows, the streaming dump across chunks, and stream decoding of text split anywhere.
import * as assert from 'node:assert/strict';
import * as iconv from 'iconv-lite';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { createDecoder, EncodingName } from '../../../src/core/codec';
import { HexDumpStream, formatHexDump, hexRow } from '../../../src/core/traffic/hexView';
import { Peers, waitFor } from '../support';

/** A python server that sends `hex` one byte per send() (TCP_NODELAY, a pause between), then closes. */
const BYTE_BY_BYTE_PEER = `
import socket, sys, time
data = bytes.fromhex(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for b in data:
    c.sendall(bytes([b])); time.sleep(0.003)
c.close()
`;

describe('hexView', () => {
  it('formats offset, two groups of eight, and the printable-ASCII column', () => {
    const row = hexRow(0x10, Buffer.from('Hello\r\n\x00\xff~ ', 'latin1'));
    assert.equal(row, '00000010  48 65 6c 6c 6f 0d 0a 00  ff 7e 20                 |Hello....~ |');
    assert.equal(hexRow(0, Buffer.alloc(16, 0x41)), `00000000  ${'41 '.repeat(8)} ${'41 '.repeat(7)}41  |${'A'.repeat(16)}|`);
  });

  it('a whole buffer: one row per 16 bytes, offsets from the start offset', () => {
    const rows = formatHexDump(Buffer.alloc(33, 0x2e), 0x100);
    assert.deepEqual(
      rows.map((r) => r.slice(0, 8)),
      ['00000100', '00000110', '00000120'],
    );
    assert.equal(formatHexDump(Buffer.alloc(0)).length, 0);
  });

  it('a stream cut into odd chunks dumps exactly like the whole', () => {
    const all = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff));
    const s = new HexDumpStream();
    const rows: string[] = [];
    let at = 0;
    for (const n of [1, 15, 3, 40, 7, 34]) {
      rows.push(...s.write(all.subarray(at, at + n)));
      at += n;
    }
    assert.equal(at, 100);
    rows.push(...s.flush());
    assert.deepEqual(rows, formatHexDump(all));
    assert.equal(s.position, 100);
  });

  describe('stream decoding (createDecoder)', () => {
    const text = '你好，世界 hello 𠀀 €';
    const cases: [EncodingName, string][] = [
      ['gbk', '你好，世界 hello €'],
      ['gb18030', text],
      ['utf-8', text],
    ];
    for (const [encoding, sample] of cases) {
      it(`${encoding}: text split into 1-byte segments decodes right`, () => {
        const bytes = iconv.encode(sample, encoding);
        const d = createDecoder(encoding);
        let out = '';
        for (const b of bytes) {
          out += d.write(Buffer.from([b]));
        }
        out += d.end();
        assert.equal(out, sample);
      });

      it(`${encoding}: every split point of the text decodes right`, () => {
        const bytes = iconv.encode(sample, encoding);
        for (let cut = 1; cut < bytes.length; cut++) {
          const d = createDecoder(encoding);
          const out = d.write(bytes.subarray(0, cut)) + d.write(bytes.subarray(cut)) + d.end();
          assert.equal(out, sample, `cut at ${cut}`);
        }
      });
    }

    it('gbk and gb18030: bad byte pairs split into 1-byte segments decode as the whole does (nothing dropped)', () => {
      const bytes = Buffer.from([0x95, 0x32, 0x82, 0x36, 0x41, 0xd6, 0x0a, 0x42]);
      for (const encoding of ['gbk', 'gb18030'] as const) {
        const d = createDecoder(encoding);
        let out = '';
        for (const b of bytes) {
          out += d.write(Buffer.from([b]));
        }
        assert.equal(out + d.end(), iconv.decode(bytes, encoding), encoding);
      }
      assert.match(iconv.decode(bytes, 'gbk'), /2.*6A.*\nB$/s);
    });

    it('gb18030 four-byte sequences split in every place', () => {
      const bytes = iconv.encode('𠀀', 'gb18030');
      assert.equal(bytes.length, 4);
      const d = createDecoder('gb18030');
      assert.equal(d.write(bytes.subarray(0, 1)) + d.write(bytes.subarray(1, 3)), '');
      assert.equal(d.write(bytes.subarray(3)), '𠀀');
    });
  });

  describe('a session receiving 1-byte segments from a python peer', () => {
    const peers = new Peers();
    let session: ClientSession | undefined;
    afterEach(async () => {
      await session?.close();
      session?.dispose();
      session = undefined;
      await peers.dispose();
    });

    for (const [encoding, sample] of [
      ['gbk', '中文：你好，世界'],
      ['gb18030', '你好𠀀世界'],
    ] as [EncodingName, string][]) {
      it(`${encoding}: the text shown is the text sent`, async function () {
        this.timeout(15000);
        const bytes = iconv.encode(sample, encoding);
        const { line } = await peers.startPeer('python3', ['-c', BYTE_BY_BYTE_PEER, bytes.toString('hex')]);
        session = new ClientSession({ host: '127.0.0.1', port: Number(line), encoding });
        let text = '';
        let chunks = 0;
        session.onData((d) => {
          text += d.text;
          chunks++;
        });
        const s = session;
        await s.connect();
        await waitFor(() => s.state === 'closed', 'the peer to close', 10000);
        assert.equal(text, sample);
        assert.equal(s.bytesIn, bytes.length);
        assert.ok(chunks >= bytes.length / 2, `${chunks} chunks for ${bytes.length} bytes: the split really happened`);
      });
    }
  });
});
