// The `.tcp` language's sentences in the user's language: one per diagnostic code (and per `form` where a
// code has several), one per step-failure code. Under English each gives back the core's own text, which
// the integration tests check; the core's English stays what the CLI prints. messages.ts is the way in.
import { l10n } from 'vscode';
import type { DiagnosticCode, MessageArgs } from '../core/script';
import type { FailureCode } from '../core/script';
import type { Need } from '../core/script/payload';
import { PROVOKE_SENTENCES } from './provokeMessages';

type Sentence = (a: MessageArgs, nested: (code: string, args: MessageArgs) => string | undefined) => string | undefined;

/** What `missingArgument` says a step lacks, by its `what`. */
const NEEDS: Record<Need, () => string> = {
  payload: () => l10n.t('what to send: "text", hex 48 65, file PATH or frame …'),
  hex: () => l10n.t('hex bytes, for example 48 65 6c 6c 6f'),
  ruleHex: () => l10n.t('hex bytes, for example 01 03'),
  path: () => l10n.t('a path (relative to the .tcp file)'),
  address: () => l10n.t('an address, for example 127.0.0.1:9007'),
  captureName: () => l10n.t('a name to capture into'),
  expectation: () => l10n.t('what to expect: "text", hex .., /regex/, bytes N, close, file PATH, nothing T, frame …, tls … or cert …'),
  byteCount: () => l10n.t('a byte count'),
  repeatCount: () => l10n.t('a count, for example repeat 10'),
  retryCount: () => l10n.t('a count, for example retry 5 every 200ms'),
  everyDuration: () => l10n.t('a duration, for example every 50ms'),
  waitDuration: () => l10n.t('a duration, for example 100ms'),
  nothingDuration: () => l10n.t('a duration, for example nothing 200ms'),
  trigger: () => l10n.t('connect, "text", /regex/, hex .. or idle T'),
  idleDuration: () => l10n.t('a duration, for example idle 10s'),
  actionDuration: () => l10n.t('a duration, for example 500ms'),
  tlsFact: () => l10n.t('protocol, cipher or alpn'),
  certField: () => l10n.t('subject, issuer, san or days'),
  tlsValue: () => l10n.t('a value: a word, "text" or /regex/'),
};

const thousands = (n: string | number): string => Number(n).toLocaleString('en-US');
const V8_PREFIX = 'Invalid regular expression: ';

