// The Servers view: one item per server entry, its clients as children. It only listens to the
// manager (which fires at most a few times a second) and redraws.
import * as vscode from 'vscode';
import { EchoServer } from '../core/servers/echoServer';
import { DisposableBase } from '../core/events';
import { formatBytes, formatDuration } from '../core/format';
import { Config } from '../common/config';
import { ClientNode, ServerEntry, isClientNode } from '../state/serverEntry';
import { ClientInfo } from '../core/servers/serverBase';
import { clientTlsLines, clientTlsText, serverTlsBadge, serverTlsLines } from '../state/serverTls';
import { ServerManager } from '../state/serverManager';
import { KindChild, ServerKindDriver } from '../state/serverKind';
import { connectionMarks } from '../state/connectionMarks';
import { counterText, markLines, markText } from '../sessions/rowMarks';

type ServerTreeNode = ServerEntry | ClientNode | KindChild;

function childCount(entry: ServerEntry, kind: ServerKindDriver): number {
  return kind.children?.(entry).length ?? entry.server?.clients.length ?? 0;
}

/** Where it listens, the full address: for the tooltip. */
function serverState(entry: ServerEntry, kind: ServerKindDriver): string {
  if (entry.state !== 'listening') {
    return serverDescription(entry, kind);
  }
  return vscode.l10n.t('listening on {0}', entry.addressText ?? '?') + (kind.afterAddress?.(entry) ?? '') + ` · ${clientCount(entry)}`;
}

function clientCount(entry: ServerEntry): string {
  const n = entry.server?.clients.length ?? 0;
  return n === 1 ? vscode.l10n.t('1 client') : vscode.l10n.t('{0} clients', n);
}

/**
 * What matters first, so a narrow side bar cuts the least of it: the port (the whole address only when it is
 * not loopback, which is worth seeing), the clients, the echo mode — `:9007 · 2 clients · echo`.
 */
export function serverDescription(entry: ServerEntry, kind: ServerKindDriver): string {
  const a = entry.address;
  switch (entry.state) {
    case 'listening': {
      const loopback = a && (a.host === '127.0.0.1' || a.host === '::1' || a.host === 'localhost');
      const where = a ? (loopback ? `:${a.port}` : entry.addressText) : '?';
      return [where + (kind.afterAddress?.(entry) ?? ''), serverTlsBadge(entry), clientCount(entry), entry.mode].filter((x) => x).join(' · ');
    }
    case 'starting':
      return vscode.l10n.t('starting…');
    case 'stopping':
      return vscode.l10n.t('stopping…');
    default:
      return vscode.l10n.t('stopped');
  }
}

