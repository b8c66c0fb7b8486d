// The wire capture: every leg of every relayed connection as a TCP stream of the bytes that crossed it
// (TLS records on a TLS leg, plaintext on a plain one) in a pcapng file, with the session keys in
// Decryption Secrets Blocks (pcapngFormat.ts), so Wireshark/tshark show the decrypted traffic with no
// key file. A key line is written as its own block the moment it is logged: the relay logs a key before
// the records it decrypts reach the file (wireTap.ts), and Wireshark reads any number of such blocks.
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { WorkbenchError } from '../errors';
import { Flow, PcapSummary, PcapWriterOptions } from './pcapTypes';
import { CaptureWriter, openCaptureFile } from './captureWriter';
import { PCAPNG, secretsBlock } from './pcapngFormat';
import { Endpoint, RelayLeg, WireTap } from './relayTypes';

export type { PcapSummary, PcapWriterOptions };

export class WireWriter extends CaptureWriter implements WireTap {
  private readonly flows = new Map<string, Flow>();
  private keyLines = 0;

  private constructor(file: string, options: PcapWriterOptions) {
    super(file, options, PCAPNG);
  }

  /** Creates the file (never replacing one unless told: `pcap.exists`) and writes the pcapng header. */
  static async open(file: string, options: PcapWriterOptions = {}): Promise<WireWriter> {
    const fd = await openCaptureFile(file, options.overwrite);
    const w = new WireWriter(file, options);
    await w.attach(fd);
    return w;
  }

  /** How many key lines the file holds. */
  get keyLineCount(): number {
    return this.keyLines;
  }

  legOpened(id: number, leg: RelayLeg, opener: Endpoint, acceptor: Endpoint): void {
    if (!this.wanted(id)) {
      return;
    }
    const f = this.flowOf(opener, acceptor, acceptor);
    if (f) {
      this.flows.set(key(id, leg), f);
      this.handshake(f);
    }
  }

  legData(id: number, leg: RelayLeg, fromOpener: boolean, bytes: Buffer): void {
    const f = this.flows.get(key(id, leg));
    if (f) {
      this.segments(f, fromOpener, bytes);
    }
  }

  legFinished(id: number, leg: RelayLeg, fromOpener: boolean): void {
    const f = this.flows.get(key(id, leg));
    if (f) {
      this.fin(f, fromOpener);
    }
  }

  legClosed(id: number, leg: RelayLeg, resetBy?: 'opener' | 'acceptor'): void {
    const f = this.flows.get(key(id, leg));
    if (!f) {
      return;
    }
    this.flows.delete(key(id, leg));
    if (resetBy) {
      this.rst(f, resetBy === 'opener');
    }
  }

  keys(id: number, line: Buffer): void {
    if (this.wanted(id)) {
      this.keyLines++;
      this.block(secretsBlock(line[line.length - 1] === 0x0a ? line : Buffer.concat([line, Buffer.from('\n')])));
    }
  }

  private wanted(id: number): boolean {
    return !this.closing && (this.options.connectionId === undefined || this.options.connectionId === id);
  }
}

function key(id: number, leg: RelayLeg): string {
  return `${id}:${leg}`;
}

/**
 * Copies the first `length` bytes of a wire capture (what `sync()` said is complete) to `dest`: written
 * beside it and moved into place, never over an existing file unless `overwrite` (`pcap.exists`).
 */
export async function copyCapture(source: string, dest: string, o: { length: number; overwrite?: boolean; mode?: number }): Promise<void> {
  if (!o.overwrite && fs.existsSync(dest)) {
    throw new WorkbenchError('pcap.exists', `The capture file ${dest} already exists.`, { file: dest });
  }
  const part = `${dest}.${process.pid}.part`;
  try {
    if (o.length > 0) {
      await pipeline(fs.createReadStream(source, { start: 0, end: o.length - 1 }), fs.createWriteStream(part, { flags: 'wx', mode: o.mode }));
    } else {
      await fs.promises.writeFile(part, '', { flag: 'wx', mode: o.mode });
    }
    await fs.promises.rename(part, dest);
  } catch (e) {
    await fs.promises.rm(part, { force: true });
    throw e instanceof WorkbenchError ? e : new WorkbenchError('pcap.open', `Cannot create the capture file ${dest}: ${(e as Error).message}`, { file: dest }, { cause: e });
  }
}
