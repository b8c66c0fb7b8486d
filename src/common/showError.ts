// How a failure reaches the user: logged, and shown with a "Show Log" button — never swallowed and
// never a raw stack in a notification. The sentence comes from the message table (messages.ts).
import * as vscode from 'vscode';
import { WorkbenchError } from '../core/errors';
import { Log } from './log';
import { messageOf } from './messages';

/** An expected failure of the extension layer with a message for people (bad input, nothing to act on). */
export class UserError extends WorkbenchError {
  constructor(message: string) {
    super('user', message);
  }
}

/** Logs and shows an error; the returned promise is not awaited by handlers (a notification can wait forever). */
export function showError(log: Log, e: unknown, context?: string): void {
  const msg = context ? `${context}: ${messageOf(e)}` : messageOf(e);
  log.error(msg, e);
  const showLog = vscode.l10n.t('Show Log');
  void vscode.window.showErrorMessage(msg, showLog).then((choice) => {
    if (choice === showLog) {
      log.show();
    }
  });
}
