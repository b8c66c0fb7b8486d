// Running what groups.ts parses: a later named connect, an `any order` group of expects, and a `retry`
// group (its steps again, on the same connections, until they pass or the attempts run out).
import { ExpectStep, GroupStep, Step } from './ast';
import { Connection } from './connection';
import { ExecContext, runSteps, sleepFor, stoppedFailure } from './execute';
import { Matcher, Verdict, judge, matcherFor } from './expect';
import { FAILURES } from './failures';
import { StepFailure, StepResult, brief, show } from './results';

/** The context of a step on a named connection (`alice send …`). */
export function onConnection(name: string, ctx: ExecContext): ExecContext {
  const conn = ctx.conns?.get(name);
  return conn ? { ...ctx, conn } : ctx;
}

export async function runGroup(step: GroupStep | (Step & { kind: 'connect' }), ctx: ExecContext): Promise<StepResult | undefined> {
  if (step.kind === 'connect') {
    if (!ctx.connect) {
      const r = result(step, Date.now(), { ok: false, failure: { message: 'connect cannot be used here', code: FAILURES.notHere, args: { step: 'connect' } } });
      ctx.report(r);
      return r;
    }
    const r = await ctx.connect(step, ctx);
    ctx.report(r);
    return r.ok ? undefined : r;
  }
  return step.kind === 'retry' ? runRetry(step, ctx) : runAnyOrder(step, ctx);
}

function result(step: Step, startedAt: number, r: Pick<StepResult, 'ok' | 'received' | 'failure' | 'captured'>, ctx?: ExecContext): StepResult {
  const iteration = ctx && ctx.iteration.length > 0 ? [...ctx.iteration] : undefined;
  return { step, line: step.range.line, startedAt, durationMs: Date.now() - startedAt, iteration, ...r };
}

async function runRetry(step: GroupStep & { kind: 'retry' }, ctx: ExecContext): Promise<StepResult | undefined> {
  let failed: StepResult | undefined;
  for (let attempt = 1; attempt <= step.count; attempt++) {
    if (attempt > 1 && step.everyMs > 0) {
      const left = ctx.blockDeadline - Date.now();
      if (!(await sleepFor(Math.min(step.everyMs, Math.max(0, left)), ctx.signal)) || step.everyMs > left) {
        const r = result(step, Date.now(), { ok: false, failure: stoppedFailure(ctx) }, ctx);
        ctx.report(r);
        return r;
      }
    }
    if (attempt > 1) {
      // What the failed attempt left unread (a stale BUSY) must not fail the next one.
      for (const conn of new Set([ctx.conn, ...(ctx.conns?.values() ?? [])])) {
        conn.buffer.consume(conn.buffer.view().length);
      }
    }
    const report = (r: StepResult): void => ctx.report({ ...r, attempt: { n: attempt, of: step.count } });
    failed = await runSteps(step.steps, { ...ctx, report });
    if (!failed) {
      return undefined;
    }
    failed = { ...failed, attempt: { n: attempt, of: step.count } };
    if (ctx.signal.aborted || Date.now() >= ctx.blockDeadline) {
      return failed;
    }
  }
  return failed;
}

interface Pending {
  readonly step: ExpectStep;
  readonly ctx: ExecContext;
  readonly m: Matcher;
}

/** The expects of the group, each matched as soon as its connection's unconsumed bytes start with it. */
async function runAnyOrder(group: GroupStep & { kind: 'anyOrder' }, ctx: ExecContext): Promise<StepResult | undefined> {
  const startedAt = Date.now();
  const pending: Pending[] = [];
  for (const s of group.steps as ExpectStep[]) {
    const c = s.conn ? onConnection(s.conn, ctx) : ctx;
    const m = matcherFor(s, ctx.captures, ctx.encoding);
    if (typeof m === 'string') {
      const r = result(s, startedAt, { ok: false, failure: { message: `bad regex: ${m}`, code: FAILURES.badRegex, args: { detail: m } } }, ctx);
      ctx.report(r);
      return r;
    }
    pending.push({ step: s, ctx: c, m });
  }
  let deadline = Math.min(Date.now() + ctx.timeoutMs, ctx.blockDeadline);
  for (;;) {
    const done = takeOne(pending, startedAt);
    if (done) {
      // Each expect of the group gets @timeout, as it would one after another.
      deadline = Math.min(Date.now() + ctx.timeoutMs, ctx.blockDeadline);
      ctx.report(done);
      if (pending.length === 0) {
        return undefined;
      }
      continue;
    }
    const stuck = stuckConnection(pending);
    const why = stuck ?? (ctx.signal.aborted ? 'cancelled' : await waitAny(pending, deadline, ctx.signal, ctx.blockDeadline));
    if (why) {
      const r = result(
        pending[0].step,
        startedAt,
        { ok: false, received: show(pending[0].ctx.conn.buffer.view(), ctx.encoding), failure: anyOrderFailure(pending, why, ctx) },
        ctx,
      );
      ctx.report(r);
      return r;
    }
  }
}

