// What a tool needs from its front end: servers it can start, list and stop, client sessions, the traffic
// log. The CLI's MCP server keeps its own (coreHost.ts); the extension hands its server and session
// managers over, so a tool's servers are rows in the Servers view and its traffic is in the traffic log.
import { EncodingName } from '../codec';
import { HostPort } from '../hostPort';
import { ClientSession } from '../sessions/clientSession';
import { TrafficEntry } from '../traffic/trafficLog';
import type { RunScriptInput } from './runScript';

export const SERVER_KINDS = ['echo', 'reply', 'file', 'mock', 'relay'] as const;
export type AgentServerKind = (typeof SERVER_KINDS)[number];

export interface StartRequest {
  readonly kind: AgentServerKind;
  /** Default 127.0.0.1 (a mock: its listen line's). */
  readonly host?: string;
  /** Default 0, any free port (a mock: its listen line's). */
  readonly port?: number;
  /** reply: the text sent back for every chunk. */
  readonly reply?: string;
  /** file: the folder served (absolute). */
  readonly root?: string;
  /** mock: the .tcp file (absolute) and the title of its listen block (default: the first). */
  readonly file?: string;
  readonly block?: string;
  /** relay: where each client is relayed to. */
  readonly target?: HostPort;
}

export interface ServerRow {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly state: string;
  readonly address?: string;
  readonly clients: number;
  readonly target?: string;
  readonly file?: string;
  /** What readTraffic takes to read this server's traffic. */
  readonly traffic: string;
}

export interface AgentHost {
  /** Where relative paths start: the workspace folder, or the CLI's current folder (or --root). */
  readonly root: string;
  startServer(req: StartRequest): Promise<ServerRow>;
  /** The row as it was, or undefined when there is no server with that id. */
  stopServer(id: string): Promise<ServerRow | undefined>;
  listServers(): ServerRow[];
  /**
   * A connected session whose traffic the host records under `session:<id>` (and shows, in the editor);
   * `wire` subscribes to the session before it connects, so no early byte is missed.
   */
  connect(host: string, port: number, encoding: EncodingName, wire: (s: ClientSession) => void): Promise<ClientSession>;
  closeSession(session: ClientSession): Promise<void>;
  /**
   * Runs a .tcp file (absolute) as runScript describes and returns its report. The editor runs it as
   * Run Script does (Testing view, its mocks as Servers rows); the CLI runs it in the core.
   */
  runScript(file: string, input: RunScriptInput): Promise<object>;
  /** Traffic-log entries of `server:<id>` or `session:<id>`, oldest first. */
  traffic(source: string): readonly TrafficEntry[];
}
