// What a user types to send, turned into the exact bytes: hex digits ("48 65 6c", "0x48,0x65",
// "48656c"), or text with optional escapes (\r \n \t \\ \" \0 \xHH \u{HHHH}), in an encoding, with a
// line ending. Everything is parsed before anything is sent, so bad input sends nothing.
import * as iconv from 'iconv-lite';
import { WorkbenchError } from './errors';
import { EncodingName, LINE_ENDINGS, LineEnding } from './codec';

/** Bad hex or a bad escape; `args.position` is the 0-based index of the offending character. */
export class InputError extends WorkbenchError {
  constructor(code: 'input.badHex' | 'input.badEscape', message: string, args: Record<string, string | number>) {
    super(code, message, args);
  }
}

// Spaces, tabs, newlines, commas, colons, semicolons and dashes separate bytes; each group may start with 0x.
const SEPARATOR = /[\s,:;-]/;
const HEX_DIGIT = /[0-9a-fA-F]/;

/** Parses hex bytes; throws InputError (`input.badHex`) naming the position of the first problem. */
export function parseHex(text: string): Buffer {
  const digits: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (SEPARATOR.test(text[i])) {
      i++;
      continue;
    }
    const start = i;
    if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i += 2;
    }
    const groupStart = i;
    while (i < text.length && !SEPARATOR.test(text[i])) {
      if (!HEX_DIGIT.test(text[i])) {
        throw new InputError('input.badHex', `Not a hex digit: ${JSON.stringify(text[i])} at position ${i + 1} (bytes look like 48 65 6c or 0x48,0x65).`, {
          position: i,
          char: text[i],
        });
      }
      i++;
    }
    const group = text.slice(groupStart, i);
    if (group.length === 0 || group.length % 2 !== 0) {
      const what = group.length === 0 ? '"0x" without digits' : `an odd number of hex digits (${JSON.stringify(text.slice(start, i))})`;
      throw new InputError('input.badHex', `${what[0].toUpperCase()}${what.slice(1)} at position ${start + 1}: every byte needs two digits.`, {
        position: start,
        char: text[start],
      });
    }
    digits.push(group);
  }
  return Buffer.from(digits.join(''), 'hex');
}

/** One piece of escaped text: characters to encode, or raw bytes (\xHH, \0) that bypass the encoding. */
type Piece = { text: string } | { bytes: number[] };

const SIMPLE_ESCAPES: Record<string, string> = { r: '\r', n: '\n', t: '\t', '\\': '\\', '"': '"' };

/** Splits text at its escapes; throws InputError (`input.badEscape`) on an unknown or incomplete one. */
export function parseEscapes(text: string): Piece[] {
  const pieces: Piece[] = [];
  let chars = '';
  const bad = (at: number, why: string): never => {
    throw new InputError('input.badEscape', `Bad escape at position ${at + 1}: ${why} (use \\r \\n \\t \\\\ \\" \\0 \\xHH \\u{HHHH}).`, { position: at });
  };
  const raw = (b: number) => {
    if (chars) {
      pieces.push({ text: chars });
      chars = '';
    }
    const last = pieces[pieces.length - 1];
    if (last && 'bytes' in last) {
      last.bytes.push(b);
    } else {
      pieces.push({ bytes: [b] });
    }
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      chars += text[i];
      continue;
    }
    const c = text[i + 1];
    if (c === undefined) {
      bad(i, 'a backslash at the end');
    } else if (c in SIMPLE_ESCAPES) {
      chars += SIMPLE_ESCAPES[c];
      i++;
    } else if (c === '0') {
      raw(0);
      i++;
    } else if (c === 'x') {
      const hh = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hh)) {
        bad(i, `\\x needs two hex digits, got ${JSON.stringify(hh)}`);
      }
      raw(parseInt(hh, 16));
      i += 3;
    } else if (c === 'u') {
      const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(i + 2));
      const cp = m ? parseInt(m[1], 16) : NaN;
      if (!m || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        bad(i, '\\u needs a code point in braces, like \\u{4F60}');
      }
      chars += String.fromCodePoint(cp);
      i += 2 + (m as RegExpExecArray)[0].length - 1;
    } else {
      bad(i, `unknown escape \\${c}`);
    }
  }
  if (chars) {
    pieces.push({ text: chars });
  }
  return pieces;
}

export interface InputOptions {
  /** `hex`: the text is hex digits. Otherwise the text is encoded in this encoding. Default utf-8. */
  encoding?: EncodingName;
  /** Parse backslash escapes in the text (not in hex). */
  escapes?: boolean;
  /** Appended as bytes after the text or the hex bytes. Default none. */
  lineEnding?: LineEnding;
}

/** Text (or hex) + options -> the bytes to send; throws InputError before anything could be sent. */
export function inputBytes(text: string, options: InputOptions = {}): Buffer {
  const encoding = options.encoding ?? 'utf-8';
  let body: Buffer;
  if (encoding === 'hex') {
    body = parseHex(text);
  } else if (options.escapes) {
    body = Buffer.concat(parseEscapes(text).map((p) => ('text' in p ? iconv.encode(p.text, encoding) : Buffer.from(p.bytes))));
  } else {
    body = iconv.encode(text, encoding);
  }
  const ending = LINE_ENDINGS[options.lineEnding ?? 'none'];
  return ending ? Buffer.concat([body, Buffer.from(ending, 'latin1')]) : body;
}