/** Keyed by every DiagnosticCode (the type makes a missing one a compile error; a unit test checks it too). */
export const DIAGNOSTIC_SENTENCES: Record<DiagnosticCode, Sentence> = {
  ...PROVOKE_SENTENCES,
  'script.unknownStep': (a) =>
    a.form === 'step'
      ? l10n.t('Unknown step "{0}". Steps: {1}.', a.word, a.steps)
      : a.form === 'payload'
        ? l10n.t('Expected "text", hex, file or frame after {0}, not "{1}".', a.step, a.word)
        : a.form === 'expect'
          ? l10n.t('Expected "text", hex, /regex/, bytes, close, file, nothing, frame, tls or cert after expect, not "{0}".', a.word)
          : a.form === 'anyOrder'
            ? l10n.t('Expected "any order", not "{0}".', a.text)
            : undefined,
  'script.badEscape': (a) =>
    a.form === 'x'
      ? l10n.t('A \\x escape needs two hex digits, for example \\x0d.')
      : a.form === 'u'
        ? l10n.t('A \\u escape is written \\u{HHHH} with 1 to 6 hex digits, at most 10FFFF.')
        : a.form === 'unknown'
          ? l10n.t('Unknown escape "{0}". Use \\n \\r \\t \\\\ \\" \\0 \\xHH or \\u{HHHH}.', a.escape)
          : undefined,
  'script.unterminated': (a) =>
    a.form === 'string' ? l10n.t('The string has no closing quote (").') : a.form === 'regex' ? l10n.t('The regular expression has no closing slash (/).') : undefined,
  'script.oddHex': (a) => l10n.t('"{0}" has an odd number of hex digits; write whole bytes (for example {1}).', a.word, a.fixed),
  'script.badHex': (a) => l10n.t('"{0}" is not hex bytes (for example: 48 65 6c 6c 6f).', a.word),
  'script.badRegex': (a) => {
    switch (a.form) {
      case 'flags':
        return l10n.t('Unknown or repeated regex flags "{0}": use i, m, s or u.', a.flags);
      case 'syntax':
        // The engine's detail stays as the engine wrote it; the frame around it is ours.
        return String(a.detail).startsWith(V8_PREFIX) ? l10n.t('Invalid regular expression: {0}', String(a.detail).slice(V8_PREFIX.length)) : undefined;
      case 'unsupported':
        return l10n.t('The linear-time regex engine cannot run this pattern: {0}', a.detail);
      case 'backtracking':
        return l10n.t('This pattern needs backtracking (a backreference or lookahead/lookbehind), which could freeze on hostile input; rewrite it without them.');
      default:
        return undefined;
    }
  },
  'script.undefinedVariable': (a) => l10n.t('The variable "{0}" is not defined here (define it with @{0} = value above, or capture it with -> {0}).', a.name),
  'script.badVariable': (a) => {
    switch (a.form) {
      case 'capturedPath':
        return l10n.t('A file path cannot use a captured value.');
      case 'syntax':
        return l10n.t('A variable is written @name = value (name: letters, digits, _ . -).');
      case 'noValue':
        return l10n.t('@{0} needs "= value".', a.name);
      case 'capturedValue':
        return l10n.t('A variable cannot be set from a captured value.');
      default:
        return undefined;
    }
  },
  // A bad address is worded as the address error of any other input box is.
  'script.badAddress': (a, nested) =>
    a.form === 'captured' ? l10n.t('An address cannot use a captured value.') : a.form === 'address' ? nested(String(a.reason), a) : undefined,
  'script.badDuration': (a) => l10n.t('"{0}" is not a duration: write a number with ms, s or m (for example 500ms or 2s), at most 1 hour.', a.text),
  'script.badRepeat': (a) =>
    a.form === 'nested' ? l10n.t('Nested repeats run {0} times; at most {1} in all.', thousands(a.count), thousands(a.max)) : a.form === 'range' ? countRange(a) : undefined,
  'script.badCount': (a) => (a.form === 'range' ? countRange(a) : undefined),
  'script.badIndent': (a) =>
    a.form === 'rules'
      ? l10n.t('Rules of a listen block are not indented.')
      : a.form === 'unexpected'
        ? l10n.t('Unexpected indentation: only the steps under a repeat, retry or any order are indented.')
        : a.form === 'unmatched'
          ? l10n.t('This indentation matches no enclosing step: line it up with the steps above.')
          : undefined,
  'script.badEncoding': (a) => l10n.t('Unknown encoding "{0}". Use utf-8, gbk, gb18030 or latin1.', a.name),
  'script.missingArgument': (a) => {
    const what = NEEDS[a.what as Need];
    return what ? l10n.t('{0} needs {1}.', a.step, what()) : undefined;
  },
  'script.extraArgument': (a) => l10n.t('Unexpected "{0}" at the end of the step.', a.word),
  'script.outsideBlock': () => l10n.t('Steps go in a block: start one with a "### title" line above.'),
  'script.noConnect': () => l10n.t('The block has no connect step: start it with connect HOST:PORT (or listen HOST:PORT for a mock).'),
  'script.misplacedConnect': (a) => l10n.t('{0} must be the first step of a block (one connection per block).', a.step),
  'script.emptyBlock': () => l10n.t('This block has no steps.'),
  'script.emptyRepeat': () => l10n.t('repeat needs indented steps below it.'),
  'script.badCapture': (a) => l10n.t('"{0}" is not a variable name (letters, digits, _ . -).', a.word),
  'script.badRule': (a) => {
    switch (a.form) {
      case 'trigger':
        return l10n.t('Expected connect, "text", /regex/, hex or idle after on, not "{0}".', a.word);
      case 'action':
        return l10n.t('Unknown action "{0}". Actions: send, wait, close.', a.word);
      case 'notRule':
        return l10n.t('A listen block holds rules: on ... or otherwise ..., not "{0}".', a.word);
      case 'noAction':
        return l10n.t('The rule has no action: add send "...", wait T or close.');
      default:
        return undefined;
    }
  },
  'script.emptyTitle': () => l10n.t('A block needs a title after ###: it names the test.'),
  'script.badExpression': (a) => {
    switch (a.form) {
      case 'syntax':
        return a.at
          ? l10n.t('Cannot read "{0}" in {1}.', a.at, `{{${a.text}}}`)
          : l10n.t('{0} is not an expression (numbers, names, len(name), $generators, + - * / % and parentheses).', `{{${a.text}}}`);
      case 'generator':
        return l10n.t('Unknown generator ${0}: use $seq, $now, $nowMs, $uuid, $random A B or $randomHex N.', a.name);
      case 'notNumber':
        return l10n.t('{0} is "{1}", not a whole number.', a.what, a.value);
      case 'range':
        return String(a.text).startsWith('$random ')
          ? l10n.t('{0}: the first bound must not exceed the second.', a.text)
          : l10n.t('{0}: the digit count must be from 1 to {1}.', a.text, 1024);
      case 'divideByZero':
        return l10n.t('Division by zero.');
      case 'tooLarge':
        return l10n.t('The result {0} is too large.', a.value);
      default:
        return undefined;
    }
  },
  'script.badConnection': (a) => {
    switch (a.form) {
      case 'name':
        return l10n.t('"{0}" cannot name a connection: use letters, digits, _ and -, not a step\'s word.', a.name);
      case 'unknown':
        return l10n.t('No connection "{0}" is connected above: add connect {0} HOST:PORT first.', a.name);
      case 'missing':
        return l10n.t('This block has named connections ({0}): say which one, for example {1} {2} ….', a.names, String(a.names).split(', ')[0], a.step);
      case 'notNamed':
        return l10n.t('"{0}" names a connection, but this block has one unnamed connection: write connect NAME HOST:PORT to name them.', a.name);
      default:
        return undefined;
    }
  },
  'script.badFrame': (a) => {
    switch (a.form) {
      case 'field':
        return l10n.t('Unknown frame field "{0}": use "text", hex .., u8(..), u16be(..) … u64le(..), varint(..), * or a checksum.', a.word);
      case 'anyInSend':
        return l10n.t('A send has no "any value": write the number.');
      case 'lenForm':
        return l10n.t('An expect reads the length back, so it takes len, len + N or len - N, not {0}.', a.text);
      case 'noHex':
        return l10n.t('hex needs bytes, for example hex 01 03.');
      case 'restInSend':
        return l10n.t('A send has no *: write the bytes.');
      case 'empty':
        return l10n.t('frame needs fields, for example frame u16be(len) "text" crc16modbus.');
      case 'twoLengths':
        return l10n.t('A frame has at most one len field.');
      case 'restWithoutLength':
        return l10n.t('A * takes the bytes a len field before it counts: add one, for example u16be(len) *.');
      case 'twoRests':
        return l10n.t('A frame has at most one *.');
      case 'unknownSize':
        return l10n.t('After a * every field up to the checksum needs a known size; this varint has none.');
      case 'captures':
        return l10n.t('The frame has {0} value(s) to capture (* and _ fields), not more.', a.count);
      default:
        return undefined;
    }
  },
  'script.badGroup': () => l10n.t('An any order group holds expect steps only (not expect close).'),
  'script.emptyGroup': (a) => l10n.t('{0} needs indented steps below it.', a.step),
  'script.badInclude': (a) => {
    switch (a.form) {
      case 'missing':
        return l10n.t('Cannot include {0}: {1}.', a.path, a.error === 'no such file' ? l10n.t('no such file') : a.error);
      case 'cycle':
        return l10n.t('{0} includes itself (through {1}).', a.path, a.through);
      case 'noFile':
        return l10n.t('include needs the file to be saved first (its path is relative to the file).');
      case 'depth':
        return l10n.t('Includes nest at most {0} deep.', a.max);
      case 'path':
        return l10n.t('include needs a path written in the file (no captured value).');
      case 'blocks':
        return l10n.t('{0} has blocks (### on line {1}); an included file holds only steps and settings.', a.path, a.line);
      default:
        return undefined;
    }
  },
  'script.badTls': (a) => {
    switch (a.form) {
      case 'boolean':
        return l10n.t('@tls.insecure is true or false, not "{0}".', a.value);
      case 'noFile':
        return l10n.t('No file {0} (next to the .tcp file) for @tls.{1}.', a.path, a.key);
      case 'key':
        return l10n.t('Unknown TLS setting @tls.{0}. Settings: {1}.', a.key, a.keys);
      case 'fact':
        return l10n.t('Expected {0} after {1}, not "{2}".', a.list, a.step, a.word);
      case 'days':
        return l10n.t('Write expect cert days >= N (or >, <=, <, ==).');
      case 'alreadyTls':
        return l10n.t('starttls upgrades a plaintext connection: this block already connects with tls://.');
      default:
        return undefined;
    }
  },
  // The included file's own problem, worded in the user's language, after where it is.
  'script.inInclude': (a, nested) => {
    const inner = DIAGNOSTIC_SENTENCES[a.code as DiagnosticCode]?.(a.innerForm === undefined ? a : { ...a, form: a.innerForm }, nested);
    return inner === undefined ? undefined : `${a.where}: ${inner}`;
  },
};

