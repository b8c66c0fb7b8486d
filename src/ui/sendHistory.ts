// The last texts sent with Send Text, per workspace, newest first, bounded.
import * as vscode from 'vscode';
import { StorageKeys } from '../common/ids';
import { HistoryEntry } from './sendMode';

const KEY = StorageKeys.sendHistory;
export const MAX_HISTORY = 20;

export class SendHistory {
  constructor(private readonly state: vscode.Memento) {}

  list(): HistoryEntry[] {
    const r = this.state.get<HistoryEntry[]>(KEY);
    return Array.isArray(r) ? r.filter((e) => e && typeof e.text === 'string' && typeof e.mode === 'string') : [];
  }

  async add(entry: HistoryEntry): Promise<void> {
    const rest = this.list().filter((e) => e.text !== entry.text || e.mode !== entry.mode);
    await this.state.update(KEY, [entry, ...rest].slice(0, MAX_HISTORY));
  }

  /** Returns how many entries were removed. */
  async clear(): Promise<number> {
    const n = this.list().length;
    await this.state.update(KEY, undefined);
    return n;
  }
}
