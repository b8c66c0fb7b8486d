// Entry point: builds the services, registers views and commands, returns the API integration tests use.
import * as vscode from 'vscode';
import { Config, ConfigError, SECTION, getConfig } from './common/config';
import { ContextKey } from './common/contextKey';
import { ContextKeys, ViewIds } from './common/ids';
import { Log } from './common/log';
import { Services } from './state/services';
import { ScriptTimelines } from './state/scriptTimelines';
import { registerDownloadCommand } from './downloads/downloadCommand';
import { prepared, registerAgentTools } from './agent/lmTools';
import { registerRelayCommands } from './relay/relayCommands';
import { relayKind, relayRunOf } from './relay/relayKind';
import { registerClientCommands } from './servers/clientCommands';
import { registerConfigureServer } from './servers/configureServer';
import { echoKind, fileKind } from './servers/echoFileKinds';
import { registerMockCommands } from './servers/mockCommands';
import { mockKind } from './servers/mockEntry';
import { registerServerCommands } from './servers/serverCommands';
import { ServerManager } from './state/serverManager';
import { ServersView, clientDescription, serverDescription } from './servers/serversView';
import { registerStatusBar, statusBarShown } from './servers/statusBar';
import { registerConnectCommand } from './sessions/connectCommand';
import { registerTlsCommands } from './sessions/tlsCommands';
import { registerLocalCaCommand } from './servers/localCaCommand';
import { trustedCertificates } from './sessions/tlsConnect';
import { registerAssistantCommands } from './sessions/encodingCommands';
import { ConnectionsView } from './sessions/connectionsView';
import { registerScripts } from './scripts/registerScripts';
import { reportedTestRuns } from './scripts/scriptRun';
import { registerSampleMessages } from './sessions/sampleMessages';
import { registerSendCommands } from './sessions/sendCommands';
import { SessionManager, sessionAddress } from './state/sessionManager';
import { registerSessionTerminal, terminalTranscript } from './sessions/sessionTerminal';
import { registerTrafficCommands } from './traffic/trafficCommands';
import { TRAFFIC_SCHEME, TrafficDocuments, createTrafficLog } from './state/trafficDocuments';
import { registerTimelineCommands } from './timeline/timelineCommands';

/** What `getExtension('tcp-workbench.tcp-workbench').exports` gives integration tests. */
export interface TcpWorkbenchApi {
  servers(): {
    id: string;
    label: string;
    kind: 'echo' | 'file' | 'relay' | 'mock';
    state: string;
    address?: string;
    port?: number;
    clients: number;
    root?: string;
    target?: string;
    file?: string;
    /** The Servers view row's description (`:9007 · TLS · 1 client · echo`). */
    description: string;
    /** A TLS server: its certificate while it runs, and where the generated one's CA is. */
    tls?: { generated: boolean; subject?: string; fingerprint256?: string; caFile?: string; clientCertRequired: boolean };
  }[];
  /** The client rows of a server: the row's description and the TLS facts (protocol, the client certificate's subject). */
  serverClients(entryId: string): { id: number; remote: string; description: string; tls?: { protocol: string; cipher: string; peerSubject?: string } }[];
  /** A relay's connection rows (open and recently closed) and its capture file. */
  relay(entryId: string): { connections: { id: number; client: string; state: string; bytesToServer: number; bytesToClient: number }[]; capture?: string } | undefined;
  sessions(): {
    id: number;
    address: string;
    state: string;
    bytesIn: number;
    bytesOut: number;
    chunksIn: number;
    chunksOut: number;
    /** The handshake of a TLS session. */
    tls?: { protocol: string; cipher: string; alpn?: string; peerSubject?: string; trust: string };
  }[];
  /** The certificates trusted by fingerprint in this workspace ("Connect anyway"), per address. */
  trustedCertificates(): Record<string, string[]>;
  stopAll(): Promise<void>;
  /** The last lifecycle log lines, `level: message`. */
  logLines(): string[];
  /** How many log lines were ever written: a mark for logSince (logLines() stops growing at its bound). */
  logCount(): number;
  /** The log lines written after a logCount() mark. */
  logSince(mark: number): string[];
  /** The traffic log as the traffic document shows it; `source` is `server:<id>` or `session:<id>`. */
  trafficText(source?: string): string;
  /** What the terminal of a session printed (Open Terminal), or undefined when none is open. */
  terminalText(sessionId: number): string | undefined;
  /** The status bar item's text and accessible label while servers run. */
  statusBar(): { text: string; label: string } | undefined;
  /** The last runs of .tcp blocks reported to the Testing view (its test items' labels, the tally), newest last. */
  testingRuns(): readonly { items: string[]; passed: number; failed: number }[];
  /** What an agent tool says before it runs (its confirmation, when it opens a port or connects). */
  agentToolPrepared(name: string, input: Record<string, unknown>): { invocationMessage?: string; title?: string; message?: string };
  /** How long activate() took, in milliseconds (reported by the benchmarks). */
  readonly activationMs: number;
}

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): TcpWorkbenchApi {
  const started = performance.now();
  const svc = createServices(context);
  registerViews(svc);
  registerServerCommands(svc);
  registerConfigureServer(svc);
  registerClientCommands(svc);
  registerMockCommands(svc);
  registerRelayCommands(svc);
  registerConnectCommand(svc);
  registerTlsCommands(svc);
  registerLocalCaCommand(svc);
  registerSendCommands(svc);
  registerSampleMessages(svc);
  registerDownloadCommand(svc);
  registerTrafficCommands(svc);
  registerStatusBar(svc);
  const runScriptFile = registerScripts(svc);
  registerSessionTerminal(svc);
  registerAssistantCommands(svc);
  registerTimelineCommands(svc);
  registerAgentTools(svc, runScriptFile);
  shutdown = async () => {
    await Promise.all([svc.servers.stopAll(), svc.sessions.closeAll()]);
  };
  return api(svc, performance.now() - started);
}