function countRange(a: MessageArgs): string {
  return l10n.t('"{0}" must be a whole number from {1} to {2}.', a.text, a.min, thousands(a.max));
}

/** Why an expect gave up, by its `why`. */
function expectWhy(a: MessageArgs): string | undefined {
  switch (a.why) {
    case 'differs':
      return l10n.t('first difference at byte {0}', a.offset);
    case 'timeout':
      return l10n.t('nothing more within {0} ms', a.ms);
    case 'blockTimeout':
      return l10n.t('the block timed out after {0} ms', a.ms);
    case 'peerClosed':
      return a.error === undefined ? l10n.t('then the peer closed') : l10n.t('then the peer closed ({0})', a.error);
    case 'notClosed':
      return l10n.t('the peer sent more instead of closing');
    case 'cancelled':
      return l10n.t('cancelled');
    case 'checksum':
      return l10n.t('{0} should be {1}, got {2} at byte {3}', a.name, a.sum, a.got, a.offset);
    case 'field':
      return l10n.t('{0} should be {1}, got {2} at byte {3}', a.field, a.want, a.got, a.offset);
    case 'length':
      return l10n.t('the length field counts to byte {0}, the fields after it end at byte {1}', a.declared, a.actual);
    case 'badVarint':
      return l10n.t('no varint at byte {0} (more than {1} bytes)', a.offset, 10);
    default:
      return undefined;
  }
}

