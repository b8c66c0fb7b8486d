// How the relay sees the bytes on the wire (for WireTaps: the pcapng wire capture). On a TLS leg the TLS
// socket is made over a TapStream instead of the TCP socket itself: a Duplex in between that reports every
// chunk in and out before the TLS layer. (Node's TLS reads a plain socket in C++, where no listener sees
// the records; a Duplex costs a copy through JavaScript, so it is used only while a wire tap is on.)
// On a plain leg the wire bytes are the relayed plaintext, which the relay reports itself.
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { Endpoint, RelayLeg, WireTap } from './relayTypes';

/** One leg as the wire taps have it: which FINs crossed, and whether its socket failed. */
interface LegState {
  /** The wire bytes are the relayed plaintext (the relay reports them), not a TapStream's. */
  plain: boolean;
  inEnded: boolean;
  outEnded: boolean;
  peerReset: boolean;
}

/**
 * A connected socket as a Duplex that reports what it reads and writes. An inbound chunk is reported
 * after the TLS layer has taken it, but before anything that layer writes in answer: the key lines the
 * TLS layer logs on reading it (TLS 1.3's client traffic secret follows the client's Finished) then come
 * before that chunk in the capture, and the records are still in the order they crossed.
 */
export class TapStream extends Duplex {
  private pendingIn?: Buffer;

  constructor(
    private readonly raw: net.Socket,
    private readonly report: (what: 'in' | 'out' | 'in-end' | 'out-end', bytes?: Buffer) => void,
  ) {
    super({ allowHalfOpen: true });
    raw.on('data', (b: Buffer) => {
      this.pendingIn = b;
      const more = this.push(b);
      this.flushIn();
      if (!more) {
        raw.pause();
      }
    });
    raw.on('end', () => {
      report('in-end');
      this.push(null);
    });
    raw.on('error', (e) => this.destroy(e));
    raw.on('close', () => this.destroy());
  }

  private flushIn(): void {
    if (this.pendingIn) {
      const b = this.pendingIn;
      this.pendingIn = undefined;
      this.report('in', b);
    }
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (e?: Error | null) => void): void {
    this.flushIn();
    this.report('out', chunk);
    this.raw.write(chunk, callback);
  }

  override _final(callback: (e?: Error | null) => void): void {
    this.flushIn();
    this.report('out-end');
    this.raw.end(callback);
  }

  override _destroy(e: Error | null, callback: (e?: Error | null) => void): void {
    this.raw.destroy();
    callback(e);
  }
}

/** The relay's side of the wire taps: legs opened, bytes, FINs and closes, reported to every tap. */
export class RelayWire {
  private readonly legs = new Map<string, LegState>();

  constructor(private readonly taps: ReadonlySet<WireTap>) {}

  get on(): boolean {
    return this.taps.size > 0;
  }

  /** A TLS leg: the stream to make the TLS socket over. `raw` is connected; the relay is the acceptor on the client leg. */
  tlsLeg(id: number, leg: RelayLeg, raw: net.Socket): TapStream {
    const s = this.opened(id, leg, raw, false);
    const mine = leg === 'target';
    return new TapStream(raw, (what, bytes) => {
      if (what === 'in' || what === 'out') {
        this.taps.forEach((t) => t.legData(id, leg, (what === 'out') === mine, bytes as Buffer));
      } else {
        s[what === 'in-end' ? 'inEnded' : 'outEnded'] = true;
        this.taps.forEach((t) => t.legFinished(id, leg, (what === 'out-end') === mine));
      }
    });
  }

  /** A plain leg, once bytes start to flow on it. */
  plainLeg(id: number, leg: RelayLeg, raw: net.Socket): void {
    this.opened(id, leg, raw, true);
  }

  /** Relayed plaintext: it crossed the plain legs of connection `id` as is. */
  plainData(id: number, fromClient: boolean, bytes: Buffer): void {
    for (const leg of LEGS) {
      // On either leg the client's direction is the opener's: the client opened the client leg, the relay (its stand-in) the target leg.
      if (this.legs.get(key(id, leg))?.plain) {
        this.taps.forEach((t) => t.legData(id, leg, fromClient, bytes));
      }
    }
  }

  /** A FIN forwarded: it crossed the plain legs in the same direction. */
  plainFinished(id: number, fromClient: boolean): void {
    for (const leg of LEGS) {
      const s = this.legs.get(key(id, leg));
      if (s?.plain) {
        s[fromClient === (leg === 'target') ? 'outEnded' : 'inEnded'] = true;
        this.taps.forEach((t) => t.legFinished(id, leg, fromClient));
      }
    }
  }

  private opened(id: number, leg: RelayLeg, raw: net.Socket, plain: boolean): LegState {
    const s: LegState = { plain, inEnded: false, outEnded: false, peerReset: false };
    this.legs.set(key(id, leg), s);
    const local: Endpoint = { address: raw.localAddress ?? '?', port: raw.localPort ?? 0 };
    const remote: Endpoint = { address: raw.remoteAddress ?? '?', port: raw.remotePort ?? 0 };
    const mine = leg === 'target';
    this.taps.forEach((t) => (mine ? t.legOpened(id, leg, local, remote) : t.legOpened(id, leg, remote, local)));
    raw.on('error', (e: NodeJS.ErrnoException) => {
      s.peerReset ||= e.code === 'ECONNRESET' || e.code === 'EPIPE';
    });
    raw.once('close', () => {
      this.legs.delete(key(id, leg));
      // A peer's reset is the peer's; a close without a FIN both ways is the relay's own reset.
      const by = s.peerReset ? 'peer' : s.inEnded && s.outEnded ? undefined : 'relay';
      const resetBy = by === undefined ? undefined : (by === 'relay') === mine ? 'opener' : 'acceptor';
      this.taps.forEach((t) => t.legClosed(id, leg, resetBy));
    });
    return s;
  }
}

const LEGS: readonly RelayLeg[] = ['client', 'target'];

function key(id: number, leg: RelayLeg): string {
  return `${id}:${leg}`;
}
