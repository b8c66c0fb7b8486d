// One small script per diagnostic sentence of the `.tcp` language (a code, and its `form` where the code has
// several): the unit tests hold the corpus to CODES and FORMS, the integration tests open each script in the
// editor and compare its Problems with the core's English. A new code or form needs a line here.

import * as path from 'node:path';

export interface Problem {
  readonly code: string;
  readonly form?: string;
  readonly script: string;
}

const H = '### t\nconnect 127.0.0.1:9007\n';
const MOCK = '### m\nlisten 127.0.0.1:0\n';
const N = '### t\nconnect alice 127.0.0.1:9007\n';

export const PROBLEMS: readonly Problem[] = [
  { code: 'script.unknownStep', form: 'step', script: `${H}frob 1\n` },
  { code: 'script.unknownStep', form: 'payload', script: `${H}send foo\n` },
  { code: 'script.unknownStep', form: 'expect', script: `${H}expect foo\n` },
  { code: 'script.badEscape', form: 'x', script: `${H}send "\\xZ1"\n` },
  { code: 'script.badEscape', form: 'u', script: `${H}send "\\u{110000}"\n` },
  { code: 'script.badEscape', form: 'unknown', script: `${H}send "\\q"\n` },
  { code: 'script.unterminated', form: 'string', script: `${H}send "abc\n` },
  { code: 'script.unterminated', form: 'regex', script: `${H}expect /abc\n` },
  { code: 'script.oddHex', script: `${H}send hex 4\n` },
  { code: 'script.badHex', script: `${H}send hex zz\n` },
  { code: 'script.badRegex', form: 'flags', script: `${H}expect /a/x\n` },
  { code: 'script.badRegex', form: 'syntax', script: `${H}expect /(/\n` },
  { code: 'script.badRegex', form: 'backtracking', script: `${H}expect /(a)\\1/\n` },
  { code: 'script.badRegex', form: 'unsupported', script: `${H}expect /a{1001}/\n` },
  { code: 'script.undefinedVariable', script: `${H}send "{{nope}}"\n` },
  { code: 'script.badVariable', form: 'capturedPath', script: `${H}expect /(a)/ -> x\nsend file {{x}}\n` },
  { code: 'script.badVariable', form: 'syntax', script: `@ = 1\n${H}` },
  { code: 'script.badVariable', form: 'noValue', script: `@x\n${H}` },
  { code: 'script.badVariable', form: 'capturedValue', script: `${H}expect /(a)/ -> x\n@y = {{x}}\n` },
  { code: 'script.badAddress', form: 'address', script: '### t\nconnect 127.0.0.1:99999\n' },
  { code: 'script.badDuration', script: `${H}wait 5x\n` },
  { code: 'script.badRepeat', form: 'range', script: `${H}repeat 0\n  send "a"\n` },
  { code: 'script.badRepeat', form: 'nested', script: `${H}repeat 1000\n  repeat 1001\n    send "a"\n` },
  { code: 'script.badCount', form: 'range', script: `${H}expect bytes 0\n` },
  { code: 'script.badIndent', form: 'rules', script: `${MOCK}  on "a" send "b"\n` },
  { code: 'script.badIndent', form: 'unexpected', script: `${H}  send "a"\n` },
  { code: 'script.badIndent', form: 'unmatched', script: `${H}repeat 2\n    send "a"\n  send "b"\n` },
  { code: 'script.badEncoding', script: `@encoding = foo\n${H}` },
  { code: 'script.missingArgument', script: `${H}wait\n` },
  { code: 'script.extraArgument', script: `${H}close now\n` },
  { code: 'script.outsideBlock', script: `send "a"\n${H}` },
  { code: 'script.noConnect', script: '### t\nsend "a"\n' },
  { code: 'script.misplacedConnect', script: `${H}connect 127.0.0.1:1\n` },
  { code: 'script.emptyBlock', script: '### t\n' },
  { code: 'script.emptyRepeat', script: `${H}repeat 2\n` },
  { code: 'script.badCapture', script: `${H}expect /(a)/ -> 1x!\n` },
  { code: 'script.badRule', form: 'trigger', script: `${MOCK}on foo send "b"\n` },
  { code: 'script.badRule', form: 'action', script: `${MOCK}on "a" jump\n` },
  { code: 'script.badRule', form: 'notRule', script: `${MOCK}send "a"\n` },
  { code: 'script.badRule', form: 'noAction', script: `${MOCK}on "a"\n` },
  { code: 'script.emptyTitle', script: '###\nconnect 127.0.0.1:9007\n' },
  { code: 'script.badExpression', form: 'syntax', script: `${H}send "{{1 +}}"\n` },
  { code: 'script.badExpression', form: 'generator', script: `${H}send "{{$nope}}"\n` },
  { code: 'script.badExpression', form: 'notNumber', script: `@a = x\n${H}send "{{a + 1}}"\n` },
  { code: 'script.badExpression', form: 'range', script: `${H}repeat {{$random 5 1}}\n  send "a"\n` },
  { code: 'script.badExpression', form: 'divideByZero', script: `${H}send "{{1 / 0}}"\n` },
  { code: 'script.badExpression', form: 'tooLarge', script: `${H}send "{{9007199254740991 * 9}}"\n` },
  { code: 'script.badFrame', form: 'field', script: `${H}send frame u12(1)\n` },
  { code: 'script.badFrame', form: 'anyInSend', script: `${H}send frame u8(_)\n` },
  { code: 'script.badFrame', form: 'lenForm', script: `${H}expect frame u8(len * 2) *\n` },
  { code: 'script.badFrame', form: 'noHex', script: `${H}send frame hex "a"\n` },
  { code: 'script.badFrame', form: 'restInSend', script: `${H}send frame u8(len) *\n` },
  { code: 'script.badFrame', form: 'empty', script: `${H}send frame\n` },
  { code: 'script.badFrame', form: 'twoLengths', script: `${H}send frame u8(len) u8(len)\n` },
  { code: 'script.badFrame', form: 'restWithoutLength', script: `${H}expect frame * u8(len)\n` },
  { code: 'script.badFrame', form: 'twoRests', script: `${H}expect frame u8(len) * *\n` },
  { code: 'script.badFrame', form: 'unknownSize', script: `${H}expect frame u8(len) * varint(_) sum8\n` },
  { code: 'script.badFrame', form: 'captures', script: `${H}expect frame u8(len) * -> a b\n` },
  { code: 'script.unknownStep', form: 'anyOrder', script: `${H}any way\n  expect "a"\n` },
  { code: 'script.badConnection', form: 'name', script: '### t\nconnect send 127.0.0.1:9007\n' },
  { code: 'script.badConnection', form: 'unknown', script: `${N}bob send "a"\n` },
  { code: 'script.badConnection', form: 'missing', script: `${N}send "a"\n` },
  { code: 'script.badConnection', form: 'notNamed', script: `${H}bob send "a"\n` },
  { code: 'script.badGroup', script: `${N}any order\n  alice send "a"\n` },
  { code: 'script.emptyGroup', script: `${N}retry 3\n` },
  { code: 'script.badInclude', form: 'missing', script: `${N}include nope.tcp\n` },
  { code: 'script.badInclude', form: 'cycle', script: `${N}include x.tcp\n` },
  { code: 'script.badInclude', form: 'path', script: `${N}expect /(a)/ -> p\ninclude "{{p}}"\n` },
  { code: 'script.badInclude', form: 'blocks', script: `${N}include blocks.tcp\n` },
  { code: 'script.inInclude', script: `${N}include bad.tcp\n` },
  { code: 'script.badTls', form: 'boolean', script: '@tls.insecure = maybe\n' },
  { code: 'script.badTls', form: 'noFile', script: '@tls.ca = nowhere.pem\n' },
  { code: 'script.badTls', form: 'key', script: '@tls.cafile = ca.pem\n' },
  { code: 'script.badTls', form: 'fact', script: `${N}expect tls colour red\n` },
  { code: 'script.badTls', form: 'days', script: `${N}expect cert days = 3\n` },
  { code: 'script.badTls', form: 'alreadyTls', script: '### t\nconnect tls://127.0.0.1:1\nstarttls\n' },
  { code: 'script.badProvoke', form: 'pieces', script: `${H}send "abc" pieces\n` },
  { code: 'script.badProvoke', form: 'gap', script: `${H}send "abc" pieces 3 gap 11s\n` },
  { code: 'script.badProvoke', form: 'onOff', script: `${H}nodelay maybe\n` },
  { code: 'script.badProvoke', form: 'together', script: `${H}send together "a"\n` },
];

/** The files the include scripts above read; a corpus script is parsed as `x.tcp` in their folder. */
export const INCLUDE_FILES: Readonly<Record<string, string>> = {
  'blocks.tcp': '### a block\nconnect 1\n',
  'bad.tcp': 'send "a"\nfrob 1\n',
};

/** Parse options for a corpus script written as `dir/x.tcp`, its include files beside it (on disk or not). */
export function corpusOptions(dir: string): { file: string; readFile: (f: string) => string } {
  return {
    file: path.join(dir, 'x.tcp'),
    readFile: (f) => {
      const text = path.dirname(f) === dir ? INCLUDE_FILES[path.basename(f)] : undefined;
      if (text === undefined) {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      }
      return text;
    },
  };
}

/** Forms no script can produce on this runtime (Node has the linear regex engine), checked in the table only. */
export const UNPRODUCIBLE = ['script.badAddress:captured', 'script.badInclude:noFile', 'script.badInclude:depth'];
