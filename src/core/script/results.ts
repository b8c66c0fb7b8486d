// What a run reports: per step what was sent and received (text and hex), timing, and for a failed
// expect the expected and actual bytes with the first differing offset. Plain data, for views and JUnit.
import * as iconv from 'iconv-lite';
import { Block, MessageArgs, Step } from './ast';
import { FailureCode } from './failures';
import { hexDump } from '../codec';
import type { BlockTimeline } from './blockTimeline';

export type ScriptEncoding = 'utf-8' | 'gbk' | 'gb18030' | 'latin1';

/** Bytes as a person reads them: text in the file's encoding and a hex dump (both cut at SHOWN_BYTES). */
export interface ShownBytes {
  readonly length: number;
  readonly text: string;
  readonly hex: string;
  readonly truncated: boolean;
}

export interface StepFailure {
  /** English, for the CLI, JUnit and logs; the editor rewords it from `code` and `args`. */
  readonly message: string;
  readonly code: FailureCode;
  readonly args: MessageArgs;
  readonly expected?: ShownBytes;
  readonly actual?: ShownBytes;
  /** First byte where actual differs from expected (a prefix mismatch), when there is one. */
  readonly offset?: number;
}

export interface StepResult {
  readonly step: Step;
  /** Zero-based line of the step (the `connect` line for the connection itself). */
  readonly line: number;
  readonly ok: boolean;
  readonly startedAt: number;
  readonly durationMs: number;
  /** 1-based iteration of each enclosing repeat, outermost first. */
  readonly iteration?: readonly number[];
  /** The attempt of the enclosing retry group (or of the block, when the block is retried). */
  readonly attempt?: { readonly n: number; readonly of: number };
  readonly sent?: ShownBytes;
  readonly received?: ShownBytes;
  /** Values captured by this step (`-> name`). */
  readonly captured?: Readonly<Record<string, string>>;
  readonly failure?: StepFailure;
}

export type BlockStatus = 'passed' | 'failed' | 'cancelled' | 'skipped';

export interface BlockResult {
  readonly block: Block;
  readonly status: BlockStatus;
  readonly durationMs: number;
  /** The first MAX_KEPT_STEPS step results, plus the failed one. */
  readonly steps: readonly StepResult[];
  readonly stepsRun: number;
  /** Step results not kept (a long repeat); their events still fired. */
  readonly stepsOmitted: number;
  readonly failure?: {
    readonly line: number;
    readonly column: number;
    readonly message: string;
    readonly code: FailureCode;
    readonly args: MessageArgs;
    readonly step?: StepResult;
  };
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Received bytes dropped unmatched because the receive buffer passed its bound. */
  readonly bytesDropped: number;
  /** Bytes received and never consumed, per connection that has any, for a passed block (empty when all were read). */
  readonly leftovers?: readonly Leftover[];
  /** How many times a block with `retry` ran (undefined for a block without). */
  readonly attempts?: { readonly n: number; readonly of: number };
  /** The block's conversation, when the run recorded it (RunOptions.timelines). */
  readonly timeline?: BlockTimeline;
}

/** What a connection left unread at the end of its block. `connection` names it ('' for the block's one connection). */
export interface Leftover {
  readonly connection: string;
  readonly bytes: ShownBytes;
}

/** `3 bytes left unread: "ab\n"` (and `on alice` for a named connection), for CLI, JUnit and the Testing view. */
export function describeLeftover(l: Leftover): string {
  const on = l.connection ? ` on ${l.connection}` : '';
  return `${l.bytes.length} byte${l.bytes.length === 1 ? '' : 's'} left unread${on}: ${brief(l.bytes, false)} (hex ${l.bytes.hex}${l.bytes.truncated ? ' …' : ''})`;
}

export interface RunResult {
  readonly blocks: readonly BlockResult[];
  readonly passed: number;
  readonly failed: number;
  readonly cancelled: boolean;
  readonly durationMs: number;
}

export const MAX_KEPT_STEPS = 1000;
export const SHOWN_BYTES = 256;

const CONTROL: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '"': '\\"', '\\': '\\\\' };

/** Text as a script would write it: control characters escaped, in quotes. */
export function quote(text: string): string {
  const body = text.replace(/[\n\r\t\0"\\]|[\x01-\x1f\x7f]/g, (c) => CONTROL[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${body}"`;
}

export function decode(bytes: Buffer, encoding: ScriptEncoding): string {
  return encoding === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, encoding);
}

/** Text and hex are computed when first read (most step results of a long run are never looked at). */
export function show(bytes: Buffer, encoding: ScriptEncoding): ShownBytes {
  // A copy: `bytes` may be a view of the receive buffer, which later data overwrites.
  const cut = Buffer.from(bytes.subarray(0, SHOWN_BYTES));
  let text: string | undefined;
  let hex: string | undefined;
  const shown = { length: bytes.length, truncated: cut.length < bytes.length } as ShownBytes;
  Object.defineProperty(shown, 'text', { enumerable: true, get: () => (text ??= decode(cut, encoding)) });
  Object.defineProperty(shown, 'hex', { enumerable: true, get: () => (hex ??= hexDump(cut)) });
  return shown;
}

/** `"PONG\n"` or `hex 50 4f`, with "…" when cut, for one-line messages. */
export function brief(s: ShownBytes, asHex: boolean): string {
  const more = s.truncated ? '…' : '';
  if (asHex) {
    return s.length === 0 ? 'nothing' : `hex ${s.hex}${more}`;
  }
  return s.length === 0 ? 'nothing' : `${quote(s.text.length > 80 ? s.text.slice(0, 80) : s.text)}${s.text.length > 80 ? '…' : more}`;
}

/** A step as the output names it: `send`, `alice expect`, `any order`, `connect bob`. */
export function stepLabel(step: Step): string {
  const word = step.kind === 'anyOrder' ? 'any order' : step.kind;
  if (step.kind === 'connect' && step.name !== undefined) {
    return `connect ${step.name}`;
  }
  return step.conn !== undefined ? `${step.conn} ${word}` : word;
}

/** ` [2.3]` for a step in nested repeats, ` (attempt 2 of 5)` in a retry: what tells apart runs of one line. */
export function stepRun(r: StepResult): string {
  const it = r.iteration ? ` [${r.iteration.join('.')}]` : '';
  return r.attempt ? `${it} (attempt ${r.attempt.n} of ${r.attempt.of})` : it;
}

/** Where a block failed, for one-line reports: `line 14 (bob)`, with the attempts of a retried block. */
export function failedAt(b: BlockResult): string {
  const f = b.failure;
  if (!f) {
    return b.status;
  }
  const conn = f.step?.step.conn ?? (f.step?.step.kind === 'connect' ? f.step.step.name : undefined);
  const attempts = b.attempts ? `, after ${b.attempts.n} attempts` : '';
  return `line ${f.line + 1}${conn !== undefined ? ` (${conn})` : ''}${attempts}: ${f.message}`;
}
