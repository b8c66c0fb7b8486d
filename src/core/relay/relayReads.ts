// How the relay reads from the target (`net.connect`'s `onread`): a bulk download is read up to 1 MiB
// at a time instead of Node's 64 KiB, so a gigabyte costs a sixteenth of the reads, writes and events.
// The 1 MiB buffers are reused: a chunk read into one is lent to whoever needs its bytes after the read
// (the socket write it is handed to, a tap that keeps it), each of them holding it until done;
// the buffer takes the next reads only when every holder has let go. A fresh megabyte a read (page
// faults, a cold cache, garbage) cost the relay about a third of its CPU per MiB.

/** Lets go of a held chunk; a second call does nothing. */
export type Release = () => void;
/** Keeps a chunk's bytes as they are until the returned Release is called. */
export type Hold = () => Release;

/** Shared by all connections: every read into it is copied out before the next read can happen. */
const SMALL = 64 * 1024;
/** A connection whose read filled the shared buffer reads into buffers of this size of its own. */
const BIG = 1024 * 1024;
/** Spare big buffers a connection keeps for its next reads (more are allocated while all are held). */
const SPARE = 1;
/**
 * A short read this long (ms) after the previous read ends a bulk transfer. A short read alone does not:
 * a relay that reads faster than the target sends reads mostly short reads in the middle of a bulk
 * (70% of a gigabyte's bytes, measured).
 */
const QUIET_MS = 1000;
let shared: Buffer | undefined;

export interface Reads {
  readonly buffer: () => Buffer;
  readonly callback: (n: number, buf: Uint8Array) => boolean;
}

/**
 * `onread` options that deliver every chunk read to `deliver`. A chunk that comes with `hold` lives in a
 * reused buffer: whoever keeps its bytes past the call must hold it (a chunk without `hold` is its own).
 */
export function bulkReads(deliver: (b: Buffer, hold?: Hold) => void): Reads {
  let big: Buffer | undefined;
  const spare: Buffer[] = [];
  let lastRead = 0;
  const take = (): Buffer => spare.pop() ?? Buffer.allocUnsafeSlow(BIG);
  return {
    buffer: () => big ?? (shared ??= Buffer.allocUnsafeSlow(SMALL)),
    callback: (n, buf) => {
      if (buf === big) {
        // Lent out; the next read goes into the spare until every holder lets go of this one.
        const lent = big;
        const now = Date.now();
        // The bulk is over: back to the shared buffer, nothing kept for an idle connection.
        big = n > SMALL || now - lastRead < QUIET_MS ? take() : undefined;
        lastRead = now;
        if (!big) {
          spare.length = 0;
        }
        lend(lent.subarray(0, n), deliver, () => {
          if (big !== undefined && spare.length < SPARE) {
            spare.push(lent);
          }
        });
        return true;
      }
      deliver(Buffer.from(buf.subarray(0, n)));
      if (n === buf.length) {
        // A full read of the shared buffer: more is waiting, this is a bulk transfer.
        big = take();
        lastRead = Date.now();
      }
      // Pausing is the pump's business (pause() stops reading), not this return value's.
      return true;
    },
  };
}

/** Delivers `chunk` with a Hold; `free` runs once the delivery and every hold have let go. */
function lend(chunk: Buffer, deliver: (b: Buffer, hold: Hold) => void, free: () => void): void {
  let holders = 1;
  const release = (): void => {
    if (--holders === 0) {
      free();
    }
  };
  const hold: Hold = () => {
    holders++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        release();
      }
    };
  };
  try {
    deliver(chunk, hold);
  } finally {
    release();
  }
}
