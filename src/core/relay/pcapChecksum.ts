// The payload checksum by a few lines of WebAssembly SIMD: the optional fast path beside the plain
// JavaScript sum (sum16 in pcapPackets.ts), which it must equal. Where the relay limits, at the CLI's
// 1 GiB cap it kept 0.99× of the relay's speed against 0.68× for the JavaScript sum (docs/PERFORMANCE.md).
// On where the runtime has WebAssembly SIMD (Node 16.4+, every VS Code of engines) unless
// TCP_WORKBENCH_CAPTURE_WASM_SUM=0.

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}
/** Bytes the WebAssembly sum takes at once: a TCP segment's payload fits. */
const WASM_CHUNK = 65536;

/*
 * The module, by hand (WebAssembly text below, binary after it). sum(p, n) adds the 16-bit
 * little-endian words of memory[p, p+n) (n a multiple of 64, at most 65536: no 32-bit lane overflows)
 * into two i32x4 accumulators, four 16-byte loads a turn, and returns the four lanes' total.
 *
 *   (module
 *     (memory (export "m") 2)
 *     (func (export "sum") (param $p i32) (param $n i32) (result i32)
 *       (local $a v128) (local $b v128) (local $end i32)
 *       (local.set $end (i32.add (local.get $p) (local.get $n)))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $p) (local.get $end)))
 *         (local.set $a (i32x4.add (i32x4.add (local.get $a)
 *           (i32x4.extadd_pairwise_i16x8_u (v128.load offset=0 (local.get $p))))
 *           (i32x4.extadd_pairwise_i16x8_u (v128.load offset=32 (local.get $p)))))
 *         (local.set $b (i32x4.add (i32x4.add (local.get $b)
 *           (i32x4.extadd_pairwise_i16x8_u (v128.load offset=16 (local.get $p))))
 *           (i32x4.extadd_pairwise_i16x8_u (v128.load offset=48 (local.get $p)))))
 *         (local.set $p (i32.add (local.get $p) (i32.const 64)))
 *         (br 0)))
 *       (local.set $a (i32x4.add (local.get $a) (local.get $b)))
 *       (i32.add (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
 *         (i32x4.extract_lane 2 (local.get $a))) (i32x4.extract_lane 3 (local.get $a)))))
 */
const LOAD_ADD = (offset: number): number[] => [0x20, 0x00, 0xfd, 0x00, 0x00, offset, 0xfd, 0x7f, 0xfd, 0xae, 0x01];
const LANE = (i: number): number[] => [0x20, 0x02, 0xfd, 0x1b, i];
const BODY = [
  ...[0x02, 0x02, 0x7b, 0x01, 0x7f], // locals: 2 × v128, 1 × i32
  ...[0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x04], // end = p + n
  ...[0x02, 0x40, 0x03, 0x40], // block, loop
  ...[0x20, 0x00, 0x20, 0x04, 0x4f, 0x0d, 0x01], // br_if 1 (p >= end)
  ...[0x20, 0x02, ...LOAD_ADD(0x00), ...LOAD_ADD(0x20), 0x21, 0x02], // a += [p] + [p+32]
  ...[0x20, 0x03, ...LOAD_ADD(0x10), ...LOAD_ADD(0x30), 0x21, 0x03], // b += [p+16] + [p+48]
  ...[0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x00, 0x0c, 0x00], // p += 64, br 0
  ...[0x0b, 0x0b], // end loop, end block
  ...[0x20, 0x02, 0x20, 0x03, 0xfd, 0xae, 0x01, 0x21, 0x02], // a += b
  ...LANE(0),
  ...LANE(1),
  0x6a,
  ...LANE(2),
  0x6a,
  ...LANE(3),
  0x6a,
  0x0b,
];
const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
  ...[0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f], // types: (i32, i32) → i32
  ...[0x03, 0x02, 0x01, 0x00], // functions: one of type 0
  ...[0x05, 0x03, 0x01, 0x00, 0x02], // memory: 2 pages
  ...[0x07, 0x0b, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x00], // exports m, sum
  ...[0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY], // code
]);

interface WasmSum {
  memory: Uint8Array;
  sum(p: number, n: number): number;
}

type Wasm = {
  validate(b: Uint8Array): boolean;
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object) => { exports: { m: { buffer: ArrayBuffer }; sum(p: number, n: number): number } };
};

function loadWasm(): WasmSum | undefined {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  try {
    if (!wasm?.validate(MODULE)) {
      return undefined;
    }
    const { exports } = new wasm.Instance(new wasm.Module(MODULE));
    return { memory: new Uint8Array(exports.m.buffer), sum: exports.sum };
  } catch {
    return undefined;
  }
}

const fast = loadWasm();

/** Whether payloads are summed by WebAssembly here. */
export const wasmChecksum = fast !== undefined && process.env.TCP_WORKBENCH_CAPTURE_WASM_SUM !== '0';

/** Whether `wasmSum` takes a payload of this length (shorter ones are not worth the copy). */
export function wasmSums(length: number): boolean {
  return wasmChecksum && length >= 256 && length <= WASM_CHUNK;
}

/** The sum of `p` (as wasmSums allows) as 16-bit network-order words counted from p[0] (not yet folded). */
export function wasmSum(p: Uint8Array): number {
  if (!fast) {
    throw new Error('no WebAssembly SIMD here');
  }
  // Copied to the module's memory (a hot copy of a segment), padded with zeros to a whole turn.
  const n = p.length;
  const padded = (n + 63) & ~63;
  fast.memory.set(p, 0);
  fast.memory.fill(0, n, padded);
  let w = fast.sum(0, padded) >>> 0;
  while (w > 0xffff) {
    w = (w % 0x10000) + Math.floor(w / 0x10000);
  }
  // WebAssembly memory is little-endian: the sum of (b0 | b1 << 8) pairs, byte-swapped to network order.
  return swap16(w);
}
