// Regular expressions in scripts run on re2js, a pure-JavaScript port of RE2: matching time is linear in
// the input for every pattern — `(a+)+$` cannot backtrack catastrophically — on every runtime (Node 20,
// every extension host), with all four documented flags. Patterns RE2 cannot run (backreferences,
// lookaround) are refused when parsed. A regex sees at most REGEX_WINDOW characters of unconsumed text.
import type { RE2JS } from 're2js';
import { MessageArgs, RegexPattern, TemplatePart } from './ast';
import { CODES, DiagnosticSink, range } from './diagnostics';
import { RawToken } from './lexer';
import { Scope, pushPart } from './variables';

/** A regex sees at most this many characters of the unconsumed text (from its start). */
export const REGEX_WINDOW = 64 * 1024;

const USER_FLAGS = /^[imsu]*$/;

/** A compiled script regex: the pattern as written, and a search that returns a RegExp-shaped match. */
export interface ScriptRegex {
  readonly source: string;
  readonly flags: string;
  exec(text: string): RegExpExecArray | null;
}

export const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** Why a pattern cannot be used: English, and the `form` and values for other languages. */
export interface RegexProblem {
  readonly message: string;
  readonly args: MessageArgs;
}

/** The engine, loaded on first use (a file of its own in the extension bundle: activation never loads it). */
function engine(): typeof RE2JS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./re2Lib') as typeof import('./re2Lib')).re2();
}

/** `i m s` map to RE2's flags; `u` is accepted as is: RE2 always matches by Unicode code point. */
function re2Flags(flags: string): number {
  const RE2JS = engine();
  let f = 0;
  f |= flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0;
  f |= flags.includes('m') ? RE2JS.MULTILINE : 0;
  f |= flags.includes('s') ? RE2JS.DOTALL : 0;
  return f;
}

/** Compiles for matching, or says why the pattern cannot be used. */
export function checkRegex(source: string, flags: string): ScriptRegex | RegexProblem {
  if (!USER_FLAGS.test(flags) || new Set(flags).size !== flags.length) {
    return { message: `Unknown or repeated regex flags "${flags}": use i, m, s or u.`, args: { form: 'flags', flags } };
  }
  try {
    // JavaScript's own syntax check first (compiling never runs the pattern), so errors read as they do in JS.
    new RegExp(source, flags);
  } catch (e) {
    return { message: (e as Error).message, args: { form: 'syntax', detail: (e as Error).message } };
  }
  let re: RE2JS;
  try {
    // translateRegExp turns JS-only syntax (\u{…}, \cJ, (?<name>…)) into RE2's, but would read a named
    // backreference \k<name> as the letter k: refuse it first.
    if (/(^|[^\\])(\\\\)*\\k</.test(source)) {
      throw new Error('invalid escape sequence: `\\k`');
    }
    re = engine().compile(engine().translateRegExp(source), re2Flags(flags));
  } catch (e) {
    const detail = (e as Error).message;
    if (/\\[1-9k]|\(\?[=!]|\(\?<[=!]/.test(detail)) {
      const message = 'This pattern needs backtracking (a backreference or lookahead/lookbehind), which could freeze on hostile input; rewrite it without them.';
      return { message, args: { form: 'backtracking' } };
    }
    return { message: `The linear-time regex engine cannot run this pattern: ${detail}`, args: { form: 'unsupported', detail } };
  }
  return {
    source,
    flags,
    exec: (text) => re.exec(text) as RegExpExecArray | null,
  };
}

function isRegex(r: ScriptRegex | RegexProblem): r is ScriptRegex {
  return 'exec' in r;
}

/** Compiles for matching; a string is the reason it cannot be used. */
export function compileRegex(source: string, flags: string): ScriptRegex | string {
  const re = checkRegex(source, flags);
  return isRegex(re) ? re : re.message;
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
  if (!isRegex(compiled)) {
    diags.error(CODES.badRegex, compiled.message, at, compiled.args);
    return undefined;
  }
  return { source: parts, flags, range: at };
}

/** Searches the first REGEX_WINDOW characters of `text`. */
export function searchBounded(re: ScriptRegex, text: string): RegExpExecArray | null {
  return re.exec(text.length > REGEX_WINDOW ? text.slice(0, REGEX_WINDOW) : text);
}
