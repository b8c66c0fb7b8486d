// A `when`-clause context key that is sent to VS Code only when its value changes (the model is
// vscode-js-debug's managedContextKey): a traffic flood must not re-send the same value.
import * as vscode from 'vscode';
import { ContextKeyName } from './ids';

export class ContextKey<T> {
  private value?: T;
  private sent = false;

  constructor(private readonly key: ContextKeyName) {}

  set(value: T): void {
    if (this.sent && value === this.value) {
      return;
    }
    this.sent = true;
    this.value = value;
    void vscode.commands.executeCommand('setContext', this.key, value);
  }
}
