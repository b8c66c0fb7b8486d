// The timeline of one block's conversation, recorded while it runs, so the HTML report (`run --html`) and
// the editor's Show Timeline draw it with the same renderer as a live session: lane 0 is the script, every
// connection it opens a lane of its own. Sends are the script's writes, receives what its recv got; the
// peer's FIN, a reset, errors and closes are marked, so are the steps that move no bytes (wait, close,
// shutdown, starttls) and the failed step, whose row is highlighted. Bounded: the timeline keeps
// BLOCK_TIMELINE_EVENTS events (older ones are summarized) and MAX_LANES lanes (later connections share the last).
import type * as net from 'node:net';
import { Lane, Timeline } from '../timeline/timeline';
import { StepResult, stepLabel } from './results';

export const BLOCK_TIMELINE_EVENTS = 1000;
const MAX_LANES = 9;
/** A mark's text is cut here (the full failure is printed beside the drawing). */
const MARK_TEXT = 72;

/** What a run keeps of a block's conversation (RunOptions.timelines). */
export interface BlockTimeline {
  readonly timeline: Timeline;
  /** The seq of the failed step's mark: the row to highlight. */
  readonly failedSeq?: number;
}

const cut = (s: string): string => (s.length > MARK_TEXT ? `${s.slice(0, MARK_TEXT - 1)}…` : s);

export class BlockRecorder {
  readonly timeline: Timeline;
  private failedSeq?: number;
  private readonly off: (() => void)[] = [];
  private readonly finSent = new Set<Lane>();
  private stopped = false;

  constructor(encoding: string, maxEvents = BLOCK_TIMELINE_EVENTS) {
    this.timeline = new Timeline({ lanes: ['script'], encoding, maxEvents });
  }

  /** A lane for a connection about to open, labelled like `alice 127.0.0.1:6379`. */
  lane(label: string): Lane {
    const lanes = this.timeline.lanes;
    if (lanes.length < MAX_LANES) {
      lanes.push(label);
      return lanes.length - 1;
    }
    lanes[MAX_LANES - 1] = '(more connections)';
    return MAX_LANES - 1;
  }

  /** Bytes the script sent on a lane's connection ('out') or its recv got ('in'). */
  traffic(lane: Lane, direction: 'in' | 'out', bytes: Buffer): void {
    if (this.stopped) {
      return;
    }
    if (direction === 'out') {
      this.timeline.write(0, lane, bytes);
    } else {
      this.timeline.read(lane, 0, bytes);
    }
  }

  /** The connection is open: the connect arrow, and what its socket says from now on (FIN, reset, errors, close). */
  connected(lane: Lane, socket: net.Socket, ms: number): void {
    this.timeline.mark('connect', 0, { peer: lane, ms });
    const on = <A extends unknown[]>(event: string, fn: (...a: A) => void): void => {
      const f = (...a: unknown[]): void => {
        if (!this.stopped) {
          fn(...(a as A));
        }
      };
      socket.on(event, f);
      this.off.push(() => socket.off(event, f));
    };
    on('end', () => this.timeline.mark('fin', lane, { peer: 0 }));
    on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' ? this.timeline.mark('rst', lane, { peer: 0, code: e.code }) : this.timeline.mark('error', lane, { code: e.code, message: e.message }),
    );
    on('close', () => this.timeline.mark('close', lane));
  }

  connectFailed(lane: Lane, message: string): void {
    this.timeline.mark('error', lane, { message: cut(message) });
  }

  /** Our side sends FIN on a lane (a close or shutdown step, or the end of a passed block); marked once. */
  fin(lane: Lane): void {
    if (!this.stopped && !this.finSent.has(lane)) {
      this.finSent.add(lane);
      this.timeline.mark('fin', 0, { peer: lane });
    }
  }

  /** A step's result: the steps that move no bytes get a mark; a failed step a highlighted one. */
  step(r: StepResult, lane: Lane): void {
    if (this.stopped) {
      return;
    }
    const s = r.step;
    if (!r.ok) {
      const text = `✗ line ${r.line + 1} ${stepLabel(s)}: ${r.failure?.message ?? 'failed'}`;
      this.failedSeq = this.timeline.mark('action', lane, { text: cut(text) }).seq;
    } else if (s.kind === 'wait') {
      this.timeline.mark('action', 0, { text: `wait ${s.ms} ms` });
    } else if (s.kind === 'close' || s.kind === 'shutdown') {
      this.fin(lane);
    } else if (s.kind === 'starttls') {
      this.timeline.mark('action', 0, { text: 'starttls' });
    } else if (s.kind === 'reset') {
      this.timeline.mark('rst', 0, { peer: lane });
    } else if (s.kind === 'nodelay') {
      this.timeline.mark('noDelay', 0, { on: s.on });
    } else if (s.kind === 'pause' || s.kind === 'resume') {
      this.timeline.mark(s.kind, 0);
    }
  }

  /** Stops recording (the block's sockets are about to be destroyed) and hands over what was recorded. */
  finish(): BlockTimeline {
    this.stopped = true;
    this.off.splice(0).forEach((f) => f());
    return { timeline: this.timeline, failedSeq: this.failedSeq };
  }
}
