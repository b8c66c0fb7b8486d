// Show Timeline (session rows, client rows of our servers, the palette for the active session), the
// provoke actions its buttons run (also a command, for tests and other extensions) and Export Timeline.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { encodeText, EncodingName } from '../core/codec';
import { renderSvg } from '../core/timeline/render';
import { timelineJson } from '../core/timeline/exportJson';
import { registerCommand } from '../state/commands';
import { isOptions } from '../state/commandArgs';
import { isClientNode } from '../state/serverEntry';
import { isRelayConnectionNode } from '../state/relayRows';
import { Services } from '../state/services';
import { TimelineHandle, Timelines } from '../state/timelines';
import { scriptBlockRef } from '../state/scriptTimelines';
import { UserError } from '../common/showError';
import { ActionMessage, TimelinePanel } from './timelinePanel';
import { localTimelineStrings } from './timelineStrings';

export type TimelineAction = 'pieces' | 'together' | 'nagleOff' | 'nagleOn' | 'halfClose' | 'reset' | 'pause' | 'resume' | 'closeUnread';
const ACTIONS: readonly TimelineAction[] = ['pieces', 'together', 'nagleOff', 'nagleOn', 'halfClose', 'reset', 'pause', 'resume', 'closeUnread'];

/** A session (`sessionId`) or a client of one of our servers (`entryId` + `clientId`). */
export interface TimelineTarget {
  sessionId?: number;
  entryId?: string;
  clientId?: number;
}

export function registerTimelineCommands(svc: Services): void {
  const timelines = new Timelines(svc.sessions, svc.servers);
  svc.context.subscriptions.push(timelines);

  /** The timeline a row or options name, and the lane its buttons act on. */
  const resolve = (arg: unknown): { handle: TimelineHandle; lane: number } => {
    if (arg instanceof ClientSession || (isOptions(arg) && typeof arg.sessionId === 'number')) {
      const id = arg instanceof ClientSession ? arg.id : (arg.sessionId as number);
      return { handle: must(timelines.ofSession(id), vscode.l10n.t('Session {0} has no timeline.', id)), lane: 0 };
    }
    if (isClientNode(arg) || (isOptions(arg) && typeof arg.entryId === 'string' && typeof arg.clientId === 'number')) {
      const [entryId, clientId] = isClientNode(arg) ? [arg.entry.id, arg.client.id] : [arg.entryId as string, arg.clientId as number];
      return { handle: must(timelines.ofClient(entryId, clientId), vscode.l10n.t('Client {0} has no timeline.', clientId)), lane: 1 };
    }
    if (isRelayConnectionNode(arg) || (isOptions(arg) && typeof arg.entryId === 'string' && typeof arg.connectionId === 'number')) {
      const [entryId, id] = isRelayConnectionNode(arg) ? [arg.entry.id, arg.row.connection.id] : [arg.entryId as string, arg.connectionId as number];
      return { handle: must(timelines.ofRelay(entryId, id), vscode.l10n.t('Relay connection {0} has no timeline.', id)), lane: 1 };
    }
    // A `.tcp` block's last run: its test item in the Testing view, or `{ script, line }`.
    const block = scriptBlockRef(arg);
    if (block) {
      if (block.index === undefined && block.line === undefined) {
        throw new UserError(vscode.l10n.t('Choose a block of the file: each block has a timeline of its own.'));
      }
      return { handle: must(svc.scriptTimelines.find(block), vscode.l10n.t('This block has no timeline yet: run it first.')), lane: 0 };
    }
    const current = svc.sessions.current;
    if (!current) {
      throw new UserError(vscode.l10n.t('Connect first, or choose a session or a client row: there is no active session.'));
    }
    return { handle: must(timelines.ofSession(current.id), vscode.l10n.t('Session {0} has no timeline.', current.id)), lane: 0 };
  };

  const act = async (handle: TimelineHandle, lane: number, m: ActionMessage): Promise<void> => {
    const action = m.action as TimelineAction;
    if (!ACTIONS.includes(action)) {
      throw new UserError(vscode.l10n.t('Unknown timeline action "{0}".', String(m.action)));
    }
    const probe = handle.probes.get(action === 'closeUnread' ? 1 : lane);
    if (!probe) {
      throw new UserError(
        action === 'closeUnread' ? vscode.l10n.t('Only a connection to one of our servers can be closed from the server side.') : vscode.l10n.t('The connection is closed.'),
      );
    }
    const bytes = () => encodeText(m.text || 'hello;', handle.timeline.encoding as EncodingName);
    const n = Math.max(1, Math.min(100, Math.floor(m.pieces ?? 3)));
    switch (action) {
      case 'pieces':
        return probe.sendInPieces(bytes(), n, m.gapMs ?? 20);
      case 'together':
        return probe.sendTogether(Array.from({ length: n }, () => bytes()));
      case 'nagleOff':
      case 'nagleOn':
        return probe.setNoDelay(action === 'nagleOff');
      case 'halfClose':
        return probe.halfClose();
      case 'reset':
        return probe.reset();
      case 'pause':
        return probe.pause();
      case 'resume':
        return probe.resume();
      case 'closeUnread':
        return probe.closeWithUnread();
    }
  };

  const write = async (handle: TimelineHandle, format: 'svg' | 'json' | 'png', file: string | undefined, png?: Buffer): Promise<string | undefined> => {
    if (!file) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `timeline-${handle.title.replace(/[^\w.-]+/g, '-')}.${format}`;
      const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { [format.toUpperCase()]: [format] } });
      if (!uri) {
        return undefined;
      }
      file = uri.fsPath;
    }
    const data =
      format === 'png'
        ? must(png, vscode.l10n.t('Export PNG works from the timeline view.'))
        : format === 'json'
          ? JSON.stringify(timelineJson(handle.timeline), null, 2)
          : renderSvg(handle.timeline, { strings: localTimelineStrings() });
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Timeline saved to {0}', file), 5000);
    return file;
  };

  registerCommand(svc.context, svc.log, 'tcpWorkbench.showTimeline', (arg) => {
    const { handle, lane } = resolve(arg);
    TimelinePanel.show(handle, lane, act, async (h, format, png) => {
      await write(h, format, undefined, png);
    });
    return { title: handle.title, events: handle.timeline.size };
  });
  registerCommand(svc.context, svc.log, 'tcpWorkbench.timelineAction', async (arg) => {
    const { handle, lane } = resolve(arg);
    await act(handle, lane, { action: String(arg?.action), text: arg?.text, pieces: arg?.pieces, gapMs: arg?.gapMs });
    return { events: handle.timeline.size };
  });
  registerCommand(svc.context, svc.log, 'tcpWorkbench.exportTimeline', async (arg) => {
    const { handle } = resolve(arg);
    const format = arg?.format ?? 'svg';
    if (format !== 'svg' && format !== 'json') {
      throw new UserError(vscode.l10n.t('"format" must be svg or json.'));
    }
    const file = await write(handle, format, arg?.path);
    return file ? { path: file } : undefined;
  });
}

function must<T>(x: T | undefined, message: string): T {
  if (x === undefined) {
    throw new UserError(message);
  }
  return x;
}
