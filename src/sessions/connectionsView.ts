// The Connections view: the client sessions the user opened, redrawn when the manager says (at most a few times a second).
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { DisposableBase } from '../core/events';
import { formatBytes } from '../core/format';
import { connectionMarks } from '../state/connectionMarks';
import { counterText, markLines, markText } from './rowMarks';
import { asCommand } from '../state/commands';
import { SessionManager, sessionAddress, tlsSummary } from '../state/sessionManager';
import type { HandshakeFacts } from '../core/tls/clientTls';

/** The TLS line of a session's tooltip: protocol, cipher, ALPN, the peer, and how it was trusted. */
function tlsTooltip(f: HandshakeFacts): string {
  const trust =
    f.trust === 'verified'
      ? vscode.l10n.t('certificate verified')
      : f.trust === 'fingerprint'
        ? vscode.l10n.t('certificate trusted by its fingerprint')
        : vscode.l10n.t('certificate not verified (insecure)');
  return vscode.l10n.t('TLS: {0}; {1}', tlsSummary(f), trust);
}

export class ConnectionsView extends DisposableBase implements vscode.TreeDataProvider<ClientSession> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ClientSession | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly sessions: SessionManager) {
    super();
    this._register(sessions.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
    this._register(connectionMarks.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
  }

  getTreeItem(s: ClientSession): vscode.TreeItem {
    const item = new vscode.TreeItem(sessionAddress(s), vscode.TreeItemCollapsibleState.None);
    item.id = `session:${s.id}`;
    const state = s.state === 'connected' ? vscode.l10n.t('connected') : s.state === 'connecting' ? vscode.l10n.t('connecting…') : vscode.l10n.t('closed');
    const current = this.sessions.current === s && this.sessions.sessions().length > 1 ? ` · ${vscode.l10n.t('active')}` : '';
    const marks = connectionMarks.get(s);
    const tls = s.tlsFacts;
    const secure = tls ? `${tls.protocol}${tls.trust === 'verified' ? '' : ` (${vscode.l10n.t('not verified')})`} · ` : '';
    item.description = `${secure}${state} · ↓${formatBytes(s.bytesIn)} ↑${formatBytes(s.bytesOut)}${current}${markText(marks)}`;
    item.iconPath = marks.recorder ? new vscode.ThemeIcon('record', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon(tls ? 'lock' : 'plug');
    item.contextValue = `session;${s.state};${marks.recorder ? 'recording;' : ''}${marks.repeater ? 'repeating;' : ''}${tls ? 'tls;' : ''}`;
    item.tooltip = [
      vscode.l10n.t('Session {0} to {1} ({2}); received {3}, sent {4}', s.id, sessionAddress(s), s.encoding, formatBytes(s.bytesIn), formatBytes(s.bytesOut)),
      ...(tls ? [tlsTooltip(tls)] : []),
      counterText(s),
      ...markLines(marks),
    ].join('\n');
    item.command = asCommand({ command: 'tcpWorkbench.showSessionTraffic', title: vscode.l10n.t('Show Traffic'), arguments: [s] });
    return item;
  }

  getChildren(s?: ClientSession): ClientSession[] {
    return s ? [] : [...this.sessions.sessions()];
  }
}
