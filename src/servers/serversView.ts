// The Servers view: one item per server entry, its clients as children. It only listens to the
// manager (which fires at most a few times a second) and redraws.
import * as vscode from 'vscode';
import { formatBytes, formatDuration } from '../core/format';
import { Config } from '../common/config';
import { ClientNode, ServerEntry, isClientNode } from './serverEntry';
import { ServerManager } from './serverManager';
import { clientKey, connectionMarks } from '../sessions/connectionMarks';
import { counterText, markLines, markText } from '../sessions/rowMarks';
import { DEFAULT_DENY } from '../core/denyList';
import { FileServer } from '../core/fileServer';

type ServerTreeNode = ServerEntry | ClientNode;

function serverDescription(entry: ServerEntry): string {
  const a = entry.addressText;
  switch (entry.state) {
    case 'listening': {
      const n = entry.server?.clients.length ?? 0;
      const clients = n === 1 ? vscode.l10n.t('1 client') : vscode.l10n.t('{0} clients', n);
      return vscode.l10n.t('listening on {0}', a ?? '?') + ` · ${clients}`;
    }
    case 'starting':
      return vscode.l10n.t('starting…');
    case 'stopping':
      return vscode.l10n.t('stopping…');
    default:
      return vscode.l10n.t('stopped');
  }
}

/** What a file server hides, for its tooltip: the default list in a few words, else the patterns. */
function denyText(deny: readonly string[] | undefined): string {
  if (!deny || (deny.length === DEFAULT_DENY.length && deny.every((g, i) => g === DEFAULT_DENY[i]))) {
    return vscode.l10n.t('Hides .env, keys, .git and other secrets — see setting {0}', 'tcpWorkbench.fileDeny');
  }
  if (deny.length === 0) {
    return vscode.l10n.t('Hides nothing: setting {0} is empty', 'tcpWorkbench.fileDeny');
  }
  const shown = deny.slice(0, 8).map((g) => `\`${g}\``).join(', ') + (deny.length > 8 ? ', …' : '');
  return vscode.l10n.t('Hides {0} — see setting {1}', shown, 'tcpWorkbench.fileDeny');
}

export class ServersView implements vscode.TreeDataProvider<ServerTreeNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<ServerTreeNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subs: vscode.Disposable[] = [];
  private tick?: ReturnType<typeof setInterval>;

  constructor(
    private readonly manager: ServerManager,
    private readonly config: () => Config | undefined,
  ) {
    this.subs.push(
      manager.onDidChange(() => this.refresh()),
      connectionMarks.onDidChange(() => this.refresh()),
    );
  }

  /** While visible, redraw every few seconds so client ages move; nothing runs when hidden. */
  setVisible(visible: boolean): void {
    clearInterval(this.tick);
    this.tick = undefined;
    if (visible) {
      this.tick = setInterval(() => {
        if (this.manager.running().some((e) => (e.server?.clients.length ?? 0) > 0)) {
          this.refresh();
        }
      }, 5000);
    }
  }

  getTreeItem(node: ServerTreeNode): vscode.TreeItem {
    return isClientNode(node) ? this.clientItem(node) : this.serverItem(node);
  }

  getChildren(node?: ServerTreeNode): ServerTreeNode[] {
    if (!node) {
      return [...this.manager.list()];
    }
    if (isClientNode(node)) {
      return [];
    }
    return (node.server?.clients ?? []).map((client) => ({ type: 'client', entry: node, client }) as ClientNode);
  }

  getParent(node: ServerTreeNode): ServerTreeNode | undefined {
    return isClientNode(node) ? node.entry : undefined;
  }

  dispose(): void {
    clearInterval(this.tick);
    for (const s of this.subs) {
      s.dispose();
    }
    this._onDidChangeTreeData.dispose();
  }

  private refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  private serverItem(entry: ServerEntry): vscode.TreeItem {
    const running = entry.state === 'listening';
    const hasClients = (entry.server?.clients.length ?? 0) > 0;
    const item = new vscode.TreeItem(entry.label, hasClients ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // VS Code remembers a row's collapsible state by id and ignores a change from "no children" to
    // "expanded"; a new id when the first client arrives makes the row open by itself.
    item.id = `server:${entry.id}:${hasClients ? 'clients' : 'empty'}`;
    item.description = serverDescription(entry);
    item.iconPath = new vscode.ThemeIcon(
      entry.kind === 'echo' ? 'radio-tower' : 'file-submodule',
      running ? new vscode.ThemeColor('testing.iconPassed') : undefined,
    );
    item.contextValue = `server;${running ? 'running' : entry.state === 'stopped' ? 'stopped' : 'busy'};${entry.kind};`;
    item.tooltip = this.serverTooltip(entry);
    return item;
  }

  private serverTooltip(entry: ServerEntry): vscode.MarkdownString {
    const cfg = this.config();
    const lines: string[] = [`**${entry.label}** — ${serverDescription(entry)}`, ''];
    if (entry.kind === 'echo') {
      const mode = entry.mode ?? entry.spec.mode ?? cfg?.echoMode ?? 'echo';
      lines.push(`- ${vscode.l10n.t('Mode: {0}', mode)}`);
    } else {
      const root = entry.root ?? entry.spec.root ?? (cfg?.fileRoot || vscode.l10n.t('the workspace folder'));
      lines.push(`- ${vscode.l10n.t('Root: {0}', root)}`);
      lines.push(`- ${denyText(entry.server instanceof FileServer ? entry.server.deny : cfg?.fileDeny)}`);
    }
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
    item.description = `${formatDuration(Date.now() - c.connectedAt)} · ↓${formatBytes(c.bytesIn)} ↑${formatBytes(c.bytesOut)}`;
    const marks = connectionMarks.get(clientKey(node.entry.id, c.id));
    item.description += markText(marks);
    item.iconPath = marks.recorder ? new vscode.ThemeIcon('record', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('plug');
    item.contextValue = `client;${node.entry.kind};${marks.recorder ? 'recording;' : ''}${marks.repeater ? 'repeating;' : ''}`;
    item.tooltip = [
      vscode.l10n.t('{0} connected to {1}; received {2}, sent {3}', c.remote, node.entry.label, formatBytes(c.bytesIn), formatBytes(c.bytesOut)),
      counterText(c),
      ...markLines(marks),
    ].join('\n');
    return item;
  }
}
