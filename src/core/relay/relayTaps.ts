// Who records what a relay relays: the taps of the plaintext (the capture, the script export) and the taps of
// the wire (the pcapng of both legs with their keys). The relay tells this one place what happened; it
// passes each event on to every tap and says whether any of them is behind (the pumps then wait).
import { Disposable, Event } from '../events';
import { Hold } from './relayReads';
import { RelayCloseEvent, RelayConnection, RelayDirection, RelayHalfCloseEvent, RelayTap, UpstreamFailureEvent, WireTap } from './relayTypes';
import { RelayWire } from './wireTap';

/** One line of a session key log of connection `clientId`. */
export interface KeyLine {
  clientId: number;
  line: Buffer;
}

export class RelayTaps {
  private readonly taps = new Set<RelayTap>();
  private readonly wireTaps = new Set<WireTap>();
  /** The wire taps' view of each leg (its streams, its keys). */
  readonly wire = new RelayWire(this.wireTaps);

  /** `resume` restarts the pumps a congested tap held back. */
  constructor(
    private readonly resume: () => void,
    private readonly onKeys: Event<KeyLine>,
  ) {}

  /** Adds a recorder of everything relayed from now on; dispose to remove it. */
  add(tap: RelayTap): Disposable {
    this.taps.add(tap);
    const drain = tap.onDrain(() => this.resume());
    return {
      dispose: () => {
        drain.dispose();
        this.taps.delete(tap);
      },
    };
  }

  /** Adds a recorder of the wire bytes of both legs and of the session keys; dispose to remove it. */
  addWire(tap: WireTap): Disposable {
    this.wireTaps.add(tap);
    const keys = this.onKeys((e) => tap.keys(e.clientId, e.line));
    const drain = tap.onDrain(() => this.resume());
    return {
      dispose: () => {
        keys.dispose();
        drain.dispose();
        this.wireTaps.delete(tap);
      },
    };
  }

  /** Whether a tap is behind: the pumps stop reading until it drains. */
  get congested(): boolean {
    // Asked for every chunk: plain loops, no arrays.
    for (const t of this.taps) {
      if (t.congested) {
        return true;
      }
    }
    for (const t of this.wireTaps) {
      if (t.congested) {
        return true;
      }
    }
    return false;
  }

  opened(conn: RelayConnection): void {
    this.taps.forEach((t) => t.opened(conn));
  }

  /** A relayed chunk; with `hold`, `bytes` is a lent read buffer that a tap keeping it must hold. */
  data(connection: RelayConnection, direction: RelayDirection, bytes: Buffer, hold?: Hold): void {
    if (this.taps.size > 0) {
      const e = { connection, direction, bytes };
      this.taps.forEach((t) => t.data(e, hold));
    }
    if (this.wire.on) {
      this.wire.plainData(connection.id, direction === 'client→server', bytes);
    }
  }

  halfClosed(e: RelayHalfCloseEvent): void {
    if (this.wire.on) {
      this.wire.plainFinished(e.connection.id, e.direction === 'client→server');
    }
    this.taps.forEach((t) => t.halfClosed(e));
  }

  closed(e: RelayCloseEvent): void {
    this.taps.forEach((t) => t.closed(e));
  }

  failed(e: UpstreamFailureEvent): void {
    this.taps.forEach((t) => t.failed(e));
  }
}
