// Literal values inside steps: quoted strings with escapes and {{variables}}, hex bytes, durations, counts.
import { Range, Template, TemplatePart } from './ast';
import { CODES, DiagnosticSink, range } from './diagnostics';
import { RawToken } from './lexer';
import { Scope, pushPart } from './variables';
import { rawByteChar } from './textBytes';

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', '0': '\0', '{': '{' };

/** Decodes a "string" token: escapes `\n \r \t \\ \" \0 \xHH \u{HHHH}` (and `\{` for a literal brace) and {{name}}. */
export function decodeString(tok: RawToken, scope: Scope, diags: DiagnosticSink): Template {
  const closed = tok.text.length >= 2 && tok.text.endsWith('"') && !isEscapedAt(tok.text, tok.text.length - 1);
  const body = tok.text.slice(1, closed ? -1 : undefined);
  const base = tok.start + 1;
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '\\') {
      const { text, length } = decodeEscape(body, i, tok.line, base, diags);
      pushPart(parts, text);
      i += length;
    } else if (c === '{' && body[i + 1] === '{') {
      const close = body.indexOf('}}', i + 2);
      if (close < 0) {
        pushPart(parts, c);
        i++;
        continue;
      }
      const at = range(tok.line, base + i, base + close + 2);
      const ref = scope.resolve(body.slice(i + 2, close).trim(), at);
      if (ref !== undefined) {
        pushPart(parts, ref);
      }
      i = close + 2;
    } else {
      pushPart(parts, c);
      i++;
    }
  }
  return parts;
}

function isEscapedAt(text: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) {
    n++;
  }
  return n % 2 === 1;
}

function decodeEscape(body: string, i: number, line: number, base: number, diags: DiagnosticSink): { text: string; length: number } {
  const e = body[i + 1];
  if (e !== undefined && e in SIMPLE_ESCAPES) {
    return { text: SIMPLE_ESCAPES[e], length: 2 };
  }
  if (e === 'x') {
    const hex = /^[0-9a-fA-F]{2}/.exec(body.slice(i + 2));
    if (hex) {
      return { text: rawByteChar(parseInt(hex[0], 16)), length: 4 };
    }
    diags.error(CODES.badEscape, 'A \\x escape needs two hex digits, for example \\x0d.', range(line, base + i, base + Math.min(body.length, i + 4)), { form: 'x' });
    return { text: '', length: 2 };
  }
  if (e === 'u') {
    const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 2));
    const cp = m ? parseInt(m[1], 16) : NaN;
    if (m && cp <= 0x10ffff) {
      return { text: String.fromCodePoint(cp), length: 2 + m[0].length };
    }
    const len = m ? 2 + m[0].length : 2;
    diags.error(CODES.badEscape, 'A \\u escape is written \\u{HHHH} with 1 to 6 hex digits, at most 10FFFF.', range(line, base + i, base + i + len), { form: 'u' });
    return { text: '', length: len };
  }
  const len = e === undefined ? 1 : 2;
  diags.error(CODES.badEscape, `Unknown escape "\\${e ?? ''}". Use \\n \\r \\t \\\\ \\" \\0 \\xHH or \\u{HHHH}.`, range(line, base + i, base + i + len), {
    form: 'unknown',
    escape: `\\${e ?? ''}`,
  });
  return { text: '', length: len };
}

/** A hex word: pairs of hex digits, optionally with a 0x prefix ("48", "0x0d", "48656c"). */
export function isHexWord(text: string): boolean {
  return /^(0x)?[0-9a-fA-F]+$/i.test(text);
}

/** Decodes hex words; each word must hold whole bytes (an even number of digits). */
export function decodeHex(words: readonly RawToken[], diags: DiagnosticSink): Buffer {
  const chunks: Buffer[] = [];
  for (const w of words) {
    const digits = w.text.replace(/^0x/i, '');
    const at = range(w.line, w.start, w.end);
    if (!/^[0-9a-fA-F]+$/.test(digits)) {
      diags.error(CODES.badHex, `"${w.text}" is not hex bytes (for example: 48 65 6c 6c 6f).`, at, { word: w.text });
    } else if (digits.length % 2 !== 0) {
      diags.error(CODES.oddHex, `"${w.text}" has an odd number of hex digits; write whole bytes (for example 0${digits}).`, at, { word: w.text, fixed: `0${digits}` });
    } else {
      chunks.push(Buffer.from(digits, 'hex'));
    }
  }
  return Buffer.concat(chunks);
}

/** Longest `wait`, rule delay or timeout a script may ask for. */
export const MAX_DURATION_MS = 3_600_000;

/** `500ms`, `2s`, `1.5s`, `1m`; undefined (with a diagnostic) otherwise. */
export function parseDuration(text: string, at: Range, diags: DiagnosticSink): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60000) : NaN;
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    diags.error(CODES.badDuration, `"${text}" is not a duration: write a number with ms, s or m (for example 500ms or 2s), at most 1 hour.`, at, { text });
    return undefined;
  }
  return Math.round(ms);
}

/** A whole number in [min, max]; undefined (with a diagnostic of `code`) otherwise. */
export function parseCount(
  text: string,
  min: number,
  max: number,
  at: Range,
  code: typeof CODES.badRepeat | typeof CODES.badCount,
  diags: DiagnosticSink,
): number | undefined {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    diags.error(code, `"${text}" must be a whole number from ${min} to ${max.toLocaleString('en-US')}.`, at, { form: 'range', text, min, max });
    return undefined;
  }
  return n;
}

/** A duration from a command-line flag; undefined when it is not one. */
export function parseDurationFlag(text: string): number | undefined {
  const ms = parseDuration(text.trim(), range(0, 0, 0), new DiagnosticSink());
  return ms === undefined ? undefined : Math.max(1, ms);
}
