// The client sessions the user opened (Connections view), the active one Send Selection uses, and the
// recent addresses offered by Connect and Download.
import * as vscode from 'vscode';
import { ClientSession, ConnectError } from '../core/sessions/clientSession';
import { EncodingName } from '../core/codec';
import { DisposableBase, DisposableMap, DisposableStore } from '../core/events';
import { formatHostPort } from '../core/hostPort';
import { Throttle } from '../core/throttle';
import { TrafficLog } from '../core/traffic/trafficLog';
import { StorageKeys } from '../common/ids';
import { Log } from '../common/log';
import { messageOf } from '../common/messages';
import { SessionRecord } from '../core/sessions/sessionRecord';
import { WorkbenchError } from '../core/errors';
import type { ClientTlsOptions, HandshakeFacts } from '../core/tls/clientTls';

const MAX_RECENT = 10;

export function sessionAddress(s: ClientSession): string {
  return formatHostPort(s.options.host, s.options.port);
}

/** `TLSv1.3 TLS_AES_256_GCM_SHA384, ALPN none, CN=localhost` for a row, a tooltip and the log. */
export function tlsSummary(f: HandshakeFacts): string {
  return `${f.protocol} ${f.cipher}, ALPN ${f.alpn ?? vscode.l10n.t('none')}${f.peerSubject ? `, ${f.peerSubject}` : ''}`;
}

export class SessionManager extends DisposableBase {
  private readonly list: ClientSession[] = [];
  private active?: ClientSession;
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Any session, state or counter change, at most every 300 ms however much traffic flows. */
  readonly onDidChange = this._onDidChange.event;
  private readonly changed = this._register(new Throttle(() => this._onDidChange.fire(), 300));
  /** Per session: the listeners wired to it, released with it. */
  private readonly wiring = this._register(new DisposableMap<number, DisposableStore>());
  private readonly records = new Map<number, SessionRecord>();
  private readonly _onDidOpen = this._register(new vscode.EventEmitter<{ session: ClientSession; connectMs: number }>());
  /** A session just connected (before any of its data arrives), with how long the connect took. */
  readonly onDidOpen = this._onDidOpen.event;

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly log: Log,
    private readonly traffic: TrafficLog,
  ) {
    super();
  }

  sessions(): readonly ClientSession[] {
    return this.list;
  }

  get(id: number): ClientSession | undefined {
    return this.list.find((s) => s.id === id);
  }

  /** What an open session sent and received so far (bounded, see SessionRecord). */
  record(id: number): SessionRecord | undefined {
    return this.records.get(id);
  }

  /** The session Send Selection uses without asking: the last one connected or chosen. */
  get current(): ClientSession | undefined {
    return this.active && this.list.includes(this.active) ? this.active : this.list.length === 1 ? this.list[0] : undefined;
  }

  setCurrent(s: ClientSession): void {
    this.active = s;
  }

  recent(): string[] {
    const r = this.globalState.get<string[]>(StorageKeys.recent);
    return Array.isArray(r) ? r.filter((x) => typeof x === 'string') : [];
  }

  async remember(address: string): Promise<void> {
    const r = [address, ...this.recent().filter((a) => a !== address)].slice(0, MAX_RECENT);
    await this.globalState.update(StorageKeys.recent, r);
  }

  /**
   * Connects and adds the session; throws an Error whose message names host and port (a TLS failure keeps
   * its TlsError). `wire` subscribes a caller before the connect (the agent tools' exchange must not miss a
   * greeting sent on accept).
   */
  async connect(host: string, port: number, encoding: EncodingName, tls?: ClientTlsOptions, wire?: (s: ClientSession) => void): Promise<ClientSession> {
    const s = new ClientSession({ host, port, encoding, tls });
    wire?.(s);
    const address = sessionAddress(s);
    const source = `session:${s.id}`;
    const label = vscode.l10n.t('Session {0}', s.id);
    const fire = () => this.changed.schedule();
    const record = new SessionRecord();
    this.records.set(s.id, record);
    const wiring = new DisposableStore();
    this.wiring.set(s.id, wiring);
    [
      s.onData((d) => {
        this.traffic.record(source, label, address, 'in', d.bytes, s.encoding, d.text);
        record.add('in', d.bytes);
        fire();
      }),
      s.onDidSend((b) => {
        this.traffic.record(source, label, address, 'out', b, s.encoding);
        record.add('out', b);
        fire();
      }),
      s.onDidClose((c) => {
        if (!this.list.includes(s)) {
          return; // a failed connect: reported by connect() itself
        }
        const why = c.reason === 'closed-by-peer' ? vscode.l10n.t('closed by peer') : c.reason === 'closed-by-us' ? vscode.l10n.t('closed by you') : vscode.l10n.t('error');
        this.log.info(vscode.l10n.t('Session {0} to {1} closed: {2}', s.id, address, why) + (c.error ? ` (${c.error.message})` : ''));
        this.traffic.note(source, label, address, why);
        if (c.reason !== 'closed-by-us') {
          vscode.window.setStatusBarMessage(vscode.l10n.t('Connection to {0} closed: {1}', address, why), 5000);
        }
        this.drop(s);
      }),
    ].forEach((d) => wiring.add(d));
    const connectStarted = Date.now();
    try {
      await s.connect();
    } catch (e) {
      this.release(s);
      // A TLS failure keeps its reason and the peer's chain (the caller may offer "Connect anyway").
      throw e instanceof WorkbenchError && e.code.startsWith('tls.') ? e : connectFailure(e, host, port);
    }
    this.list.push(s);
    this.active = s;
    this._onDidOpen.fire({ session: s, connectMs: Date.now() - connectStarted });
    this.traffic.note(source, label, address, vscode.l10n.t('connected'));
    this.log.info(vscode.l10n.t('Session {0} connected to {1}', s.id, address) + (s.tlsFacts ? ` (${tlsSummary(s.tlsFacts)})` : ''));
    await this.remember(tls ? `tls://${address}` : address);
    fire();
    return s;
  }

  /** Redraws the rows of the sessions (a session changed in place, e.g. STARTTLS). */
  refresh(): void {
    this.changed.schedule();
  }

  async close(s: ClientSession): Promise<void> {
    if (s.state !== 'closed') {
      await s.close();
    }
    this.drop(s);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.list].map((s) => this.close(s)));
  }

  override dispose(): void {
    for (const s of [...this.list]) {
      this.release(s);
    }
    super.dispose();
  }

  private drop(s: ClientSession): void {
    const i = this.list.indexOf(s);
    if (i >= 0) {
      this.list.splice(i, 1);
      this.release(s);
      this.changed.schedule();
    }
  }

  private release(s: ClientSession): void {
    this.wiring.delete(s.id);
    this.records.delete(s.id);
    this.traffic.forget(`session:${s.id}`);
    if (this.active === s) {
      this.active = undefined;
    }
    s.dispose();
  }
}

/** A connect failure whose message (localized by the message table) names host and port. */
function connectFailure(e: unknown, host: string, port: number): ConnectError {
  const where = formatHostPort(host, port);
  const errno = e instanceof ConnectError ? e.errno : (e as { code?: string }).code;
  const failure = new ConnectError(e instanceof Error ? e.message : String(e), errno, { where, host });
  const msg = messageOf(failure);
  // No sentence for this cause: keep the core's message, which names the port, or say where.
  return msg !== failure.message || msg.includes(String(port)) ? failure : new ConnectError(vscode.l10n.t('Cannot connect to {0}: {1}', where, msg), errno, { where, host });
}