function expected(a: MessageArgs): string | undefined {
  if (a.want === 'frame') {
    return l10n.t('the frame');
  }
  return a.want === 'count' ? l10n.t('{0} bytes', a.count) : a.want === 'close' ? l10n.t('the peer to close') : a.expected === undefined ? undefined : String(a.expected);
}

function sendWhy(a: MessageArgs): string | undefined {
  switch (a.why) {
    case 'closed':
      return l10n.t('the connection is already closed');
    case 'notRead':
      return l10n.t('the peer did not read what we sent in time');
    case 'cancelled':
      return l10n.t('cancelled');
    case 'closedWhileSending':
      return a.error === undefined ? l10n.t('the connection closed while sending') : l10n.t('the connection closed while sending ({0})', a.error);
    default:
      return undefined;
  }
}

/** Keyed by every FailureCode. The expected and actual bytes themselves are shown as they are. */
export const FAILURE_SENTENCES: Record<FailureCode, (a: MessageArgs) => string | undefined> = {
  'step.expect': (a) => {
    if (a.want === 'nothing') {
      return l10n.t('expected nothing within {0} ms got {1}', a.ms, a.actual);
    }
    const want = expected(a);
    const why = expectWhy(a);
    const got = a.actualLength === 0 ? l10n.t('nothing') : a.actual;
    return want !== undefined && why !== undefined && got !== undefined ? l10n.t('expected {0} got {1} ({2})', want, got, why) : undefined;
  },
  'step.badRegex': (a) => l10n.t('bad regex: {0}', a.detail),
  'step.cannotRead': (a) => (a.error === undefined ? undefined : l10n.t('cannot send: {0}', a.error)),
  'step.fileTooBig': (a) =>
    a.form === 'expect'
      ? l10n.t('{0} is {1} bytes; expect file takes at most {2} bytes', a.path, a.size, a.max)
      : l10n.t('cannot send: {0} is {1} bytes; send file takes at most {2} bytes', a.path, a.size, a.max),
  'step.sendFailed': (a) => {
    const why = sendWhy(a);
    return why === undefined ? undefined : l10n.t('send failed: {0}', why);
  },
  'step.blockTimeout': (a) => l10n.t('the block timed out after {0} ms', a.ms),
  'step.cancelled': () => l10n.t('cancelled'),
  'step.notHere': (a) => l10n.t('{0} cannot be used here', a.step),
  'step.noPort': (a) => l10n.t("no port to connect to: start the file's listen blocks first ({0}:0)", a.host),
  'step.refused': (a) => l10n.t('nothing is listening on {0} (connection refused)', a.where),
  'step.connectFailed': (a) => (a.error === undefined ? undefined : l10n.t('could not connect to {0}: {1}', a.where, a.error)),
  'step.connectTimeout': (a) => l10n.t('could not connect to {0} within {1} ms', a.where, a.ms),
  'step.noConnect': () => l10n.t('the block has no valid connect step'),
  'step.failed': () => l10n.t('failed'),
  'step.tls': (a) => tlsFailure(a),
  'step.badValue': (a) => {
    switch (a.form) {
      case 'doesNotFit':
        return l10n.t('{0} does not fit in {1} (0 to {2}).', a.value, a.type, a.max);
      case 'outOfRange':
        return l10n.t('{0} is {1}; it must be from {2} to {3} here.', `{{${a.expr}}}`, a.value, a.min, thousands(a.max));
      default:
        // The expression's own problems read as they do while parsing.
        return DIAGNOSTIC_SENTENCES['script.badExpression'](a, () => undefined);
    }
  },
  'step.anyOrder': (a) => {
    const why = a.why === 'noneMatches' ? l10n.t('none of them matches the bytes there') : expectWhy({ ...a, why: a.why === 'peerClosed' ? 'peerClosed' : a.why });
    return why === undefined ? undefined : l10n.t('expected in any order {0} got {1} ({2})', a.expected, a.actual, why);
  },
};

