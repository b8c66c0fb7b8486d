// The one's-complement sums of the capture's IP and TCP checksums (RFC 1071). A payload is summed by
// a few lines of WebAssembly SIMD where the runtime has it (Node 16.4+, every VS Code of engines): about
// a third of the cost of the fastest JavaScript loop, and the checksum was the capture's main cost.
// The JavaScript loop stays for runtimes without it, and as the reference the tests hold it to.

/** The one's-complement sum of 16-bit big-endian words (not yet folded). */
export function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let s = acc;
  let i = start;
  const last = end - ((end - start) & 1);
  while (i < last) {
    // Folded every 16 K words so the sum stays a small integer (fast in V8).
    const stop = Math.min(last, i + 32768);
    for (; i < stop; i += 2) {
      s += (b[i] << 8) | b[i + 1];
    }
    s = (s & 0xffff) + (s >>> 16);
  }
  if (i < end) {
    s += b[i] << 8;
  }
  return s;
}

// Payloads are summed as little-endian 32-bit words in place (a one's-complement sum does not care
// about word size, and a byte swap turns the little-endian sum into the network-order one, RFC 1071):
// several times faster than byte pairs, so the capture keeps up with the relay. A payload rarely
// starts on a 4-byte boundary (a segment of a chunk, a chunk of a read buffer): the bytes before the
// first boundary and after the last are summed as pairs, and the words between are summed where they
// are — when they start at an odd offset of the payload their sum is the byte-swapped one already
// (the same property), so only the even case is swapped.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

/** The sum of `p` as 16-bit network-order words counted from p[0] (not yet folded). */
export function payloadSumJs(p: Uint8Array): number {
  const len = p.length;
  const lead = (4 - (p.byteOffset & 3)) & 3;
  const whole = (len - lead) & ~3;
  if (len < lead + 64) {
    return sum16(p, 0, len, 0);
  }
  let s = sum16(p, 0, lead, 0);
  const words = new Uint32Array(p.buffer, p.byteOffset + lead, whole >>> 2);
  let w = 0;
  const n = words.length;
  let i = 0;
  for (const stop = n - (n % 4); i < stop; i += 4) {
    w += words[i] + words[i + 1] + words[i + 2] + words[i + 3];
  }
  for (; i < n; i++) {
    w += words[i];
  }
  while (w > 0xffff) {
    w = (w % 0x10000) + Math.floor(w / 0x10000);
  }
  // In memory order w sums byte pairs (b0 | b1 << 8): network order on a little-endian machine is
  // the swap — and a second swap when the words start at an odd offset of the payload.
  s += LITTLE_ENDIAN === ((lead & 1) === 0) ? swap16(w) : w;
  const tail = lead + whole;
  if (tail < len) {
    // The tail starts at an even offset of the payload when `lead` is even (whole is a multiple of 4).
    s += (lead & 1) === 0 ? sum16(p, tail, len, 0) : p[tail] + sum16(p, tail + 1, len, 0);
  }
  return s;
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
export const wasmChecksum = fast !== undefined;

/** The sum of `p` as 16-bit network-order words counted from p[0] (not yet folded). */
export function payloadSum(p: Uint8Array): number {
  if (!fast || p.length > WASM_CHUNK || p.length < 256) {
    return payloadSumJs(p);
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
