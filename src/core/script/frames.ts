// `send frame …` / `expect frame …`: a message built from fields — "text", hex bytes, fixed-width
// integers (u8, u16be…u64le), varints, `len` (the byte count of the fields after it, up to the checksum),
// `*` (an expect's body of that length), `_` (any value) and a checksum over everything before it.
//   send frame hex 01 03 00 00 00 0a crc16modbus
//   expect frame u16be(len) * crc32 -> body
// This file parses the fields; frameCodec.ts builds and matches them.
import { Expr, Range, Template } from './ast';
import { CODES, range } from './diagnostics';
import { describe } from './expr';
import { RawToken } from './lexer';
import { decodeHex, decodeString, isHexWord } from './literals';
import { Ctx, span } from './payload';
import { ChecksumName, isChecksumName } from './checksums';

export const INT_TYPES = ['u8', 'u16be', 'u16le', 'u32be', 'u32le', 'u64be', 'u64le', 'varint'] as const;
export type IntType = (typeof INT_TYPES)[number];

/** What an integer field holds: a value, the frame's length (`len`, `len + 2`), or any value (`_`, expect only). */
export type IntValue = { readonly kind: 'expr'; readonly expr: Expr } | { readonly kind: 'len'; readonly add: number } | { readonly kind: 'any' };

export type FrameField =
  | { readonly kind: 'text'; readonly text: Template; readonly range: Range }
  | { readonly kind: 'bytes'; readonly bytes: Buffer; readonly range: Range }
  | { readonly kind: 'int'; readonly type: IntType; readonly value: IntValue; readonly range: Range }
  | { readonly kind: 'rest'; readonly range: Range }
  | { readonly kind: 'check'; readonly name: ChecksumName; readonly range: Range };

export interface Frame {
  readonly fields: readonly FrameField[];
  readonly range: Range;
}

const isIntType = (w: string): w is IntType => (INT_TYPES as readonly string[]).includes(w);

/** Reads `len`, `len + 2`, `len - 1` for expects; other uses of len are refused there. */
function lenForm(e: Expr): number | undefined {
  if (e.kind === 'frameLen') {
    return 0;
  }
  if (e.kind === 'bin' && (e.op === '+' || e.op === '-') && e.left.kind === 'frameLen' && e.right.kind === 'num') {
    return e.op === '+' ? e.right.value : -e.right.value;
  }
  return undefined;
}

function usesLen(e: Expr): boolean {
  return e.kind === 'frameLen' || (e.kind === 'bin' && (usesLen(e.left) || usesLen(e.right))) || (e.kind === 'gen' && e.args.some(usesLen));
}

function bad(ctx: Ctx, t: RawToken, form: string, message: string, args: Record<string, string> = {}): undefined {
  ctx.diags.error(CODES.badFrame, message, span(t, t), { form, ...args });
  return undefined;
}

function parseIntField(t: RawToken, ctx: Ctx, expect: boolean): FrameField | undefined {
  const m = /^([a-z0-9]+)\((.*)\)$/.exec(t.text);
  if (!m || !isIntType(m[1])) {
    return bad(ctx, t, 'field', `Unknown frame field "${t.text}": use "text", hex .., u8(..), u16be(..) … u64le(..), varint(..), * or a checksum.`, { word: t.text });
  }
  // `u8({{n}})` reads as `u8(n)`: braces inside the parentheses are optional.
  const inner = m[2].replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, e: string) => (/^[\w.]+$/.test(e) ? e : `(${e})`)).trim();
  const at = range(t.line, t.start, t.end);
  if (inner === '_') {
    return expect ? { kind: 'int', type: m[1], value: { kind: 'any' }, range: at } : bad(ctx, t, 'anyInSend', 'A send has no "any value": write the number.');
  }
  const part = ctx.scope.resolveExpr(inner, at, true);
  if (part === undefined) {
    return undefined;
  }
  const expr: Expr = typeof part === 'string' ? { kind: 'lit', value: part } : (part.expr ?? { kind: 'var', name: part.ref });
  if (usesLen(expr)) {
    const add = lenForm(expr);
    if (add === undefined && expect) {
      return bad(ctx, t, 'lenForm', `An expect reads the length back, so it takes len, len + N or len - N, not ${describe(expr)}.`, { text: describe(expr) });
    }
    if (add !== undefined) {
      return { kind: 'int', type: m[1], value: { kind: 'len', add }, range: at };
    }
  }
  return { kind: 'int', type: m[1], value: { kind: 'expr', expr }, range: at };
}

