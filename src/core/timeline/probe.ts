// Watches one real socket for a timeline (what its recv got, FIN, RST, errors, close) and acts on it to
// provoke the classic surprises: send in pieces, send together, Nagle on/off, half-close, abort with
// reset, stop reading. The socket's owner (a session, a server) keeps sending through its own path and
// reports its writes with `wrote()`, so its counters and traffic log stay whole.
import * as net from 'node:net';
import { Disposable } from '../events';
import { Lane, Timeline } from './timeline';

/** How the owner sends (its counters, its traffic log); without one the probe writes and records itself. */
export type SendFn = (bytes: Buffer) => Promise<void>;

export class SocketProbe implements Disposable {
  private readonly off: (() => void)[] = [];
  private pausedByUs = false;

  constructor(
    readonly timeline: Timeline,
    readonly socket: net.Socket,
    /** The lane this socket's program stands on, and its peer's. */
    readonly lane: Lane,
    readonly peer: Lane,
    private readonly sendFn?: SendFn,
  ) {
    const on = <A extends unknown[]>(event: string, fn: (...a: A) => void) => {
      const f = fn as (...args: unknown[]) => void;
      socket.on(event, f);
      this.off.push(() => socket.off(event, f));
    };
    on('data', (bytes: Buffer) => {
      timeline.read(peer, lane, bytes);
    });
    // recv() returned 0: the peer half-closed.
    on('end', () => {
      timeline.mark('fin', peer, { peer: lane });
    });
    on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') {
        timeline.mark('rst', peer, { peer: lane, code: e.code });
      } else {
        timeline.mark('error', lane, { code: e.code, message: e.message });
      }
    });
    on('close', () => {
      timeline.mark('close', lane);
    });
  }

  /** The owner wrote these bytes (call from its "sent" event). */
  wrote(bytes: Uint8Array): void {
    if (bytes.length > 0) {
      this.timeline.write(this.lane, this.peer, bytes);
    }
  }

  /** Sends one buffer through the owner (or straight to the socket, recorded here). */
  send(bytes: Buffer): Promise<void> {
    if (this.sendFn) {
      return this.sendFn(bytes);
    }
    return new Promise((resolve, reject) => {
      if (!this.socket.writable) {
        reject(new Error('The connection is not writable.'));
        return;
      }
      this.wrote(bytes);
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends `bytes` as `pieces` writes, `gapMs` apart (the reader may see 半包: one message, several recvs). */
  async sendInPieces(bytes: Buffer, pieces: number, gapMs: number): Promise<void> {
    const n = Math.max(1, Math.min(Math.floor(pieces), bytes.length, 1000));
    const gap = Math.max(0, Math.min(gapMs, 10_000));
    this.timeline.mark('action', this.lane, { text: `send in ${n} pieces, ${gap} ms apart`, say: 'pieces', n, ms: gap });
    const size = Math.ceil(bytes.length / n);
    for (let i = 0; i < n; i++) {
      if (i > 0 && gap > 0) {
        await new Promise((r) => setTimeout(r, gap));
      }
      await this.send(bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size)));
    }
  }

  /**
   * Several messages, one send() each, with Nagle on and the socket corked so they leave in one segment:
   * the reader's recv usually gets them as one chunk (粘包).
   */
  async sendTogether(messages: Buffer[]): Promise<void> {
    this.timeline.mark('action', this.lane, { text: `send ${messages.length} messages together`, say: 'together', n: messages.length });
    this.setNoDelay(false);
    this.socket.cork();
    const sent = messages.map((m) => this.send(m));
    process.nextTick(() => this.socket.uncork());
    await Promise.all(sent);
  }

  /** Nagle off (true) or on (false). */
  setNoDelay(noDelay: boolean): void {
    this.socket.setNoDelay(noDelay);
    this.timeline.mark('noDelay', this.lane, { on: noDelay });
  }

  /** shutdown(SHUT_WR): sends FIN and keeps reading. */
  halfClose(): void {
    if (!this.socket.writableEnded) {
      this.socket.end();
      this.timeline.mark('fin', this.lane, { peer: this.peer });
    }
  }

  /** Aborts with a reset (SO_LINGER 0 + close): the peer sees ECONNRESET, queued data is dropped. */
  reset(why?: string): void {
    if (!this.socket.destroyed) {
      this.timeline.mark('rst', this.lane, { peer: this.peer, text: why });
      this.socket.resetAndDestroy();
    }
  }

  /**
   * Closes the way a program does that closes with bytes it never read: the kernel answers with a
   * reset instead of FIN. Reading stops first, so what the peer sends meanwhile stays unread.
   */
  closeWithUnread(): void {
    this.socket.pause();
    this.reset('close with unread data');
  }

  /** Stops reading: the peer's sends queue up here, then in the kernel, then its send() blocks. */
  pause(): void {
    if (!this.pausedByUs) {
      this.pausedByUs = true;
      this.socket.pause();
      this.timeline.mark('pause', this.lane, { queued: this.queued });
    }
  }

  resume(): void {
    if (this.pausedByUs) {
      this.pausedByUs = false;
      this.timeline.mark('resume', this.lane, { queued: this.queued });
      this.socket.resume();
    }
  }

  get paused(): boolean {
    return this.pausedByUs;
  }

  /** Bytes received but not yet read by the program (in this process; the kernel holds more). */
  get queued(): number {
    return this.socket.readableLength;
  }

  dispose(): void {
    for (const f of this.off.splice(0)) {
      f();
    }
  }
}

/** Marks a failed connect, listen or write on a lane with its errno (`errno` or `code` of the error). */
export function markError(timeline: Timeline, lane: Lane, e: unknown): void {
  const err = e as { errno?: unknown; code?: unknown; message?: unknown };
  const code = typeof err.errno === 'string' ? err.errno : typeof err.code === 'string' ? err.code : undefined;
  timeline.mark('error', lane, { code, message: typeof err.message === 'string' ? err.message : String(e) });
}
