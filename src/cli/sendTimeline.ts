// `send`'s timeline flags: provoke the classic surprises (--pieces N --gap MS, --together N, --nagle,
// --half-close, --reset) and write what TCP did as a timeline (--timeline FILE.json|.svg|.html), with its
// notes printed on stderr. The same core probe as the editor's Show Timeline buttons.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientSession } from '../core/sessions/clientSession';
import { formatHostPort } from '../core/hostPort';
import { Timeline } from '../core/timeline/timeline';
import { SocketProbe } from '../core/timeline/probe';
import { explain } from '../core/timeline/explain';
import { renderHtml, renderSvg } from '../core/timeline/render';
import { timelineJson } from '../core/timeline/exportJson';
import { TIMELINE_STRINGS, fill } from '../core/timeline/strings';
import { Values, str, usage } from './args';

export const TIMELINE_OPTIONS = {
  pieces: { type: 'string' },
  gap: { type: 'string' },
  together: { type: 'string' },
  nagle: { type: 'boolean' },
  'half-close': { type: 'boolean' },
  reset: { type: 'boolean' },
  timeline: { type: 'string' },
} as const;

export interface ProvokePlan {
  pieces?: number;
  gapMs: number;
  together?: number;
  nagle: boolean;
  halfClose: boolean;
  reset: boolean;
  timeline?: string;
  /** Any of the flags given: the notes are printed only then. */
  wanted: boolean;
}

const whole = (flag: string, v: string, min: number, max: number): number => {
  const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return n >= min && n <= max ? n : usage(`${flag} needs a whole number from ${min} to ${max}, not "${v}".`);
};

/** Checks the flags; `bytes` is false when the payload is a file (pieces and together need bytes). */
export function provokePlanOf(values: Values, bytes: boolean, overwrite: boolean): ProvokePlan {
  const pieces = str(values.pieces);
  const gap = str(values.gap);
  const together = str(values.together);
  if ((pieces !== undefined || together !== undefined) && (!bytes || values.repeat !== undefined)) {
    usage('--pieces and --together apply to TEXT or --hex, without --repeat.');
  }
  if (pieces !== undefined && together !== undefined) {
    usage('Give only one of --pieces and --together.');
  }
  if (gap !== undefined && pieces === undefined) {
    usage('--gap MS goes with --pieces N.');
  }
  if (values['half-close'] && values.reset) {
    usage('Give only one of --half-close and --reset.');
  }
  const timeline = str(values.timeline);
  if (timeline !== undefined) {
    if (!/\.(json|svg|html)$/i.test(timeline)) {
      usage(`--timeline writes .json, .svg or .html, not "${path.basename(timeline)}".`);
    }
    if (!overwrite && fs.existsSync(timeline)) {
      usage(`--timeline ${timeline} already exists: not overwritten (add --overwrite to replace it).`);
    }
  }
  return {
    pieces: pieces === undefined ? undefined : whole('--pieces', pieces, 1, 1000),
    gapMs: gap === undefined ? 0 : whole('--gap', gap, 0, 10_000),
    together: together === undefined ? undefined : whole('--together', together, 1, 1000),
    nagle: values.nagle === true,
    halfClose: values['half-close'] === true,
    reset: values.reset === true,
    timeline,
    wanted: [pieces, together, timeline].some((x) => x !== undefined) || values.nagle === true || values['half-close'] === true || values.reset === true,
  };
}

/** Starts the timeline of a connected session (its reads, FIN, RST through a probe; its writes reported). */
export function watchSession(session: ClientSession, connectMs: number): { timeline: Timeline; probe: SocketProbe } | undefined {
  const socket = session.liveSocket;
  if (!socket) {
    return undefined;
  }
  const timeline = new Timeline({ lanes: [`you ${formatHostPort(socket.localAddress ?? '?', socket.localPort ?? 0)}`, session.remote], encoding: session.encoding });
  timeline.mark('connect', 0, { peer: 1, ms: connectMs });
  const probe = new SocketProbe(timeline, socket, 0, 1, (b) => session.send(b));
  session.onDidSend((b) => probe.wrote(b));
  return { timeline, probe };
}

/** Sends the bytes as the plan says; false when the plan has no way of its own (send them plainly). */
export async function sendProvoked(probe: SocketProbe, bytes: Buffer, plan: ProvokePlan): Promise<boolean> {
  if (plan.nagle) {
    probe.setNoDelay(false);
  }
  if (plan.pieces !== undefined) {
    await probe.sendInPieces(bytes, plan.pieces, plan.gapMs);
    return true;
  }
  if (plan.together !== undefined) {
    await probe.sendTogether(Array.from({ length: plan.together }, () => bytes));
    return true;
  }
  return false;
}

/** Prints the notes on stderr and writes the timeline file (format by its extension). */
export function finishTimeline(timeline: Timeline, plan: ProvokePlan, err: (s: string) => void): void {
  for (const n of explain(timeline)) {
    err(`note: ${fill(TIMELINE_STRINGS.notes[n.code], ...n.args)}\n`);
  }
  if (plan.timeline) {
    const ext = path.extname(plan.timeline).toLowerCase();
    const text = ext === '.json' ? JSON.stringify(timelineJson(timeline), null, 2) : ext === '.html' ? renderHtml(timeline) : renderSvg(timeline);
    fs.writeFileSync(plan.timeline, text);
    err(`timeline written to ${plan.timeline} (${timeline.size} events)\n`);
  }
}
