// Checksums against their published check values, and frames as property tests: what `send frame`
// builds, `expect frame` parses back into the same fields (integers of every type, varints, len, *).
import * as assert from 'node:assert/strict';
import { ClientBlock, Frame, parseScript } from '../../../src/core/script';
import { CHECKSUMS, ChecksumName, checksumBytes } from '../../../src/core/script/checksums';
import { buildFrame, decodeInt, encodeInt, frameMatcher, matchFrame } from '../../../src/core/script/frameCodec';
import { INT_TYPES, IntType } from '../../../src/core/script/frames';

const CHECK = Buffer.from('123456789');

/** A small seeded generator, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The frame of the first step of a one-block script (send frame … or expect frame …). */
function frameOf(line: string, vars: Record<string, string> = {}): Frame {
  const script = parseScript(`### t\nconnect 1\n${line}\n`, { vars });
  assert.deepEqual(script.diagnostics, [], line);
  const step = (script.blocks[0] as ClientBlock).steps[0];
  if (step.kind === 'send' && step.payload.kind === 'frame') {
    return step.payload.frame;
  }
  assert.ok(step.kind === 'expect' && step.match === 'frame', line);
  return step.frame;
}

const env = { values: new Map<string, string>(), encoding: 'utf-8' as const };

describe('checksums and frames', () => {
  describe('published check values ("123456789")', () => {
    const want: Record<ChecksumName, number> = {
      sum8: 0xdd,
      xor8: 0x31,
      lrc: 0x23,
      crc16modbus: 0x4b37,
      crc16ccitt: 0x29b1,
      crc32: 0xcbf43926,
      crc32le: 0xcbf43926,
    };
    for (const [name, value] of Object.entries(want) as [ChecksumName, number][]) {
      it(`${name} = 0x${value.toString(16)}`, () => assert.equal(CHECKSUMS[name].compute(CHECK), value));
    }

    it('wire order: Modbus RTU low byte first (01 03 00 00 00 0a → c5 cd), CCITT and CRC-32 high byte first', () => {
      assert.equal(checksumBytes(CHECKSUMS.crc16modbus, Buffer.from('01030000000a', 'hex')).toString('hex'), 'c5cd');
      assert.equal(checksumBytes(CHECKSUMS.crc16ccitt, CHECK).toString('hex'), '29b1');
      assert.equal(checksumBytes(CHECKSUMS.crc32, CHECK).toString('hex'), 'cbf43926');
      assert.equal(checksumBytes(CHECKSUMS.crc32le, CHECK).toString('hex'), '2639f4cb');
      assert.equal(checksumBytes(CHECKSUMS.lrc, Buffer.from('01030000000a', 'hex')).toString('hex'), 'f2');
    });
  });

  describe('integers', () => {
    it('every type round-trips random values, and its limits', () => {
      const rnd = prng(21);
      for (const type of INT_TYPES) {
        const bits = type === 'varint' ? 64 : Number(/\d+/.exec(type)?.[0]);
        const max = 2n ** BigInt(bits) - 1n;
        for (const v of [0n, 1n, 127n, 128n, max, ...Array.from({ length: 200 }, () => BigInt(Math.floor(rnd() * 2 ** 48)) % (max + 1n))]) {
          const b = encodeInt(type, v);
          const r = decodeInt(type, b, 0);
          assert.ok(typeof r === 'object', `${type} ${v}`);
          assert.deepEqual([r.value, r.size], [v, b.length], `${type} ${v}`);
          assert.equal(decodeInt(type, b.subarray(0, b.length - 1), 0), 'short');
        }
      }
    });

    it('byte order and MQTT remaining-length varints as the spec writes them', () => {
      assert.equal(encodeInt('u16be', 0x0102n).toString('hex'), '0102');
      assert.equal(encodeInt('u16le', 0x0102n).toString('hex'), '0201');
      assert.equal(encodeInt('u32le', 0x01020304n).toString('hex'), '04030201');
      assert.equal(encodeInt('u64be', 1n).toString('hex'), '0000000000000001');
      // MQTT 3.1.1 §2.2.3: 0 → 00, 127 → 7f, 128 → 80 01, 16383 → ff 7f, 16384 → 80 80 01, 268435455 → ff ff ff 7f.
      for (const [v, hex] of [
        [0n, '00'],
        [127n, '7f'],
        [128n, '8001'],
        [16383n, 'ff7f'],
        [16384n, '808001'],
        [268435455n, 'ffffff7f'],
      ] as const) {
        assert.equal(encodeInt('varint', v).toString('hex'), hex);
      }
      assert.equal(decodeInt('varint', Buffer.alloc(11, 0xff), 0), 'bad');
    });
  });

  describe('build → parse round trip (property)', () => {
    const sums: ChecksumName[] = ['sum8', 'xor8', 'lrc', 'crc16modbus', 'crc16ccitt', 'crc32', 'crc32le'];
    it('300 random frames: header ints, a length of any type, a body, a trailer, a checksum', () => {
      const rnd = prng(4242);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
      for (let n = 0; n < 300; n++) {
        const headType: IntType = pick(INT_TYPES);
        const head = Math.floor(rnd() * (headType === 'u8' ? 256 : 65536));
        const lenType: IntType = pick(INT_TYPES);
        const add = pick([0, 2]);
        const body = Array.from({ length: Math.floor(rnd() * 40) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
        const sum = pick(sums);
        const lenField = add ? `${lenType}(len + ${add})` : `${lenType}(len)`;
        const sent = buildFrame(frameOf(`send frame ${headType}(${head}) ${lenField} "${body}" hex 0d 0a ${sum}`), env);
        const m = frameMatcher(frameOf(`expect frame ${headType}(_) ${lenField} * hex 0d 0a ${sum} -> h b`), env);
        const v = matchFrame(m, Buffer.concat([sent, Buffer.from('next')]), 'utf-8');
        assert.deepEqual(v, { kind: 'ok', consume: sent.length, captures: [String(head), body] }, `case ${n}: ${sent.toString('hex')}`);
        // Any flipped bit is caught by a field, the length or the checksum: the expect fails, or (a length
        // grown past what arrives) waits for bytes that never come and times out. It never passes.
        const bad = Buffer.from(sent);
        const at = Math.floor(rnd() * bad.length);
        bad[at] ^= 1 << Math.floor(rnd() * 8);
        const w = matchFrame(m, Buffer.concat([bad, Buffer.alloc(64, 0x7e)]), 'utf-8');
        assert.notEqual(w.kind, 'ok', `case ${n}: a flipped bit at byte ${at} of ${sent.toString('hex')} passed`);
      }
    });

    it('a corrupted CRC fails at the first byte of the CRC that differs', () => {
      const m = frameMatcher(frameOf('expect frame hex 01 03 u8(len) * crc16modbus -> data'), env);
      // 39 9b: CRC-16/MODBUS of 01 03 02 00 2a, low byte first (computed by an independent bitwise Python CRC).
      const good = Buffer.from('010302002a399b', 'hex');
      assert.equal(crcOk(good), true);
      assert.deepEqual(matchFrame(m, good, 'latin1'), { kind: 'ok', consume: 7, captures: ['\x00*'] });
      const bad = Buffer.from('010302002a399c', 'hex');
      const v = matchFrame(m, bad, 'latin1');
      assert.ok(v.kind === 'fail');
      assert.equal(v.offset, 6);
      assert.equal(v.why, 'crc16modbus should be 39 9b, got 39 9c at byte 6');
      assert.equal(v.expected?.toString('hex'), '010302002a399b');
    });

    it('waits for a frame that has not all arrived; fails at once on a differing header', () => {
      const m = frameMatcher(frameOf('expect frame "AB" u16be(len) * crc32'), env);
      const whole = buildFrame(frameOf('send frame "AB" u16be(len) "hello" crc32'), env);
      for (let k = 0; k < whole.length; k++) {
        assert.deepEqual(matchFrame(m, whole.subarray(0, k), 'utf-8'), { kind: 'wait' }, `${k} bytes`);
      }
      const v = matchFrame(m, Buffer.from('AC'), 'utf-8');
      assert.ok(v.kind === 'fail' && v.offset === 1);
    });

    it('a length field that disagrees with the fields after it fails', () => {
      const m = frameMatcher(frameOf('expect frame u8(len) "abc" sum8'), env);
      const v = matchFrame(m, Buffer.from([4, 0x61, 0x62, 0x63, 0x26]), 'utf-8');
      assert.ok(v.kind === 'fail');
      assert.match(v.why, /length field counts to byte 5, the fields after it end at byte 4/);
    });

    it('values from variables, expressions and len(name) in fields', () => {
      const f = frameOf('send frame u8({{a}} + 1) u16le(len(a)) varint(len * 2) "{{a}}"', { a: '44' });
      assert.equal(buildFrame(f, env).toString('hex'), '2d' + '0200' + '04' + '3434');
    });

    it('a value too large for its field fails while running, with the type and range', () => {
      const f = frameOf('send frame u8({{a}})', { a: '256' });
      assert.throws(() => buildFrame(f, env), /256 does not fit in u8 \(0 to 255\)/);
    });
  });
});

function crcOk(b: Buffer): boolean {
  return checksumBytes(CHECKSUMS.crc16modbus, b.subarray(0, b.length - 2)).equals(b.subarray(b.length - 2));
}
