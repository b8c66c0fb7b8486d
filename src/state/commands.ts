// Every command id in one place, with its argument and result types (the model is vscode-js-debug's
// contributionUtils). The code registers and the integration tests run commands through these types,
// so an id, what it takes and what it returns are stated once.
import * as vscode from 'vscode';
import type { ClientSession } from '../core/sessions/clientSession';
import type { EncodingName, LineEnding } from '../core/codec';
import type { ExistingPolicy } from '../core/downloads/downloader';
import type { EchoMode } from '../core/servers/echoServer';
import type { RelayConnectionNode } from './relayRows';
import type { ClientNode, ServerEntry, ServerKind, ServerSpec, ServerTlsSpec } from './serverEntry';
import type { SendMode } from '../ui/sendMode';
import { Log } from '../common/log';
import { showError } from '../common/showError';

/** A session, or a client of one of our servers, whose timeline a command means. */
export interface TimelineTargetArgs {
  sessionId?: number;
  entryId?: string;
  clientId?: number;
  /** A relay connection (with `entryId`). */
  connectionId?: number;
  /** A `.tcp` file's uri: the last run of its block at `line` (zero-based). */
  script?: string;
  line?: number;
}

/** Options for starting without UI (tests, other extensions). */
export interface StartArgs {
  entryId?: string;
  port?: number;
  host?: string;
  mode?: EchoMode;
  replyText?: string;
  root?: string;
}

export interface StartResult {
  id: string;
  address: string;
  port: number;
}

export type AddServerArgs = StartArgs & {
  kind?: ServerKind;
  label?: string;
  target?: string;
  /** Listen with TLS: `{}` uses the generated local certificate (kept in the global storage). */
  tls?: ServerTlsSpec;
  /** A relay to a `tls://` target: how the target's certificate is checked. */
  targetTls?: ServerSpec['targetTls'];
};

/** A listen block of a .tcp file: its `uri` (or path) and a 0-based line inside the block. */
export interface ScriptServerArgs {
  uri: string;
  line: number;
  /** Say where it listens in a notification (the CodeLens asks for it). */
  notify?: boolean;
}

export interface RelayArgs {
  port?: number;
  host?: string;
  /** `host:port` of the target server; `tls://host:port` connects to it with TLS. */
  target: string;
  /** A `tls://` target: trust this CA file besides the system store, or accept any certificate. */
  targetTls?: ServerSpec['targetTls'];
  /** Listen with TLS (`{}`: the generated local certificate). */
  tls?: ServerTlsSpec;
}

/** Export Local CA…: where to copy the CA's PEM (without it, a save dialog asks). */
export interface ExportLocalCaArgs {
  path?: string;
  overwrite?: boolean;
}

/** The relay `entryId`, optionally one `connectionId`, and the file (an existing one needs `overwrite`). */
export interface ExportPcapArgs {
  entryId: string;
  connectionId?: number;
  path: string;
  overwrite?: boolean;
  /** `wire`: the wire capture with its TLS keys (whole relay); `keylog`: those keys alone (`packets`: their count); default `pcap`. */
  kind?: 'pcap' | 'wire' | 'keylog';
}

export interface ExportPcapResult {
  path: string;
  packets: number;
  bytes: number;
}

export interface ExportScriptArgs {
  entryId: string;
  connectionId?: number;
  /** Open the script in an editor; default true. */
  show?: boolean;
}

/** A server entry from the tree, or `{ entryId }`. */
type EntryArg = ServerEntry | { entryId?: string };

/** What a caller may pass as `tls` to Connect (and STARTTLS). */
export interface TlsArgs {
  insecure?: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Decrypts an encrypted key; when one is needed and missing, it is asked for (never stored). */
  passphrase?: string;
  servername?: string;
  alpn?: string[];
}

interface ConnectArgs {
  /** `host:port`, or a bare port on the configured host. */
  address: string;
  /** Overrides the encoding setting for this connection. */
  encoding?: EncodingName;
  /** Overrides the lineEnding setting for this connection. */
  lineEnding?: LineEnding;
  /** Open the traffic document of the new session; default true. */
  show?: boolean;
  /** Connect with TLS (also implied by a `tls://` address); the certificate is verified unless `insecure`. */
  tls?: TlsArgs;
}

export interface SessionInfo {
  id: number;
  address: string;
}

/** A session from the Connections view, or `{ sessionId }`. */
type SessionArg = ClientSession | { sessionId?: number };

type SendResult = SessionInfo & { bytes: number };

/** A client of a server: `{ entryId, clientId }`. */
type ClientArg = { entryId: string; clientId: number };
/** One open connection from an options object: a session (default the active one) or a server's client. */
export type TargetArgs = { sessionId?: number } | ClientArg;
/** A row of the Connections or Servers view. */
type ConnectionArg = ClientSession | ClientNode;

export interface RepeatInfo {
  repeatId: number;
  /** Bytes per send. */
  bytes: number;
  target: string;
}

