// Script text to wire bytes. `\xHH` in a string is one raw byte whatever the encoding (so `"\xff"` is
// the byte ff in a utf-8 file, not c3 bf): the parser keeps bytes 80-ff as private-use markers
// U+F780-U+F7FF, and this encoder turns each marker back into its byte.
import * as iconv from 'iconv-lite';
import { ScriptEncoding } from './results';

const MARK_BASE = 0xf700;
const MARKS = /[\uf780-\uf7ff]/;

/** The character the parser keeps for `\xHH`. */
export function rawByteChar(byte: number): string {
  return byte < 0x80 ? String.fromCharCode(byte) : String.fromCharCode(MARK_BASE + byte);
}

export function encodeScriptText(text: string, encoding: ScriptEncoding): Buffer {
  if (!MARKS.test(text)) {
    return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
  }
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c >= 0xf780 && c <= 0xf7ff) {
      parts.push(iconv.encode(run, encoding), Buffer.from([c - MARK_BASE]));
      run = '';
    } else {
      run += ch;
    }
  }
  parts.push(iconv.encode(run, encoding));
  return Buffer.concat(parts);
}
