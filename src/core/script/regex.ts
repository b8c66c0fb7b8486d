// Regular expressions in scripts run on V8's linear-time engine (the `l` flag), so no pattern — not even
// `(a+)+$` — can backtrack catastrophically, and over at most REGEX_WINDOW characters of unconsumed text.
// Patterns the linear engine cannot run (backreferences, lookaround, `i` with `u`) are refused when parsed.
import * as v8 from 'node:v8';
import { MessageArgs, RegexPattern, TemplatePart } from './ast';
import { CODES, DiagnosticSink, range } from './diagnostics';
import { RawToken } from './lexer';
import { Scope, pushPart } from './variables';

/** A regex sees at most this many characters of the unconsumed text (from its start). */
export const REGEX_WINDOW = 64 * 1024;

const USER_FLAGS = /^[imsu]*$/;

let linear: boolean | undefined;

/** Turns on V8's linear-time regex engine once; false if this runtime refuses (then patterns are refused too). */
function linearEngine(): boolean {
  if (linear === undefined) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      new RegExp('a', 'l');
      linear = true;
    } catch {
      linear = false;
    }
  }
  return linear;
}

export const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** Why a pattern cannot be used: English, and the `form` and values for other languages. */
export interface RegexProblem {
  readonly message: string;
  readonly args: MessageArgs;
}

/** Compiles for matching, or says why the pattern cannot be used. */
export function checkRegex(source: string, flags: string): RegExp | RegexProblem {
  if (!USER_FLAGS.test(flags) || new Set(flags).size !== flags.length) {
    return { message: `Unknown or repeated regex flags "${flags}": use i, m, s or u.`, args: { form: 'flags', flags } };
  }
  try {
    new RegExp(source, flags);
  } catch (e) {
    // The engine's own words (English in Node and in the extension host alike).
    return { message: (e as Error).message, args: { form: 'syntax', detail: (e as Error).message } };
  }
  if (!linearEngine()) {
    return { message: 'This runtime has no linear-time regex engine, so regular expressions cannot be used safely.', args: { form: 'engine' } };
  }
  try {
    return new RegExp(source, `${flags}l`);
  } catch {
    const message =
      'This pattern needs backtracking (a backreference, lookahead/lookbehind, or i together with u), which could freeze on hostile input; rewrite it without them.';
    return { message, args: { form: 'backtracking' } };
  }
}

/** Compiles for matching; a string is the reason it cannot be used. */
export function compileRegex(source: string, flags: string): RegExp | string {
  const re = checkRegex(source, flags);
  return re instanceof RegExp ? re : re.message;
}

/** Parses a /pattern/flags token; file variables are substituted regex-escaped, run-time refs kept. */
export function parseRegex(tok: RawToken, scope: Scope, diags: DiagnosticSink): RegexPattern | undefined {
  const close = tok.text.lastIndexOf('/');
  if (close <= 0) {
    return undefined; // the lexer already reported the missing slash
  }
  const body = tok.text.slice(1, close);
  const flags = tok.text.slice(close + 1);
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of body.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const i = m.index ?? 0;
    pushPart(parts, body.slice(last, i));
    const at = range(tok.line, tok.start + 1 + i, tok.start + 1 + i + m[0].length);
    const ref = scope.resolve(m[1], at);
    if (ref !== undefined) {
      pushPart(parts, typeof ref === 'string' ? escapeRegex(ref) : ref);
    }
    last = i + m[0].length;
  }
  pushPart(parts, body.slice(last));
  // Run-time values are escaped when run, so a plain placeholder checks the pattern's shape now.
  const probe = parts.map((p) => (typeof p === 'string' ? p : 'x')).join('');
  const compiled = checkRegex(probe, flags);
  const at = range(tok.line, tok.start, tok.end);
  if (!(compiled instanceof RegExp)) {
    diags.error(CODES.badRegex, compiled.message, at, compiled.args);
    return undefined;
  }
  return { source: parts, flags, range: at };
}

/** Searches the first REGEX_WINDOW characters of `text`. */
export function searchBounded(re: RegExp, text: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(text.length > REGEX_WINDOW ? text.slice(0, REGEX_WINDOW) : text);
}