/** Parses the fields after `frame` (toks[i] on); captures (`-> a b`) are left to the caller. */
export function parseFrame(toks: readonly RawToken[], i: number, ctx: Ctx, expect: boolean, stop: ReadonlySet<string> = new Set()): { frame?: Frame; next: number } {
  const fields: FrameField[] = [];
  const start = i;
  let ok = true;
  while (i < toks.length && toks[i].text !== '->' && !(toks[i].kind === 'word' && stop.has(toks[i].text))) {
    const t = toks[i];
    const at = span(t, t);
    let f: FrameField | undefined;
    if (t.kind === 'string') {
      f = { kind: 'text', text: decodeString(t, ctx.scope, ctx.diags), range: at };
    } else if (t.text === 'hex') {
      const words: RawToken[] = [];
      while (toks[i + 1] && toks[i + 1].kind === 'word' && isHexWord(toks[i + 1].text)) {
        words.push(toks[++i]);
      }
      f =
        words.length > 0
          ? { kind: 'bytes', bytes: decodeHex(words, ctx.diags), range: span(t, words[words.length - 1]) }
          : bad(ctx, t, 'noHex', 'hex needs bytes, for example hex 01 03.');
    } else if (t.text === '*') {
      f = expect ? { kind: 'rest', range: at } : bad(ctx, t, 'restInSend', 'A send has no *: write the bytes.');
    } else if (isChecksumName(t.text)) {
      f = { kind: 'check', name: t.text, range: at };
    } else {
      f = parseIntField(t, ctx, expect);
    }
    ok &&= f !== undefined;
    if (f) {
      fields.push(f);
    }
    i++;
  }
  const where = toks[start] ?? toks[start - 1];
  if (fields.length === 0) {
    return { frame: ok ? bad(ctx, where, 'empty', 'frame needs fields, for example frame u16be(len) "text" crc16modbus.') : undefined, next: i };
  }
  if (!ok || !checkShape(fields, ctx)) {
    return { next: i };
  }
  return { frame: { fields, range: span(toks[start], toks[i - 1]) }, next: i };
}

/** One len per frame; a `*` needs a len before it and fields of known size after it. */
function checkShape(fields: readonly FrameField[], ctx: Ctx): boolean {
  const lens = fields.filter((f) => f.kind === 'int' && f.value.kind === 'len');
  const restAt = fields.findIndex((f) => f.kind === 'rest');
  const lenAt = fields.findIndex((f) => f.kind === 'int' && f.value.kind === 'len');
  const fail = (f: FrameField, form: string, message: string): boolean => {
    ctx.diags.error(CODES.badFrame, message, f.range, { form });
    return false;
  };
  if (lens.length > 1) {
    return fail(lens[1], 'twoLengths', 'A frame has at most one len field.');
  }
  if (restAt >= 0 && (lenAt < 0 || lenAt > restAt)) {
    return fail(fields[restAt], 'restWithoutLength', 'A * takes the bytes a len field before it counts: add one, for example u16be(len) *.');
  }
  const rests = fields.filter((f) => f.kind === 'rest');
  if (rests.length > 1) {
    return fail(rests[1], 'twoRests', 'A frame has at most one *.');
  }
  for (let k = restAt + 1; restAt >= 0 && k < fields.length && fields[k].kind !== 'check'; k++) {
    const f = fields[k];
    if (f.kind === 'int' && f.type === 'varint' && f.value.kind !== 'expr') {
      return fail(f, 'unknownSize', 'After a * every field up to the checksum needs a known size; this varint has none.');
    }
  }
  return true;
}
