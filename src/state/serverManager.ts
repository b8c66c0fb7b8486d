// The servers the user sees in the Servers view: specs (persisted per workspace) and, while running,
// the core server behind each. Adapts core events to the log, the traffic log and one change event.
import * as vscode from 'vscode';
import { EchoServer } from '../core/servers/echoServer';
import { DisposableBase } from '../core/events';
import { formatBytes } from '../core/format';
import { formatHostPort } from '../core/hostPort';
import { LeaveReason, ServerAddress, ServerError, TcpServer } from '../core/servers/serverBase';
import { Throttle } from '../core/throttle';
import { TrafficLog } from '../core/traffic/trafficLog';
import { Config } from '../common/config';
import { LEGACY_SERVERS_KEY, StorageKeys } from '../common/ids';
import { Log } from '../common/log';
import { refusalText } from '../common/messages';
import { PortInUseError, ServerEntry, ServerKind, ServerSpec, StartOverrides, kindLabel } from './serverEntry';
import { KindContext, ServerKindDriver } from './serverKind';
import { handshakeFailureText } from './serverTls';

const LEAVE_TEXT: Record<LeaveReason, () => string> = {
  'closed-by-peer': () => vscode.l10n.t('closed by peer'),
  reset: () => vscode.l10n.t('connection reset'),
  'timed-out': () => vscode.l10n.t('timed out'),
  kicked: () => vscode.l10n.t('disconnected by you'),
  'server-stopped': () => vscode.l10n.t('server stopped'),
  done: () => vscode.l10n.t('done'),
  error: () => vscode.l10n.t('error'),
};

