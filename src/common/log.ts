// The lifecycle log: one LogOutputChannel ("TCP Workbench") plus the last lines in memory, which the
// test API reads (an output channel cannot be read back).
import * as vscode from 'vscode';
import { WorkbenchError } from '../core/errors';

const KEEP = 500;

export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('TCP Workbench', { log: true });
  private readonly recent: string[] = [];
  /** Lines ever logged: a mark that stays true once the oldest lines have left `recent`. */
  private total = 0;

  info(message: string): void {
    this.channel.info(message);
    this.keep('info', message);
  }

  warn(message: string): void {
    this.channel.warn(message);
    this.keep('warn', message);
  }

  error(message: string, error?: unknown): void {
    // The stack goes to the channel only; a person reads the message.
    // Errors raised on purpose carry a message for people; their stack helps nobody.
    if (error instanceof Error && error.stack && !(error instanceof WorkbenchError)) {
      this.channel.error(`${message}\n${error.stack}`);
    } else {
      this.channel.error(message);
    }
    this.keep('error', message);
  }

  show(): void {
    this.channel.show(true);
  }

  /** The last lines, oldest first, as `level: message`. */
  lines(): string[] {
    return [...this.recent];
  }

  /** How many lines were ever logged: a mark for `since()`. */
  count(): number {
    return this.total;
  }

  /** The lines logged after `mark` (a `count()`), as far as the last KEEP lines still hold them. */
  since(mark: number): string[] {
    return this.recent.slice(Math.max(0, this.recent.length - (this.total - mark)));
  }

  dispose(): void {
    this.channel.dispose();
  }

  private keep(level: string, message: string): void {
    this.recent.push(`${level}: ${message}`);
    this.total++;
    if (this.recent.length > KEEP) {
      this.recent.splice(0, this.recent.length - KEEP);
    }
  }
}
