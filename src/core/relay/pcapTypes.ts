// What a pcap capture is opened with and what it reports, and the writer's view of one connection.
import { PacketEnd } from './pcapPackets';

export interface PcapWriterOptions {
  /** Stop writing before the file passes this many bytes; default 1 GiB. */
  maxBytes?: number;
  /** Capture only this connection (its id); default all of them. */
  connectionId?: number;
  /** Replace an existing file; default false (the open fails with `pcap.exists`). */
  overwrite?: boolean;
  /** Payload bytes per segment, at most 65495; default 65495. */
  segmentSize?: number;
  /** Bytes waiting for the disk before the relay is asked to pause; default 4 MiB. */
  highWaterMark?: number;
  /**
   * Write a regular file around the page cache where its file system allows it (captureFile.ts); false:
   * always the plain stream (captureStream.ts). Default: true unless TCP_WORKBENCH_CAPTURE_DIRECT_IO=0.
   */
  directIo?: boolean;
}

export interface PcapSummary {
  file: string;
  bytes: number;
  packets: number;
  /** True when the size cap (or a write error) cut the capture short. */
  truncated: boolean;
  droppedPackets: number;
  error?: Error;
}

/** One relayed connection as the capture writes it. */
export interface Flow {
  client: PacketEnd;
  server: PacketEnd;
  /** The next sequence number each side sends. */
  clientSeq: number;
  serverSeq: number;
}
