// What the editor keeps per open connection beyond the core object: its recorder, its repeater and a
// line ending that overrides the setting. Keyed `session:<id>` or `client:<entryId>:<clientId>`; the
// views read it to mark a row as recording or repeating and redraw when it changes.
import * as vscode from 'vscode';
import { LineEnding } from '../core/codec';
import { Recorder } from '../core/sessions/recorder';
import { Repeater } from '../core/sessions/repeater';

export interface Marks {
  recorder?: Recorder;
  repeater?: Repeater;
  /** What the repeater sends, for the status bar. */
  repeatLabel?: string;
  lineEnding?: LineEnding;
}

class ConnectionMarks {
  private readonly map = new Map<string, Marks>();
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;

  get(key: string): Marks {
    return this.map.get(key) ?? {};
  }

  /** Merges `change` into the marks of `key` (an undefined field clears it) and tells the views. */
  set(key: string, change: Partial<Marks>): void {
    const next = { ...this.get(key), ...change };
    const empty = Object.values(next).every((v) => v === undefined);
    if (empty) {
      this.map.delete(key);
    } else {
      this.map.set(key, next);
    }
    this._onDidChange.fire();
  }

  entries(): [string, Marks][] {
    return [...this.map.entries()];
  }

  /** The repeat counter moved: redraw without changing anything. */
  touch(): void {
    this._onDidChange.fire();
  }
}

/** One per extension host: the views and the commands share it. */
export const connectionMarks = new ConnectionMarks();

export const sessionKey = (id: number): string => `session:${id}`;
export const clientKey = (entryId: string, clientId: number): string => `client:${entryId}:${clientId}`;
