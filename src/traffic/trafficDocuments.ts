// Traffic documents: the core's traffic log shown as read-only virtual documents (`tcp-traffic:`),
// not an output channel, so memory stays as flat as the ring behind them.
import * as vscode from 'vscode';
import { TrafficLog } from '../core/trafficLog';

export const TRAFFIC_SCHEME = 'tcp-traffic';

/** The core ring with its own sentences localized. */
export function createTrafficLog(): TrafficLog {
  return new TrafficLog({
    skipped: (chunks, size) => vscode.l10n.t('… {0} more chunks ({1}) not shown', chunks, size),
    empty: () => vscode.l10n.t('No traffic yet. Start a server or connect, then send something.'),
  });
}

/** Serves `tcp-traffic:/<title>.log?<source>` documents from the log, refreshed while open. */
export class TrafficDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly log: TrafficLog) {
    this.sub = log.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === TRAFFIC_SCHEME) {
          this._onDidChange.fire(doc.uri);
        }
      }
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.log.render(uri.query === '' ? undefined : decodeURIComponent(uri.query));
  }

  static uri(title: string, source?: string): vscode.Uri {
    const safe = title.replace(/[\\/:*?"<>|]/g, '_');
    return vscode.Uri.from({ scheme: TRAFFIC_SCHEME, path: `/${safe}.log`, query: source === undefined ? '' : encodeURIComponent(source) });
  }

  async show(title: string, source?: string, preserveFocus = false): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(TrafficDocuments.uri(title, source));
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus, viewColumn: preserveFocus ? vscode.ViewColumn.Beside : undefined });
  }

  dispose(): void {
    this.sub.dispose();
    this._onDidChange.dispose();
  }
}
