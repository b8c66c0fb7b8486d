// The workbench as tools for agents: one table of name, model-facing description, JSON input schema and
// handler over the core. Two front ends read it: VS Code's language model tools (src/agent/lmTools.ts)
// and `tcp-workbench mcp` (src/cli/mcpCommand.ts). Results are JSON text, at most MAX_RESULT_CHARS.
import { ENCODINGS } from '../codec';
import { WorkbenchError } from '../errors';
import { parseHostPort } from '../hostPort';
import { exchange, ExchangeInput } from './exchange';
import { AgentHost, SERVER_KINDS, AgentServerKind } from './host';
import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MAX_TRAFFIC_ENTRIES } from './limits';
import { resolvePath } from './paths';
import { RunScriptInput } from './runScript';
import { ObjectSchema } from './schema';

export interface ToolDef {
  /** `tcpWorkbench_<verb>`: the name both front ends register. */
  readonly name: string;
  /** A short English title (MCP clients show it). */
  readonly title: string;
  /** For the model: what the tool does, when to use it, what it returns. */
  readonly description: string;
  readonly inputSchema: ObjectSchema;
  /** Opens a port or connects: the editor asks the user first. */
  readonly network: boolean;
  /** Changes nothing (list, read). */
  readonly readOnly: boolean;
  run(host: AgentHost, input: Record<string, unknown>): Promise<unknown>;
}

const timeout = (what: string) =>
  ({ type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS, description: `${what} in milliseconds (default ${DEFAULT_TIMEOUT_MS}, at most ${MAX_TIMEOUT_MS}).` }) as const;
const hostProp = {
  type: 'string',
  maxLength: 255,
  description: 'Host or IP address; default 127.0.0.1 (loopback). Use 0.0.0.0 only if other machines must reach it.',
} as const;

const startServer: ToolDef = {
  name: 'tcpWorkbench_startServer',
  title: 'Start a TCP server',
  description:
    'Starts a local TCP server and returns its id and address (host:port). Kinds: "echo" sends every byte back; "reply" answers every chunk with the fixed text "reply"; ' +
    '"file" serves the files of the folder "root" (a client sends a name, gets the bytes); "mock" runs a listen block of a .tcp file ("file", optional "block" title) ' +
    'whose rules answer clients; "relay" forwards each client to "target" (host:port) and logs both directions. Binds 127.0.0.1 and a free port unless told otherwise. ' +
    'The server runs until tcpWorkbench_stopServer; read what clients sent with tcpWorkbench_readTraffic.',
  inputSchema: {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: SERVER_KINDS, description: 'echo, reply, file, mock or relay.' },
      port: { type: 'integer', minimum: 0, maximum: 65535, description: 'Port to listen on; 0 or absent = any free port (a mock: its listen line).' },
      host: hostProp,
      reply: { type: 'string', maxLength: 65536, description: 'kind "reply": the text sent back for every chunk received.' },
      root: { type: 'string', maxLength: 4096, description: 'kind "file": the folder to serve, relative to the workspace (default: the workspace).' },
      file: { type: 'string', maxLength: 4096, description: 'kind "mock": the .tcp file, relative to the workspace.' },
      block: { type: 'string', maxLength: 500, description: 'kind "mock": the title of the listen block (default: the first).' },
      target: { type: 'string', maxLength: 300, description: 'kind "relay": host:port each client is forwarded to.' },
    },
    required: ['kind'],
    additionalProperties: false,
  },
  network: true,
  readOnly: false,
  async run(host, input) {
    const kind = input.kind as AgentServerKind;
    const need = (name: string, kinds: AgentServerKind[]) => {
      if (kinds.includes(kind) && input[name] === undefined) {
        throw new WorkbenchError('agent.missing', `kind "${kind}" needs "${name}".`);
      }
      if (!kinds.includes(kind) && input[name] !== undefined) {
        throw new WorkbenchError('agent.unused', `"${name}" goes with kind ${kinds.map((k) => `"${k}"`).join(' or ')}, not "${kind}".`);
      }
    };
    need('reply', ['reply']);
    need('file', ['mock']);
    need('target', ['relay']);
    if (input.root !== undefined && kind !== 'file') {
      need('root', ['file']);
    }
    if (input.block !== undefined && kind !== 'mock') {
      need('block', ['mock']);
    }
    const row = await host.startServer({
      kind,
      host: input.host as string | undefined,
      port: input.port as number | undefined,
      reply: input.reply as string | undefined,
      root: kind === 'file' ? resolvePath(host.root, (input.root as string | undefined) ?? '.') : undefined,
      file: input.file === undefined ? undefined : resolvePath(host.root, input.file as string),
      block: input.block as string | undefined,
      target: input.target === undefined ? undefined : parseHostPort(input.target as string),
    });
    return row;
  },
};

