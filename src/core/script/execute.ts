// Runs the steps of one client block on its connection, in order, stopping at the first failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExpectStep, MessageArgs, Payload, Step } from './ast';
import { Connection } from './connection';
import { FAILURES, StepError, failureOf } from './failures';
import { Matcher, Verdict, judge, matcherFor } from './expect';
import { ScriptEncoding, StepFailure, StepResult, brief, show } from './results';
import { render, staticText } from './variables';
import { encodeScriptText } from './textBytes';
import { FrameEnv, buildFrame } from './frameCodec';
import { evalNumberArg } from './numbers';
import { runExpectNothing } from './silence';
import { MAX_REPEAT } from './steps';
import { onConnection, runGroup } from './groupRun';
import { judgeTls } from './tlsSteps';
import { runProvokeStep, runProvokedSend } from './provokeRun';
import type { ClientTlsOptions } from '../tls/clientTls';

/** `send file` refuses files larger than this (a script is not a bulk transfer tool). */
export const MAX_SEND_FILE = 64 * 1024 * 1024;

export interface ExecContext {
  readonly conn: Connection;
  readonly encoding: ScriptEncoding;
  readonly timeoutMs: number;
  readonly blockDeadline: number;
  readonly blockTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly baseDir: string;
  readonly captures: Map<string, string>;
  readonly iteration: number[];
  /** Steps run so far in the block (for yielding to the event loop). */
  readonly counter: { steps: number };
  /** Called with every step result; returns false to stop (cancel). */
  readonly report: (r: StepResult) => void;
  /** Named connections open so far (a block with `connect alice …`), and how to open one. */
  readonly conns?: Map<string, Connection>;
  readonly connect?: (step: Step & { kind: 'connect' }, ctx: ExecContext) => Promise<StepResult>;
  /** The file's @tls settings as client options (for `starttls`). */
  readonly tls?: ClientTlsOptions;
}

const YIELD_EVERY = 1000;

const encodedCache = new WeakMap<object, Buffer>();

/** What expressions read while a step runs: captures, the innermost repeat's number ({{$seq}}), the encoding. */
export function envOf(ctx: ExecContext): FrameEnv {
  return { values: ctx.captures, seq: ctx.iteration[ctx.iteration.length - 1] ?? 1, encoding: ctx.encoding };
}

export async function payloadBytes(p: Payload, ctx: ExecContext): Promise<Buffer> {
  if (p.kind === 'hex') {
    return p.bytes;
  }
  if (p.kind === 'frame') {
    return buildFrame(p.frame, envOf(ctx));
  }
  if (p.kind === 'file') {
    const file = path.resolve(ctx.baseDir, p.path);
    const st = await fs.promises.stat(file);
    if (st.size > MAX_SEND_FILE) {
      throw new StepError(FAILURES.fileTooBig, `${p.path} is ${st.size} bytes; send file takes at most ${MAX_SEND_FILE} bytes`, {
        path: p.path,
        size: st.size,
        max: MAX_SEND_FILE,
      });
    }
    return fs.promises.readFile(file);
  }
  const cached = encodedCache.get(p);
  if (cached) {
    return cached;
  }
  const fixed = staticText(p.text);
  const bytes = encodeScriptText(fixed ?? render(p.text, ctx.captures, undefined, envOf(ctx)), ctx.encoding);
  if (fixed !== undefined) {
    encodedCache.set(p, bytes);
  }
  return bytes;
}

export function deadlineOf(ctx: ExecContext): number {
  return Math.min(Date.now() + ctx.timeoutMs, ctx.blockDeadline);
}

/** Why an expect gave up: English, and the `why` (with its values) the editor words. */
interface Why {
  readonly text: string;
  readonly args: MessageArgs;
}

function timeoutWhy(ctx: ExecContext, deadline: number): Why {
  return deadline >= ctx.blockDeadline
    ? { text: `the block timed out after ${ctx.blockTimeoutMs} ms`, args: { why: 'blockTimeout', ms: ctx.blockTimeoutMs } }
    : { text: `nothing more within ${ctx.timeoutMs} ms`, args: { why: 'timeout', ms: ctx.timeoutMs } };
}

const CANCELLED: Why = { text: 'cancelled', args: { why: 'cancelled' } };

function closedWhy(conn: Connection): Why {
  const error = conn.error?.message;
  return { text: `then the peer closed${error ? ` (${error})` : ''}`, args: error ? { why: 'peerClosed', error } : { why: 'peerClosed' } };
}

