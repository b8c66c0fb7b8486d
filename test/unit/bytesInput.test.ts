// What a user types to send -> bytes: hex, escapes, encodings, line endings; and the bytes both ways
// through a real python peer, byte-exact.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { InputError, inputBytes, parseEscapes, parseHex } from '../../src/core/bytesInput';
import { ClientSession } from '../../src/core/sessions/clientSession';
import { createDecoder } from '../../src/core/codec';
import { formatHexDump } from '../../src/core/traffic/hexView';
import { PEERS, Peers, waitFor } from './support';

const hex = (b: Buffer) => b.toString('hex');

function inputError(code: string, position: number, message: RegExp) {
  return (e: unknown) => e instanceof InputError && e.code === code && e.args.position === position && message.test(e.message);
}

describe('bytesInput', () => {
  describe('parseHex', () => {
    it('accepts spaced, 0x-prefixed, packed and mixed-separator hex', () => {
      assert.equal(parseHex('48 65 6c 6c 6f').toString('latin1'), 'Hello');
      assert.equal(parseHex('0x48,0x65').toString('latin1'), 'He');
      assert.equal(parseHex('48656c6c6f').toString('latin1'), 'Hello');
      assert.equal(hex(parseHex('00:0d, 0D\n0xff;FF\t7f-80')), '000d0dffff7f80');
      assert.equal(hex(parseHex('0X4865 6C')), '48656c');
      assert.equal(parseHex('').length, 0);
      assert.equal(parseHex(' \n, ').length, 0);
    });

    it('names the position of a non-hex character', () => {
      assert.throws(() => parseHex('48 6g'), inputError('input.badHex', 4, /Not a hex digit: "g" at position 5/));
      assert.throws(() => parseHex('zz'), inputError('input.badHex', 0, /"z" at position 1/));
    });

    it('refuses an odd number of digits and a bare 0x, naming where the group starts', () => {
      assert.throws(() => parseHex('48 656'), inputError('input.badHex', 3, /odd number of hex digits \("656"\) at position 4/));
      assert.throws(() => parseHex('0x4'), inputError('input.badHex', 0, /odd number/));
      assert.throws(() => parseHex('48 0x'), inputError('input.badHex', 3, /"0x" without digits at position 4/));
    });
  });

  describe('parseEscapes and inputBytes', () => {
    it('turns every escape into its bytes', () => {
      const b = inputBytes('a\\r\\n\\t\\\\\\"\\0\\x00\\xff\\x0D\\u{4F60}z', { escapes: true });
      assert.equal(hex(b), '61' + '0d0a09' + '5c22' + '00' + '00ff0d' + 'e4bda0' + '7a');
    });

    it('\\xHH is a raw byte, not a character re-encoded (gbk text around it)', () => {
      assert.equal(hex(inputBytes('中\\xff文', { encoding: 'gbk', escapes: true })), 'd6d0ffcec4');
      assert.equal(hex(inputBytes('中\\xff', { encoding: 'utf-8', escapes: true })), 'e4b8adff');
    });

    it('leaves backslashes alone without the escapes option', () => {
      assert.equal(inputBytes('a\\n').toString('latin1'), 'a\\n');
    });

    it('refuses bad escapes with their position', () => {
      assert.throws(() => parseEscapes('ab\\q'), inputError('input.badEscape', 2, /position 3: unknown escape \\q/));
      assert.throws(() => parseEscapes('x\\'), inputError('input.badEscape', 1, /backslash at the end/));
      assert.throws(() => parseEscapes('\\x4'), inputError('input.badEscape', 0, /two hex digits, got "4"/));
      assert.throws(() => parseEscapes('\\u4F60'), inputError('input.badEscape', 0, /code point in braces/));
      assert.throws(() => parseEscapes('\\u{110000}'), inputError('input.badEscape', 0, /code point/));
      assert.throws(() => parseEscapes('\\u{D800}'), inputError('input.badEscape', 0, /code point/));
    });

    it('appends the line ending as bytes after text and after hex', () => {
      assert.equal(hex(inputBytes('hi', { lineEnding: 'crlf' })), '68690d0a');
      assert.equal(hex(inputBytes('ff 00', { encoding: 'hex', lineEnding: 'lf' })), 'ff000a');
      assert.equal(hex(inputBytes('你好', { encoding: 'gb18030', lineEnding: 'none' })), 'c4e3bac3');
      assert.equal(hex(inputBytes('é', { encoding: 'latin1' })), 'e9');
    });
  });

  describe('through a real peer (python echo server)', () => {
    const peers = new Peers();
    let session: ClientSession | undefined;

    afterEach(async () => {
      await session?.close();
      session?.dispose();
      session = undefined;
      await peers.dispose();
    });

    it('hex in, the same bytes back, shown as hex: every byte value including 00, 0d and ff', async () => {
      const { line } = await peers.startPeer('python3', [path.join(PEERS, 'echo_server.py'), '127.0.0.1', '0']);
      session = new ClientSession({ host: '127.0.0.1', port: Number(line), encoding: 'hex' });
      await session.connect();
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const typed = [...all].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(',');
      const got: Buffer[] = [];
      const decoder = createDecoder('hex');
      const shown: string[] = [];
      session.onData((d) => {
        got.push(d.bytes);
        shown.push(decoder.write(d.bytes));
      });
      const bytes = inputBytes(typed, { encoding: 'hex' });
      assert.deepEqual(bytes, all);
      await session.send(bytes);
      await waitFor(() => Buffer.concat(got).length >= 256, 'the echo');
      assert.deepEqual(Buffer.concat(got), all);
      assert.deepEqual(parseHex(shown.join(' ')), all, 'the hex shown parses back to the bytes');
      const dump = formatHexDump(Buffer.concat(got));
      assert.equal(dump.length, 16);
      assert.match(dump[0], /^00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  \|\.{16}\|$/);
      assert.match(dump[15], /^000000f0  f0 .* ff  \|\.{16}\|$/);
    });
  });
});
