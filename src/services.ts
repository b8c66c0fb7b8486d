// What every command needs, built once in activate().
import * as vscode from 'vscode';
import { Config } from './config';
import { Log } from './log';
import { ServerManager } from './serverManager';
import { SessionManager } from './sessionManager';
import { TrafficDocuments, TrafficLog } from './traffic';

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly servers: ServerManager;
  readonly sessions: SessionManager;
  readonly traffic: TrafficLog;
  readonly trafficDocs: TrafficDocuments;
  /** The current settings; throws ConfigError when one is unusable, so nothing starts. */
  config(): Config;
}
