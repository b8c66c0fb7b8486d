// The matching rules of `expect`, over the connection's unconsumed bytes:
// - "text" / hex: the unconsumed bytes must start with exactly these bytes; they are consumed.
//   A differing byte fails at once (more data could not fix it); too few bytes wait.
// - /regex/: searches the unconsumed text (at most REGEX_WINDOW bytes of it), is taken as soon as it
//   matches, and consumes up to the end of the match.
// - bytes N: waits for N more bytes and consumes them. close: the peer closes with nothing unconsumed.
import * as iconv from 'iconv-lite';
import { ExpectStep } from './ast';
import { ScriptRegex, compileRegex, escapeRegex, REGEX_WINDOW, searchBounded } from './regex';
import { ScriptEncoding, decode } from './results';
import { render } from './variables';
import { encodeScriptText } from './textBytes';

export type Verdict =
  | { readonly kind: 'ok'; readonly consume: number; readonly captures?: readonly string[] }
  | { readonly kind: 'wait' }
  | { readonly kind: 'fail'; readonly offset?: number; readonly why: string };

const WAIT: Verdict = { kind: 'wait' };

/** Prefix match of `expected` against `got`. */
export function matchPrefix(expected: Buffer, got: Buffer): Verdict {
  const n = Math.min(expected.length, got.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== got[i]) {
      return { kind: 'fail', offset: i, why: `first difference at byte ${i}` };
    }
  }
  return got.length >= expected.length ? { kind: 'ok', consume: expected.length } : WAIT;
}

/** Byte length of `text` in the encoding (to turn a match end in characters into bytes to consume). */
export function byteLength(text: string, encoding: ScriptEncoding): number {
  return encoding === 'utf-8' ? Buffer.byteLength(text, 'utf8') : encoding === 'latin1' ? text.length : iconv.encode(text, encoding).length;
}

export function matchRegex(re: ScriptRegex, got: Buffer, encoding: ScriptEncoding): Verdict {
  const window = got.length > REGEX_WINDOW ? got.subarray(0, REGEX_WINDOW) : got;
  const text = decode(window, encoding);
  const m = searchBounded(re, text);
  if (!m) {
    return WAIT;
  }
  const end = m.index + m[0].length;
  return { kind: 'ok', consume: byteLength(text.slice(0, end), encoding), captures: m.slice(1).map((g) => g ?? '') };
}

/** The compiled form of an expect, with run-time values substituted. */
export type Matcher =
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'regex'; readonly re: ScriptRegex }
  | { readonly kind: 'count'; readonly n: number }
  | { readonly kind: 'close' };

export function matcherFor(step: ExpectStep, values: ReadonlyMap<string, string>, encoding: ScriptEncoding): Matcher | string {
  switch (step.match) {
    case 'text':
      return { kind: 'bytes', bytes: encodeScriptText(render(step.text, values), encoding) };
    case 'hex':
      return { kind: 'bytes', bytes: step.bytes };
    case 'regex': {
      const re = compileRegex(render(step.pattern.source, values, escapeRegex), step.pattern.flags);
      return typeof re === 'string' ? re : { kind: 'regex', re };
    }
    case 'bytes':
      return { kind: 'count', n: step.count };
    case 'close':
      return { kind: 'close' };
  }
}

export function judge(m: Matcher, got: Buffer, eof: boolean, encoding: ScriptEncoding): Verdict {
  switch (m.kind) {
    case 'bytes':
      return matchPrefix(m.bytes, got);
    case 'regex':
      return matchRegex(m.re, got, encoding);
    case 'count':
      return got.length >= m.n ? { kind: 'ok', consume: m.n, captures: [decode(got.subarray(0, m.n), encoding)] } : WAIT;
    case 'close':
      if (got.length > 0) {
        return { kind: 'fail', why: 'the peer sent more instead of closing' };
      }
      return eof ? { kind: 'ok', consume: 0 } : WAIT;
  }
}