export class ServerManager extends DisposableBase {
  private readonly entries: ServerEntry[];
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Any state, client or counter change, at most every 300 ms however much traffic flows. */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidWire = this._register(new vscode.EventEmitter<{ entry: ServerEntry; server: TcpServer }>());
  /** A server of an entry is about to start (before it accepts anyone): the timelines watch its clients. */
  readonly onDidWire = this._onDidWire.event;
  private readonly changed = this._register(new Throttle(() => this._onDidChange.fire(), 300));

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: Log,
    private readonly traffic: TrafficLog,
    /** What each kind does differently; given by activate(), which knows every kind. */
    private readonly kinds: Readonly<Record<ServerKind, ServerKindDriver>>,
    /** Where a TLS server's generated certificate is kept and reused (the extension's global storage). */
    private readonly certFolder?: string,
  ) {
    super();
    const saved = state.get<ServerSpec[]>(StorageKeys.servers) ?? state.get<ServerSpec[]>(LEGACY_SERVERS_KEY);
    const specs: ServerSpec[] = Array.isArray(saved)
      ? saved
      : [
          { id: 'echo', kind: 'echo' },
          { id: 'file', kind: 'file' },
        ];
    this.entries = specs.filter((s) => s && Object.prototype.hasOwnProperty.call(kinds, s.kind) && typeof s.id === 'string').map((s) => new ServerEntry(s));
  }

  private get ctx(): KindContext {
    return { log: this.log, traffic: this.traffic, changed: () => this.changed.schedule() };
  }

  /** The kind behind an entry, for the manager and the view to dispatch through. */
  driverOf(entry: ServerEntry): ServerKindDriver {
    return this.kinds[entry.kind];
  }

  list(): readonly ServerEntry[] {
    return this.entries;
  }

  get(id: string): ServerEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  running(): ServerEntry[] {
    return this.entries.filter((e) => e.state !== 'stopped');
  }

  /** The first entry of a kind, created when the user removed them all. */
  firstOf(kind: ServerKind): ServerEntry {
    return this.entries.find((e) => e.kind === kind && e.state === 'stopped') ?? this.entries.find((e) => e.kind === kind) ?? this.add({ kind });
  }

  add(spec: Omit<ServerSpec, 'id'>): ServerEntry {
    let n = 1;
    while (this.entries.some((e) => e.id === `${spec.kind}-${n}`)) {
      n++;
    }
    const sameKind = this.entries.filter((e) => e.kind === spec.kind).length;
    const label = spec.label ?? (sameKind === 0 ? undefined : `${kindLabel(spec.kind)} ${sameKind + 1}`);
    const entry = new ServerEntry({ ...spec, label, id: `${spec.kind}-${n}` });
    this.entries.push(entry);
    this.save();
    this.changed.schedule();
    return entry;
  }

  async remove(entry: ServerEntry): Promise<void> {
    await this.stop(entry);
    await this.driverOf(entry).stopped?.(entry, true);
    const i = this.entries.indexOf(entry);
    if (i >= 0) {
      this.entries.splice(i, 1);
    }
    this.save();
    this.changed.schedule();
  }

  update(entry: ServerEntry, change: Partial<Omit<ServerSpec, 'id' | 'kind'>>): void {
    entry.spec = { ...entry.spec, ...change };
    this.save();
    this.changed.schedule();
  }

  /** Starts an entry with the settings, its spec and `over`; throws PortInUseError, ConfigError, ServerError. */
  async start(entry: ServerEntry, cfg: Config, over: StartOverrides = {}): Promise<ServerAddress> {
    if (entry.state !== 'stopped') {
      throw new ServerError(vscode.l10n.t('{0} is already running on {1}.', entry.label, entry.addressText ?? '?'));
    }
    const port = over.port ?? entry.configuredPort(cfg);
    const server = await this.driverOf(entry).create(entry, cfg, { ...over, certFolder: this.certFolder });
    entry.server = server;
    entry.attach(this.wire(entry, server, cfg));
    try {
      const address = await server.start();
      this.log.info(
        vscode.l10n.t('{0} listening on {1}', entry.label, formatHostPort(address.host, address.port)) + (entry.root && entry.kind === 'file' ? ` (${entry.root})` : ''),
      );
      this.changed.schedule();
      return address;
    } catch (e) {
      entry.detach();
      entry.server = undefined;
      server.dispose();
      this.changed.schedule();
      if (e instanceof ServerError && e.errno === 'EADDRINUSE') {
        throw new PortInUseError(port, entry);
      }
      throw e;
    }
  }

  /**
   * A server something else started and owns (a script run's mocks): a row while it runs, its clients,
   * traffic and log lines wired as for a server started here. The owner removes the entry when done.
   */
  adopt(spec: Omit<ServerSpec, 'id'>, server: TcpServer, cfg: Config): ServerEntry {
    const entry = this.add(spec);
    entry.server = server;
    entry.attach(this.wire(entry, server, cfg));
    const a = server.address;
    if (a) {
      this.log.info(vscode.l10n.t('{0} listening on {1}', entry.label, formatHostPort(a.host, a.port)));
    }
    return entry;
  }

  async stop(entry: ServerEntry): Promise<void> {
    const server = entry.server;
    if (!server) {
      return;
    }
    await server.stop();
    // Another start may have replaced the server while this one was closing.
    if (entry.server === server) {
      entry.detach();
      entry.server = undefined;
    }
    server.dispose();
    await this.driverOf(entry).stopped?.(entry, false);
    this.traffic.forget(`server:${entry.id}`);
    this.log.info(vscode.l10n.t('{0} stopped', entry.label));
    this.changed.schedule();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.entries.map((e) => this.stop(e)));
  }

  override dispose(): void {
    for (const e of this.entries) {
      e.detach();
      e.server?.dispose();
    }
    super.dispose();
  }

  private save(): void {
    void this.state.update(
      StorageKeys.servers,
      this.entries.filter((e) => this.driverOf(e).persisted).map((e) => e.spec),
    );
  }

  private wire(entry: ServerEntry, server: TcpServer, cfg: Config): vscode.Disposable[] {
    this._onDidWire.fire({ entry, server });
    const source = `server:${entry.id}`;
    const driver = this.driverOf(entry);
    const fire = () => this.changed.schedule();
    const subs: vscode.Disposable[] = [
      server.onDidChangeState(fire),
      server.onDidAcceptClient((c) => {
        this.log.info(vscode.l10n.t('{0}: client {1} connected', entry.label, c.remote));
        this.traffic.note(source, entry.label, c.remote, vscode.l10n.t('connected'));
        fire();
      }),
      server.onDidRefuseClient((r) => {
        this.log.warn(vscode.l10n.t('{0}: refused {1}: {2}', entry.label, r.remote, refusalText(r.why)));
        fire();
      }),
      server.onDidLeaveClient((l) => {
        const why = LEAVE_TEXT[l.reason]?.() ?? l.reason;
        const detail = l.error ? ` (${l.error.message})` : '';
        this.log.info(
          vscode.l10n.t('{0}: client {1} left: {2}', entry.label, l.client.remote, why) + detail + ` · ↓${formatBytes(l.client.bytesIn)} ↑${formatBytes(l.client.bytesOut)}`,
        );
        this.traffic.note(source, entry.label, l.client.remote, why);
        fire();
      }),
      server.onData((d) => {
        if (!driver.logsOwnTraffic) {
          const encoding = server instanceof EchoServer ? server.encodingOf(d.client.id) : 'utf-8';
          this.traffic.record(source, entry.label, d.client.remote, d.direction, d.bytes, encoding, d.text);
        }
        fire();
      }),
      server.onDidFailHandshake((e) => {
        // One line per client that never got through its handshake (plaintext on a TLS port, a timeout).
        const text = handshakeFailureText(e);
        this.log.warn(`${entry.label}: ${text}`);
        this.traffic.note(source, entry.label, e.client.remote, text);
      }),
      server.onDidError((e) => this.log.error(`${entry.label}: ${e.message}`, e)),
      ...(driver.wire?.(entry, server, this.ctx, cfg) ?? []),
    ];
    return subs;
  }
}