/** Of the expects that match now, the one that consumes the fewest bytes (a regex must not swallow another's message). */
function takeOne(pending: Pending[], startedAt: number): StepResult | undefined {
  let best: { i: number; v: Verdict & { kind: 'ok' } } | undefined;
  pending.forEach((p, i) => {
    const v = judge(p.m, p.ctx.conn.buffer.view(), p.ctx.conn.eof, p.ctx.encoding);
    if (v.kind === 'ok' && (!best || v.consume < best.v.consume)) {
      best = { i, v };
    }
  });
  if (!best) {
    return undefined;
  }
  const p = pending.splice(best.i, 1)[0];
  const bytes = p.ctx.conn.buffer.consume(best.v.consume);
  let captured: Record<string, string> | undefined;
  if ((p.step.match === 'regex' || p.step.match === 'bytes') && p.step.captures.length > 0) {
    captured = {};
    for (const c of p.step.captures) {
      captured[c.name] = best.v.captures?.[c.group - 1] ?? '';
      p.ctx.captures.set(c.name, captured[c.name]);
    }
  }
  return result(p.step, startedAt, { ok: true, received: show(bytes, p.ctx.encoding), captured }, p.ctx);
}

/** A connection whose bytes none of its remaining expects can ever match (each differs), or that closed. */
type GiveUp = 'noneMatches' | 'peerClosed' | 'timeout' | 'blockTimeout' | 'cancelled';

const GIVE_UP: Record<GiveUp, (ctx: ExecContext) => string> = {
  noneMatches: () => 'none of them matches the bytes there',
  peerClosed: () => 'then the peer closed',
  timeout: (ctx) => `nothing more within ${ctx.timeoutMs} ms`,
  blockTimeout: (ctx) => `the block timed out after ${ctx.blockTimeoutMs} ms`,
  cancelled: () => 'cancelled',
};

function stuckConnection(pending: readonly Pending[]): GiveUp | undefined {
  for (const conn of new Set(pending.map((p) => p.ctx.conn))) {
    const mine = pending.filter((p) => p.ctx.conn === conn);
    const verdicts = mine.map((p) => judge(p.m, conn.buffer.view(), conn.eof, p.ctx.encoding));
    if (verdicts.every((v) => v.kind === 'fail')) {
      return 'noneMatches';
    }
    if (conn.eof && verdicts.every((v) => v.kind !== 'ok')) {
      return 'peerClosed';
    }
  }
  return undefined;
}

/** Waits until any connection of the group changes; resolves with why it gave up, or undefined. */
async function waitAny(pending: readonly Pending[], deadline: number, signal: AbortSignal, blockDeadline: number): Promise<GiveUp | undefined> {
  const round = new AbortController();
  const onAbort = (): void => round.abort();
  signal.addEventListener('abort', onAbort);
  const conns = [...new Set(pending.map((p) => p.ctx.conn))] as Connection[];
  try {
    const w = await Promise.race(conns.map((c) => c.changed(deadline, round.signal)));
    return w === 'changed' ? undefined : signal.aborted ? 'cancelled' : deadline >= blockDeadline ? 'blockTimeout' : 'timeout';
  } finally {
    round.abort();
    signal.removeEventListener('abort', onAbort);
  }
}

function anyOrderFailure(pending: readonly Pending[], why: GiveUp, ctx: ExecContext): StepFailure {
  const want = pending.map((p) => `${p.step.conn ? `${p.step.conn} ` : ''}${describe(p, ctx)}`).join(', ');
  const got = [...new Set(pending.map((p) => p.step.conn ?? ''))]
    .map((name) => {
      const p = pending.find((x) => (x.step.conn ?? '') === name) as Pending;
      return `${name ? `${name} ` : ''}${brief(show(p.ctx.conn.buffer.view(), ctx.encoding), p.step.match === 'hex')}`;
    })
    .join(', ');
  const ms = why === 'blockTimeout' ? ctx.blockTimeoutMs : ctx.timeoutMs;
  return { message: `expected in any order ${want} got ${got} (${GIVE_UP[why](ctx)})`, code: FAILURES.anyOrder, args: { expected: want, actual: got, why, ms } };
}

function describe(p: Pending, ctx: ExecContext): string {
  const m = p.m;
  return m.kind === 'bytes'
    ? brief(show(m.bytes, ctx.encoding), p.step.match === 'hex')
    : m.kind === 'regex'
      ? `/${m.re.source}/`
      : m.kind === 'count'
        ? `${m.n} bytes`
        : 'the peer to close';
}