/** What the expect waited for; `want` tells a translation which of the four it is. */
function describeExpected(step: ExpectStep, m: Matcher, encoding: ScriptEncoding, v?: Verdict): { text: string; args: MessageArgs } {
  const bytes = m.kind === 'bytes' ? m.bytes : v?.kind === 'fail' ? v.expected : undefined;
  if (bytes) {
    const text = brief(show(bytes, encoding), step.match === 'hex' || step.match === 'file' || step.match === 'frame');
    return { text, args: { want: 'bytes', expected: text } };
  }
  if (m.kind === 'regex') {
    return { text: `/${m.re.source}/`, args: { want: 'regex', expected: `/${m.re.source}/` } };
  }
  if (m.kind === 'frame') {
    return { text: 'the frame', args: { want: 'frame' } };
  }
  return m.kind === 'count' ? { text: `${m.n} bytes`, args: { want: 'count', count: m.n } } : { text: 'the peer to close', args: { want: 'close' } };
}

async function runExpect(step: ExpectStep, ctx: ExecContext): Promise<Pick<StepResult, 'ok' | 'received' | 'failure' | 'captured'>> {
  if (step.match === 'nothing') {
    return runExpectNothing(step, ctx.conn, ctx.encoding, ctx.signal);
  }
  let m: Matcher | string;
  try {
    m = await matcherFor(step, envOf(ctx), ctx.baseDir);
  } catch (e) {
    return { ok: false, failure: failureOf(e, FAILURES.cannotRead, step.match === 'file' ? { path: step.path } : {}) };
  }
  if (typeof m === 'string') {
    return { ok: false, failure: { message: `bad regex: ${m}`, code: FAILURES.badRegex, args: { detail: m } } };
  }
  const deadline = deadlineOf(ctx);
  const conn = ctx.conn;
  for (;;) {
    const got = conn.buffer.view();
    let v: Verdict = judge(m, got, conn.eof, ctx.encoding);
    let reason: Why | undefined;
    if (v.kind === 'wait') {
      reason = ctx.signal.aborted ? CANCELLED : conn.eof ? closedWhy(conn) : undefined;
      if (!reason) {
        const w = await conn.changed(deadline, ctx.signal);
        if (w === 'changed') {
          continue;
        }
        reason = w === 'aborted' ? CANCELLED : timeoutWhy(ctx, deadline);
      }
      v = { kind: 'fail', why: reason.text };
    }
    if (v.kind === 'ok') {
      const bytes = conn.buffer.consume(v.consume);
      const captured = captureValues(step, v.captures);
      return { ok: true, received: show(bytes, ctx.encoding), captured };
    }
    if (v.kind === 'fail') {
      return { ok: false, received: show(got, ctx.encoding), failure: failure(step, m, got, v, reason?.args ?? v.args ?? verdictWhy(v), ctx) };
    }
  }
}

/** The `why` of a verdict the matcher itself failed: a differing byte, or more data instead of a close. */
function verdictWhy(v: Verdict & { kind: 'fail' }): MessageArgs {
  return v.offset !== undefined ? { why: 'differs', offset: v.offset } : { why: 'notClosed' };
}

function failure(step: ExpectStep, m: Matcher, got: Buffer, v: Verdict & { kind: 'fail' }, why: MessageArgs, ctx: ExecContext): StepFailure {
  const asHex = step.match === 'hex' || step.match === 'file' || step.match === 'frame';
  const actual = show(got, ctx.encoding);
  const expectedBytes = m.kind === 'bytes' ? m.bytes : v.expected;
  const expected = expectedBytes && show(expectedBytes, ctx.encoding);
  const want = describeExpected(step, m, ctx.encoding, v);
  const message = `expected ${want.text} got ${brief(actual, asHex)} (${v.why})`;
  const args = { ...want.args, actual: brief(actual, asHex), actualLength: actual.length, ...why };
  return { message, code: FAILURES.expect, args, expected, actual, offset: v.offset };
}

function captureValues(step: ExpectStep, groups: readonly string[] | undefined): Record<string, string> | undefined {
  if ((step.match !== 'regex' && step.match !== 'bytes' && step.match !== 'frame') || step.captures.length === 0) {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const c of step.captures) {
    out[c.name] = groups?.[c.group - 1] ?? '';
  }
  return out;
}

/** Cancelled, or out of the block's time (a wait or a repeat's pause that would end past the deadline). */
function stopped(ctx: ExecContext): StepFailure {
  return ctx.signal.aborted
    ? { message: 'cancelled', code: FAILURES.cancelled, args: {} }
    : { message: `the block timed out after ${ctx.blockTimeoutMs} ms`, code: FAILURES.blockTimeout, args: { ms: ctx.blockTimeoutMs } };
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort);
  });
}

