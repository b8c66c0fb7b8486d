// The `.tcp` language's sentences in the user's language: one per diagnostic code (and per `form` where a
// code has several), one per step-failure code. Under English each gives back the core's own text, which
// the integration tests check; the core's English stays what the CLI prints. messages.ts is the way in.
import { l10n } from 'vscode';
import type { DiagnosticCode, MessageArgs } from '../core/script';
import type { FailureCode } from '../core/script';
import type { Need } from '../core/script/payload';

type Sentence = (a: MessageArgs, nested: (code: string, args: MessageArgs) => string | undefined) => string | undefined;

/** What `missingArgument` says a step lacks, by its `what`. */
const NEEDS: Record<Need, () => string> = {
  payload: () => l10n.t('what to send: "text", hex 48 65 or file PATH'),
  hex: () => l10n.t('hex bytes, for example 48 65 6c 6c 6f'),
  ruleHex: () => l10n.t('hex bytes, for example 01 03'),
  path: () => l10n.t('a path (relative to the .tcp file)'),
  address: () => l10n.t('an address, for example 127.0.0.1:9007'),
  captureName: () => l10n.t('a name to capture into'),
  expectation: () => l10n.t('what to expect: "text", hex .., /regex/, bytes N or close'),
  byteCount: () => l10n.t('a byte count'),
  repeatCount: () => l10n.t('a count, for example repeat 10'),
  retryCount: () => l10n.t('a count, for example retry 5 every 200ms'),
  everyDuration: () => l10n.t('a duration, for example every 50ms'),
  waitDuration: () => l10n.t('a duration, for example 100ms'),
  trigger: () => l10n.t('connect, "text", /regex/, hex .. or idle T'),
  idleDuration: () => l10n.t('a duration, for example idle 10s'),
  actionDuration: () => l10n.t('a duration, for example 500ms'),
};

const thousands = (n: string | number): string => Number(n).toLocaleString('en-US');
const V8_PREFIX = 'Invalid regular expression: ';

/** Keyed by every DiagnosticCode (the type makes a missing one a compile error; a unit test checks it too). */
export const DIAGNOSTIC_SENTENCES: Record<DiagnosticCode, Sentence> = {
  'script.unknownStep': (a) =>
    a.form === 'step'
      ? l10n.t('Unknown step "{0}". Steps: {1}.', a.word, a.steps)
      : a.form === 'payload'
        ? l10n.t('Expected "text", hex or file after {0}, not "{1}".', a.step, a.word)
        : a.form === 'expect'
          ? l10n.t('Expected "text", hex, /regex/, bytes or close after expect, not "{0}".', a.word)
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
      case 'engine':
        return l10n.t('This runtime has no linear-time regex engine, so regular expressions cannot be used safely.');
      case 'backtracking':
        return l10n.t(
          'This pattern needs backtracking (a backreference, lookahead/lookbehind, or i together with u), which could freeze on hostile input; rewrite it without them.',
        );
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
    default:
      return undefined;
  }
}

function expected(a: MessageArgs): string | undefined {
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
    const want = expected(a);
    const why = expectWhy(a);
    const got = a.actualLength === 0 ? l10n.t('nothing') : a.actual;
    return want !== undefined && why !== undefined && got !== undefined ? l10n.t('expected {0} got {1} ({2})', want, got, why) : undefined;
  },
  'step.badRegex': (a) => l10n.t('bad regex: {0}', a.detail),
  'step.cannotRead': (a) => (a.error === undefined ? undefined : l10n.t('cannot send: {0}', a.error)),
  'step.fileTooBig': (a) => l10n.t('cannot send: {0} is {1} bytes; send file takes at most {2} bytes', a.path, a.size, a.max),
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
  'step.anyOrder': (a) => {
    const why = a.why === 'noneMatches' ? l10n.t('none of them matches the bytes there') : expectWhy({ ...a, why: a.why === 'peerClosed' ? 'peerClosed' : a.why });
    return why === undefined ? undefined : l10n.t('expected in any order {0} got {1} ({2})', a.expected, a.actual, why);
  },
};
