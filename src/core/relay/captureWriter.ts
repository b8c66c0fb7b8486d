// What every capture file of the relay shares, whatever its format (classic pcap: pcapWriter.ts; pcapng
// of the wire with its keys: wireWriter.ts): the file, the batches, the backpressure, the size cap, and
// TCP streams made of synthesized packets (handshake, data segments, FIN, RST) with consistent sequence
// numbers. Memory stays bounded: when the file falls behind, the writer reports itself congested and the
// relay pauses its sources; past the size cap nothing more is written and the capture says it was cut.
import * as fs from 'node:fs';
import { randomInt } from 'node:crypto';
import { DisposableBase, Emitter } from '../events';
import { WorkbenchError } from '../errors';
import { MAX_SEGMENT, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, ipBytes, segmentHeader } from './pcapPackets';
import { Flow, PcapSummary, PcapWriterOptions } from './pcapTypes';
import { CaptureStream } from './captureStream';
import { ARENA, CaptureFile } from './captureFile';
import { Endpoint } from './relayTypes';

export const DEFAULT_PCAP_MAX_BYTES = 1024 ** 3;
/** The switch for the direct-I/O writer (captureFile.ts): on unless the environment says `0`. */
const DIRECT_IO = process.env.TCP_WORKBENCH_CAPTURE_DIRECT_IO !== '0';
const DEFAULT_HIGH_WATER = 4 * 1024 * 1024;
const BATCH_MS = 10;

/** A file format's framing of packets: its file header, and the record around each packet. */
export interface CaptureFormat {
  header(): Buffer;
  /** Bytes in front of the IP header for the record header. */
  readonly room: number;
  /** Fills the record header at b[0, room) for a packet of `length` bytes; returns what goes after the packet, if anything. */
  record(b: Buffer, timeUs: number, length: number): Buffer | undefined;
}

/** Creates the file, never replacing one unless told (`pcap.exists`). */
export function openCaptureFile(file: string, overwrite: boolean | undefined): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    fs.open(file, overwrite ? 'w' : 'wx', (e, fd) => {
      if (!e) {
        resolve(fd);
      } else if (e.code === 'EEXIST') {
        reject(new WorkbenchError('pcap.exists', `The capture file ${file} already exists.`, { file }, { cause: e }));
      } else {
        reject(new WorkbenchError('pcap.open', `Cannot create the capture file ${file}: ${e.message}`, { file }, { cause: e }));
      }
    }),
  );
}

export abstract class CaptureWriter extends DisposableBase {
  private written = 0;
  private packets = 0;
  private dropped = 0;
  private cut = false;
  private error?: Error;
  private ipId = 0;
  private readonly clockBaseUs = Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
  private readonly _onDrain = this._register(new Emitter<void>());
  readonly onDrain = this._onDrain.event;
  protected closing?: Promise<PcapSummary>;
  /** Someone was told we are congested and waits for onDrain. */
  private waiting = false;
  private readonly highWater: number;
  /** The file (captureStream.ts, or captureFile.ts around the page cache), and the timer that sends a batch that is not full yet. */
  private out!: CaptureStream | CaptureFile;
  private flushTimer?: NodeJS.Timeout;
  /** Full batches sent when the timer was set: while batches keep filling, the timer waits for the next. */
  private filledSince = 0;
  private readonly onTimer = (): void => {
    this.flushTimer = undefined;
    if (this.out.filled !== this.filledSince) {
      // Bytes are flowing: the batch in hand fills soon and goes out whole.
      this.filledSince = this.out.filled;
      this.flushTimer = setTimeout(this.onTimer, BATCH_MS);
      return;
    }
    this.out.flush();
  };
  private readonly flush = (): void => {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.out.flush();
  };

  protected constructor(
    readonly file: string,
    protected readonly options: PcapWriterOptions,
    private readonly format: CaptureFormat,
  ) {
    super();
    this.highWater = options.highWaterMark ?? DEFAULT_HIGH_WATER;
    this._register({ dispose: () => clearTimeout(this.flushTimer) });
  }

