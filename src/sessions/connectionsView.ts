// The Connections view: the client sessions the user opened, redrawn when the manager says (at most a few times a second).
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { DisposableBase } from '../core/events';
import { formatBytes } from '../core/format';
import { connectionMarks } from '../state/connectionMarks';
import { counterText, markLines, markText } from './rowMarks';
import { SessionManager, sessionAddress } from '../state/sessionManager';
import { asCommand } from '../state/commands';

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
    item.description = `${state} · ↓${formatBytes(s.bytesIn)} ↑${formatBytes(s.bytesOut)}${current}${markText(marks)}`;
    item.iconPath = marks.recorder ? new vscode.ThemeIcon('record', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('plug');
    item.contextValue = `session;${s.state};${marks.recorder ? 'recording;' : ''}${marks.repeater ? 'repeating;' : ''}`;
    item.tooltip = [
      vscode.l10n.t('Session {0} to {1} ({2}); received {3}, sent {4}', s.id, sessionAddress(s), s.encoding, formatBytes(s.bytesIn), formatBytes(s.bytesOut)),
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
