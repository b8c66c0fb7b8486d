// Runs the provoke steps (provoke.ts) on a script connection through the timeline's SocketProbe: the same
// code that a session's Show Timeline buttons and `send --pieces/--together` use, writing through the
// connection's own write() (so its byte counter, traffic log, backpressure and deadline apply).
import * as net from 'node:net';
import { MessageArgs, Step } from './ast';
import { Connection, WriteProblem } from './connection';
import { ExecContext, envOf, payloadBytes, deadlineOf, stoppedFailure } from './execute';
import { FAILURES, StepError, failureOf } from './failures';
import { StepResult, show } from './results';
import { evalNumberArg } from './numbers';
import { MAX_PIECES } from './provoke';
import { SocketProbe } from '../timeline/probe';
import { Timeline } from '../timeline/timeline';

type Outcome = Pick<StepResult, 'ok' | 'sent' | 'failure'>;

/** A write that did not complete, carried out of the probe. */
class WriteFailed extends Error {
  constructor(readonly problem: WriteProblem) {
    super(problem.message);
  }
}

/** What the probe's sends run under: the step that is running now. */
interface Entry {
  readonly probe: SocketProbe;
  ctx: ExecContext;
}

/** One probe per socket (a starttls'd connection has a new one), kept while the socket lives. */
const probes = new WeakMap<net.Socket, Entry>();

function entryOf(ctx: ExecContext): Entry {
  const conn = ctx.conn;
  let entry = probes.get(conn.socket);
  if (!entry) {
    const remote = `${conn.socket.remoteAddress ?? conn.host}:${conn.socket.remotePort ?? ''}`;
    const timeline = new Timeline({ lanes: ['script', remote], encoding: ctx.encoding });
    const probe = new SocketProbe(timeline, conn.socket, 0, 1, (bytes) => writeFor(conn, bytes, probes.get(conn.socket)?.ctx ?? ctx));
    entry = { probe, ctx };
    probes.set(conn.socket, entry);
  }
  entry.ctx = ctx;
  return entry;
}

/** The timeline of a connection's provoke steps so far (undefined before its first one). */
export function provokeTimeline(conn: Connection): Timeline | undefined {
  return probes.get(conn.socket)?.probe.timeline;
}

async function writeFor(conn: Connection, bytes: Buffer, ctx: ExecContext): Promise<void> {
  if (ctx.signal.aborted || Date.now() > ctx.blockDeadline) {
    const f = stoppedFailure(ctx);
    throw new StepError(f.code, f.message, f.args);
  }
  const problem = await conn.write(bytes, deadlineOf(ctx), ctx.signal);
  if (problem) {
    throw new WriteFailed(problem);
  }
}

/** `send … pieces N gap T` and `send together …`. */
export async function runProvokedSend(step: Step & { kind: 'send' }, ctx: ExecContext): Promise<Outcome> {
  let messages: Buffer[];
  let pieces = 1;
  try {
    messages = await Promise.all((step.together ?? [step.payload]).map((p) => payloadBytes(p, ctx)));
    pieces = step.pieces ? evalNumberArg(step.pieces.count, 1, MAX_PIECES, envOf(ctx)) : 1;
  } catch (e) {
    const f = failureOf(e, FAILURES.cannotRead, step.payload.kind === 'file' ? { path: step.payload.path } : {});
    return { ok: false, failure: { ...f, message: `cannot send: ${f.message}` } };
  }
  const sent = show(Buffer.concat(messages), ctx.encoding);
  const { probe } = entryOf(ctx);
  try {
    if (step.together) {
      await probe.sendTogether(messages);
    } else {
      await probe.sendInPieces(messages[0], pieces, step.pieces?.gapMs ?? 0);
    }
    return { ok: true, sent };
  } catch (e) {
    if (e instanceof WriteFailed) {
      const err = e.problem;
      const args: MessageArgs = err.error ? { why: err.why, error: err.error } : { why: err.why };
      return { ok: false, sent, failure: { message: `send failed: ${err.message}`, code: FAILURES.sendFailed, args } };
    }
    return { ok: false, sent, failure: failureOf(e, FAILURES.failed, {}) };
  }
}

/** `nodelay on|off`, `reset`, `pause`, `resume`: they act at once and pass (on a closed connection they do nothing). */
export function runProvokeStep(step: Step & { kind: 'nodelay' | 'reset' | 'pause' | 'resume' }, ctx: ExecContext): Outcome {
  if (ctx.conn.socket.destroyed) {
    return { ok: true };
  }
  const { probe } = entryOf(ctx);
  switch (step.kind) {
    case 'nodelay':
      probe.setNoDelay(step.on);
      break;
    case 'reset':
      probe.reset();
      break;
    case 'pause':
      probe.pause();
      break;
    case 'resume':
      probe.resume();
      break;
  }
  return { ok: true };
}