export class ServersView extends DisposableBase implements vscode.TreeDataProvider<ServerTreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ServerTreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private tick?: ReturnType<typeof setInterval>;

  constructor(
    private readonly manager: ServerManager,
    private readonly config: () => Config | undefined,
  ) {
    super();
    this._register(manager.onDidChange(() => this.refresh()));
    this._register(connectionMarks.onDidChange(() => this.refresh()));
    this._register({ dispose: () => clearInterval(this.tick) });
  }

  /** While visible, redraw every few seconds so client ages move; nothing runs when hidden. */
  setVisible(visible: boolean): void {
    clearInterval(this.tick);
    this.tick = undefined;
    if (visible) {
      this.tick = setInterval(() => {
        if (this.manager.running().some((e) => childCount(e, this.manager.driverOf(e)) > 0)) {
          this.refresh();
        }
      }, 5000);
    }
  }

  getTreeItem(node: ServerTreeNode): vscode.TreeItem {
    if (node instanceof ServerEntry) {
      return this.serverItem(node);
    }
    return isClientNode(node) ? this.clientItem(node) : (this.manager.driverOf(node.entry).childItem?.(node) ?? new vscode.TreeItem(node.type));
  }

  getChildren(node?: ServerTreeNode): ServerTreeNode[] {
    if (!node) {
      return [...this.manager.list()];
    }
    if (!(node instanceof ServerEntry)) {
      return [];
    }
    const own = this.manager.driverOf(node).children?.(node);
    return own ?? (node.server?.clients ?? []).map((client) => ({ type: 'client', entry: node, client }) as ClientNode);
  }

  getParent(node: ServerTreeNode): ServerTreeNode | undefined {
    return node instanceof ServerEntry ? undefined : node.entry;
  }

  private refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  private serverItem(entry: ServerEntry): vscode.TreeItem {
    const kind = this.manager.driverOf(entry);
    const running = entry.state === 'listening';
    const hasClients = childCount(entry, kind) > 0;
    const item = new vscode.TreeItem(entry.label, hasClients ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // VS Code remembers a row's collapsible state by id and ignores a change from "no children" to
    // "expanded"; a new id when the first client arrives makes the row open by itself.
    item.id = `server:${entry.id}:${hasClients ? 'clients' : 'empty'}`;
    item.description = serverDescription(entry, kind);
    item.iconPath = new vscode.ThemeIcon(kind.icon, running ? new vscode.ThemeColor('testing.iconPassed') : undefined);
    item.contextValue = `server;${running ? 'running' : entry.state === 'stopped' ? 'stopped' : 'busy'};${entry.kind};`;
    item.tooltip = this.serverTooltip(entry);
    return item;
  }

  private serverTooltip(entry: ServerEntry): vscode.MarkdownString {
    const cfg = this.config();
    const kind = this.manager.driverOf(entry);
    const lines: string[] = [`**${entry.label}** — ${serverState(entry, kind)}`, ''];
    if (entry.addressText) {
      lines.push(`- ${vscode.l10n.t('Address: {0}', entry.addressText)}`);
    }
    lines.push(...[...kind.tooltip(entry, cfg), ...serverTlsLines(entry)].map((l) => `- ${l}`));
    const s = entry.server;
    if (s && entry.state === 'listening') {
      lines.push(`- ${vscode.l10n.t('Received {0}, sent {1}', formatBytes(s.stats.bytesIn), formatBytes(s.stats.bytesOut))}`);
      lines.push(`- ${vscode.l10n.t('Clients: {0} now, {1} accepted, {2} refused', s.clients.length, s.stats.clientsAccepted, s.stats.clientsRefused)}`);
      lines.push(`- ${vscode.l10n.t('Up for {0}', formatDuration(s.uptimeMs))}`);
    } else if (cfg) {
      lines.push(`- ${vscode.l10n.t('Port: {0}', entry.configuredPort(cfg))}`);
    }
    const md = new vscode.MarkdownString(lines.join('\n'));
    md.supportThemeIcons = true;
    return md;
  }

  private clientItem(node: ClientNode): vscode.TreeItem {
    const c = node.client;
    const item = new vscode.TreeItem(c.remote, vscode.TreeItemCollapsibleState.None);
    item.id = `client:${node.entry.id}:${c.id}`;
    item.description = clientDescription(c);
    const marks = connectionMarks.get(c);
    item.description += markText(marks);
    item.iconPath = marks.recorder ? new vscode.ThemeIcon('record', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('plug');
    item.contextValue = `client;${node.entry.kind};${marks.recorder ? 'recording;' : ''}${marks.repeater ? 'repeating;' : ''}`;
    item.tooltip = [
      vscode.l10n.t('{0} connected to {1}; received {2}, sent {3}', c.remote, node.entry.label, formatBytes(c.bytesIn), formatBytes(c.bytesOut)),
      counterText(c),
      ...clientTlsLines(c.tls),
      ...encodingLines(node),
      ...markLines(marks),
    ].join('\n');
    return item;
  }
}

/** `12s · ↓5 B ↑5 B` and, for a TLS client, its protocol and certificate subject. */
export function clientDescription(c: ClientInfo): string {
  const tls = clientTlsText(c.tls);
  return `${formatDuration(Date.now() - c.connectedAt)} · ↓${formatBytes(c.bytesIn)} ↑${formatBytes(c.bytesOut)}${tls ? ` · ${tls}` : ''}`;
}

/** The client's own encoding, when it overrides the server's. */
function encodingLines(node: ClientNode): string[] {
  const server = node.entry.server;
  const own = server instanceof EchoServer ? server.clientEncoding(node.client.id) : undefined;
  return own ? [vscode.l10n.t('Encoding: {0}', own)] : [];
}
