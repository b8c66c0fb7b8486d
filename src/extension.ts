// Entry point: builds the services, registers views and commands, returns the API integration tests use.
import * as vscode from 'vscode';
import { Config, ConfigError, SECTION, getConfig } from './config';
import { registerConnectCommand } from './connectCommand';
import { ConnectionsView } from './connectionsView';
import { registerDownloadCommand } from './downloadCommand';
import { Log } from './log';
import { registerSendCommands } from './sendCommands';
import { registerServerCommands } from './serverCommands';
import { ServerManager } from './serverManager';
import { ServersView } from './serversView';
import { Services } from './services';
import { SessionManager, sessionAddress } from './sessionManager';
import { registerStatusBar } from './statusBar';
import { Throttle } from './throttle';
import { TRAFFIC_SCHEME, TrafficDocuments, TrafficLog } from './traffic';

/** What `getExtension('tcp-workbench.tcp-workbench').exports` gives integration tests. */
export interface TcpWorkbenchApi {
  servers(): { id: string; label: string; kind: 'echo' | 'file'; state: string; address?: string; port?: number; clients: number; root?: string }[];
  sessions(): { id: number; address: string; state: string; bytesIn: number; bytesOut: number }[];
  stopAll(): Promise<void>;
  /** The last lifecycle log lines, `level: message`. */
  logLines(): string[];
  /** The traffic log as the traffic document shows it; `source` is `server:<id>` or `session:<id>`. */
  trafficText(source?: string): string;
  /** How long activate() took, in milliseconds (reported by the benchmarks). */
  readonly activationMs: number;
}

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): TcpWorkbenchApi {
  const started = performance.now();
  const log = new Log();
  const traffic = new TrafficLog();
  const servers = new ServerManager(context.workspaceState, log, traffic);
  const sessions = new SessionManager(context.globalState, log, traffic);
  const trafficDocs = new TrafficDocuments(traffic);
  let config: Config | ConfigError = readConfig(log);
  const svc: Services = {
    context,
    log,
    servers,
    sessions,
    traffic,
    trafficDocs,
    config: () => {
      if (config instanceof ConfigError) {
        throw config;
      }
      return config;
    },
  };
  context.subscriptions.push(
    log,
    traffic,
    servers,
    sessions,
    trafficDocs,
    vscode.workspace.registerTextDocumentContentProvider(TRAFFIC_SCHEME, trafficDocs),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) {
        config = readConfig(log);
      }
    }),
  );
  registerViews(svc);
  registerServerCommands(svc);
  registerConnectCommand(svc);
  registerSendCommands(svc);
  registerDownloadCommand(svc);
  registerStatusBar(svc);
  shutdown = async () => {
    await Promise.all([servers.stopAll(), sessions.closeAll()]);
  };
  return {
    servers: () =>
      servers.list().map((e) => ({
        id: e.id,
        label: e.label,
        kind: e.kind,
        state: e.state,
        address: e.addressText,
        port: e.address?.port,
        clients: e.server?.clients.length ?? 0,
        root: e.kind === 'file' ? e.root : undefined,
      })),
    sessions: () => sessions.sessions().map((s) => ({ id: s.id, address: sessionAddress(s), state: s.state, bytesIn: s.bytesIn, bytesOut: s.bytesOut })),
    stopAll: () => shutdown?.() ?? Promise.resolve(),
    logLines: () => log.lines(),
    trafficText: (source) => traffic.render(source),
    activationMs: performance.now() - started,
  };
}

/** Stops every server and session and waits until their sockets are closed. */
export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}

function readConfig(log: Log): Config | ConfigError {
  try {
    return getConfig();
  } catch (e) {
    // Reported when something would start; nothing runs on a bad setting.
    log.warn((e as Error).message);
    return e instanceof ConfigError ? e : new ConfigError((e as Error).message);
  }
}

function registerViews(svc: Services): void {
  const serversView = new ServersView(svc.servers, () => {
    try {
      return svc.config();
    } catch {
      return undefined;
    }
  });
  const serversTree = vscode.window.createTreeView('tcpWorkbench.servers', { treeDataProvider: serversView, showCollapseAll: false });
  serversView.setVisible(serversTree.visible);
  const connectionsView = new ConnectionsView(svc.sessions);
  const connectionsTree = vscode.window.createTreeView('tcpWorkbench.connections', { treeDataProvider: connectionsView });
  // Throttled: the managers fire on every chunk of traffic.
  const context = new Throttle(() => {
    void vscode.commands.executeCommand('setContext', 'tcpWorkbench.serversRunning', svc.servers.running().length > 0);
    void vscode.commands.executeCommand('setContext', 'tcpWorkbench.hasSessions', svc.sessions.sessions().length > 0);
  }, 300);
  const setContext = () => context.schedule();
  setContext();
  svc.context.subscriptions.push(
    serversView,
    serversTree,
    connectionsView,
    connectionsTree,
    context,
    serversTree.onDidChangeVisibility((e) => serversView.setVisible(e.visible)),
    svc.servers.onDidChange(setContext),
    svc.sessions.onDidChange(setContext),
  );
}
