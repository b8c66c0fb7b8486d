// One direction of a relayed connection: source socket → destination socket, byte-exact, with
// backpressure (the source is paused while the destination, the shaping queue or a tap is full) and
// optional latency and a byte-rate limit.
import * as net from 'node:net';
import { Hold, Release } from './relayReads';

export interface Shaping {
  /** Added latency (ms) for every byte of this direction. */
  delayMs?: number;
  /** At most this many bytes a second in this direction (0/undefined = unlimited). */
  bytesPerSecond?: number;
}

export interface PumpHooks {
  /** A chunk read from the source (just after it was handed to the destination, or queued). */
  onChunk(bytes: Buffer, hold?: Hold): void;
  /** The source sent FIN and it has been passed on as `end()` (after any queued bytes). */
  onFinished(): void;
  /** True while something outside the pump (a congested tap) wants the source held. */
  held(): boolean;
}

/** What the shaping queue may hold before the source is paused: memory stays flat whatever the rate. */
const QUEUE_HIGH_WATER = 1024 * 1024;

export class Pump {
  private readonly queue: { due: number; bytes: Buffer; release?: Release }[] = [];
  private queued = 0;
  private linkFree = 0;
  private timer?: NodeJS.Timeout;
  private ended = false;
  private finished = false;
  private readonly shaped: boolean;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly shaping: Shaping | undefined,
    private readonly hooks: PumpHooks,
  ) {
    this.shaped = !!(shaping && ((shaping.delayMs ?? 0) > 0 || (shaping.bytesPerSecond ?? 0) > 0));
  }

  start(): void {
    // A source read with `onread` (the target, see relayReads.ts) emits no 'data': it calls push().
    this.from.on('data', (b: Buffer) => this.push(b));
    this.from.on('end', () => {
      this.ended = true;
      this.flushEnd();
    });
    this.to.on('drain', () => this.maybeResume());
    // The client was paused until the upstream connected; a 'data' listener alone does not undo pause().
    this.from.resume();
    // A client that sent FIN (and nothing else) before the target answered has had its 'end' already.
    if (this.from.readableEnded) {
      this.ended = true;
      this.flushEnd();
    }
  }

  /** Resumes the source if nothing holds it any more (also called when a tap drains). */
  maybeResume(): void {
    if (this.from.isPaused() && !this.from.destroyed && !this.to.writableNeedDrain && this.queued < QUEUE_HIGH_WATER && !this.hooks.held()) {
      this.from.resume();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.splice(0).forEach((q) => q.release?.());
    this.queued = 0;
  }

  /** A chunk read from the source; one with `hold` is lent (relayReads.ts): held until written. */
  push(b: Buffer, hold?: Hold): void {
    if (!this.shaped) {
      // Forwarded first: the destination's kernel buffer fills while the taps (the pcap checksum of up
      // to 1 MiB) do their work.
      const ok = this.to.destroyed || (hold ? this.to.write(b, hold()) : this.to.write(b));
      this.hooks.onChunk(b, hold);
      if (!ok || this.hooks.held()) {
        this.from.pause();
      }
      return;
    }
    this.hooks.onChunk(b, hold);
    this.enqueue(b, hold);
    if (this.queued >= QUEUE_HIGH_WATER || this.to.writableNeedDrain || this.hooks.held()) {
      this.from.pause();
    }
  }

  private enqueue(b: Buffer, hold?: Hold): void {
    const rate = this.shaping?.bytesPerSecond ?? 0;
    const delay = this.shaping?.delayMs ?? 0;
    // A rate-limited chunk goes out in pieces of ~50 ms worth, so the rate is smooth, not bursts.
    const piece = rate > 0 ? Math.max(1, Math.ceil(rate / 20)) : b.length;
    const now = Date.now();
    for (let off = 0; off < b.length; off += piece) {
      const bytes = b.subarray(off, Math.min(b.length, off + piece));
      let due = now + delay;
      if (rate > 0) {
        this.linkFree = Math.max(now, this.linkFree) + (bytes.length * 1000) / rate;
        due = this.linkFree + delay;
      }
      this.queue.push({ due, bytes, release: hold?.() });
      this.queued += bytes.length;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) {
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.tick();
      },
      Math.max(0, this.queue[0].due - Date.now()),
    );
  }

  private tick(): void {
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].due <= now) {
      const { bytes, release } = this.queue.shift()!;
      this.queued -= bytes.length;
      if (!this.to.destroyed) {
        this.to.write(bytes, release);
      } else {
        release?.();
      }
    }
    this.flushEnd();
    this.schedule();
    this.maybeResume();
  }

  private flushEnd(): void {
    if (!this.ended || this.finished || this.queue.length > 0) {
      return;
    }
    this.finished = true;
    if (!this.to.destroyed) {
      this.to.end();
    }
    this.hooks.onFinished();
  }
}
