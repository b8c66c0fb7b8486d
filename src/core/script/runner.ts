// Runs the client blocks of a parsed script: one connection per block, steps in order, the block fails
// at its first failed step and its connection is closed, then the next block runs. Typed events let a
// test view report live; cancel (an AbortSignal) stops at once and destroys the socket.
import * as path from 'node:path';
import { Block, ClientBlock, Script, Step } from './ast';
import { Connection } from './connection';
import { FAILURES, failureOf } from './failures';
import { Emitter, DisposableBase } from '../events';
import { formatHostPort } from '../hostPort';
import { runSteps, sleepFor } from './execute';
import { clientTlsOptions } from './tlsSteps';
import { BlockResult, MAX_KEPT_STEPS, RunResult, StepResult, show } from './results';
import { BlockRecorder } from './blockTimeline';
import type { Lane } from '../timeline/timeline';

/** How long a passed block waits for its last sends to flush before its socket is destroyed. */
const FLUSH_MS = 1000;

export interface RunOptions {
  /** The .tcp file's path: `send file` paths are relative to its folder. */
  readonly file: string;
  readonly signal?: AbortSignal;
  /** Run only these blocks (by index in script.blocks); default all client blocks. */
  readonly only?: readonly number[];
  /** Overrides the script's per-step timeout. */
  readonly timeoutMs?: number;
  /** Overrides the whole-block timeout. */
  readonly blockTimeoutMs?: number;
  /** Receives the session keys of every TLS connection (SSLKEYLOGFILE lines): `run --keylog`. */
  readonly keylog?: (line: Buffer) => void;
  /** Record each block's conversation as a timeline (BlockResult.timeline), for `run --html` and Show Timeline. */
  readonly timelines?: boolean;
}

export interface BlockEvent {
  readonly block: Block;
  readonly index: number;
}

export interface StepEvent extends BlockEvent {
  readonly result: StepResult;
}

export interface BlockDoneEvent extends BlockEvent {
  readonly result: BlockResult;
}

export interface TrafficEvent extends BlockEvent {
  readonly direction: 'in' | 'out';
  readonly bytes: Buffer;
  /** The named connection (`connect alice …`); undefined in a one-connection block. */
  readonly connection?: string;
  /** The address this connection went to (`127.0.0.1:9000`). */
  readonly peer: string;
}

export class ScriptRunner extends DisposableBase {
  private readonly _onDidStartBlock = this._register(new Emitter<BlockEvent>());
  private readonly _onDidFinishStep = this._register(new Emitter<StepEvent>());
  private readonly _onDidFinishBlock = this._register(new Emitter<BlockDoneEvent>());
  private readonly _onDidTransfer = this._register(new Emitter<TrafficEvent>());
  readonly onDidStartBlock = this._onDidStartBlock.event;
  readonly onDidFinishStep = this._onDidFinishStep.event;
  readonly onDidFinishBlock = this._onDidFinishBlock.event;
  /** Every chunk sent and received, for a traffic log. */
  readonly onDidTransfer = this._onDidTransfer.event;

  constructor(readonly script: Script) {
    super();
  }

  async run(options: RunOptions): Promise<RunResult> {
    const started = Date.now();
    const signal = options.signal ?? new AbortController().signal;
    const results: BlockResult[] = [];
    const indexes = options.only ?? this.script.blocks.map((_, i) => i);
    for (const index of indexes) {
      const block = this.script.blocks[index];
      if (!block || block.kind !== 'client') {
        continue;
      }
      this._onDidStartBlock.fire({ block, index });
      const result = signal.aborted ? cancelled(block) : await this.runBlock(block, index, options, signal);
      results.push(result);
      this._onDidFinishBlock.fire({ block, index, result });
    }
    const passed = results.filter((r) => r.status === 'passed').length;
    return { blocks: results, passed, failed: results.length - passed, cancelled: signal.aborted, durationMs: Date.now() - started };
  }

