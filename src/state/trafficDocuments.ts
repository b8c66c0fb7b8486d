// Traffic documents: the core's traffic log shown as read-only virtual documents (`tcp-traffic:`),
// not an output channel, so memory stays as flat as the ring behind them.
import * as vscode from 'vscode';
import { DisposableBase } from '../core/events';
import { TrafficLog } from '../core/traffic/trafficLog';
import { LineStyle, TrafficLayout, isLayout, renderEntries } from '../core/traffic/trafficView';

export const TRAFFIC_SCHEME = 'tcp-traffic';
/** The language of traffic documents in text: long data wraps (configurationDefaults in package.json). */
export const TRAFFIC_LANGUAGE = 'tcp-traffic';
/** The language of a hex layout: rows of a fixed width do not wrap. */
export const TRAFFIC_HEX_LANGUAGE = 'tcp-traffic-hex';

/** The core ring with its own sentences localized. */
export function createTrafficLog(): TrafficLog {
  return new TrafficLog({
    skipped: (chunks, size) => vscode.l10n.t('… {0} more chunks ({1}) not shown', chunks, size),
    empty: () => vscode.l10n.t('No traffic yet. Start a server or connect, then send something.'),
  });
}

/** What one document shows: a source (`server:<id>`, `session:<id>`, or all) and, for a server's client, its peer. */
export interface TrafficView {
  source?: string;
  peer?: string;
}

export function viewOf(uri: vscode.Uri): TrafficView {
  const q = new URLSearchParams(uri.query);
  return { source: q.get('source') ?? undefined, peer: q.get('peer') ?? undefined };
}

/** One connection's own document names the peer in its title, so its lines need only time, arrow and data. */
function styleOf(v: TrafficView): LineStyle {
  if (v.source === undefined) {
    return 'full';
  }
  return v.source.startsWith('session:') || v.peer !== undefined ? 'compact' : 'peer';
}

/** Serves `tcp-traffic:/<title>.log?source=…&peer=…` documents from the log, refreshed while open. */
export class TrafficDocuments extends DisposableBase implements vscode.TextDocumentContentProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidChangeLayout = this._register(new vscode.EventEmitter<string>());
  /** Fires with the source key (`''` for the whole log) whose layout changed. */
  readonly onDidChangeLayout = this._onDidChangeLayout.event;
  private readonly layouts = new Map<string, TrafficLayout>();

  constructor(private readonly log: TrafficLog) {
    super();
    this._register(log.onDidChange(() => this.refresh()));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const v = viewOf(uri);
    const entries = this.log.entries(v.source).filter((e) => v.peer === undefined || e.peer === v.peer);
    const empty = vscode.l10n.t('No traffic yet. Start a server or connect, then send something.');
    return renderEntries(entries, this.layoutOf(v.source), styleOf(v), empty);
  }

  /** The layout of a source's documents (all its clients' too); text unless switched. */
  layoutOf(source?: string): TrafficLayout {
    return this.layouts.get(source ?? '') ?? 'text';
  }

  /** Switches a source's documents to a layout; they re-render from the ring, nothing is lost. */
  setLayout(source: string | undefined, layout: TrafficLayout): void {
    if (!isLayout(layout)) {
      throw new Error(`Unknown traffic layout "${String(layout)}"`);
    }
    if (layout === 'text') {
      this.layouts.delete(source ?? '');
    } else {
      this.layouts.set(source ?? '', layout);
    }
    this.relayout(source);
  }

  private relayout(source: string | undefined): void {
    const mine = (v: TrafficView) => (v.source ?? '') === (source ?? '');
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === TRAFFIC_SCHEME && mine(viewOf(doc.uri))) {
        void this.languageFor(doc);
      }
    }
    this._onDidChangeLayout.fire(source ?? '');
    this.refresh(mine);
  }

  /** Text wraps, hex rows do not: the document's language follows its layout. */
  private async languageFor(doc: vscode.TextDocument): Promise<vscode.TextDocument> {
    const want = this.layoutOf(viewOf(doc.uri).source) === 'text' ? TRAFFIC_LANGUAGE : TRAFFIC_HEX_LANGUAGE;
    return doc.languageId === want ? doc : vscode.languages.setTextDocumentLanguage(doc, want);
  }

  static uri(title: string, view: TrafficView = {}): vscode.Uri {
    const safe = title.replace(/[\\/:*?"<>|]/g, '_');
    const q = new URLSearchParams();
    if (view.source !== undefined) {
      q.set('source', view.source);
    }
    if (view.peer !== undefined) {
      q.set('peer', view.peer);
    }
    return vscode.Uri.from({ scheme: TRAFFIC_SCHEME, path: `/${safe}.log`, query: q.toString() });
  }

  /** Opens (beside the editor when `preserveFocus`) the document of a view, or of a source given as a string. */
  async show(title: string, view: TrafficView | string = {}, preserveFocus = false): Promise<vscode.Uri> {
    const uri = TrafficDocuments.uri(title, typeof view === 'string' ? { source: view } : view);
    const doc = await this.languageFor(await vscode.workspace.openTextDocument(uri));
    // Beside what the user works in (a file, the walkthrough); with no editor open at all, in the first group,
    // not beside an empty one.
    const beside = preserveFocus && vscode.window.tabGroups.activeTabGroup.activeTab !== undefined;
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus, viewColumn: beside ? vscode.ViewColumn.Beside : undefined });
    return uri;
  }

  private refresh(which: (v: TrafficView) => boolean = () => true): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === TRAFFIC_SCHEME && which(viewOf(doc.uri))) {
        this._onDidChange.fire(doc.uri);
      }
    }
  }
}
