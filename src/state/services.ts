// What every command needs, built once in activate().
import * as vscode from 'vscode';
import { TrafficLog } from '../core/traffic/trafficLog';
import { ServerManager } from './serverManager';
import { SessionManager } from './sessionManager';
import { TrafficDocuments } from './trafficDocuments';
import { ScriptTimelines } from './scriptTimelines';
import { Config } from '../common/config';
import { Log } from '../common/log';

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly servers: ServerManager;
  readonly sessions: SessionManager;
  readonly traffic: TrafficLog;
  readonly trafficDocs: TrafficDocuments;
  /** The timelines of the `.tcp` blocks' last runs, for Show Timeline from the Testing view. */
  readonly scriptTimelines: ScriptTimelines;
  /** The current settings; throws ConfigError when one is unusable, so nothing starts. */
  config(): Config;
  /** The settings, or undefined while one is unusable (for tooltips and defaults, which must not fail). */
  configOrUndefined(): Config | undefined;
  /** The configured host, or 127.0.0.1 while the settings are unusable. */
  safeHost(): string;
}
