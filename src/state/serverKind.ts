// What differs between server kinds (echo, file, relay, mock): how a start builds the core server,
// which extra events reach the log, what the tooltip and the child rows show. The manager and the view
// look the kind up here instead of branching on it.
import * as vscode from 'vscode';
import { TcpServer } from '../core/servers/serverBase';
import { TrafficLog } from '../core/traffic/trafficLog';
import { Config } from '../common/config';
import { Log } from '../common/log';
import { ServerEntry, StartOverrides } from './serverEntry';

/** A child row a kind shows under its server instead of the clients. */
export interface KindChild {
  readonly type: string;
  readonly entry: ServerEntry;
}

/** What a kind may use while it runs. */
export interface KindContext {
  readonly log: Log;
  readonly traffic: TrafficLog;
  /** Redraw the Servers view soon (throttled). */
  changed(): void;
}

export interface ServerKindDriver {
  /** Codicon of the server row. */
  readonly icon: string;
  /** False: the entry lives until the window reloads (mocks belong to their file). */
  readonly persisted: boolean;
  /** The core server for one start; may throw (bad option, unreadable file). */
  create(entry: ServerEntry, cfg: Config, over: StartOverrides): TcpServer | Promise<TcpServer>;
  /** Kind-specific events (beyond clients, data and errors, which the manager wires for all). */
  wire?(entry: ServerEntry, server: TcpServer, ctx: KindContext, cfg: Config): vscode.Disposable[];
  /** True: the kind records its own traffic-log lines (the relay says which direction). */
  readonly logsOwnTraffic?: boolean;
  /** Said after the address in the row's description (a relay's ` → target`). */
  afterAddress?(entry: ServerEntry): string;
  /** Extra lines of the tooltip, as Markdown list items without the dash. */
  tooltip(entry: ServerEntry, cfg: Config | undefined): string[];
  /** Child rows other than the base server's clients (each names its entry); undefined = the clients. */
  children?(entry: ServerEntry): KindChild[];
  childItem?(node: KindChild): vscode.TreeItem;
  /** Called after the server stopped (and when the entry is removed with `removed`). */
  stopped?(entry: ServerEntry, removed: boolean): Promise<void> | void;
}
