// The timelines of every connection while the extension runs, recorded from the first byte so Show
// Timeline can open one later: each session, each client of our servers. When both ends are ours (a
// session connected to our echo server) the two sides feed one timeline, found by their ports, so a
// read is paired with the writes it carried. Bounded: MAX_TIMELINES kept, each with its own event cap.
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { EchoServer } from '../core/servers/echoServer';
import { TcpServer } from '../core/servers/serverBase';
import { Timeline } from '../core/timeline/timeline';
import { SocketProbe } from '../core/timeline/probe';
import { TimelineJoins } from '../core/timeline/joins';
import { formatHostPort } from '../core/hostPort';
import { RelayServer } from '../core/relay/relayServer';
import { RelayDirection } from '../core/relay/relayTypes';
import { ServerEntry } from './serverEntry';
import { ServerManager } from './serverManager';
import { SessionManager, sessionAddress } from './sessionManager';

const MAX_TIMELINES = 64;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export interface TimelineHandle {
  readonly key: string;
  readonly timeline: Timeline;
  /** The probes that act on the connection: lane 0 (the connecting side), lane 1 (the server side). */
  readonly probes: Map<number, SocketProbe>;
  title: string;
  /** Events whose row is highlighted (a `.tcp` block's failed step). */
  readonly highlight?: ReadonlySet<number>;
}

export class Timelines implements vscode.Disposable {
  /** Every timeline kept, by a key of its own (ids restart with a server; ports are reused). */
  private readonly byKey = new Map<string, TimelineHandle>();
  private readonly joins = new TimelineJoins<TimelineHandle>();
  private serial = 0;
  private readonly bySession = new Map<number, TimelineHandle>();
  private readonly byClient = new Map<string, TimelineHandle>();
  private readonly byRelay = new Map<string, TimelineHandle>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly _onDidAdd = new vscode.EventEmitter<TimelineHandle>();
  readonly onDidAdd = this._onDidAdd.event;

  constructor(sessions: SessionManager, servers: ServerManager) {
    this.subs.push(
      sessions.onDidOpen(({ session, connectMs }) => this.watchSession(session, connectMs)),
      servers.onDidWire(({ entry, server }) => this.watchServer(entry, server)),
    );
  }

  ofSession(id: number): TimelineHandle | undefined {
    return this.bySession.get(id);
  }

  ofClient(entryId: string, clientId: number): TimelineHandle | undefined {
    return this.byClient.get(`${entryId}:${clientId}`);
  }

  /** A relay connection: three lanes (client, relay, target), both legs as the relay saw them. */
  ofRelay(entryId: string, connectionId: number): TimelineHandle | undefined {
    return this.byRelay.get(`${entryId}:${connectionId}`);
  }

  dispose(): void {
    for (const d of this.subs.splice(0)) {
      d.dispose();
    }
    for (const h of this.byKey.values()) {
      h.probes.forEach((p) => p.dispose());
    }
    this._onDidAdd.dispose();
  }

  private handle(lanes: string[], title: string, encoding: string): TimelineHandle {
    const key = `t${++this.serial}`;
    const h: TimelineHandle = { key, timeline: new Timeline({ lanes, encoding }), probes: new Map(), title };
    this.byKey.set(key, h);
    this.evict();
    this._onDidAdd.fire(h);
    return h;
  }

  /** Drops the oldest timelines past the cap, closed ones first (an open panel keeps its own). */
  private evict(): void {
    while (this.byKey.size > MAX_TIMELINES) {
      const victim = [...this.byKey.values()].find((h) => h.probes.size === 0) ?? this.byKey.values().next().value;
      if (!victim) {
        return;
      }
      this.byKey.delete(victim.key);
      victim.probes.forEach((p) => p.dispose());
      for (const m of [this.bySession, this.byClient, this.byRelay] as Map<unknown, TimelineHandle>[]) {
        for (const [k, v] of m) {
          if (v === victim) {
            m.delete(k);
          }
        }
      }
    }
  }

  private watchSession(s: ClientSession, connectMs: number): void {
    const socket = s.liveSocket;
    if (!socket) {
      return;
    }
    const mine = formatHostPort(socket.localAddress ?? '?', socket.localPort ?? 0);
    const ports = LOOPBACK.test(socket.remoteAddress ?? '') ? `${socket.localPort}>${socket.remotePort}` : undefined;
    const title = vscode.l10n.t('Session {0}', s.id);
    const create = () => this.handle([mine, sessionAddress(s)], title, s.encoding);
    const h = ports ? this.joins.join(ports, 0, create) : create();
    h.title = title;
    h.timeline.lanes[0] = `${title} (${mine})`;
    h.timeline.encoding = s.encoding;
    h.timeline.mark('connect', 0, { peer: 1, ms: connectMs });
    const probe = new SocketProbe(h.timeline, socket, 0, 1, (b) => s.send(b));
    h.probes.set(0, probe);
    this.bySession.set(s.id, h);
    const subs = [
      s.onDidSend((b) => probe.wrote(b)),
      s.onDidClose(() => {
        if (ports) {
          this.joins.left(ports, h);
        }
        probe.dispose();
        h.probes.delete(0);
        subs.forEach((d) => d.dispose());
      }),
    ];
  }

