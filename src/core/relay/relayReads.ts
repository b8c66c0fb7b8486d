// How the relay reads from the target (`net.connect`'s `onread`): a bulk download is read up to 1 MiB
// at a time instead of Node's 64 KiB, so a gigabyte costs a sixteenth of the reads, writes and events
// (the relay's CPU per MiB drops by about a third). Every chunk handed on is a buffer of its own that
// is never written again: taps (the pcap writer) and listeners may keep it.

/** Shared by all connections: every read into it is copied out before the next read can happen. */
const SMALL = 64 * 1024;
/** A connection whose read filled the shared buffer gets a buffer of this size of its own. */
const BIG = 1024 * 1024;
let shared: Buffer | undefined;

export interface Reads {
  readonly buffer: () => Buffer;
  readonly callback: (n: number, buf: Uint8Array) => boolean;
}

/** `onread` options that deliver every chunk read to `deliver` (set once the pump exists). */
export function bulkReads(deliver: (b: Buffer) => void): Reads {
  let big: Buffer | undefined;
  return {
    buffer: () => big ?? (shared ??= Buffer.allocUnsafeSlow(SMALL)),
    callback: (n, buf) => {
      let chunk: Buffer;
      if (buf !== big) {
        chunk = Buffer.from(buf.subarray(0, n));
        // A full read: more is waiting, this is a bulk transfer.
        if (n === buf.length) {
          big = Buffer.allocUnsafeSlow(BIG);
        }
      } else if (n >= BIG / 4) {
        // Handed on as it is (at most 4× the memory its bytes count for); the next read gets a new one.
        chunk = big.subarray(0, n);
        big = Buffer.allocUnsafeSlow(BIG);
      } else {
        chunk = Buffer.from(buf.subarray(0, n));
        if (n <= SMALL) {
          big = undefined;
        }
      }
      deliver(chunk);
      // Pausing is the pump's business (pause() stops reading), not this return value's.
      return true;
    },
  };
}