  /** Takes the opened file and writes the format's header. */
  protected async attach(fd: number): Promise<void> {
    const hooks = { written: () => this.onWritten(), failed: (e: Error) => this.writeFailed(e) };
    // Aligned arenas for twice the mark (the relay stops adding at the mark), plus a chunk in hand.
    const direct = (this.options.directIo ?? DIRECT_IO) ? await CaptureFile.from(fd, this.file, hooks, Math.ceil((2 * this.highWater) / ARENA) + 2) : undefined;
    this.out = direct ?? new CaptureStream(fd, hooks);
    this.write(this.format.header());
  }

  /** Resumes the relay at half the mark, not at empty: the disk then never waits for the relay. */
  private onWritten(): void {
    if (this.waiting && (this.cut || this.out.pending < this.highWater / 2)) {
      this.waiting = false;
      this._onDrain.fire();
    } else if (this.waiting) {
      this.keepWriting();
    }
  }

  /**
   * While someone waits for onDrain, a write must be under way (its callback is what ends the wait):
   * when none is, the batch in hand is what keeps us above the mark, so it goes now, not at the timer.
   */
  private keepWriting(): void {
    if (!this.out.writing) {
      this.flush();
    }
  }

  get congested(): boolean {
    if (!this.cut && this.out.pending >= this.highWater) {
      this.waiting = true;
      this.keepWriting();
    }
    return this.waiting;
  }

  /** True while the capture is written around the page cache (captureFile.ts). */
  get direct(): boolean {
    return this.out instanceof CaptureFile && this.out.isDirect;
  }

  get summary(): PcapSummary {
    return { file: this.file, bytes: this.written, packets: this.packets, truncated: this.cut, droppedPackets: this.dropped, error: this.error };
  }

  /**
   * Resolves once every packet so far is in the file (the held-back batch included), with the length
   * of that part: whole packets, to copy while the capture runs. Later packets may already be in the
   * file past it (around the page cache, not in order: a hole for a few ms), so a copy reads only this far.
   */
  async sync(): Promise<number> {
    if (this.closing) {
      await this.closing;
      return this.written;
    }
    const complete = this.written;
    this.flush();
    await this.out.drained();
    return complete;
  }

  /** Ends the file; resolves once everything is on disk. Later events are ignored. */
  close(): Promise<PcapSummary> {
    this.closing ??= (async () => {
      this.flush();
      const e = await this.out.close();
      if (e) {
        this.writeFailed(e);
      }
      return this.summary;
    })().finally(() => this.dispose());
    return this.closing;
  }

  private writeFailed(e: Error): void {
    this.error ??= new WorkbenchError('pcap.write', `Cannot write the capture ${this.file}: ${e.message}`, { file: this.file }, { cause: e });
    this.cut = true;
    this.waiting = false;
    this._onDrain.fire();
  }

  /**
   * The conversation's two ends: the client and the target, or — when their address families differ
   * (an IPv4 client relayed to an IPv6 target) — the client and the relay's address it connected to.
   */
  protected flowOf(client: Endpoint, target: Endpoint, relay: Endpoint): Flow | undefined {
    const c = ipBytes(client.address);
    let s = ipBytes(target.address);
    let sPort = target.port;
    if (!s || !c || s.length !== c.length) {
      s = ipBytes(relay.address);
      sPort = relay.port;
    }
    if (!c || !s || s.length !== c.length) {
      return undefined;
    }
    return { client: { ip: c, port: client.port }, server: { ip: s, port: sPort }, clientSeq: (randomInt(2 ** 31) + 1) >>> 0, serverSeq: (randomInt(2 ** 31) + 1) >>> 0 };
  }

