// The tools' host outside the editor (`tcp-workbench mcp`): the servers it started, its sessions and a
// traffic log of its own. dispose() stops everything: the MCP client went away.
import { EncodingName } from '../codec';
import { formatHostPort } from '../hostPort';
import { TcpServer } from '../servers/serverBase';
import { EchoServer } from '../servers/echoServer';
import { ClientSession } from '../sessions/clientSession';
import { TrafficEntry, TrafficLog } from '../traffic/trafficLog';
import { FileServer } from '../fileServer/fileServer';
import { RelayServer } from '../relay/relayServer';
import { ListenBlock, assertRunnable, parseScript } from '../script';
import { MockServer, describeHit } from '../script/mockServer';
import { AgentHost, ServerRow, StartRequest } from './host';
import { readScriptFile } from './paths';
import { RunScriptInput, runScript } from './runScript';

interface Running {
  readonly id: string;
  readonly req: StartRequest;
  readonly server: TcpServer;
  readonly label: string;
}

export class CoreAgentHost implements AgentHost {
  private readonly servers = new Map<string, Running>();
  private readonly sessions = new Set<ClientSession>();
  private readonly log = new TrafficLog();
  private counter = 0;

  constructor(readonly root: string) {}

  async startServer(req: StartRequest): Promise<ServerRow> {
    const { server, label } = this.create(req);
    const id = `${req.kind}-${++this.counter}`;
    const source = `server:${id}`;
    server.onDidAcceptClient((c) => this.log.note(source, label, c.remote, 'connected'));
    server.onDidLeaveClient((l) => this.log.note(source, label, l.client.remote, l.reason));
    server.onData((d) => this.log.record(source, label, d.client.remote, d.direction, d.bytes, 'utf-8', d.text));
    if (server instanceof MockServer) {
      server.onDidHitRule((e) => this.log.note(source, label, e.client.remote, describeHit(e)));
    }
    try {
      await server.start();
    } catch (e) {
      server.dispose();
      throw e;
    }
    const running = { id, req, server, label };
    this.servers.set(id, running);
    return this.row(running);
  }

  async stopServer(id: string): Promise<ServerRow | undefined> {
    const r = this.servers.get(id);
    if (!r) {
      return undefined;
    }
    const row = this.row(r);
    this.servers.delete(id);
    await r.server.stop();
    r.server.dispose();
    return { ...row, state: 'stopped', clients: 0 };
  }

  listServers(): ServerRow[] {
    return [...this.servers.values()].map((r) => this.row(r));
  }

  async connect(host: string, port: number, encoding: EncodingName, wire: (s: ClientSession) => void): Promise<ClientSession> {
    const s = new ClientSession({ host, port, encoding });
    wire(s);
    const source = `session:${s.id}`;
    const label = `Session ${s.id}`;
    s.onData((d) => this.log.record(source, label, s.remote, 'in', d.bytes, s.encoding, d.text));
    s.onDidSend((b) => this.log.record(source, label, s.remote, 'out', b, s.encoding));
    s.onDidClose((c) => this.log.note(source, label, s.remote, c.reason));
    try {
      await s.connect();
    } catch (e) {
      s.dispose();
      throw e;
    }
    this.log.note(source, label, s.remote, 'connected');
    this.sessions.add(s);
    return s;
  }

  async closeSession(session: ClientSession): Promise<void> {
    this.sessions.delete(session);
    await session.close();
    session.dispose();
  }

  runScript(file: string, input: RunScriptInput): Promise<object> {
    return runScript(file, input);
  }

  traffic(source: string): readonly TrafficEntry[] {
    return this.log.entries(source);
  }

  /** Stops every server and closes every session. */
  async dispose(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stopServer(id)));
    await Promise.all([...this.sessions].map((s) => this.closeSession(s)));
    this.log.dispose();
  }

  private create(req: StartRequest): { server: TcpServer; label: string } {
    const base = { host: req.host ?? '127.0.0.1', port: req.port ?? 0 };
    switch (req.kind) {
      case 'echo':
        return { server: new EchoServer(base), label: 'Echo Server' };
      case 'reply':
        return { server: new EchoServer({ ...base, mode: 'reply', replyText: req.reply ?? '' }), label: 'Reply Server' };
      case 'file':
        return { server: new FileServer({ ...base, root: req.root ?? this.root }), label: 'File Server' };
      case 'relay':
        return { server: new RelayServer({ ...base, targetHost: req.target?.host ?? '', targetPort: req.target?.port ?? 0 }), label: 'Relay' };
      case 'mock': {
        const file = req.file ?? '';
        const script = parseScript(readScriptFile(file));
        assertRunnable(script, file);
        const block = findListenBlock(script.blocks, req.block, file);
        // The caller's host and port win over the block's own.
        const server = new MockServer({ block, file, encoding: script.settings.encoding, host: req.host ?? block.host, port: req.port ?? block.port });
        return { server, label: block.title };
      }
    }
  }

  private row(r: Running): ServerRow {
    const a = r.server.address;
    return {
      id: r.id,
      kind: r.req.kind,
      label: r.label,
      state: r.server.state,
      address: a ? formatHostPort(a.host, a.port) : undefined,
      clients: r.server.clients.length,
      target: r.req.target ? formatHostPort(r.req.target.host, r.req.target.port) : undefined,
      file: r.req.file,
      traffic: `server:${r.id}`,
    };
  }
}

/** The listen block titled `title`, or the file's first one. */
export function findListenBlock(blocks: readonly { kind: string }[], title: string | undefined, file: string): ListenBlock {
  const listen = blocks.filter((b): b is ListenBlock => b.kind === 'listen');
  const block = title === undefined ? listen[0] : listen.find((b) => b.title === title);
  if (!block) {
    const titles = listen.map((b) => `"${b.title}"`).join(', ');
    throw new Error(title === undefined ? `${file} has no listen block.` : `${file} has no listen block titled "${title}"${titles ? ` (it has ${titles})` : ''}.`);
  }
  return block;
}