  /** A block with `retry N every T` runs again (reconnecting) until it passes, all within its block timeout. */
  private async runBlock(block: ClientBlock, index: number, options: RunOptions, signal: AbortSignal): Promise<BlockResult> {
    const started = Date.now();
    const blockTimeoutMs = options.blockTimeoutMs ?? this.script.settings.blockTimeoutMs;
    const retry = block.retry;
    const of = retry?.count ?? 1;
    let result: BlockResult | undefined;
    for (let n = 1; n <= of; n++) {
      if (n > 1 && retry && retry.everyMs > 0 && !(await sleepFor(Math.min(retry.everyMs, Math.max(0, started + blockTimeoutMs - Date.now())), signal))) {
        break;
      }
      const attempt = retry ? { n, of } : undefined;
      const r: BlockResult = await this.runAttempt(block, index, options, signal, started, attempt);
      result = attempt ? { ...r, attempts: attempt, durationMs: Date.now() - started } : r;
      if (r.status !== 'failed' || Date.now() >= started + blockTimeoutMs) {
        break;
      }
    }
    return result ?? cancelled(block);
  }

  private async runAttempt(
    block: ClientBlock,
    index: number,
    options: RunOptions,
    signal: AbortSignal,
    started: number,
    attempt?: BlockResult['attempts'],
  ): Promise<BlockResult> {
    const attemptStart = Date.now();
    const s = this.script.settings;
    const timeoutMs = options.timeoutMs ?? s.timeoutMs;
    const blockTimeoutMs = options.blockTimeoutMs ?? s.blockTimeoutMs;
    const blockDeadline = started + blockTimeoutMs;
    const kept: StepResult[] = [];
    let run = 0;
    const recorder = options.timelines ? new BlockRecorder(s.encoding) : undefined;
    /** Each connection's lane by its name ('' for a block's one unnamed connection); the first one by default. */
    const lanes = new Map<string, Lane>();
    const laneOf = (step: Step): Lane => lanes.get((step.kind === 'connect' ? step.name : step.conn) ?? '') ?? 1;
    const report = (raw: StepResult): void => {
      const r = attempt && !raw.attempt ? { ...raw, attempt } : raw;
      recorder?.step(r, laneOf(r.step));
      run++;
      if (kept.length < MAX_KEPT_STEPS || !r.ok) {
        kept.push(r);
      }
      this._onDidFinishStep.fire({ block, index, result: r });
    };
    const conns = new Map<string, Connection>();
    const all: Connection[] = [];
    const byConn = new Map<Connection, Lane>();
    const end = (failed: StepResult | undefined): BlockResult => {
      const timeline = recorder?.finish();
      all.forEach((c) => c.destroy());
      const status = !failed ? 'passed' : signal.aborted ? 'cancelled' : 'failed';
      const why = failed?.failure ?? { message: 'failed', code: FAILURES.failed, args: {} };
      const failure = failed && { line: failed.line, column: failed.step.range.start, message: why.message, code: why.code, args: why.args, step: failed };
      const sum = (f: (c: Connection) => number): number => all.reduce((n, c) => n + f(c), 0);
      const counts = { bytesIn: sum((c) => c.buffer.total), bytesOut: sum((c) => c.bytesOut), bytesDropped: sum((c) => c.buffer.dropped) };
      // A failed block shows its unread bytes as the failing step's actual bytes already.
      const nameOf = (c: Connection): string => [...conns].find(([, v]) => v === c)?.[0] ?? '';
      const leftovers = failed ? [] : all.filter((c) => c.buffer.length > 0).map((c) => ({ connection: nameOf(c), bytes: show(c.buffer.view(), s.encoding) }));
      const result: BlockResult = {
        block,
        status,
        durationMs: Date.now() - attemptStart,
        steps: kept,
        stepsRun: run,
        stepsOmitted: run - kept.length,
        failure,
        ...counts,
        leftovers,
      };
      return timeline ? { ...result, timeline } : result;
    };
    if (!block.connect) {
      return {
        ...end(undefined),
        status: 'failed',
        failure: { line: block.titleRange.line, column: 0, message: 'the block has no valid connect step', code: FAILURES.noConnect, args: {} },
      };
    }
    const baseDir = path.dirname(path.resolve(options.file));
    const tlsOptions = clientTlsOptions(s.tls, baseDir, options.keylog);
    /** Opens the connection of a connect step; a named one replaces an earlier one of that name. */
    const connect = async (step: Step & { kind: 'connect' }): Promise<StepResult> => {
      const at = Date.now();
      const peer = formatHostPort(step.host, step.port);
      const lane = recorder?.lane(step.name !== undefined ? `${step.name} ${peer}` : peer) ?? 1;
      lanes.set(step.name ?? '', lane);
      const traffic = (direction: 'in' | 'out', bytes: Buffer): void => {
        recorder?.traffic(lane, direction, bytes);
        if (this._onDidTransfer.hasListeners) {
          this._onDidTransfer.fire({ block, index, direction, bytes, connection: step.name, peer });
        }
      };
      try {
        const tls = step.tls ? tlsOptions : undefined;
        const conn = await Connection.open(step.host, step.port, Math.min(timeoutMs, Math.max(1, blockDeadline - at)), signal, traffic, tls);
        all.push(conn);
        byConn.set(conn, lane);
        recorder?.connected(lane, conn.socket, Date.now() - at);
        if (step.name !== undefined) {
          conns.get(step.name)?.destroy();
          conns.set(step.name, conn);
        }
        const f = conn.tlsFacts;
        // A TLS connection's result says how it went, and when its certificate was accepted unverified.
        const received =
          f &&
          show(
            Buffer.from(
              `${f.protocol} ${f.cipher}, ALPN ${f.alpn ?? 'none'}, peer ${f.peerSubject ?? '?'}${f.untrusted ? ` — not verified (insecure): ${f.untrusted.message}` : ''}`,
            ),
            s.encoding,
          );
        return {
          step,
          line: step.range.line,
          ok: true,
          startedAt: at,
          durationMs: Date.now() - at,
          sent: show(Buffer.alloc(0), s.encoding),
          ...(received ? { received } : {}),
        };
      } catch (e) {
        const failure = failureOf(e, FAILURES.connectFailed, { where: formatHostPort(step.host, step.port) });
        recorder?.connectFailed(lane, failure.message);
        return { step, line: step.range.line, ok: false, startedAt: at, durationMs: Date.now() - at, failure };
      }
    };
    const c = block.connect;
    const first = await connect({ kind: 'connect', host: c.host, port: c.port, name: c.name, tls: c.tls, range: c.range, keywordRange: c.range });
    report(first);
    if (!first.ok) {
      return end(first);
    }
    const ctx = {
      conn: all[0],
      conns,
      connect: (step: Step & { kind: 'connect' }) => connect(step),
      encoding: s.encoding,
      timeoutMs,
      blockTimeoutMs,
      blockDeadline,
      signal,
      baseDir,
      tls: tlsOptions,
      captures: new Map<string, string>(),
      iteration: [],
      counter: { steps: 0 },
      report,
    };
    const failed = await runSteps(block.steps, ctx);
    if (!failed) {
      // A passed block's last sends must reach the peer before the sockets go.
      all.forEach((conn) => recorder?.fin(byConn.get(conn) ?? 1));
      await Promise.all(all.map((conn) => conn.close(Math.min(Date.now() + FLUSH_MS, blockDeadline), signal)));
    }
    return end(failed);
  }
}

function cancelled(block: ClientBlock): BlockResult {
  const failure = { line: block.titleRange.line, column: 0, message: 'cancelled', code: FAILURES.cancelled, args: {} };
  return { block, status: 'cancelled', durationMs: 0, steps: [], stepsRun: 0, stepsOmitted: 0, failure, bytesIn: 0, bytesOut: 0, bytesDropped: 0 };
}
