// Splits one line of a `.tcp` file into raw tokens: words, "strings", /regexes/flags and a # comment.
// Meaning (escapes, variables, hex) is decided later by the parser, which knows what each step expects.
import { DiagnosticSink, CODES, range } from './diagnostics';

export interface RawToken {
  readonly kind: 'word' | 'string' | 'regex' | 'comment';
  /** The token exactly as written (quotes and slashes included). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

/** Lexes one line. An unterminated string or regex runs to the end of the line, with a diagnostic. */
export function lexLine(text: string, line: number, diags: DiagnosticSink): RawToken[] {
  const tokens: RawToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    let end: number;
    let kind: RawToken['kind'];
    if (c === '#') {
      kind = 'comment';
      end = text.length;
    } else if (c === '"') {
      kind = 'string';
      end = scanString(text, i, line, diags);
    } else if (c === '/') {
      kind = 'regex';
      end = scanRegex(text, i, line, diags);
    } else {
      kind = 'word';
      end = scanWord(text, i);
    }
    tokens.push({ kind, text: text.slice(i, end), start: i, end, line });
    i = end;
  }
  return tokens;
}

/** A word runs to a space, except inside {{ }} and ( ): `{{n + 2}}` and `u16be(len + 2)` are one word each. */
function scanWord(text: string, start: number): number {
  let depth = 0;
  let end = start;
  while (end < text.length && (depth > 0 || (text[end] !== ' ' && text[end] !== '\t'))) {
    if (text.startsWith('{{', end)) {
      const close = text.indexOf('}}', end + 2);
      if (close > 0) {
        end = close + 2;
        continue;
      }
    }
    depth += text[end] === '(' ? 1 : text[end] === ')' && depth > 0 ? -1 : 0;
    end++;
  }
  return end;
}

function scanString(text: string, start: number, line: number, diags: DiagnosticSink): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
    } else if (text[i] === '"') {
      return i + 1;
    }
  }
  diags.error(CODES.unterminated, 'The string has no closing quote (").', range(line, start, text.length), { form: 'string' });
  return text.length;
}

function scanRegex(text: string, start: number, line: number, diags: DiagnosticSink): number {
  let inClass = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      inClass = true;
    } else if (c === ']') {
      inClass = false;
    } else if (c === '/' && !inClass) {
      let end = i + 1;
      while (end < text.length && /[a-z]/i.test(text[end])) {
        end++;
      }
      return end;
    }
  }
  diags.error(CODES.unterminated, 'The regular expression has no closing slash (/).', range(line, start, text.length), { form: 'regex' });
  return text.length;
}