async function runSimple(step: Step, ctx: ExecContext): Promise<Pick<StepResult, 'ok' | 'sent' | 'received' | 'failure' | 'captured'>> {
  switch (step.kind) {
    case 'send': {
      if (step.pieces || step.together) {
        return runProvokedSend(step, ctx);
      }
      let bytes: Buffer;
      try {
        bytes = await payloadBytes(step.payload, ctx);
      } catch (e) {
        const f = failureOf(e, FAILURES.cannotRead, step.payload.kind === 'file' ? { path: step.payload.path } : {});
        return { ok: false, failure: { ...f, message: `cannot send: ${f.message}` } };
      }
      const err = await ctx.conn.write(bytes, deadlineOf(ctx), ctx.signal);
      if (err) {
        const args: MessageArgs = err.error ? { why: err.why, error: err.error } : { why: err.why };
        return { ok: false, sent: show(bytes, ctx.encoding), failure: { message: `send failed: ${err.message}`, code: FAILURES.sendFailed, args } };
      }
      return { ok: true, sent: show(bytes, ctx.encoding) };
    }
    case 'expect': {
      if (step.match === 'tls' || step.match === 'cert') {
        const failure = judgeTls(step, ctx.conn.tlsFacts, ctx.captures);
        return failure ? { ok: false, failure } : { ok: true };
      }
      return runExpect(step, ctx);
    }
    case 'starttls':
      try {
        const facts = await ctx.conn.startTls(ctx.tls ?? {}, Math.max(1, deadlineOf(ctx) - Date.now()));
        return { ok: true, received: show(Buffer.from(`${facts.protocol} ${facts.cipher}`), ctx.encoding) };
      } catch (e) {
        return { ok: false, failure: failureOf(e, FAILURES.tls, {}) };
      }
    case 'wait': {
      const left = ctx.blockDeadline - Date.now();
      const ok = (await sleep(Math.min(step.ms, Math.max(0, left)), ctx.signal)) && step.ms <= left;
      return ok ? { ok } : { ok, failure: stopped(ctx) };
    }
    case 'close':
      await ctx.conn.close(deadlineOf(ctx), ctx.signal);
      return { ok: true };
    case 'shutdown':
      ctx.conn.shutdown();
      return { ok: true };
    case 'nodelay':
    case 'reset':
    case 'pause':
    case 'resume':
      return runProvokeStep(step, ctx);
    default:
      return { ok: false, failure: { message: `${step.kind} cannot be used here`, code: FAILURES.notHere, args: { step: step.kind } } };
  }
}

/** Runs steps in order; returns the failed step's result, or undefined when all passed. */
export function sleepFor(ms: number, signal: AbortSignal): Promise<boolean> {
  return sleep(ms, signal);
}

export { stopped as stoppedFailure };

export async function runSteps(steps: readonly Step[], ctx: ExecContext): Promise<StepResult | undefined> {
  for (const step of steps) {
    // Steps that finish without I/O (shutdown, a sent byte) must not hold the event loop for a million repeats.
    if (++ctx.counter.steps % YIELD_EVERY === 0) {
      await new Promise((r) => setImmediate(r));
    }
    if (ctx.signal.aborted) {
      const r: StepResult = { step, line: step.range.line, startedAt: Date.now(), durationMs: 0, ok: false, failure: stopped(ctx) };
      ctx.report(r);
      return r;
    }
    if (step.kind === 'repeat') {
      const failed = await runRepeat(step, ctx);
      if (failed) {
        return failed;
      }
      continue;
    }
    if (step.kind === 'anyOrder' || step.kind === 'retry' || step.kind === 'connect') {
      const failed = await runGroup(step, ctx);
      if (failed) {
        return failed;
      }
      continue;
    }
    const startedAt = Date.now();
    const r = await runSimple(step, step.conn ? onConnection(step.conn, ctx) : ctx);
    const iteration = ctx.iteration.length > 0 ? [...ctx.iteration] : undefined;
    const result: StepResult = { step, line: step.range.line, startedAt, durationMs: Date.now() - startedAt, iteration, ...r };
    if (r.captured) {
      for (const [k, v] of Object.entries(r.captured)) {
        ctx.captures.set(k, v);
      }
    }
    ctx.report(result);
    if (!r.ok) {
      return result;
    }
  }
  return undefined;
}

async function runRepeat(step: Step & { kind: 'repeat' }, ctx: ExecContext): Promise<StepResult | undefined> {
  let count: number;
  try {
    count = evalNumberArg(step.count, 1, MAX_REPEAT, envOf(ctx));
  } catch (e) {
    const r: StepResult = { step, line: step.range.line, startedAt: Date.now(), durationMs: 0, ok: false, failure: failureOf(e, FAILURES.badValue, {}) };
    ctx.report(r);
    return r;
  }
  ctx.iteration.push(0);
  try {
    for (let i = 1; i <= count; i++) {
      ctx.iteration[ctx.iteration.length - 1] = i;
      if (i > 1 && step.everyMs !== undefined) {
        const left = ctx.blockDeadline - Date.now();
        if (!(await sleep(Math.min(step.everyMs, Math.max(0, left)), ctx.signal)) || step.everyMs > left) {
          const r: StepResult = { step, line: step.range.line, startedAt: Date.now(), durationMs: 0, ok: false, iteration: [...ctx.iteration], failure: stopped(ctx) };
          ctx.report(r);
          return r;
        }
      }
      const failed = await runSteps(step.steps, ctx);
      if (failed) {
        return failed;
      }
    }
    return undefined;
  } finally {
    ctx.iteration.pop();
  }
}