export interface DownloadArgs {
  /** `host:port` of the file server. */
  address: string;
  /** The name as the server knows it. */
  name: string;
  /** Target folder; default the workspace folder plus the downloadFolder setting. */
  folder?: string;
  /** Default 'fail'. */
  existing?: ExistingPolicy;
}

export interface DownloadInfo {
  path: string;
  bytes: number;
  durationMs: number;
  sha256: string;
}

/** Run a `.tcp` file (all its client blocks) or the client block at `line` (zero-based, any line of it). */
export interface RunScriptArgs {
  /** The file's URI as text (`vscode.Uri.toString()`). */
  uri: string;
  line?: number;
}

/** One block's outcome, as the Testing view shows it. */
export interface ScriptBlockSummary {
  title: string;
  /** Zero-based line of the block's `###` title. */
  line: number;
  status: 'passed' | 'failed' | 'cancelled' | 'skipped';
  durationMs: number;
  /** Where and why it failed: zero-based line and column of the failing step. */
  failure?: { line: number; column: number; message: string };
  /** Bytes each connection left unread at the end of the block ('' names the unnamed connection). */
  leftovers?: { connection: string; bytes: number }[];
}

export interface RunScriptResult {
  passed: number;
  failed: number;
  cancelled: boolean;
  blocks: ScriptBlockSummary[];
}

/** `path` saves there without asking (it must not exist yet); `sessionIds` (two or more) saves one block of named connections. */
type SaveScriptArg = ClientSession | { sessionId?: number; sessionIds?: number[]; path?: string };

/** How a traffic document lays out data (see src/core/traffic/trafficView.ts). */
export type TrafficLayoutName = 'text' | 'hex' | 'textAndHex';

/** The layout now in force and the `tcp-traffic:` URI of the document that shows it. */
export interface LayoutResult {
  layout: TrafficLayoutName;
  uri: string;
}

/** What a layout command acts on: a session or server row, a client row, `{ sessionId | entryId }`, a traffic document. */
type LayoutTarget = SessionArg | EntryArg | ClientNode | vscode.Uri;

/** id → (arguments) => result. Every handler may also resolve to undefined (cancelled, or failed and shown). */
export interface CommandTypes {
  'tcpWorkbench.startEchoServer': (args?: StartArgs) => StartResult;
  'tcpWorkbench.startFileServer': (args?: StartArgs) => StartResult;
  'tcpWorkbench.startServer': (arg?: ServerEntry | StartArgs) => StartResult;
  'tcpWorkbench.stopServer': (arg?: EntryArg) => void;
  'tcpWorkbench.stopAllServers': () => void;
  'tcpWorkbench.addServer': (args?: AddServerArgs) => StartResult;
  'tcpWorkbench.removeServer': (arg?: EntryArg) => void;
  'tcpWorkbench.configureServer': (arg?: EntryArg) => void;
  'tcpWorkbench.copyAddress': (arg?: EntryArg) => string;
  'tcpWorkbench.kickClient': (arg?: ClientNode) => void;
  'tcpWorkbench.sendToClient': (arg?: ClientNode | (ClientArg & { text: string; mode?: SendMode }), text?: string) => boolean;
  'tcpWorkbench.sendToAllClients': (arg?: ServerEntry | { entryId: string; text: string; mode?: SendMode }) => { clients: number; bytes: number };
  'tcpWorkbench.repeatSend': (arg?: ConnectionArg | (TargetArgs & { text: string; mode?: SendMode; everyMs: number; count?: number })) => RepeatInfo;
  'tcpWorkbench.stopRepeat': (arg?: ConnectionArg | TargetArgs | { repeatId?: number }) => { stopped: number; sent: number };
  'tcpWorkbench.sendFile': (arg?: vscode.Uri | ConnectionArg | (TargetArgs & { uri: string | vscode.Uri })) => { bytes: number; chunks: number; target: string };
  'tcpWorkbench.startRecording': (arg?: ConnectionArg | (TargetArgs & { file: string; overwrite?: boolean })) => { file: string };
  'tcpWorkbench.stopRecording': (arg?: ConnectionArg | TargetArgs) => { file: string; bytes: number };
  'tcpWorkbench.setEncoding': (arg?: ClientSession | ClientNode | (TargetArgs & { encoding?: EncodingName; lineEnding?: LineEnding })) => {
    encoding: EncodingName;
    lineEnding: LineEnding;
  };
  'tcpWorkbench.resetCounters': (arg?: ConnectionArg | TargetArgs) => void;
  'tcpWorkbench.clearSendHistory': () => { cleared: number };
  'tcpWorkbench.connect': (args?: ConnectArgs) => SessionInfo;
  'tcpWorkbench.connectWithEncoding': (args?: ConnectArgs) => SessionInfo;
  'tcpWorkbench.sendSelection': (args?: { sessionId?: number; mode?: SendMode }) => SendResult;
  'tcpWorkbench.sendText': (arg?: ClientSession | { sessionId?: number; text?: string; mode?: SendMode }) => SendResult;
  'tcpWorkbench.disconnect': (arg?: SessionArg) => void;
  'tcpWorkbench.downloadFile': (arg?: DownloadArgs | vscode.Uri) => DownloadInfo;
  'tcpWorkbench.downloadFileHere': (arg?: DownloadArgs | vscode.Uri) => DownloadInfo;
  'tcpWorkbench.showTrafficLog': () => void;
  'tcpWorkbench.showTraffic': (arg?: EntryArg) => void;
  'tcpWorkbench.showSessionTraffic': (arg?: SessionArg) => void;
  'tcpWorkbench.showLog': () => void;
  'tcpWorkbench.showStatusMenu': () => void;
  'tcpWorkbench.openSampleMessages': () => string;
  /** A Uri (CodeLens, Explorer, editor title: may ask) or `{ uri, line? }` (never asks). */
  'tcpWorkbench.runScript': (arg?: RunScriptArgs | vscode.Uri, line?: number) => RunScriptResult;
  'tcpWorkbench.saveSessionAsScript': (arg?: SaveScriptArg) => { path: string };
  'tcpWorkbench.startScriptServer': (args?: ScriptServerArgs) => StartResult;
  'tcpWorkbench.startRelay': (args?: RelayArgs) => StartResult;
  'tcpWorkbench.exportRelayPcap': (arg?: ExportPcapArgs | ServerEntry | RelayConnectionNode) => ExportPcapResult;
  'tcpWorkbench.exportRelayScript': (arg?: ExportScriptArgs | ServerEntry | RelayConnectionNode) => { text: string; uri: string };
  'tcpWorkbench.kickRelayConnection': (arg?: RelayConnectionNode | { entryId: string; connectionId: number }) => void;
  'tcpWorkbench.exportRelayListenBlock': (arg?: ExportScriptArgs | ServerEntry | RelayConnectionNode) => { text: string; uri: string };

