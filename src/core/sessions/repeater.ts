// Sends one payload every N ms over a Link, a given number of times or until stopped. A send is awaited
// before the next is scheduled, so a slow peer slows the repeater instead of filling memory; ticks are
// scheduled against the start time so the spacing does not drift.
import { Link } from './connectionLink';
import { WorkbenchError } from '../errors';
import { Disposable, DisposableBase, Emitter } from '../events';

export const MIN_REPEAT_INTERVAL_MS = 1;
export const MAX_REPEAT_INTERVAL_MS = 24 * 3600 * 1000;
export const MAX_REPEAT_COUNT = 10_000_000;
const CLOSE_GRACE_MS = 100;

export type RepeatStopReason = 'done' | 'stopped' | 'connection-closed' | 'send-failed';

export interface RepeatTick {
  /** 1 for the first send. */
  index: number;
  /** When it was sent (Date.now()). */
  at: number;
}

export interface RepeatStop {
  reason: RepeatStopReason;
  sent: number;
  error?: Error;
}

export interface RepeatOptions {
  /** Milliseconds between sends, an integer from 1 to 24 h. */
  everyMs: number;
  /** How many sends (1 to 10 million); undefined = until stopped or the connection closes. */
  count?: number;
}

export class RepeatError extends WorkbenchError {
  constructor(message: string, args: Record<string, string | number>) {
    super('repeat.badOptions', message, args);
  }
}

/** Throws RepeatError unless the interval and the count are in range. */
export function checkRepeatOptions(o: RepeatOptions): void {
  if (!Number.isInteger(o.everyMs) || o.everyMs < MIN_REPEAT_INTERVAL_MS || o.everyMs > MAX_REPEAT_INTERVAL_MS) {
    throw new RepeatError(`The repeat interval must be a whole number of milliseconds from ${MIN_REPEAT_INTERVAL_MS} to ${MAX_REPEAT_INTERVAL_MS}, not ${o.everyMs}.`, {
      everyMs: o.everyMs,
    });
  }
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_REPEAT_COUNT)) {
    throw new RepeatError(`The repeat count must be a whole number from 1 to ${MAX_REPEAT_COUNT}, not ${o.count}.`, { count: o.count });
  }
}

export class Repeater extends DisposableBase {
  private readonly _onTick = this._register(new Emitter<RepeatTick>());
  readonly onTick = this._onTick.event;
  private readonly _onDidStop = this._register(new Emitter<RepeatStop>());
  /** Fires once. */
  readonly onDidStop = this._onDidStop.event;
  /** Resolves with the stop event. */
  readonly done: Promise<RepeatStop>;

  private sent = 0;
  private timer?: NodeJS.Timeout;
  private stopped?: RepeatStop;
  private resolveDone!: (s: RepeatStop) => void;
  private readonly closeSub: Disposable;
  private anchor = Date.now();

  /** Starts at once: the first send goes out now, the next everyMs later. Throws RepeatError on bad options. */
  constructor(
    private readonly link: Link,
    private readonly payload: Buffer,
    readonly options: RepeatOptions,
  ) {
    super();
    checkRepeatOptions(options);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.closeSub = link.onDidClose(() => this.finish('connection-closed'));
    if (!link.isOpen) {
      queueMicrotask(() => this.finish('connection-closed'));
      return;
    }
    void this.tick();
  }

  get count(): number {
    return this.sent;
  }

  get running(): boolean {
    return this.stopped === undefined;
  }

  stop(): void {
    this.finish('stopped');
  }

  override dispose(): void {
    this.stop();
    super.dispose();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      await this.link.send(this.payload);
    } catch (e) {
      // A send refused because the socket is closing comes just before the close event: give the
      // close a moment to arrive, so the reason says the connection closed rather than a failure.
      this.timer = setTimeout(() => this.finish(this.link.isOpen ? 'send-failed' : 'connection-closed', e as Error), CLOSE_GRACE_MS);
      return;
    }
    if (this.stopped) {
      return;
    }
    this.sent++;
    this._onTick.fire({ index: this.sent, at: Date.now() });
    if (this.options.count !== undefined && this.sent >= this.options.count) {
      this.finish('done');
      return;
    }
    const every = this.options.everyMs;
    const now = Date.now();
    // Late by more than a period (a busy event loop): start counting afresh rather than burst to catch up.
    if (now - (this.anchor + (this.sent - 1) * every) > every) {
      this.anchor = now - (this.sent - 1) * every;
    }
    const delay = Math.max(0, this.anchor + this.sent * every - now);
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private finish(reason: RepeatStopReason, error?: Error): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closeSub.dispose();
    this.stopped = { reason, sent: this.sent, error };
    this._onDidStop.fire(this.stopped);
    this.resolveDone(this.stopped);
  }
}