/** Stops every server and session and waits until their sockets are closed. */
export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}

function createServices(context: vscode.ExtensionContext): Services {
  const log = new Log();
  const traffic = createTrafficLog();
  const servers = new ServerManager(
    context.workspaceState,
    log,
    traffic,
    { echo: echoKind, file: fileKind, relay: relayKind, mock: mockKind },
    context.globalStorageUri.fsPath,
  );
  const sessions = new SessionManager(context.globalState, log, traffic);
  const trafficDocs = new TrafficDocuments(traffic);
  let config: Config | ConfigError = readConfig(log);
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
  const configOrUndefined = () => (config instanceof ConfigError ? undefined : config);
  return {
    context,
    log,
    servers,
    sessions,
    traffic,
    trafficDocs,
    scriptTimelines: new ScriptTimelines(),
    config: () => {
      if (config instanceof ConfigError) {
        throw config;
      }
      return config;
    },
    configOrUndefined,
    safeHost: () => configOrUndefined()?.host ?? '127.0.0.1',
  };
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
  const serversView = new ServersView(svc.servers, svc.configOrUndefined);
  const serversTree = vscode.window.createTreeView(ViewIds.servers, { treeDataProvider: serversView, showCollapseAll: false });
  serversView.setVisible(serversTree.visible);
  const connectionsView = new ConnectionsView(svc.sessions);
  const connectionsTree = vscode.window.createTreeView(ViewIds.connections, { treeDataProvider: connectionsView });
  const serversRunning = new ContextKey<boolean>(ContextKeys.serversRunning);
  const hasSessions = new ContextKey<boolean>(ContextKeys.hasSessions);
  const setContext = () => {
    serversRunning.set(svc.servers.running().length > 0);
    hasSessions.set(svc.sessions.sessions().length > 0);
  };
  setContext();
  svc.context.subscriptions.push(
    serversView,
    serversTree,
    connectionsView,
    connectionsTree,
    serversTree.onDidChangeVisibility((e) => serversView.setVisible(e.visible)),
    svc.servers.onDidChange(setContext),
    svc.sessions.onDidChange(setContext),
  );
}

function api(svc: Services, activationMs: number): TcpWorkbenchApi {
  return {
    servers: () =>
      svc.servers.list().map((e) => ({
        id: e.id,
        label: e.label,
        kind: e.kind,
        state: e.state,
        address: e.addressText,
        port: e.address?.port,
        clients: e.server?.clients.length ?? 0,
        root: e.kind === 'file' ? e.root : undefined,
        target: e.spec.target,
        file: e.spec.file,
        description: serverDescription(e, svc.servers.driverOf(e)),
        tls: e.spec.tls && {
          generated: !e.spec.tls.certFile,
          subject: e.server?.tlsInfo?.certificate.subject,
          fingerprint256: e.server?.tlsInfo?.certificate.fingerprint256,
          caFile: e.server?.tlsInfo?.caFile,
          clientCertRequired: !!e.spec.tls.clientCaFile,
        },
      })),
    serverClients: (entryId) =>
      (svc.servers.get(entryId)?.server?.clients ?? []).map((c) => ({
        id: c.id,
        remote: c.remote,
        description: clientDescription(c),
        tls: c.tls && { protocol: c.tls.protocol, cipher: c.tls.cipher, peerSubject: c.tls.peerSubject },
      })),
    relay: (entryId) => {
      const e = svc.servers.get(entryId);
      const run = e && relayRunOf(e);
      return (
        run && {
          connections: run.rows.map((r) => ({
            id: r.connection.id,
            client: r.connection.client.remote,
            state: r.state,
            bytesToServer: r.connection.bytesToServer,
            bytesToClient: r.connection.bytesToClient,
          })),
          capture: run.capture?.file,
        }
      );
    },
    sessions: () =>
      svc.sessions.sessions().map((s) => ({
        id: s.id,
        address: sessionAddress(s),
        state: s.state,
        bytesIn: s.bytesIn,
        bytesOut: s.bytesOut,
        chunksIn: s.chunksIn,
        chunksOut: s.chunksOut,
        tls: s.tlsFacts && { protocol: s.tlsFacts.protocol, cipher: s.tlsFacts.cipher, alpn: s.tlsFacts.alpn, peerSubject: s.tlsFacts.peerSubject, trust: s.tlsFacts.trust },
      })),
    trustedCertificates: () => trustedCertificates(svc),
    stopAll: () => shutdown?.() ?? Promise.resolve(),
    logLines: () => svc.log.lines(),
    logCount: () => svc.log.count(),
    logSince: (mark) => svc.log.since(mark),
    trafficText: (source) => svc.traffic.render(source),
    terminalText: terminalTranscript,
    statusBar: statusBarShown,
    testingRuns: reportedTestRuns,
    agentToolPrepared: (name, input) => {
      const p = prepared(name, input);
      const text = (m: string | vscode.MarkdownString | undefined) => (typeof m === 'string' ? m : m?.value);
      return { invocationMessage: text(p.invocationMessage), title: p.confirmationMessages?.title, message: text(p.confirmationMessages?.message) };
    },
    activationMs,
  };
}
