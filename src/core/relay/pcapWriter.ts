// Streams the relay's plaintext traffic to a libpcap file that Wireshark, tshark and tcpdump open: each
// relayed connection becomes one TCP stream (handshake, data segments, FIN/RST where they happened) with
// real addresses and ports and consistent sequence numbers, so "Follow TCP stream" gives back the bytes.
// The file, batches, backpressure and size cap are the CaptureWriter's (captureWriter.ts).
import { PCAP_RECORD_HEADER, TCP_ACK, TCP_RST, TCP_SYN, globalHeader, pcapRecordHeader } from './pcapPackets';
import { Flow, PcapSummary, PcapWriterOptions } from './pcapTypes';
import { CaptureFormat, CaptureWriter, DEFAULT_PCAP_MAX_BYTES, openCaptureFile } from './captureWriter';
import { RelayCloseEvent, RelayConnection, RelayDataEvent, RelayHalfCloseEvent, RelayTap, UpstreamFailureEvent } from './relayTypes';

export type { PcapSummary, PcapWriterOptions };
export { DEFAULT_PCAP_MAX_BYTES };

/** Classic libpcap: a 24-byte file header, a 16-byte record header per packet. */
const PCAP: CaptureFormat = {
  header: globalHeader,
  room: PCAP_RECORD_HEADER,
  record(b, timeUs, length) {
    pcapRecordHeader(b, timeUs, length);
    return undefined;
  },
};

export class PcapWriter extends CaptureWriter implements RelayTap {
  private readonly flows = new Map<number, Flow>();

  private constructor(file: string, options: PcapWriterOptions) {
    super(file, options, PCAP);
  }

  /** Creates the file (never replacing one unless told) and writes the pcap header. */
  static async open(file: string, options: PcapWriterOptions = {}): Promise<PcapWriter> {
    const fd = await openCaptureFile(file, options.overwrite);
    const w = new PcapWriter(file, options);
    await w.attach(fd);
    return w;
  }

  opened(c: RelayConnection): void {
    if (!this.wanted(c.id)) {
      return;
    }
    const f = this.flowOf(c.clientEnd, c.targetEnd, c.relayEnd);
    if (f) {
      this.flows.set(c.id, f);
      this.handshake(f);
    }
  }

  /** The bytes are copied before this returns: a lent chunk is never held. */
  data(e: RelayDataEvent): void {
    const f = this.flows.get(e.connection.id);
    if (f) {
      this.segments(f, e.direction === 'client→server', e.bytes);
    }
  }

  halfClosed(e: RelayHalfCloseEvent): void {
    const f = this.flows.get(e.connection.id);
    if (f) {
      this.fin(f, e.direction === 'client→server');
    }
  }

  closed(e: RelayCloseEvent): void {
    const f = this.flows.get(e.connection.id);
    if (!f) {
      return;
    }
    this.flows.delete(e.connection.id);
    if (e.reason !== 'closed') {
      // The client's reset comes from the client; every other reset (the target's, or the relay's own
      // on timeout/kick/stop) reaches the client from the server's side of the conversation.
      this.rst(f, e.reason === 'client-reset');
    }
  }

  /** A refused/unreachable target: the client's SYN answered by a reset, as on a direct connection. */
  failed(e: UpstreamFailureEvent): void {
    if (!this.wanted(e.client.id)) {
      return;
    }
    const cause = (e.error.cause ?? {}) as { address?: string; port?: number };
    const target = { address: cause.address ?? e.target.host, port: cause.port ?? e.target.port };
    const f = this.flowOf(e.clientEnd, target, e.relayEnd);
    if (f) {
      this.packet(f, true, TCP_SYN, f.clientSeq - 1, 0);
      this.packet(f, false, TCP_RST | TCP_ACK, 0, f.clientSeq);
    }
  }

  private wanted(id: number): boolean {
    return !this.closing && (this.options.connectionId === undefined || this.options.connectionId === id);
  }
}
