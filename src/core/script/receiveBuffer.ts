// The per-connection receive buffer expects match against: bytes not yet consumed, kept up to a bound
// (older bytes are dropped and counted, so a flooding peer cannot grow memory).

export const RECEIVE_LIMIT = 1024 * 1024;

export class ReceiveBuffer {
  private data = Buffer.allocUnsafe(4096);
  private start = 0;
  private end = 0;
  /** Bytes dropped unread because the unconsumed bytes passed the limit. */
  dropped = 0;
  /** Every byte ever received. */
  total = 0;

  constructor(readonly limit = RECEIVE_LIMIT) {}

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (chunk.length >= this.limit) {
      this.dropped += this.length + chunk.length - this.limit;
      chunk = chunk.subarray(chunk.length - this.limit);
      this.start = this.end = 0;
    }
    const over = this.length + chunk.length - this.limit;
    if (over > 0) {
      this.dropped += over;
      this.start += over;
    }
    if (this.end + chunk.length > this.data.length) {
      this.compact(this.length + chunk.length);
    }
    chunk.copy(this.data, this.end);
    this.end += chunk.length;
  }

  /** The unconsumed bytes (a view: valid until the next push or consume). */
  view(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  /** Removes and returns (a copy of) the first n unconsumed bytes. */
  consume(n: number): Buffer {
    const out = Buffer.from(this.data.subarray(this.start, this.start + n));
    this.start += Math.min(n, this.length);
    if (this.start === this.end) {
      this.start = this.end = 0;
    }
    return out;
  }

  private compact(need: number): void {
    const size = need > this.data.length ? Math.max(need, this.data.length * 2) : this.data.length;
    const next = size === this.data.length ? this.data : Buffer.allocUnsafe(size);
    this.data.copy(next, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.data = next;
  }
}