const exchangeTool: ToolDef = {
  name: 'tcpWorkbench_exchange',
  title: 'Send to a TCP server and read the answer',
  description:
    'Connects to host:port, sends "send" (text; use \\r\\n in the JSON string for line endings) or "sendHex" (bytes such as "01 03 ff"), then waits until the answer ' +
    'matches "untilRegex", or "untilBytes" bytes arrived, or the server closes ("untilClose"), never longer than "timeoutMs". Without a condition it returns once the ' +
    'server has answered and then been quiet for "quietMs" (default 300). Returns what came back as text and hex (first 4 KiB), whether the condition was met ("ok"), ' +
    'what ended the wait ("endedBy": regex, bytes, close, quiet, timeout) and timings. The connection is closed afterwards.',
  inputSchema: {
    type: 'object',
    properties: {
      host: hostProp,
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'The server port.' },
      send: { type: 'string', maxLength: 65536, description: 'Text to send (in "encoding").' },
      sendHex: { type: 'string', maxLength: 65536 * 3, description: 'Bytes to send, as hex: "48 65 6c", "0x48,0x65" or "48656c".' },
      encoding: { type: 'string', enum: ENCODINGS, description: 'Text encoding of "send" and of the answer; default utf-8.' },
      untilRegex: {
        type: 'string',
        maxLength: 1000,
        description: 'Wait until the received text matches this regular expression (JavaScript syntax, no backreferences or lookaround).',
      },
      untilBytes: { type: 'integer', minimum: 1, maximum: 1024 * 1024, description: 'Wait until at least this many bytes arrived.' },
      untilClose: { type: 'boolean', description: 'Wait until the server closes the connection.' },
      quietMs: { type: 'integer', minimum: 10, maximum: 10_000, description: 'Without a condition: done after this much silence following the first answer (default 300).' },
      timeoutMs: timeout('The longest the whole exchange (connect, send, wait) may take'),
    },
    required: ['port'],
    additionalProperties: false,
  },
  network: true,
  readOnly: false,
  run: (host, input) => exchange(host, input as unknown as ExchangeInput),
};

const runScriptTool: ToolDef = {
  name: 'tcpWorkbench_runScript',
  title: 'Run a .tcp test file',
  description:
    'Runs the client blocks of a .tcp conversation file (or only the one titled "block"); its listen blocks start first as mock servers. Returns per block "passed" or ' +
    '"failed" with, for a failure, the line, the message and the expected and actual bytes (text and hex). The language: ### title, connect host:port, send "text", ' +
    'expect "text" | /regex/ | hex .. | close; listen host:port with on "x" send "y" rules.',
  inputSchema: {
    type: 'object',
    properties: {
      file: { type: 'string', maxLength: 4096, description: 'The .tcp file, relative to the workspace.' },
      block: { type: 'string', maxLength: 500, description: 'Run only the client block with this title.' },
      timeoutMs: timeout("Per-step timeout, instead of the file's own"),
    },
    required: ['file'],
    additionalProperties: false,
  },
  network: true,
  readOnly: false,
  run: (host, input) => host.runScript(resolvePath(host.root, input.file as string), input as unknown as RunScriptInput),
};

const readTraffic: ToolDef = {
  name: 'tcpWorkbench_readTraffic',
  title: 'Read recent traffic',
  description:
    'Returns the last "last" entries (default 50) of the traffic log of one server (its id, e.g. "echo-1", or "server:echo-1") or session ("session:3", as exchange ' +
    'returns it): time, peer, direction (in = received by the server or session, out = sent, note = connected/closed/rule hit) and the data as text (first 256 bytes of each chunk). ' +
    '"peer" keeps only the entries of one client (e.g. "127.0.0.1:51234"), such as one connection of a relay.',
  inputSchema: {
    type: 'object',
    properties: {
      source: { type: 'string', maxLength: 300, description: 'A server id ("echo-1", "server:echo-1") or a session ("session:3").' },
      last: { type: 'integer', minimum: 1, maximum: MAX_TRAFFIC_ENTRIES, description: `How many of the newest entries (default 50, at most ${MAX_TRAFFIC_ENTRIES}).` },
      peer: { type: 'string', maxLength: 300, description: 'Only entries whose peer contains this text.' },
    },
    required: ['source'],
    additionalProperties: false,
  },
  network: false,
  readOnly: true,
  async run(host, input) {
    const raw = input.source as string;
    const source = /^(server|session):/.test(raw) ? raw : `server:${raw}`;
    const peer = input.peer as string | undefined;
    const all = host.traffic(source).filter((e) => peer === undefined || e.peer.includes(peer));
    const last = (input.last as number | undefined) ?? 50;
    const entries = all.slice(-last).map((e) => ({
      time: new Date(e.time).toISOString(),
      peer: e.peer,
      direction: e.direction,
      text: e.text,
      ...(e.size !== undefined ? { bytes: e.size } : {}),
    }));
    return { source, total: all.length, entries };
  },
};

const stopServer: ToolDef = {
  name: 'tcpWorkbench_stopServer',
  title: 'Stop a TCP server',
  description: 'Stops the server with this id (as tcpWorkbench_startServer or tcpWorkbench_listServers give it) and disconnects its clients.',
  inputSchema: {
    type: 'object',
    properties: { id: { type: 'string', maxLength: 300, description: 'The server id, e.g. "echo-1".' } },
    required: ['id'],
    additionalProperties: false,
  },
  network: false,
  readOnly: false,
  async run(host, input) {
    const id = input.id as string;
    const row = await host.stopServer(id);
    if (!row) {
      const ids = host.listServers().map((r) => r.id);
      throw new WorkbenchError('agent.noServer', `There is no running server "${id}"${ids.length ? ` (running: ${ids.join(', ')})` : ' (none is running)'}.`);
    }
    return { stopped: row.id, label: row.label };
  },
};

const listServers: ToolDef = {
  name: 'tcpWorkbench_listServers',
  title: 'List TCP servers',
  description: "Lists the running servers: id, kind, label, state, address (host:port), connected clients, a relay's target, a mock's file, and the traffic source to read.",
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  network: false,
  readOnly: true,
  run: async (host) => ({ servers: host.listServers().filter((r) => r.state !== 'stopped') }),
};

export const TOOLS: readonly ToolDef[] = [startServer, exchangeTool, runScriptTool, readTraffic, stopServer, listServers];

export function toolNamed(name: string): ToolDef | undefined {
  return TOOLS.find((t) => t.name === name);
}
