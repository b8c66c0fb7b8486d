// The diagnostics a script can produce: a stable code per kind, collected (never thrown) while parsing.
import { Diagnostic, DiagnosticSeverity, MessageArgs, Range } from './ast';
import { WorkbenchError } from '../errors';

export const CODES = {
  unknownStep: 'script.unknownStep',
  badEscape: 'script.badEscape',
  unterminated: 'script.unterminated',
  oddHex: 'script.oddHex',
  badHex: 'script.badHex',
  badRegex: 'script.badRegex',
  undefinedVariable: 'script.undefinedVariable',
  badVariable: 'script.badVariable',
  badAddress: 'script.badAddress',
  badDuration: 'script.badDuration',
  badRepeat: 'script.badRepeat',
  badCount: 'script.badCount',
  badIndent: 'script.badIndent',
  badEncoding: 'script.badEncoding',
  missingArgument: 'script.missingArgument',
  extraArgument: 'script.extraArgument',
  outsideBlock: 'script.outsideBlock',
  noConnect: 'script.noConnect',
  misplacedConnect: 'script.misplacedConnect',
  emptyBlock: 'script.emptyBlock',
  emptyRepeat: 'script.emptyRepeat',
  badCapture: 'script.badCapture',
  badRule: 'script.badRule',
  emptyTitle: 'script.emptyTitle',
  badExpression: 'script.badExpression',
  badFrame: 'script.badFrame',
  badConnection: 'script.badConnection',
  badGroup: 'script.badGroup',
  emptyGroup: 'script.emptyGroup',
  badInclude: 'script.badInclude',
  inInclude: 'script.inInclude',
  badTls: 'script.badTls',
  badProvoke: 'script.badProvoke',
} as const;

export type DiagnosticCode = (typeof CODES)[keyof typeof CODES];

/**
 * The codes that have more than one sentence, and the `form` arg that tells them apart. A translation
 * table needs one sentence per code and per form; the unit tests hold every diagnostic to this list.
 */
export const FORMS: Partial<Record<DiagnosticCode, readonly string[]>> = {
  [CODES.unknownStep]: ['step', 'payload', 'expect', 'anyOrder'],
  [CODES.badEscape]: ['x', 'u', 'unknown'],
  [CODES.unterminated]: ['string', 'regex'],
  [CODES.badRegex]: ['flags', 'syntax', 'unsupported', 'backtracking'],
  [CODES.badVariable]: ['capturedPath', 'syntax', 'noValue', 'capturedValue'],
  [CODES.badAddress]: ['captured', 'address'],
  [CODES.badTls]: ['boolean', 'noFile', 'key', 'fact', 'days', 'alreadyTls'],
  [CODES.badRepeat]: ['range', 'nested'],
  [CODES.badCount]: ['range'],
  [CODES.badIndent]: ['rules', 'unexpected', 'unmatched'],
  [CODES.badRule]: ['trigger', 'action', 'notRule', 'noAction'],
  [CODES.badExpression]: ['syntax', 'generator', 'notNumber', 'range', 'divideByZero', 'tooLarge'],
  [CODES.badFrame]: ['field', 'anyInSend', 'lenForm', 'noHex', 'restInSend', 'empty', 'twoLengths', 'restWithoutLength', 'twoRests', 'unknownSize', 'captures'],
  [CODES.badConnection]: ['name', 'unknown', 'missing', 'notNamed'],
  [CODES.badInclude]: ['missing', 'cycle', 'noFile', 'depth', 'path', 'blocks'],
  [CODES.badProvoke]: ['pieces', 'gap', 'onOff', 'together'],
};

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  error(code: DiagnosticCode, message: string, range: Range, args: MessageArgs): void {
    this.add(code, message, range, 'error', args);
  }

  warning(code: DiagnosticCode, message: string, range: Range, args: MessageArgs): void {
    this.add(code, message, range, 'warning', args);
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  private add(code: DiagnosticCode, message: string, range: Range, severity: DiagnosticSeverity, args: MessageArgs): void {
    this.list.push({ code, message, range, severity, args });
  }
}

export const range = (line: number, start: number, end: number): Range => ({ line, start, end: Math.max(end, start) });

/** `file:line:col: message` with 1-based line and column, the shape compilers print and editors link. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.line + 1}:${d.range.start + 1}: ${d.message}`;
}

/** A script with parse errors was asked to run: the first error, with where it is. */
export class ScriptParseError extends WorkbenchError {
  constructor(
    file: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    const d = diagnostics[0];
    super('script.parse', formatDiagnostic(file, d), { file, line: d.range.line + 1, column: d.range.start + 1, count: diagnostics.length });
  }
}

/** Throws ScriptParseError when the script has errors (warnings do not stop a run). */
export function assertRunnable(script: { readonly diagnostics: readonly Diagnostic[] }, file: string): void {
  const errors = script.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new ScriptParseError(file, errors);
  }
}
