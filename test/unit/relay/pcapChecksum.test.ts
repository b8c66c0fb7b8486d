// The payload checksum both ways: by WebAssembly SIMD (the fast path, on by default) and by the plain
// JavaScript sum it must equal (TCP_WORKBENCH_CAPTURE_WASM_SUM=0), against the byte-pair sum of RFC 1071.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { wasmChecksum, wasmSum, wasmSums } from '../../../src/core/relay/pcapChecksum';
import { PCAP_RECORD_HEADER, TCP_ACK, segmentHeader } from '../../../src/core/relay/pcapPackets';

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

describe('pcap payload checksum (WebAssembly)', () => {
  it('is on by default on this Node (SIMD is in every runtime engines.vscode allows)', () => {
    assert.equal(wasmChecksum, true);
    assert.deepEqual([255, 256, 65536, 65537].map(wasmSums), [false, true, true, false]);
  });

  it('equals the byte-pair sum at every alignment and length it takes, up to a full segment', () => {
    const big = crypto.randomBytes(70000);
    const lengths = [256, 257, 319, 320, 1000, 1001, 4097, 65494, 65495, 65536];
    let checked = 0;
    for (let start = 0; start < 8; start++) {
      for (const len of lengths) {
        const p = big.subarray(start, start + len);
        assert.equal(folded(wasmSum(p)), byPairs(p), `offset ${p.byteOffset}, length ${len}`);
        checked++;
      }
    }
    for (const fill of [0xff, 0x00, 0x01]) {
      const p = Buffer.alloc(65500, fill).subarray(1, 65496);
      assert.equal(folded(wasmSum(p)), byPairs(p), `fill ${fill}`);
      checked++;
    }
    assert.equal(checked, 8 * lengths.length + 3);
  });

  it('gives the same packets as the JavaScript sum (switched off in a child process)', () => {
    const payload = crypto.randomBytes(65495);
    const header = (): string =>
      segmentHeader(
        { src: { ip: Buffer.from([127, 0, 0, 1]), port: 1 }, dst: { ip: Buffer.from([127, 0, 0, 2]), port: 2 }, seq: 3, ack: 4, flags: TCP_ACK, payload, ipId: 5 },
        PCAP_RECORD_HEADER,
      ).toString('hex');
    const core = path.join(__dirname, '../../../src/core/relay');
    const script = `
      const { segmentHeader, PCAP_RECORD_HEADER, TCP_ACK } = require(${JSON.stringify(path.join(core, 'pcapPackets.js'))});
      const { wasmChecksum } = require(${JSON.stringify(path.join(core, 'pcapChecksum.js'))});
      const payload = Buffer.from(process.argv[1], 'hex');
      const h = segmentHeader({ src: { ip: Buffer.from([127, 0, 0, 1]), port: 1 }, dst: { ip: Buffer.from([127, 0, 0, 2]), port: 2 }, seq: 3, ack: 4, flags: TCP_ACK, payload, ipId: 5 }, PCAP_RECORD_HEADER);
      process.stdout.write(JSON.stringify({ wasmChecksum, header: h.toString('hex') }));`;
    const r = spawnSync(process.execPath, ['-e', script, payload.toString('hex')], { env: { ...process.env, TCP_WORKBENCH_CAPTURE_WASM_SUM: '0' }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const child = JSON.parse(r.stdout) as { wasmChecksum: boolean; header: string };
    assert.equal(child.wasmChecksum, false, 'the switch turned it off');
    assert.equal(child.header, header());
  });
});
