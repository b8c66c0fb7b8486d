// The relay as a server kind of the Servers view: each start builds a RelayServer to the entry's
// target and a RelayRun (connection rows, capture, recording); connections are its child rows.
import * as vscode from 'vscode';
import { formatBytes, formatDuration } from '../core/format';
import { formatHostPort, parseHostPort } from '../core/hostPort';
import { RelayServer } from '../core/relay/relayServer';
import { RelayCloseReason } from '../core/relay/relayTypes';
import { TcpServer } from '../core/servers/serverBase';
import { messageOf } from '../common/messages';
import { ServerEntry } from '../state/serverEntry';
import { KindChild, ServerKindDriver } from '../state/serverKind';
import { RelayConnectionNode } from '../state/relayRows';
import { listenTlsOf, splitTlsScheme, targetTlsOf } from '../state/serverTls';
import { RelayRun } from './relayRun';

const runs = new Map<ServerEntry, RelayRun>();

/** The current (or last) run of a relay entry. */
export function relayRunOf(entry: ServerEntry): RelayRun | undefined {
  return runs.get(entry);
}

/** Deletes every relay's temporary capture (the window closes). */
export function disposeRelayRuns(): void {
  for (const run of runs.values()) {
    run.disposeNow();
  }
  runs.clear();
}

export function stateText(state: 'open' | RelayCloseReason): string {
  const texts: Record<'open' | RelayCloseReason, () => string> = {
    open: () => vscode.l10n.t('open'),
    closed: () => vscode.l10n.t('closed'),
    'client-reset': () => vscode.l10n.t('reset by the client'),
    'server-reset': () => vscode.l10n.t('reset by the server'),
    'timed-out': () => vscode.l10n.t('timed out'),
    kicked: () => vscode.l10n.t('disconnected by you'),
    'server-stopped': () => vscode.l10n.t('relay stopped'),
    error: () => vscode.l10n.t('error'),
  };
  return texts[state]();
}

/** `client → server` / `server → client`, as the traffic log and the rows say it. */
function directionText(toServer: boolean): string {
  return toServer ? vscode.l10n.t('client → server') : vscode.l10n.t('server → client');
}

export const relayKind: ServerKindDriver = {
  icon: 'arrow-swap',
  persisted: true,
  logsOwnTraffic: true,
  create: async (entry, cfg, over) => {
    const target = parseHostPort(splitTlsScheme(entry.spec.target ?? '').address, cfg.host);
    const server = new RelayServer({
      host: over.host ?? cfg.host,
      port: over.port ?? entry.configuredPort(cfg),
      maxConnections: cfg.maxConnections,
      targetHost: target.host,
      targetPort: target.port,
      targetTls: targetTlsOf(entry),
      tls: listenTlsOf(entry, over),
    });
    await runs.get(entry)?.dispose();
    const cap = cfg.pcapMaxMiB * 1024 * 1024;
    runs.set(entry, await RelayRun.create(entry.id, server, target, cfg.relayCapture ? cap : undefined, cfg.relayWireCapture ? cap : undefined));
    return server;
  },
  wire: (entry, server: TcpServer, ctx, cfg) => {
    if (!(server instanceof RelayServer)) {
      return [];
    }
    const source = `server:${entry.id}`;
    const target = (targetTlsOf(entry) ? 'tls://' : '') + formatHostPort(server.target.host, server.target.port);
    return [
      server.onData((d) => ctx.traffic.record(source, entry.label, `${d.client.remote} (${directionText(d.direction === 'in')})`, d.direction, d.bytes, cfg.encoding)),
      server.onDidOpenConnection((c) => {
        ctx.log.info(vscode.l10n.t('{0}: client {1} relayed to {2}', entry.label, c.client.remote, target));
        ctx.changed();
      }),
      server.onDidCloseConnection((e) => {
        const c = e.connection;
        ctx.log.info(
          vscode.l10n.t(
            '{0}: connection {1} {2}: {3} {4}, {5} {6}',
            entry.label,
            c.client.remote,
            stateText(e.reason),
            formatBytes(c.bytesToServer),
            directionText(true),
            formatBytes(c.bytesToClient),
            directionText(false),
          ),
        );
        ctx.changed();
      }),
      server.onDidFailUpstream((f) => {
        const why = messageOf(f.error);
        ctx.log.warn(vscode.l10n.t('{0}: client {1} reset: {2}', entry.label, f.client.remote, why));
        ctx.traffic.note(source, entry.label, f.client.remote, why);
        ctx.changed();
      }),
    ];
  },
  afterAddress: (entry) => ` → ${entry.spec.target ?? '?'}`,
  tooltip: (entry) => {
    const lines = [vscode.l10n.t('Target: {0}', entry.spec.target ?? '?')];
    const cap = runs.get(entry)?.capture;
    lines.push(
      cap
        ? vscode.l10n.t('Capture: {0} packets, {1}', cap.packets, formatBytes(cap.bytes)) + (cap.truncated ? ` (${vscode.l10n.t('cut short at the size cap')})` : '')
        : vscode.l10n.t('Capture: off (setting {0})', 'tcpWorkbench.relayCapture'),
    );
    return lines;
  },
  children: (entry) => (runs.get(entry)?.rows ?? []).map((row) => new RelayConnectionNode(entry, row)),
  childItem: (node: KindChild) => connectionItem(node as RelayConnectionNode),
  stopped: async (entry, removed) => {
    const run = runs.get(entry);
    if (removed) {
      runs.delete(entry);
      await run?.dispose();
    } else {
      await run?.stopped();
    }
  },
};

function connectionItem(node: RelayConnectionNode): vscode.TreeItem {
  const { connection: c, state } = node.row;
  const open = state === 'open';
  const item = new vscode.TreeItem(c.client.remote, vscode.TreeItemCollapsibleState.None);
  item.id = `relay:${node.entry.id}:${c.id}:${c.openedAt}`;
  const age = formatDuration((node.row.closedAt ?? Date.now()) - c.openedAt);
  item.description = `${stateText(state)} · ${age} · →${formatBytes(c.bytesToServer)} ←${formatBytes(c.bytesToClient)}`;
  item.iconPath = new vscode.ThemeIcon(open ? 'plug' : 'debug-disconnect');
  item.contextValue = `relayConnection;${open ? 'open' : 'closed'};`;
  item.tooltip = [
    vscode.l10n.t('Connection {0}: {1}', c.id, stateText(state)),
    `${formatHostPort(c.clientEnd.address, c.clientEnd.port)} → ${formatHostPort(c.relayEnd.address, c.relayEnd.port)} ⇒ ${formatHostPort(c.targetEnd.address, c.targetEnd.port)}`,
    `${directionText(true)}: ${formatBytes(c.bytesToServer)}`,
    `${directionText(false)}: ${formatBytes(c.bytesToClient)}`,
  ].join('\n');
  return item;
}
