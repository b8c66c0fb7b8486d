// The capture's checksum sum (4 bytes at a time) against the plain byte-pair sum of RFC 1071, and the
// libpcap record header the writer puts in the room segmentHeader leaves.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { PCAP_RECORD_HEADER, TCP_ACK, checksum, pcapRecordHeader, segmentHeader, sum16 } from '../../../src/core/relay/pcapPackets';

function folded(s: number): number {
  let x = s;
  while (x > 0xffff) {
    x = (x & 0xffff) + Math.floor(x / 0x10000);
  }
  return x;
}

function byPairs(p: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i += 2) {
    s += (p[i] << 8) | (i + 1 < p.length ? p[i + 1] : 0);
  }
  return folded(s);
}

describe('pcap packets', () => {
  it('sums like the byte-pair sum at every alignment and length, up to a full segment', () => {
    const big = crypto.randomBytes(70000);
    const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 63, 64, 65, 255, 256, 257, 1001, 4097, 65494, 65495, 65536, 65537];
    let checked = 0;
    for (let start = 0; start < 8; start++) {
      for (const len of lengths) {
        const p = big.subarray(start, start + len);
        assert.equal(folded(sum16(p, 0, p.length, 0)), byPairs(p), `offset ${p.byteOffset}, length ${len}`);
        checked++;
      }
    }
    // All ones: the sum where an end-around carry shows at once; a range inside a buffer, with a start value.
    for (const start of [0, 1, 2, 3]) {
      const p = Buffer.alloc(65500, 0xff).subarray(start, start + 65495);
      assert.equal(folded(sum16(p, 0, p.length, 0)), byPairs(p), `all ones, offset ${start}`);
      assert.equal(folded(sum16(big, start, start + 1001, 7)), folded(byPairs(big.subarray(start, start + 1001)) + 7));
      checked += 2;
    }
    assert.equal(checked, 8 * lengths.length + 8);
    assert.equal(checksum(0xffff), 0);
    assert.equal(checksum(0x1fffe), 0, 'folds the carry back in');
  });

  it('leaves room for the record header, which says when and how long', () => {
    const end = (ip: number[], port: number): { ip: Buffer; port: number } => ({ ip: Buffer.from(ip), port });
    const payload = Buffer.from('hello');
    const b = segmentHeader({ src: end([127, 0, 0, 1], 40000), dst: end([127, 0, 0, 2], 7), seq: 1, ack: 2, flags: TCP_ACK, payload, ipId: 9 }, PCAP_RECORD_HEADER);
    assert.equal(b.length, PCAP_RECORD_HEADER + 40);
    assert.ok(b.subarray(0, PCAP_RECORD_HEADER).every((x) => x === 0));
    assert.equal(b[PCAP_RECORD_HEADER], 0x45, 'IPv4 right after the room');
    pcapRecordHeader(b, 1_700_000_000_123_456, 45);
    assert.deepEqual([b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12)], [1_700_000_000, 123_456, 45, 45]);
    // The IP header's checksum makes its own sum 0xffff; the TCP one (pseudo-header, header, payload) too.
    assert.equal(folded(sum16(b, 16, 36, 0)), 0xffff);
    const pseudo = sum16(b, 28, 36, 0) + 6 + 25;
    assert.equal(folded(sum16(payload, 0, 5, sum16(b, 36, 56, pseudo))), 0xffff);
  });
});
