// Why a step failed, as a stable code with its values next to the English text, so the editor can
// word the failure in the user's language while the CLI and JUnit keep printing the English.
import { MessageArgs } from './ast';
import { WorkbenchError } from '../errors';

export const FAILURES = {
  /** `expected X got Y (why)`; `why` says which: differs, timeout, blockTimeout, peerClosed, notClosed, cancelled. */
  expect: 'step.expect',
  badRegex: 'step.badRegex',
  cannotRead: 'step.cannotRead',
  fileTooBig: 'step.fileTooBig',
  /** `why`: closed, notRead, cancelled, closedWhileSending. */
  sendFailed: 'step.sendFailed',
  blockTimeout: 'step.blockTimeout',
  cancelled: 'step.cancelled',
  notHere: 'step.notHere',
  noPort: 'step.noPort',
  refused: 'step.refused',
  connectFailed: 'step.connectFailed',
  connectTimeout: 'step.connectTimeout',
  noConnect: 'step.noConnect',
  failed: 'step.failed',
  /** An any order group gave up: `why` is noneMatches, peerClosed, timeout, blockTimeout or cancelled. */
  anyOrder: 'step.anyOrder',
} as const;

export type FailureCode = (typeof FAILURES)[keyof typeof FAILURES];

/** A step failure (connecting, reading a file to send) thrown inside the runner and reported, never shown raw. */
export class StepError extends WorkbenchError {
  constructor(
    readonly code: FailureCode,
    message: string,
    args: MessageArgs = {},
  ) {
    super(code, message, args);
  }
}

/** The code and values of an error caught while running a step. */
export function failureOf(e: unknown, fallback: FailureCode, args: MessageArgs): { message: string; code: FailureCode; args: MessageArgs } {
  if (e instanceof StepError) {
    return { message: e.message, code: e.code, args: e.args };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { message, code: fallback, args: { ...args, error: message } };
}