  /** The three-way handshake of a flow. */
  protected handshake(f: Flow): void {
    this.packet(f, true, TCP_SYN, f.clientSeq - 1, 0);
    this.packet(f, false, TCP_SYN | TCP_ACK, f.serverSeq - 1, f.clientSeq);
    this.packet(f, true, TCP_ACK, f.clientSeq, f.serverSeq);
  }

  /** Bytes one side sent, as segments. The bytes are copied before this returns: a lent chunk is never held. */
  protected segments(f: Flow, fromClient: boolean, bytes: Buffer): void {
    const size = Math.min(MAX_SEGMENT, Math.max(1, this.options.segmentSize ?? MAX_SEGMENT));
    const timeUs = this.now();
    for (let off = 0; off < bytes.length; off += size) {
      const payload = bytes.subarray(off, Math.min(bytes.length, off + size));
      const seq = fromClient ? f.clientSeq : f.serverSeq;
      this.packet(f, fromClient, TCP_PSH | TCP_ACK, seq, fromClient ? f.serverSeq : f.clientSeq, payload, timeUs);
      if (fromClient) {
        f.clientSeq = (f.clientSeq + payload.length) >>> 0;
      } else {
        f.serverSeq = (f.serverSeq + payload.length) >>> 0;
      }
    }
  }

  protected fin(f: Flow, fromClient: boolean): void {
    this.packet(f, fromClient, TCP_FIN | TCP_ACK, fromClient ? f.clientSeq : f.serverSeq, fromClient ? f.serverSeq : f.clientSeq);
    if (fromClient) {
      f.clientSeq = (f.clientSeq + 1) >>> 0;
    } else {
      f.serverSeq = (f.serverSeq + 1) >>> 0;
    }
  }

  protected rst(f: Flow, fromClient: boolean): void {
    this.packet(f, fromClient, TCP_RST | TCP_ACK, fromClient ? f.clientSeq : f.serverSeq, fromClient ? f.serverSeq : f.clientSeq);
  }

  protected now(): number {
    return this.clockBaseUs + Number(process.hrtime.bigint() / 1000n);
  }

  protected packet(f: Flow, fromClient: boolean, flags: number, seq: number, ack: number, payload?: Buffer, timeUs = this.now()): void {
    if (this.cut || this.closing) {
      this.dropped++;
      return;
    }
    const header = segmentHeader(
      { src: fromClient ? f.client : f.server, dst: fromClient ? f.server : f.client, seq, ack, flags, payload, ipId: this.ipId++ },
      this.format.room,
    );
    const payloadLength = payload?.length ?? 0;
    const after = this.format.record(header, timeUs, header.length - this.format.room + payloadLength);
    if (this.fits(header.length + payloadLength + (after?.length ?? 0))) {
      this.write(header);
      if (payload && payloadLength > 0) {
        this.write(payload);
      }
      if (after) {
        this.write(after);
      }
      this.packets++;
    }
  }

  /** A block that is not a packet (pcapng's secrets); under the same cap. */
  protected block(b: Buffer): void {
    if (this.fits(b.length)) {
      this.write(b);
    }
  }

  /** False (and counted as dropped) once the capture is closed, cut, or this would pass the cap. */
  private fits(size: number): boolean {
    if (this.cut || this.closing) {
      this.dropped++;
      return false;
    }
    if (this.written + size > (this.options.maxBytes ?? DEFAULT_PCAP_MAX_BYTES)) {
      this.cut = true;
      this.dropped++;
      // Whoever paused for us must not wait for a drain that may never come.
      this.waiting = false;
      this._onDrain.fire();
      return false;
    }
    return true;
  }

  private write(b: Buffer): void {
    this.written += b.length;
    // Headers and payloads go to the file in batches: one when it is full, or what came within
    // BATCH_MS once the bytes stop filling batches.
    if (!this.flushTimer) {
      this.filledSince = this.out.filled;
      this.flushTimer = setTimeout(this.onTimer, BATCH_MS);
    }
    this.out.add(b);
  }
}
