// The matching rules of `expect`, over the connection's unconsumed bytes:
// - "text" / hex: the unconsumed bytes must start with exactly these bytes; they are consumed.
//   A differing byte fails at once (more data could not fix it); too few bytes wait.
// - /regex/: searches the unconsumed text (at most REGEX_WINDOW bytes of it), is taken as soon as it
//   matches, and consumes up to the end of the match.
// - bytes N: waits for N more bytes and consumes them. close: the peer closes with nothing unconsumed.
// - file PATH: as hex, with the file's bytes. frame …: field by field (frameCodec.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { ExpectStep, MessageArgs } from './ast';
import { FrameEnv, FrameMatcher, frameMatcher, matchFrame } from './frameCodec';
import { evalNumberArg } from './numbers';
import { FAILURES, StepError } from './failures';
import { RECEIVE_LIMIT } from './receiveBuffer';
import { ScriptRegex, compileRegex, escapeRegex, REGEX_WINDOW, searchBounded } from './regex';
import { ScriptEncoding, decode } from './results';
import { render } from './variables';
import { encodeScriptText } from './textBytes';

export type Verdict =
  | { readonly kind: 'ok'; readonly consume: number; readonly captures?: readonly string[] }
  | { readonly kind: 'wait' }
  | { readonly kind: 'fail'; readonly offset?: number; readonly why: string; readonly args?: MessageArgs; readonly expected?: Buffer };

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
  | { readonly kind: 'close' }
  | { readonly kind: 'frame'; readonly frame: FrameMatcher };

/** The expect with its run-time values in place; a string is why a regex cannot be used. Throws StepError. */
export async function matcherFor(step: ExpectStep, env: FrameEnv, baseDir: string): Promise<Matcher | string> {
  const { values, encoding } = env;
  switch (step.match) {
    case 'text':
      return { kind: 'bytes', bytes: encodeScriptText(render(step.text, values, undefined, env), encoding) };
    case 'hex':
      return { kind: 'bytes', bytes: step.bytes };
    case 'regex': {
      const re = compileRegex(render(step.pattern.source, values, escapeRegex, env), step.pattern.flags);
      return typeof re === 'string' ? re : { kind: 'regex', re };
    }
    case 'bytes':
      return { kind: 'count', n: evalNumberArg(step.count, 1, RECEIVE_LIMIT, env) };
    case 'close':
    case 'nothing':
      return { kind: 'close' };
    case 'file':
      return { kind: 'bytes', bytes: await readExpected(path.resolve(baseDir, step.path), step.path) };
    case 'frame':
      return { kind: 'frame', frame: frameMatcher(step.frame, env) };
    default:
      return `expect ${step.match} is not about the bytes received`;
  }
}

/** A file an expect compares with: at most the receive buffer's bound, since that is all it can see. */
async function readExpected(file: string, shown: string): Promise<Buffer> {
  const st = await fs.promises.stat(file);
  if (st.size > RECEIVE_LIMIT) {
    throw new StepError(FAILURES.fileTooBig, `${shown} is ${st.size} bytes; expect file takes at most ${RECEIVE_LIMIT} bytes`, {
      path: shown,
      size: st.size,
      max: RECEIVE_LIMIT,
      form: 'expect',
    });
  }
  return fs.promises.readFile(file);
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
    case 'frame':
      return matchFrame(m.frame, got, encoding);
  }
}
