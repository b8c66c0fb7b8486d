// Classifies raw tokens for highlighting: the first word of a step is a keyword, and so on.
import { Token, TokenKind } from './ast';
import { range } from './diagnostics';
import { RawToken } from './lexer';

const KEYWORDS = new Set([
  'connect',
  'send',
  'expect',
  'wait',
  'close',
  'shutdown',
  'repeat',
  'every',
  'hex',
  'file',
  'bytes',
  'listen',
  'on',
  'otherwise',
  'idle',
  'retry',
  'any',
  'order',
  'include',
]);

function kindOf(t: RawToken, first: boolean, inHex: boolean): TokenKind {
  if (t.kind !== 'word') {
    return t.kind;
  }
  if (first || KEYWORDS.has(t.text)) {
    return 'keyword';
  }
  if (t.text === '->') {
    return 'operator';
  }
  if (inHex) {
    return 'hex';
  }
  if (/^\d+(\.\d+)?(ms|s|m)$/.test(t.text)) {
    return 'duration';
  }
  if (/^\d+$/.test(t.text)) {
    return 'number';
  }
  return /^\{\{.*\}\}$/.test(t.text) ? 'variable' : 'word';
}

export function classify(toks: readonly RawToken[]): Token[] {
  let inHex = false;
  return toks.map((t, i) => {
    const kind = kindOf(t, i === 0, inHex);
    if (t.text === 'hex') {
      inHex = true;
    } else if (kind === 'keyword') {
      inHex = false;
    }
    return { kind, text: t.text, range: range(t.line, t.start, t.end) };
  });
}

export function titleToken(line: number, text: string, start: number): Token {
  return { kind: 'title', text: text.slice(start), range: range(line, start, text.length) };
}