/** Why a TLS connection failed, by the TlsError's code, with its values. */
function tlsReason(a: MessageArgs): string | undefined {
  switch (a.tlsCode) {
    case 'tls.expired':
      return l10n.t('certificate has expired ({0})', String(a.notAfter).slice(0, 10));
    case 'tls.notYetValid':
      return l10n.t('certificate is not valid yet (from {0})', String(a.notBefore).slice(0, 10));
    case 'tls.selfSigned':
      return l10n.t('certificate is self-signed: nothing trusted vouches for it');
    case 'tls.unknownIssuer':
      return l10n.t('certificate is issued by an unknown authority ({0})', a.issuer);
    case 'tls.nameMismatch':
      return l10n.t('name {0} not in the certificate (has: {1})', a.name, a.names);
    case 'tls.untrusted':
      return l10n.t('certificate did not verify ({0})', a.reason);
    case 'tls.clientCertRequired':
      return l10n.t('handshake: the server asked for a client certificate');
    case 'tls.alpnRefused':
      return l10n.t('handshake: the server accepts none of the protocols offered (ALPN {0})', a.offered);
    case 'tls.notTls':
      return l10n.t('the peer does not speak TLS (a plaintext port?)');
    case 'tls.handshakeTimeout':
      return l10n.t('handshake timed out after {0} ms', a.ms);
    case 'tls.badFile':
      return l10n.t('cannot use {0} as {1}: {2}', a.file, a.what, a.reason);
    case 'tls.handshake':
      return a.reason === 'closed' ? l10n.t('handshake: the peer closed the connection') : l10n.t('handshake failed: {0}', a.reason);
    default:
      return undefined;
  }
}

function tlsFailure(a: MessageArgs): string | undefined {
  switch (a.form) {
    case 'handshake': {
      const why = tlsReason(a);
      return why === undefined ? undefined : l10n.t('TLS with {0}: {1}', a.where, why);
    }
    case 'mismatch':
      return l10n.t('expected {0} {1} got {2}', a.what, a.expected, a.actual === '' ? l10n.t('nothing') : a.actual);
    case 'notTls':
      return l10n.t('expect {0}: the connection is not TLS (connect tls://… or starttls first)', a.what);
    case 'noCert':
      return l10n.t('expect {0}: the peer sent no certificate', a.what);
    case 'alreadyTls':
      return l10n.t('starttls: the connection is already TLS');
    default:
      return undefined;
  }
}
