// Copies a capture the PcapWriter is still writing into a new pcap file, record by record, keeping only
// the records a filter wants (one connection's packets) — streaming, so memory does not grow with the
// capture. A record the writer has not finished yet is left out, so the copy is always a valid file;
// with `length` (from PcapWriter.sync()) nothing past the complete part is read at all.
// The copy is written beside the destination and moved into place only when complete: an existing
// file is never replaced unless asked, and a failed copy leaves nothing that looks finished.
import * as fs from 'node:fs';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { WorkbenchError } from '../errors';
import { ipBytes } from './pcapPackets';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/** Picks one TCP stream: the packets to or from the client's address and port within a time window. */
export interface PcapStreamFilter {
  clientAddress: string;
  clientPort: number;
  /** Microseconds since the epoch, inclusive; default no limit. */
  fromUs?: number;
  toUs?: number;
}

export interface PcapCopyResult {
  file: string;
  packets: number;
  bytes: number;
}

/** The client end of a LINKTYPE_RAW IPv4/IPv6 TCP packet matches (either as source or destination). */
function matches(packet: Buffer, ip: Buffer, port: number): boolean {
  const version = packet[0] >> 4;
  let src: Buffer, dst: Buffer, tcp: number;
  if (version === 4 && packet.length >= 20) {
    tcp = (packet[0] & 0x0f) * 4;
    src = packet.subarray(12, 16);
    dst = packet.subarray(16, 20);
  } else if (version === 6 && packet.length >= 40) {
    tcp = 40;
    src = packet.subarray(8, 24);
    dst = packet.subarray(24, 40);
  } else {
    return false;
  }
  if (packet.length < tcp + 4) {
    return false;
  }
  return (src.equals(ip) && packet.readUInt16BE(tcp) === port) || (dst.equals(ip) && packet.readUInt16BE(tcp + 2) === port);
}

export interface PcapCopyOptions {
  filter?: PcapStreamFilter;
  overwrite?: boolean;
  /** Read only this many bytes of `source`: what PcapWriter.sync() said is complete. */
  length?: number;
}

/** Copies `source` (a pcap being written) to `dest`; with `filter`, only that stream's records. */
export async function copyPcap(source: string, dest: string, options: PcapCopyOptions = {}): Promise<PcapCopyResult> {
  if (!options.overwrite && fs.existsSync(dest)) {
    throw new WorkbenchError('pcap.exists', `The capture file ${dest} already exists.`, { file: dest });
  }
  const f = options.filter;
  const ip = f ? ipBytes(f.clientAddress) : undefined;
  const partial = `${dest}.${randomBytes(4).toString('hex')}.partial`;
  const out = fs.createWriteStream(partial, { flags: 'wx' });
  const result: PcapCopyResult = { file: dest, packets: 0, bytes: 0 };
  const write = async (b: Buffer): Promise<void> => {
    result.bytes += b.length;
    if (!out.write(b)) {
      await once(out, 'drain');
    }
  };
  try {
    let pending: Buffer = Buffer.alloc(0);
    let headerDone = false;
    const upTo = options.length === undefined ? {} : { end: Math.max(1, options.length) - 1 };
    for await (const chunk of fs.createReadStream(source, { highWaterMark: 1024 * 1024, ...upTo })) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let off = 0;
      if (!headerDone) {
        if (pending.length < GLOBAL_HEADER) {
          continue;
        }
        await write(pending.subarray(0, GLOBAL_HEADER));
        headerDone = true;
        off = GLOBAL_HEADER;
      }
      while (pending.length - off >= RECORD_HEADER) {
        const len = pending.readUInt32LE(off + 8);
        const end = off + RECORD_HEADER + len;
        if (end > pending.length) {
          break;
        }
        const timeUs = pending.readUInt32LE(off) * 1e6 + pending.readUInt32LE(off + 4);
        const packet = pending.subarray(off + RECORD_HEADER, end);
        const keep = !f || (ip !== undefined && timeUs >= (f.fromUs ?? 0) && timeUs <= (f.toUs ?? Infinity) && matches(packet, ip, f.clientPort));
        if (keep) {
          await write(pending.subarray(off, end));
          result.packets++;
        }
        off = end;
      }
      pending = pending.subarray(off);
    }
    if (!headerDone) {
      throw new WorkbenchError('pcap.empty', `The capture ${source} has no pcap header yet.`, { file: source });
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (options.overwrite) {
      await fs.promises.rename(partial, dest);
    } else {
      // link() fails when dest appeared meanwhile: nothing is replaced without asking.
      await fs.promises.link(partial, dest).catch((e: NodeJS.ErrnoException) => {
        throw e.code === 'EEXIST' ? new WorkbenchError('pcap.exists', `The capture file ${dest} already exists.`, { file: dest }) : e;
      });
      await fs.promises.unlink(partial);
    }
    return result;
  } catch (e) {
    out.destroy();
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
}
