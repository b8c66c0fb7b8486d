// What the editor keeps per open connection beyond the core object: its recorder, its repeater and a
// line ending that overrides the setting. Keyed by the connection object itself (a ClientSession, or an
// echo server's ClientInfo) and dropped when that connection closes: a later connection never inherits
// them, even one with the same id. The views read it to mark a row as recording or repeating and redraw
// when it changes.
import * as vscode from 'vscode';
import { LineEnding } from '../core/codec';
import { ClientInfo } from '../core/servers/serverBase';
import { ClientSession } from '../core/sessions/clientSession';
import { Link } from '../core/sessions/connectionLink';
import { Recorder } from '../core/sessions/recorder';
import { Repeater } from '../core/sessions/repeater';

/** One open connection as an object: a session, or one client of an echo server. */
export type Connection = ClientSession | ClientInfo;

export interface Marks {
  recorder?: Recorder;
  repeater?: Repeater;
  /** What the repeater sends, for the status bar. */
  repeatLabel?: string;
  lineEnding?: LineEnding;
}

class ConnectionMarks {
  private readonly map = new Map<Connection, { marks: Marks; closeSub: { dispose(): void } }>();
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;

  get(c: Connection): Marks {
    return this.map.get(c)?.marks ?? {};
  }

  /**
   * Merges `change` into the marks of a connection (an undefined field clears it) and tells the views.
   * The marks go when `link` closes; a connection already closed keeps none.
   */
  set(owner: { connection: Connection; link: Link }, change: Partial<Marks>): void {
    const c = owner.connection;
    const had = this.map.get(c);
    const marks = { ...had?.marks, ...change };
    if (Object.values(marks).every((v) => v === undefined) || (!had && !owner.link.isOpen)) {
      this.forget(c);
      return;
    }
    const closeSub = had?.closeSub ?? owner.link.onDidClose(() => this.forget(c));
    this.map.set(c, { marks, closeSub });
    this._onDidChange.fire();
  }

  private forget(c: Connection): void {
    const had = this.map.get(c);
    this.map.delete(c);
    had?.closeSub.dispose();
    this._onDidChange.fire();
  }

  entries(): [Connection, Marks][] {
    return [...this.map.entries()].map(([c, m]) => [c, m.marks]);
  }

  /** The repeat counter moved: redraw without changing anything. */
  touch(): void {
    this._onDidChange.fire();
  }
}

/** One per extension host: the views and the commands share it. */
export const connectionMarks = new ConnectionMarks();
