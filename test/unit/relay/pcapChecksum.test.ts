// The payload checksum — by WebAssembly SIMD, and by the JavaScript loop that sums in place whatever
// the payload's alignment in memory — against the plain byte-pair sum of RFC 1071.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { payloadSum, payloadSumJs, wasmChecksum } from '../../../src/core/relay/pcapChecksum';

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

for (const [name, sum] of [
  ['WebAssembly', payloadSum],
  ['JavaScript', payloadSumJs],
] as const) {
  describe(`pcap payload checksum (${name})`, () => {
    it('equals the byte-pair sum at every alignment and length, up to a full segment', () => {
      const big = crypto.randomBytes(70000);
      const lengths = [0, 1, 2, 3, 4, 5, 63, 64, 65, 66, 67, 68, 69, 127, 255, 256, 257, 319, 1000, 1001, 4097, 65494, 65495, 65536, 65537];
      let checked = 0;
      for (let start = 0; start < 8; start++) {
        for (const len of lengths) {
          const p = big.subarray(start, start + len);
          assert.equal(folded(sum(p)), byPairs(p), `offset ${p.byteOffset}, length ${len}`);
          checked++;
        }
      }
      // All ones and all zeros: the sums where an end-around carry or a wrong swap shows at once.
      for (const fill of [0xff, 0x00, 0x01]) {
        for (let start = 0; start < 4; start++) {
          const p = Buffer.alloc(65500, fill).subarray(start, start + 65495);
          assert.equal(folded(sum(p)), byPairs(p), `fill ${fill} offset ${start}`);
          checked++;
        }
      }
      assert.equal(checked, 8 * lengths.length + 12);
    });
  });
}

describe('pcap payload checksum', () => {
  it('is summed by WebAssembly on this Node (SIMD is in every runtime engines.vscode allows)', () => {
    assert.equal(wasmChecksum, true);
  });
});
