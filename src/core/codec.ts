// Text encodings for names and session traffic: utf-8, gbk, gb18030, latin1 (through iconv-lite), and
// `hex`, which sends "48 65 6c 6c 6f" as bytes and shows received bytes as a hex dump.
import * as iconv from 'iconv-lite';
import { EncodingProblem, WorkbenchError } from './errors';

export const ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'latin1', 'hex'] as const;
export type EncodingName = (typeof ENCODINGS)[number];

/** Codes `encoding.<what>` (unknown, badHex, unknownLineEnding), with the offending text in `args`. */
export class EncodingError extends WorkbenchError {
  constructor(what: EncodingProblem, message: string, args: Readonly<Record<string, string | number>> = {}) {
    super(`encoding.${what}`, message, args);
  }
}

/** Normalises user input ("UTF8", "GBK", "binary"…) to one of ENCODINGS, or throws a clear error. */
export function checkEncoding(name: string): EncodingName {
  const n = name.trim().toLowerCase();
  const alias: Record<string, EncodingName> = {
    'utf-8': 'utf-8',
    utf8: 'utf-8',
    gbk: 'gbk',
    cp936: 'gbk',
    gb18030: 'gb18030',
    latin1: 'latin1',
    'iso-8859-1': 'latin1',
    binary: 'latin1',
    hex: 'hex',
  };
  const e = alias[n];
  if (!e) {
    throw new EncodingError('unknown', `Unknown encoding "${name}". Use one of: ${ENCODINGS.join(', ')}.`, { name, list: ENCODINGS.join(', ') });
  }
  return e;
}

/** Encodes text for the wire. For `hex`, the text is hex digits, spaces and separators allowed. */
export function encodeText(text: string, encoding: EncodingName): Buffer {
  if (encoding === 'hex') {
    const digits = text.replace(/0x/gi, '').replace(/[\s,:;-]/g, '');
    if (!/^[0-9a-fA-F]*$/.test(digits) || digits.length % 2 !== 0) {
      throw new EncodingError('badHex', `"${text.slice(0, 40)}" is not hex bytes (for example: 48 65 6c 6c 6f).`, { text: text.slice(0, 40) });
    }
    return Buffer.from(digits, 'hex');
  }
  return iconv.encode(text, encoding);
}

/**
 * Decodes one whole buffer strictly: returns undefined when the bytes are not valid in the encoding
 * (a file name that does not decode must be refused, not guessed at).
 */
export function decodeStrict(bytes: Buffer, encoding: EncodingName): string | undefined {
  if (encoding === 'hex') {
    return hexDump(bytes);
  }
  if (encoding === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return undefined;
    }
  }
  const text = iconv.decode(bytes, encoding);
  if (text.includes('\ufffd')) {
    return undefined;
  }
  // Round-trip check: a decoder that silently maps bad bytes must not let them through.
  return iconv.encode(text, encoding).equals(bytes) ? text : undefined;
}

/** Lower-case hex bytes separated by spaces: "48 65 6c 6c 6f". */
export function hexDump(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

/** Decodes a stream chunk by chunk: a multi-byte character split across chunks decodes right. */
export interface StreamDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

export function createDecoder(encoding: EncodingName): StreamDecoder {
  if (encoding === 'hex') {
    return { write: (c) => hexDump(c), end: () => '' };
  }
  if (encoding === 'gb18030' || encoding === 'gbk') {
    return dbcsDecoder(encoding);
  }
  const d = iconv.getDecoder(encoding);
  return { write: (c) => d.write(c), end: () => d.end() ?? '' };
}

/**
 * iconv-lite's DBCS stream decoder sizes its output by the chunk it is given, so a four-byte gb18030
 * character (or a bad byte pair) completed by a short chunk loses characters. We hold back an
 * incomplete tail ourselves and decode only whole sequences.
 */
function dbcsDecoder(encoding: 'gbk' | 'gb18030'): StreamDecoder {
  let carry = Buffer.alloc(0);
  const decode = (b: Buffer) => (b.length ? iconv.decode(b, encoding, { stripBOM: false }) : '');
  return {
    write(chunk) {
      const all = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const whole = wholeSequencesLength(all, encoding === 'gb18030');
      carry = Buffer.from(all.subarray(whole));
      return decode(all.subarray(0, whole));
    },
    end() {
      const rest = carry;
      carry = Buffer.alloc(0);
      return decode(rest);
    },
  };
}

/** Length of the prefix made of whole sequences: one byte, lead + trail, or (gb18030) lead + digit + byte + digit. */
function wholeSequencesLength(b: Buffer, fourByte: boolean): number {
  let i = 0;
  while (i < b.length) {
    if (b[i] < 0x81 || b[i] === 0xff) {
      i++;
    } else if (i + 1 >= b.length) {
      return i;
    } else if (fourByte && b[i + 1] >= 0x30 && b[i + 1] <= 0x39) {
      if (i + 3 >= b.length) {
        return i;
      }
      i += 4;
    } else {
      i += 2;
    }
  }
  return i;
}

export const LINE_ENDINGS = { none: '', lf: '\n', crlf: '\r\n' } as const;
export type LineEnding = keyof typeof LINE_ENDINGS;

export function checkLineEnding(name: string): LineEnding {
  const n = name.trim().toLowerCase();
  if (n === 'none' || n === 'lf' || n === 'crlf') {
    return n;
  }
  throw new EncodingError('unknownLineEnding', `Unknown line ending "${name}". Use none, lf or crlf.`, { name });
}
