// The timeline webview: the drawing from the core renderer (the newest events; older ones summarized),
// redrawn live at most every REDRAW_MS and only while the panel is visible; a redraw reuses the rows that
// did not change (RowCache) and posts only the new ones with where every row goes; the provoke buttons,
// hex on toggle, export as SVG, PNG or JSON.
// A strict CSP with a nonce, no remote resources; every string localized.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { Throttle } from '../core/throttle';
import { TIMELINE_CSS, drawRows, placeRow, svgOf } from '../core/timeline/render';
import { RowCache } from '../core/timeline/rowCache';
import { TimelineStrings } from '../core/timeline/strings';
import { TimelineHandle } from '../state/timelines';
import { localTimelineStrings } from './timelineStrings';
import { panelScript } from './timelineScript';

/** Events drawn live; the export draws all kept events. */
export const LIVE_EVENTS = 400;
const REDRAW_MS = 150;

export type ExportHandler = (handle: TimelineHandle, format: 'svg' | 'json' | 'png', png?: Buffer) => Promise<void>;
export type ActionHandler = (handle: TimelineHandle, lane: number, msg: ActionMessage) => Promise<void>;

export interface ActionMessage {
  action: string;
  text?: string;
  pieces?: number;
  gapMs?: number;
}

export class TimelinePanel implements vscode.Disposable {
  private static readonly open = new Map<TimelineHandle, TimelinePanel>();
  private readonly panel: vscode.WebviewPanel;
  private readonly subs: vscode.Disposable[] = [];
  private readonly redraw: Throttle;
  private readonly rows = new RowCache();
  private readonly strings: TimelineStrings = localTimelineStrings();
  private hex = false;
  /** A change came while the panel was hidden: redraw when it shows again. */
  private stale = false;
  /** The rows the webview holds (seq → svg); undefined: it holds nothing yet, send the whole drawing. */
  private sent?: Map<number, string>;

  /** Opens (or reveals) the panel of a timeline; `lane` is the side the buttons act on. */
  static show(handle: TimelineHandle, lane: number, onAction: ActionHandler, onExport: ExportHandler): TimelinePanel {
    const existing = TimelinePanel.open.get(handle);
    if (existing) {
      existing.lane = lane;
      existing.panel.reveal();
      existing.redraw.schedule();
      return existing;
    }
    const p = new TimelinePanel(handle, lane, onAction, onExport);
    TimelinePanel.open.set(handle, p);
    return p;
  }

  /** How many times the drawing was posted to the webview (tests and the benchmark read it). */
  renders = 0;

