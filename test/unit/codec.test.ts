import * as assert from 'node:assert/strict';
import { EncodingError, checkEncoding, checkLineEnding, createDecoder, decodeStrict, encodeText, hexDump, LINE_ENDINGS } from '../../src/core/codec';

describe('codec', () => {
  it('normalises encoding names and refuses unknown ones', () => {
    assert.equal(checkEncoding('UTF8'), 'utf-8');
    assert.equal(checkEncoding(' GBK '), 'gbk');
    assert.equal(checkEncoding('cp936'), 'gbk');
    assert.equal(checkEncoding('binary'), 'latin1');
    assert.equal(checkEncoding('HEX'), 'hex');
    assert.throws(
      () => checkEncoding('ebcdic'),
      (e: unknown) => e instanceof EncodingError && /Unknown encoding "ebcdic"/.test(e.message),
    );
  });

  it('encodes Chinese text in utf-8, gbk and gb18030 to the known bytes', () => {
    // 中文: utf-8 e4 b8 ad e6 96 87, gbk d6 d0 ce c4.
    assert.equal(encodeText('中文', 'utf-8').toString('hex'), 'e4b8ade69687');
    assert.equal(encodeText('中文', 'gbk').toString('hex'), 'd6d0cec4');
    assert.equal(encodeText('中文', 'gb18030').toString('hex'), 'd6d0cec4');
    assert.equal(encodeText('é', 'latin1').toString('hex'), 'e9');
  });

  it('hex: accepts spaces, 0x and separators, refuses odd or non-hex input', () => {
    assert.equal(encodeText('48 65 6c 6c 6f', 'hex').toString('latin1'), 'Hello');
    assert.equal(encodeText('0x48,0x69', 'hex').toString('latin1'), 'Hi');
    assert.equal(encodeText('48:65-6C', 'hex').toString('latin1'), 'Hel');
    assert.throws(() => encodeText('486', 'hex'), /not hex bytes/);
    assert.throws(() => encodeText('zz', 'hex'), /not hex bytes/);
    assert.equal(hexDump(Buffer.from('Hello')), '48 65 6c 6c 6f');
    assert.equal(hexDump(Buffer.alloc(0)), '');
  });

  it('decodeStrict refuses bytes that are not valid in the encoding', () => {
    assert.equal(decodeStrict(Buffer.from('e4b8ade69687', 'hex'), 'utf-8'), '中文');
    assert.equal(decodeStrict(Buffer.from('d6d0cec4', 'hex'), 'gbk'), '中文');
    assert.equal(decodeStrict(Buffer.from('d6d0cec4', 'hex'), 'utf-8'), undefined);
    assert.equal(decodeStrict(Buffer.from('e4b8ad', 'hex'), 'gbk'), undefined);
    assert.equal(decodeStrict(Buffer.from('ff', 'hex'), 'utf-8'), undefined);
    assert.equal(decodeStrict(Buffer.from('Hi'), 'hex'), '48 69');
  });

  for (const encoding of ['utf-8', 'gbk', 'gb18030'] as const) {
    it(`createDecoder(${encoding}) joins a character split across chunks`, () => {
      const bytes = encodeText('a中文b', encoding);
      for (let cut = 1; cut < bytes.length; cut++) {
        const d = createDecoder(encoding);
        const text = d.write(bytes.subarray(0, cut)) + d.write(bytes.subarray(cut)) + d.end();
        assert.equal(text, 'a中文b', `cut at ${cut}`);
      }
      // Byte by byte as well.
      const d = createDecoder(encoding);
      let text = '';
      for (const b of bytes) {
        text += d.write(Buffer.from([b]));
      }
      assert.equal(text + d.end(), 'a中文b');
    });
  }

  it('createDecoder(hex) dumps each chunk', () => {
    const d = createDecoder('hex');
    assert.equal(d.write(Buffer.from('Hi')), '48 69');
    assert.equal(d.end(), '');
  });

  it('line endings', () => {
    assert.equal(checkLineEnding('CRLF'), 'crlf');
    assert.equal(LINE_ENDINGS[checkLineEnding('lf')], '\n');
    assert.equal(LINE_ENDINGS[checkLineEnding('none')], '');
    assert.throws(() => checkLineEnding('cr'), /Unknown line ending "cr"/);
  });
});