  'tcpWorkbench.toggleHexView': (arg?: LayoutTarget) => LayoutResult;
  'tcpWorkbench.setTrafficLayout': (arg?: LayoutTarget | { sessionId?: number; entryId?: string; layout?: TrafficLayoutName }) => LayoutResult;
  'tcpWorkbench.openTerminal': (arg?: SessionArg) => { sessionId: number; name: string };
  /** A session row, a client row of our servers, `{ sessionId }` / `{ entryId, clientId }`, or nothing (the active session). */
  'tcpWorkbench.showTimeline': (arg?: ClientSession | ClientNode | RelayConnectionNode | vscode.TestItem | TimelineTargetArgs) => { title: string; events: number };
  'tcpWorkbench.timelineAction': (
    arg?: TimelineTargetArgs & {
      action: 'pieces' | 'together' | 'nagleOff' | 'nagleOn' | 'halfClose' | 'reset' | 'pause' | 'resume' | 'closeUnread';
      text?: string;
      pieces?: number;
      gapMs?: number;
    },
  ) => { events: number };
  'tcpWorkbench.exportTimeline': (arg?: TimelineTargetArgs & { format?: 'svg' | 'json'; path?: string }) => { path: string };
  'tcpWorkbench.showCertificateChain': (arg?: SessionArg) => { uri: string; certificates: number };
  'tcpWorkbench.startTls': (arg?: ClientSession | { sessionId?: number; tls?: TlsArgs }) => { sessionId: number; protocol: string; cipher: string; trust: string };
  /** `{ address }` forgets that address's trusted certificates, `{}` all of them; without arguments it asks. */
  'tcpWorkbench.forgetTrustedCertificates': (arg?: { address?: string }) => { forgotten: number };
  /** The local CA of TLS servers (generated on first use): `path` = where it was copied, `caFile` = where it is kept. */
  'tcpWorkbench.exportLocalCa': (arg?: ExportLocalCaArgs) => { path: string; caFile: string; fingerprint256: string };
}

export type CommandId = keyof CommandTypes;
type Args<K extends CommandId> = Parameters<CommandTypes[K]>;
type Result<K extends CommandId> = ReturnType<CommandTypes[K]>;

/** Registers a command whose failures are logged and shown once (with "Show Log"); it then resolves to undefined. */
export function registerCommand<K extends CommandId>(
  context: vscode.ExtensionContext,
  log: Log,
  id: K,
  handler: (...args: Args<K>) => Result<K> | undefined | Promise<Result<K> | undefined>,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: Args<K>) => {
      try {
        return await handler(...args);
      } catch (e) {
        showError(log, e);
        return undefined;
      }
    }),
  );
}

/**
 * The `vscode.Command` of a tree item, CodeLens or status bar item, typed by the command's entry (the model is
 * vscode-js-debug's `asCommand()`): a misspelt id or a wrong argument does not compile.
 */
export function asCommand<K extends CommandId>(c: { command: K; title: string; tooltip?: string; arguments?: Args<K> }): vscode.Command {
  return { command: c.command, title: c.title, tooltip: c.tooltip, arguments: c.arguments };
}

/** Runs one of our commands with its own argument and result types. */
export function runCommand<K extends CommandId>(id: K, ...args: Args<K>): Thenable<Result<K> | undefined> {
  return vscode.commands.executeCommand<Result<K> | undefined>(id, ...args);
}
