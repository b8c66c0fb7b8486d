// Builds a frame's bytes for `send frame`, and matches `expect frame` against the unconsumed bytes
// field by field: a differing literal, integer or checksum fails at its byte offset at once; too few
// bytes wait for more. `len` is the byte count of the fields after the length field, up to the checksum.
import { MessageArgs } from './ast';
import { CHECKSUMS, checksumBytes } from './checksums';
import { EvalEnv, ExprError, evaluate, numberOf } from './expr';
import { FAILURES, StepError } from './failures';
import { Frame, FrameField, IntType } from './frames';
import { ScriptEncoding, decode } from './results';
import { encodeScriptText } from './textBytes';
import { render } from './variables';

export type FrameEnv = EvalEnv & { readonly encoding: ScriptEncoding };

const WIDTH: Record<IntType, number> = { u8: 1, u16be: 2, u16le: 2, u32be: 4, u32le: 4, u64be: 8, u64le: 8, varint: 0 };
/** A varint has at most 10 bytes (64 bits, as protobuf; MQTT's remaining length uses at most 4). */
const MAX_VARINT_BYTES = 10;

const maxOf = (t: IntType): bigint => (t === 'varint' ? 2n ** 64n - 1n : 2n ** BigInt(8 * WIDTH[t]) - 1n);

/** An integer as it travels in `type`; values outside the type are the caller's to refuse. */
export function encodeInt(type: IntType, v: bigint): Buffer {
  if (type === 'varint') {
    const out: number[] = [];
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
    return Buffer.from(out);
  }
  const n = WIDTH[type];
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    b[type.endsWith('le') ? i : n - 1 - i] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
  return b;
}

/** Reads an integer at `pos`: its value and size, 'short' when more bytes are needed, 'bad' for an over-long varint. */
export function decodeInt(type: IntType, b: Uint8Array, pos: number): { value: bigint; size: number } | 'short' | 'bad' {
  if (type === 'varint') {
    let v = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (pos + i >= b.length) {
        return 'short';
      }
      v |= BigInt(b[pos + i] & 0x7f) << BigInt(7 * i);
      if ((b[pos + i] & 0x80) === 0) {
        return { value: v, size: i + 1 };
      }
    }
    return 'bad';
  }
  const n = WIDTH[type];
  if (pos + n > b.length) {
    return 'short';
  }
  let v = 0n;
  for (let i = 0; i < n; i++) {
    v = (v << 8n) | BigInt(b[pos + (type.endsWith('le') ? n - 1 - i : i)]);
  }
  return { value: v, size: n };
}

function valueOf(f: FrameField & { kind: 'int' }, env: EvalEnv): bigint {
  if (f.value.kind !== 'expr') {
    return 0n;
  }
  let n: number;
  try {
    n = numberOf(evaluate(f.value.expr, env), f.type);
  } catch (e) {
    throw e instanceof ExprError ? new StepError(FAILURES.badValue, e.message, e.args) : e;
  }
  return checked(f.type, BigInt(n));
}

function checked(type: IntType, v: bigint): bigint {
  if (v < 0n || v > maxOf(type)) {
    throw new StepError(FAILURES.badValue, `${v} does not fit in ${type} (0 to ${maxOf(type)}).`, { form: 'doesNotFit', type, value: String(v), max: String(maxOf(type)) });
  }
  return v;
}

/** The bytes of the fields that do not depend on the frame's length or on what precedes them. */
function literalBytes(f: FrameField, env: FrameEnv): Buffer | undefined {
  if (f.kind === 'text') {
    try {
      return encodeScriptText(render(f.text, env.values, undefined, env), env.encoding);
    } catch (e) {
      throw e instanceof ExprError ? new StepError(FAILURES.badValue, e.message, e.args) : e;
    }
  }
  return f.kind === 'bytes' ? f.bytes : undefined;
}

const usesLength = (f: FrameField): boolean =>
  f.kind === 'int' && (f.value.kind === 'len' || (f.value.kind === 'expr' && JSON.stringify(f.value.expr).includes('"frameLen"')));

/** The frame's bytes for a send. */
export function buildFrame(frame: Frame, env: FrameEnv): Buffer {
  const fields = frame.fields;
  const parts: (Buffer | undefined)[] = fields.map((f) => literalBytes(f, env) ?? (f.kind === 'int' && !usesLength(f) ? encodeInt(f.type, valueOf(f, env)) : undefined));
  const lenAt = fields.findIndex(usesLength);
  let frameLen = 0;
  for (let k = lenAt + 1; lenAt >= 0 && k < fields.length && fields[k].kind !== 'check'; k++) {
    frameLen += parts[k]?.length ?? 0;
  }
  const out: Buffer[] = [];
  let size = 0;
  fields.forEach((f, k) => {
    let b = parts[k];
    if (f.kind === 'check') {
      b = checksumBytes(CHECKSUMS[f.name], Buffer.concat(out, size));
    } else if (f.kind === 'int' && f.value.kind === 'len') {
      b = encodeInt(f.type, checked(f.type, BigInt(frameLen + f.value.add)));
    } else if (!b && f.kind === 'int') {
      b = encodeInt(f.type, valueOf(f, { ...env, frameLen }));
    }
    out.push(b ?? Buffer.alloc(0));
    size += b?.length ?? 0;
  });
  return Buffer.concat(out, size);
}