  private watchServer(entry: ServerEntry, server: TcpServer): void {
    if (server instanceof RelayServer) {
      this.watchRelay(entry, server);
      return;
    }
    const probes = new Map<number, SocketProbe>();
    const portsOf = new Map<number, string>();
    server.onDidAcceptClient((c) => {
      const socket = server.clientSocket(c.id);
      const port = server.address?.port ?? socket?.localPort ?? 0;
      if (!socket) {
        return;
      }
      const ports = LOOPBACK.test(c.remoteAddress) ? `${c.remotePort}>${port}` : undefined;
      const serverLane = `${entry.label} :${port}`;
      const encoding = server instanceof EchoServer ? server.encodingOf(c.id) : 'utf-8';
      const create = () => this.handle([c.remote, serverLane], `${entry.label} · ${c.remote}`, encoding);
      const h = ports ? this.joins.join(ports, 1, create) : create();
      if (ports) {
        portsOf.set(c.id, ports);
      }
      h.timeline.lanes[1] = serverLane;
      const send = server instanceof EchoServer ? (b: Buffer) => server.sendTo(c.id, b) : undefined;
      const probe = new SocketProbe(h.timeline, socket, 1, 0, send);
      h.probes.set(1, probe);
      probes.set(c.id, probe);
      this.byClient.set(`${entry.id}:${c.id}`, h);
    });
    server.onData((d) => {
      if (d.direction === 'out') {
        probes.get(d.client.id)?.wrote(d.bytes);
      }
    });
    server.onDidLeaveClient((l) => {
      const probe = probes.get(l.client.id);
      const ports = portsOf.get(l.client.id);
      probes.delete(l.client.id);
      portsOf.delete(l.client.id);
      const h = this.byClient.get(`${entry.id}:${l.client.id}`);
      if (h && ports) {
        this.joins.left(ports, h);
      }
      if (probe) {
        probe.dispose();
        h?.probes.delete(1);
      }
    });
  }

  private watchRelay(entry: ServerEntry, server: RelayServer): void {
    // Lanes: 0 the client, 1 the relay, 2 the target; each direction is read on one leg, written on the other.
    const legs = (d: RelayDirection): [number, number, number] => (d === 'client→server' ? [0, 1, 2] : [2, 1, 0]);
    const of = (id: number) => this.byRelay.get(`${entry.id}:${id}`);
    server.onDidOpenConnection((c) => {
      const port = server.address?.port ?? c.relayEnd.port;
      const lanes = [c.client.remote, `${entry.label} :${port}`, formatHostPort(c.targetEnd.address, c.targetEnd.port)];
      // A relay started again numbers its connections from 1 again: each connection gets a timeline of its own.
      const h = this.handle(lanes, `${entry.label} · ${c.client.remote}`, 'utf-8');
      h.timeline.mark('connect', 0, { peer: 1 });
      h.timeline.mark('connect', 1, { peer: 2, ms: c.connectMs });
      this.byRelay.set(`${entry.id}:${c.id}`, h);
    });
    server.onDidRelayData((e) => {
      const t = of(e.connection.id)?.timeline;
      const [from, relay, to] = legs(e.direction);
      t?.read(from, relay, e.bytes);
      t?.write(relay, to, e.bytes);
    });
    server.onDidHalfClose((e) => {
      const t = of(e.connection.id)?.timeline;
      const [from, relay, to] = legs(e.direction);
      t?.mark('fin', from, { peer: relay });
      t?.mark('fin', relay, { peer: to });
    });
    server.onDidCloseConnection((e) => {
      const t = of(e.connection.id)?.timeline;
      if (!t) {
        return;
      }
      if (e.reason === 'client-reset' || e.reason === 'server-reset') {
        const [from, relay, to] = legs(e.reason === 'client-reset' ? 'client→server' : 'server→client');
        t.mark('rst', from, { peer: relay, code: e.error && (e.error as NodeJS.ErrnoException).code });
        t.mark('rst', relay, { peer: to });
      } else if (e.reason !== 'closed') {
        t.mark('rst', 1, { peer: 0, text: e.reason });
        t.mark('rst', 1, { peer: 2, text: e.reason });
      }
      t.mark('close', 1);
    });
  }
}
