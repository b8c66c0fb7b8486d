// Toggle Hex View (a session's, a server's, or the open traffic document's traffic as a hex dump) and
// Traffic Layout… (text, hex, or hex with the decoded text beside it). Both only re-render from the ring.
import * as vscode from 'vscode';
import { entryOf, isOptions, sessionOf } from '../state/commandArgs';
import { LayoutResult, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { isClientNode } from '../state/serverEntry';
import { sessionAddress } from '../state/sessionManager';
import { TrafficLayout, isLayout } from '../core/traffic/trafficView';
import { TRAFFIC_SCHEME, TrafficView, viewOf } from '../state/trafficDocuments';
import { UserError } from '../common/showError';

interface Target {
  title: string;
  view: TrafficView;
  beside: boolean;
}

/** What a layout command acts on: a row, `{ sessionId | entryId }`, a traffic document, or the active one. */
function targetOf(svc: Services, arg: unknown): Target {
  if (isClientNode(arg)) {
    const remote = arg.client.remote;
    return { title: vscode.l10n.t('Traffic - {0}', remote), view: { source: `server:${arg.entry.id}`, peer: remote }, beside: true };
  }
  const uri = arg instanceof vscode.Uri ? arg : isOptions(arg) ? undefined : vscode.window.activeTextEditor?.document.uri;
  if (uri?.scheme === TRAFFIC_SCHEME) {
    return { title: uri.path.replace(/^\//, '').replace(/\.log$/, ''), view: viewOf(uri), beside: false };
  }
  const s = sessionOf(svc, arg);
  const entry = s ? undefined : entryOf(svc, arg);
  if (entry) {
    return { title: vscode.l10n.t('Traffic - {0}', entry.label), view: { source: `server:${entry.id}` }, beside: false };
  }
  const session = s ?? (isOptions(arg) ? undefined : svc.sessions.current);
  if (session) {
    return { title: vscode.l10n.t('Traffic - {0}', sessionAddress(session)), view: { source: `session:${session.id}` }, beside: true };
  }
  if (isOptions(arg)) {
    throw new UserError(vscode.l10n.t('Name a session or a server: {0}.', '{ sessionId } / { entryId }'));
  }
  return { title: vscode.l10n.t('Traffic'), view: {}, beside: false };
}

async function apply(svc: Services, t: Target, layout: TrafficLayout): Promise<LayoutResult> {
  svc.trafficDocs.setLayout(t.view.source, layout);
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === TRAFFIC_SCHEME && sameView(viewOf(e.document.uri), t.view));
  const uri = shown?.document.uri ?? (await svc.trafficDocs.show(t.title, t.view, t.beside));
  return { layout, uri: uri.toString() };
}

function sameView(a: TrafficView, b: TrafficView): boolean {
  return a.source === b.source && a.peer === b.peer;
}

export function registerLayoutCommands(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.toggleHexView', (arg) => {
    const t = targetOf(svc, arg);
    const next: TrafficLayout = svc.trafficDocs.layoutOf(t.view.source) === 'text' ? 'hex' : 'text';
    return apply(svc, t, next);
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.setTrafficLayout', async (arg) => {
    const t = targetOf(svc, arg);
    let layout: unknown = isOptions(arg) ? (arg as { layout?: unknown }).layout : undefined;
    if (isOptions(arg) && !isLayout(layout)) {
      throw new UserError(vscode.l10n.t('"layout" must be text, hex or textAndHex, not {0}.', String(layout)));
    }
    if (!isOptions(arg)) {
      const current = svc.trafficDocs.layoutOf(t.view.source);
      const items: (vscode.QuickPickItem & { layout: TrafficLayout })[] = [
        { label: `$(list-flat) ${vscode.l10n.t('Text')}`, description: vscode.l10n.t('time, direction and data, one line per chunk'), layout: 'text' },
        { label: `$(file-binary) ${vscode.l10n.t('Hex Dump')}`, description: vscode.l10n.t('offset, hex bytes and ASCII'), layout: 'hex' },
        { label: `$(split-horizontal) ${vscode.l10n.t('Text and Hex')}`, description: vscode.l10n.t('hex bytes with the decoded text beside them'), layout: 'textAndHex' },
      ];
      for (const i of items) {
        i.picked = i.layout === current;
      }
      const p = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Traffic Layout'), placeHolder: t.title });
      layout = p?.layout;
    }
    return isLayout(layout) ? apply(svc, t, layout) : undefined;
  });
}