export type FrameVerdict =
  | { readonly kind: 'ok'; readonly consume: number; readonly captures: readonly string[] }
  | { readonly kind: 'wait' }
  | { readonly kind: 'fail'; readonly offset: number; readonly why: string; readonly args: MessageArgs; readonly expected?: Buffer };

const WAIT: FrameVerdict = { kind: 'wait' };
const hex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

/** A frame's fields resolved for one expect: literal bytes rendered, expected integers evaluated. */
export interface FrameMatcher {
  readonly frame: Frame;
  readonly bytes: readonly (Buffer | undefined)[];
  readonly values: readonly (bigint | undefined)[];
}

export function frameMatcher(frame: Frame, env: FrameEnv): FrameMatcher {
  return {
    frame,
    bytes: frame.fields.map((f) => literalBytes(f, env)),
    values: frame.fields.map((f) => (f.kind === 'int' && f.value.kind === 'expr' ? valueOf(f, env) : undefined)),
  };
}

/** Why a field differs: English, and the `why` with its values. */
type Why = (offset: number) => { text: string; args: MessageArgs };
const differs: Why = (offset) => ({ text: `first difference at byte ${offset}`, args: { why: 'differs', offset } });

/** Prefix comparison of `want` at `pos`; a fail carries the expected bytes up to and including the field. */
function compareAt(got: Buffer, pos: number, want: Buffer, why: Why): FrameVerdict | undefined {
  for (let i = 0; i < want.length; i++) {
    if (pos + i >= got.length) {
      return WAIT;
    }
    if (got[pos + i] !== want[i]) {
      const expected = Buffer.concat([got.subarray(0, pos), want]);
      const w = why(pos + i);
      return { kind: 'fail', offset: pos + i, why: w.text, args: w.args, expected };
    }
  }
  return undefined;
}

/** Size of the fields after index `k` up to the checksum, for a `*` (the parser made sure they are known). */
function sizeAfter(m: FrameMatcher, k: number): number {
  let n = 0;
  for (let j = k + 1; j < m.frame.fields.length; j++) {
    const f = m.frame.fields[j];
    if (f.kind === 'check') {
      break;
    }
    n += m.bytes[j]?.length ?? (f.kind === 'int' ? (f.type === 'varint' ? encodeInt('varint', m.values[j] ?? 0n).length : WIDTH[f.type]) : 0);
  }
  return n;
}

export function matchFrame(m: FrameMatcher, got: Buffer, encoding: ScriptEncoding): FrameVerdict {
  let pos = 0;
  let lenEnd: number | undefined;
  const captures: string[] = [];
  const fields = m.frame.fields;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k];
    if (f.kind === 'check' && lenEnd !== undefined && pos !== lenEnd) {
      return lengthMismatch(lenEnd, pos);
    }
    if (f.kind === 'text' || f.kind === 'bytes') {
      const v = compareAt(got, pos, m.bytes[k] as Buffer, differs);
      if (v) {
        return v;
      }
      pos += (m.bytes[k] as Buffer).length;
    } else if (f.kind === 'check') {
      const c = CHECKSUMS[f.name];
      if (got.length < pos + c.width) {
        return WAIT;
      }
      const want = checksumBytes(c, got.subarray(0, pos));
      const actual = got.subarray(pos, pos + c.width);
      const v = compareAt(got, pos, want, (offset) => ({
        text: `${f.name} should be ${hex(want)}, got ${hex(actual)} at byte ${offset}`,
        args: { why: 'checksum', name: f.name, sum: hex(want), got: hex(actual), offset },
      }));
      if (v) {
        return v;
      }
      pos += c.width;
    } else if (f.kind === 'rest') {
      const size = (lenEnd ?? pos) - pos - sizeAfter(m, k);
      if (size < 0) {
        return lengthMismatch(lenEnd ?? pos, pos + sizeAfter(m, k));
      }
      if (got.length < pos + size) {
        return WAIT;
      }
      captures.push(decode(got.subarray(pos, pos + size), encoding));
      pos += size;
    } else {
      const r = decodeInt(f.type, got, pos);
      if (r === 'short') {
        return WAIT;
      }
      if (r === 'bad') {
        return { kind: 'fail', offset: pos, why: `no varint at byte ${pos} (more than ${MAX_VARINT_BYTES} bytes)`, args: { why: 'badVarint', offset: pos } };
      }
      const want = m.values[k];
      if (want !== undefined && r.value !== want) {
        const expected = Buffer.concat([got.subarray(0, pos), encodeInt(f.type, want)]);
        return {
          kind: 'fail',
          offset: pos,
          why: `${f.type} should be ${want}, got ${r.value} at byte ${pos}`,
          args: { why: 'field', field: f.type, want: String(want), got: String(r.value), offset: pos },
          expected,
        };
      }
      if (f.value.kind === 'len') {
        lenEnd = pos + r.size + Number(r.value) - f.value.add;
      } else if (f.value.kind === 'any') {
        captures.push(String(r.value));
      }
      pos += r.size;
    }
  }
  if (lenEnd !== undefined && pos !== lenEnd && !fields.some((f) => f.kind === 'check')) {
    return lengthMismatch(lenEnd, pos);
  }
  return { kind: 'ok', consume: pos, captures };
}

function lengthMismatch(declaredEnd: number, actualEnd: number): FrameVerdict {
  return {
    kind: 'fail',
    offset: Math.min(declaredEnd, actualEnd),
    why: `the length field counts to byte ${declaredEnd}, the fields after it end at byte ${actualEnd}`,
    args: { why: 'length', declared: declaredEnd, actual: actualEnd },
  };
}
