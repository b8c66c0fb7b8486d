// Every command handler is wrapped once here: a failure is logged and shown with a "Show Log" button,
// never swallowed and never a raw stack in a notification.
import * as vscode from 'vscode';
import { ConnectError } from './core/clientSession';
import { Log } from './log';

/** An expected failure with a message for people (bad input, nothing to act on). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The message to show for an error, localized where we know the cause. */
export function messageOf(e: unknown): string {
  if (e instanceof ConnectError) {
    return e.message;
  }
  if (e instanceof Error) {
    return e.message;
  }
  return String(e);
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

// Handlers receive whatever VS Code or a caller passes (tree items, URIs, option objects).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (...args: any[]) => unknown;

/** Registers a command whose failures are logged and shown once; it then resolves to undefined. */
export function registerCommand(context: vscode.ExtensionContext, log: Log, id: string, handler: Handler): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (e) {
        showError(log, e);
        return undefined;
      }
    }),
  );
}
