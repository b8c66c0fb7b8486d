// Regular expressions in scripts run on V8's linear-time engine (the `l` flag), so no pattern — not even
// `(a+)+$` — can backtrack catastrophically, and over at most REGEX_WINDOW characters of unconsumed text.
// Patterns the linear engine cannot run (backreferences, lookaround, `i` with `u`) are refused when parsed.
import * as v8 from 'node:v8';
import { RegexPattern, TemplatePart } from './ast';
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

/** Compiles for matching; a string is the reason it cannot be used. */
export function compileRegex(source: string, flags: string): RegExp | string {
  if (!USER_FLAGS.test(flags) || new Set(flags).size !== flags.length) {
    return `Unknown or repeated regex flags "${flags}": use i, m, s or u.`;
  }
  try {
    new RegExp(source, flags);
  } catch (e) {
    return (e as Error).message;
  }
  if (!linearEngine()) {
    return 'This runtime has no linear-time regex engine, so regular expressions cannot be used safely.';
  }
  try {
    return new RegExp(source, `${flags}l`);
  } catch {
    return 'This pattern needs backtracking (a backreference, lookahead/lookbehind, or i together with u), which could freeze on hostile input; rewrite it without them.';
  }
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
  const compiled = compileRegex(probe, flags);
  const at = range(tok.line, tok.start, tok.end);
  if (typeof compiled === 'string') {
    diags.error(CODES.badRegex, compiled, at);
    return undefined;
  }
  return { source: parts, flags, range: at };
}

/** Searches the first REGEX_WINDOW characters of `text`. */
export function searchBounded(re: RegExp, text: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(text.length > REGEX_WINDOW ? text.slice(0, REGEX_WINDOW) : text);
}
