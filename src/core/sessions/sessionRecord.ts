// What a session sent and received so far, kept for "Save as script": bounded, so a session that streams
// gigabytes holds at most RECORD_LIMIT bytes here (the first ones; a script replays from the start).
import type { RecordedChunk } from '../script';

/** Bytes of traffic kept per session for Save as script. */
export const RECORD_LIMIT = 1024 * 1024;
/** Chunks kept per session (many tiny chunks cost more than their bytes). */
export const RECORD_CHUNKS = 10_000;

/** One order over every session's chunks (a script of several connections replays them in it). */
let nextSeq = 0;

export class SessionRecord {
  private readonly list: RecordedChunk[] = [];
  private bytes = 0;
  /** True once something was not kept: a script written from the record is then only the start. */
  truncated = false;

  add(direction: 'in' | 'out', data: Buffer): void {
    if (this.truncated) {
      return;
    }
    if (this.bytes + data.length > RECORD_LIMIT || this.list.length >= RECORD_CHUNKS) {
      this.truncated = true;
      return;
    }
    // A copy: the socket may reuse the buffer it delivered.
    this.list.push({ direction, bytes: Buffer.from(data), seq: nextSeq++ });
    this.bytes += data.length;
  }

  get chunks(): readonly RecordedChunk[] {
    return this.list;
  }
}