  private constructor(
    private readonly handle: TimelineHandle,
    private lane: number,
    onAction: ActionHandler,
    onExport: ExportHandler,
  ) {
    this.panel = vscode.window.createWebviewPanel('tcpWorkbench.timeline', vscode.l10n.t('Timeline: {0}', handle.title), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    this.panel.webview.html = this.html();
    this.redraw = new Throttle(() => this.post(), REDRAW_MS);
    this.subs.push(
      handle.timeline.onDidChange(() => this.changed()),
      this.panel.onDidChangeViewState(() => {
        if (this.panel.visible && this.stale) {
          this.changed();
        }
      }),
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage(async (m: { type: string; on?: boolean; format?: 'svg' | 'json' | 'png'; data?: string } & ActionMessage) => {
        try {
          if (m.type === 'ready') {
            this.sent = undefined;
            this.post();
          } else if (m.type === 'hex') {
            this.hex = m.on === true;
            this.post();
          } else if (m.type === 'action') {
            await onAction(this.handle, this.lane, m);
          } else if (m.type === 'export' && m.format) {
            await onExport(this.handle, m.format, m.data ? Buffer.from(m.data.replace(/^data:image\/png;base64,/, ''), 'base64') : undefined);
          }
        } catch (e) {
          void vscode.window.showErrorMessage((e as Error).message);
        }
      }),
    );
  }

  dispose(): void {
    TimelinePanel.open.delete(this.handle);
    this.redraw.dispose();
    this.subs.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }

  /** A hidden panel draws nothing (a busy connection would redraw it for nobody) until it shows again. */
  private changed(): void {
    this.stale = !this.panel.visible;
    if (!this.stale) {
      this.redraw.schedule();
    }
  }

  private post(): void {
    const t = this.handle.timeline;
    const probe = this.handle.probes.get(this.lane);
    const d = drawRows(t, { strings: this.strings, hex: this.hex, last: LIVE_EVENTS, highlight: this.handle.highlight, cache: this.rows });
    // Only the rows the webview does not hold yet (a reused row is the very same string), and where every row goes.
    const sent = this.sent;
    const drawing = sent
      ? {
          width: d.width,
          height: d.height,
          head: d.head,
          order: d.rows.map((r) => [r.seq, r.y]),
          added: d.rows
            .filter((r) => sent.get(r.seq) !== r.svg)
            .map(placeRow)
            .join(''),
        }
      : { svg: svgOf(d) };
    this.sent = new Map(d.rows.map((r) => [r.seq, r.svg]));
    const status = [
      vscode.l10n.t('{0} events kept, {1} summarized', t.size, t.summary.events),
      probe ? (probe.paused ? vscode.l10n.t('stopped reading: {0} B queued here', probe.queued) : vscode.l10n.t('open')) : vscode.l10n.t('closed'),
    ].join(' · ');
    this.renders++;
    void this.panel.webview.postMessage({
      type: 'render',
      ...drawing,
      status,
      canAct: probe !== undefined,
      paused: probe?.paused === true,
      canCloseUnread: this.handle.probes.has(1),
    });
  }

  private html(): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const csp = `default-src 'none'; img-src data: blob:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
    const b = (action: string, label: string, title: string) => `<button data-action="${action}" title="${escapeHtml(title)}">${escapeHtml(label)}</button>`;
    return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${PAGE_CSS}${TIMELINE_CSS}</style></head>
<body>
<div class="bar">
  <label>${escapeHtml(vscode.l10n.t('Message'))} <input id="text" value="hello;" size="10"></label>
  <label>${escapeHtml(vscode.l10n.t('Pieces'))} <input id="pieces" type="number" min="1" max="100" value="3"></label>
  <label>${escapeHtml(vscode.l10n.t('Gap (ms)'))} <input id="gap" type="number" min="0" max="10000" value="20"></label>
  ${b('pieces', vscode.l10n.t('Send in Pieces'), vscode.l10n.t('One message as N writes, D ms apart: the reader may see 半包'))}
  ${b('together', vscode.l10n.t('Send Together'), vscode.l10n.t('N messages, one write each, Nagle on and corked: the reader may see 粘包'))}
  ${b('nagleOff', vscode.l10n.t('Nagle Off'), 'setNoDelay(true)')}
  ${b('nagleOn', vscode.l10n.t('Nagle On'), 'setNoDelay(false)')}
  ${b('halfClose', vscode.l10n.t('Half-Close (FIN)'), vscode.l10n.t('shutdown(SHUT_WR): send FIN, keep reading'))}
  ${b('reset', vscode.l10n.t('Abort with Reset (RST)'), vscode.l10n.t('SO_LINGER 0 + close: the peer sees "connection reset by peer"'))}
  ${b('pause', vscode.l10n.t('Stop Reading'), vscode.l10n.t('Pause this socket: the peer’s sends queue up (flow control)'))}
  ${b('resume', vscode.l10n.t('Resume Reading'), '')}
  ${b('closeUnread', vscode.l10n.t('Server: Close with Unread Data'), vscode.l10n.t('Our server stops reading and closes: the client sees a reset'))}
  <label><input id="hex" type="checkbox"> ${escapeHtml(vscode.l10n.t('Hex'))}</label>
  <button data-export="svg">${escapeHtml(vscode.l10n.t('Export SVG'))}</button>
  <button data-export="png">${escapeHtml(vscode.l10n.t('Export PNG'))}</button>
  <button data-export="json">${escapeHtml(vscode.l10n.t('Export JSON'))}</button>
</div>
<div id="status" class="status"></div>
<div id="view" class="view"></div>
<script nonce="${nonce}">${panelScript()}</script>
</body></html>`;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// The SVG's own <style> is refused by the CSP (it has no nonce), so the page carries the same rules.
const PAGE_CSS = `
body{margin:0;padding:0;font-family:var(--vscode-font-family);color:var(--vscode-foreground);background:var(--vscode-editor-background)}
.bar{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:4px 8px;align-items:center;padding:6px 8px;background:var(--vscode-editor-background);border-bottom:1px solid var(--vscode-panel-border)}
.bar input[type=number]{width:4em}
button{background:var(--vscode-button-secondaryBackground);color:var(--vscode-button-secondaryForeground);border:none;padding:3px 8px;cursor:pointer}
button:hover{background:var(--vscode-button-secondaryHoverBackground)}
button:disabled{opacity:.5;cursor:default}
input{background:var(--vscode-input-background);color:var(--vscode-input-foreground);border:1px solid var(--vscode-input-border,transparent)}
.status{padding:4px 8px;color:var(--vscode-descriptionForeground)}
.view{padding:0 8px 8px}
`;
