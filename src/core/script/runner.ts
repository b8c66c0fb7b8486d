// Runs the client blocks of a parsed script: one connection per block, steps in order, the block fails
// at its first failed step and its connection is closed, then the next block runs. Typed events let a
// test view report live; cancel (an AbortSignal) stops at once and destroys the socket.
import * as path from 'node:path';
import { Block, ClientBlock, Script } from './ast';
import { Connection } from './connection';
import { FAILURES, failureOf } from './failures';
import { Emitter, DisposableBase } from '../events';
import { formatHostPort } from '../hostPort';
import { runSteps } from './execute';
import { BlockResult, MAX_KEPT_STEPS, RunResult, StepResult, show } from './results';

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

  private async runBlock(block: ClientBlock, index: number, options: RunOptions, signal: AbortSignal): Promise<BlockResult> {
    const started = Date.now();
    const s = this.script.settings;
    const timeoutMs = options.timeoutMs ?? s.timeoutMs;
    const blockTimeoutMs = options.blockTimeoutMs ?? s.blockTimeoutMs;
    const kept: StepResult[] = [];
    let run = 0;
    const report = (r: StepResult): void => {
      run++;
      if (kept.length < MAX_KEPT_STEPS || !r.ok) {
        kept.push(r);
      }
      this._onDidFinishStep.fire({ block, index, result: r });
    };
    const end = (failed: StepResult | undefined, conn?: Connection): BlockResult => {
      conn?.destroy();
      const status = !failed ? 'passed' : signal.aborted ? 'cancelled' : 'failed';
      const why = failed?.failure ?? { message: 'failed', code: FAILURES.failed, args: {} };
      const failure = failed && { line: failed.line, column: failed.step.range.start, message: why.message, code: why.code, args: why.args, step: failed };
      const counts = { bytesIn: conn?.buffer.total ?? 0, bytesOut: conn?.bytesOut ?? 0, bytesDropped: conn?.buffer.dropped ?? 0 };
      // A failed block shows its unread bytes as the failing step's actual bytes already.
      const unread = failed ? undefined : conn?.buffer.view();
      const leftovers = unread && unread.length > 0 ? [{ connection: '', bytes: show(unread, s.encoding) }] : [];
      return { block, status, durationMs: Date.now() - started, steps: kept, stepsRun: run, stepsOmitted: run - kept.length, failure, ...counts, leftovers };
    };
    if (!block.connect) {
      return {
        ...end(undefined),
        status: 'failed',
        failure: { line: block.titleRange.line, column: 0, message: 'the block has no valid connect step', code: FAILURES.noConnect, args: {} },
      };
    }
    const c = block.connect;
    const connectStep = { kind: 'connect' as const, host: c.host, port: c.port, range: c.range, keywordRange: c.range };
    let conn: Connection;
    try {
      conn = await Connection.open(c.host, c.port, Math.min(timeoutMs, blockTimeoutMs), signal, (direction, bytes) => {
        if (this._onDidTransfer.hasListeners) {
          this._onDidTransfer.fire({ block, index, direction, bytes });
        }
      });
    } catch (e) {
      const r: StepResult = {
        step: connectStep,
        line: c.range.line,
        ok: false,
        startedAt: started,
        durationMs: Date.now() - started,
        failure: failureOf(e, FAILURES.connectFailed, { where: formatHostPort(c.host, c.port) }),
      };
      report(r);
      return end(r);
    }
    report({ step: connectStep, line: c.range.line, ok: true, startedAt: started, durationMs: Date.now() - started, sent: show(Buffer.alloc(0), s.encoding) });
    const ctx = {
      conn,
      encoding: s.encoding,
      timeoutMs,
      blockTimeoutMs,
      blockDeadline: started + blockTimeoutMs,
      signal,
      baseDir: path.dirname(path.resolve(options.file)),
      captures: new Map<string, string>(),
      iteration: [],
      counter: { steps: 0 },
      report,
    };
    const failed = await runSteps(block.steps, ctx);
    if (!failed) {
      // A passed block's last sends must reach the peer before the socket goes.
      await conn.close(Math.min(Date.now() + FLUSH_MS, ctx.blockDeadline), signal);
    }
    return end(failed, conn);
  }
}

function cancelled(block: ClientBlock): BlockResult {
  const failure = { line: block.titleRange.line, column: 0, message: 'cancelled', code: FAILURES.cancelled, args: {} };
  return { block, status: 'cancelled', durationMs: 0, steps: [], stepsRun: 0, stepsOmitted: 0, failure, bytesIn: 0, bytesOut: 0, bytesDropped: 0 };
}
