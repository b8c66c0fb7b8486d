// The agent tools' host in the editor: the extension's own server and session managers, so a tool's
// server is a row in the Servers view, its connection one in Connections, and its bytes are in the
// traffic log — as if a person had done it. Entries a tool added are removed again when a tool stops them.
// runScript runs as Run Script does: a run in the Testing view, its mocks rows in the Servers view.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { EncodingName } from '../core/codec';
import { formatHostPort } from '../core/hostPort';
import { AgentHost, ServerRow, StartRequest } from '../core/agent/host';
import { findListenBlock } from '../core/agent/coreHost';
import { readScriptFile } from '../core/agent/paths';
import { BlockResult, parseScript } from '../core/script';
import { WorkbenchError } from '../core/errors';
import { MAX_RUN_MS } from '../core/agent/limits';
import { RunScriptInput, blockOf } from '../core/agent/runScript';
import type { RunScriptFile } from '../scripts/registerScripts';
import { ClientSession } from '../core/sessions/clientSession';
import { TrafficEntry } from '../core/traffic/trafficLog';
import { ServerEntry, ServerSpec } from '../state/serverEntry';
import { Services } from '../state/services';

/** At most this many blocks are listed (the tally counts them all), as in the core's report. */
const MAX_LISTED_BLOCKS = 100;

export class EditorAgentHost implements AgentHost {
  /** Entries the tools added (removed when a tool stops them; a person's entries only stop). */
  private readonly added = new Set<string>();

  constructor(
    private readonly svc: Services,
    private readonly runFile: RunScriptFile,
  ) {}

  get root(): string {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? os.homedir();
  }

  async startServer(req: StartRequest): Promise<ServerRow> {
    const cfg = this.svc.config();
    const entry = this.svc.servers.add(this.specOf(req));
    this.added.add(entry.id);
    try {
      // Loopback and any free port unless the caller says otherwise; a mock keeps its listen line's.
      const over = req.kind === 'mock' ? { host: req.host, port: req.port } : { host: req.host ?? '127.0.0.1', port: req.port ?? 0 };
      await this.svc.servers.start(entry, cfg, over);
    } catch (e) {
      this.added.delete(entry.id);
      await this.svc.servers.remove(entry);
      throw e;
    }
    return this.row(entry);
  }

  async stopServer(id: string): Promise<ServerRow | undefined> {
    const entry = this.svc.servers.get(id);
    if (!entry || entry.state === 'stopped') {
      return undefined;
    }
    const row = this.row(entry);
    if (this.added.delete(id)) {
      await this.svc.servers.remove(entry);
    } else {
      await this.svc.servers.stop(entry);
    }
    return row;
  }

  listServers(): ServerRow[] {
    return this.svc.servers.list().map((e) => this.row(e));
  }

  connect(host: string, port: number, encoding: EncodingName, wire: (s: ClientSession) => void): Promise<ClientSession> {
    return this.svc.sessions.connect(host, port, encoding, undefined, wire);
  }

  closeSession(session: ClientSession): Promise<void> {
    return this.svc.sessions.close(session);
  }

  async runScript(file: string, input: RunScriptInput): Promise<object> {
    const script = parseScript(readScriptFile(file));
    const clients = script.blocks.filter((b) => b.kind === 'client');
    const chosen = input.block === undefined ? clients[0] : clients.find((b) => b.title === input.block);
    if (!chosen) {
      throw new WorkbenchError(
        'agent.noBlock',
        input.block === undefined
          ? `${input.file} has no client block to run.`
          : `${input.file} has no client block titled "${input.block}" (it has ${clients.map((b) => `"${b.title}"`).join(', ') || 'none'}).`,
      );
    }
    const full = new Map<number, BlockResult>();
    const limit = new vscode.CancellationTokenSource();
    const timer = setTimeout(() => limit.cancel(), MAX_RUN_MS);
    const started = Date.now();
    try {
      const out = await this.runFile(vscode.Uri.file(file), input.block === undefined ? undefined : chosen.startLine, limit.token, {
        timeoutMs: input.timeoutMs,
        onBlock: (b) => full.set(b.block.titleRange.line, b),
      });
      const listen = script.blocks.filter((b) => b.kind === 'listen').map((b) => b.title);
      return {
        file: input.file,
        passed: out.passed,
        failed: out.failed,
        cancelled: out.cancelled ? `the run passed its ${MAX_RUN_MS / 1000} s limit` : false,
        durationMs: Date.now() - started,
        // A block without a full result failed before it ran (the file does not parse, a mock did not start).
        blocks: out.blocks.slice(0, MAX_LISTED_BLOCKS).map((s) => {
          const b = full.get(s.line);
          return b
            ? blockOf(b)
            : { title: s.title, line: s.line + 1, status: s.status, ...(s.failure ? { failure: { line: s.failure.line + 1, message: s.failure.message } } : {}) };
        }),
        ...(out.blocks.length > MAX_LISTED_BLOCKS ? { blocksNotListed: out.blocks.length - MAX_LISTED_BLOCKS } : {}),
        ...(listen.length > 0 ? { mocks: listen } : {}),
      };
    } finally {
      clearTimeout(timer);
      limit.dispose();
    }
  }

  traffic(source: string): readonly TrafficEntry[] {
    return this.svc.traffic.entries(source);
  }

  private specOf(req: StartRequest): Omit<ServerSpec, 'id'> {
    switch (req.kind) {
      case 'echo':
        return { kind: 'echo', mode: 'echo' };
      case 'reply':
        return { kind: 'echo', mode: 'reply', replyText: req.reply };
      case 'file':
        return { kind: 'file', root: req.root };
      case 'relay':
        return { kind: 'relay', target: req.target ? formatHostPort(req.target.host, req.target.port) : undefined };
      case 'mock': {
        const file = req.file ?? '';
        const block = findListenBlock(parseScript(readScriptFile(file)).blocks, req.block, file);
        return { kind: 'mock', file, line: block.startLine, label: block.title };
      }
    }
  }

  private row(e: ServerEntry): ServerRow {
    return {
      id: e.id,
      kind: e.kind === 'echo' && e.mode === 'reply' ? 'reply' : e.kind,
      label: e.label,
      state: e.state,
      address: e.addressText,
      clients: e.server?.clients.length ?? 0,
      target: e.spec.target,
      file: e.spec.file,
      traffic: `server:${e.id}`,
    };
  }
}
