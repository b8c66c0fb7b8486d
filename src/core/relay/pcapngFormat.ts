// The pcapng blocks the wire capture writes (pcapng spec, draft-ietf-opsawg-pcapng): a Section Header,
// one Interface Description (LINKTYPE_RAW, microseconds), an Enhanced Packet per packet, and Decryption
// Secrets Blocks that carry TLS session keys as SSLKEYLOGFILE lines — what `editcap --inject-secrets tls`
// writes, so Wireshark and tshark decrypt the capture with no other file. Little-endian throughout.
import { LINKTYPE_RAW } from './pcapPackets';
import { CaptureFormat } from './captureWriter';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const DSB = 0x0000000a;
/** Secrets type 'TLSK': the secrets are SSLKEYLOGFILE lines. */
export const SECRETS_TLS_KEYLOG = 0x544c534b;
/** The Enhanced Packet Block's fields in front of the packet. */
const EPB_HEADER = 28;
const SNAPLEN = 262144;

const padded = (n: number): number => (n + 3) & ~3;

/** The Section Header and the one interface every packet is captured on. */
function header(): Buffer {
  const b = Buffer.alloc(28 + 20);
  b.writeUInt32LE(SHB, 0);
  b.writeUInt32LE(28, 4);
  b.writeUInt32LE(0x1a2b3c4d, 8);
  b.writeUInt16LE(1, 12);
  b.writeUInt16LE(0, 14);
  // Section length unknown (-1): the file is written as it goes.
  b.writeBigInt64LE(-1n, 16);
  b.writeUInt32LE(28, 24);
  b.writeUInt32LE(IDB, 28);
  b.writeUInt32LE(20, 32);
  b.writeUInt16LE(LINKTYPE_RAW, 36);
  b.writeUInt32LE(SNAPLEN, 40);
  b.writeUInt32LE(20, 44);
  return b;
}

/** pcapng with LINKTYPE_RAW packets: each packet an Enhanced Packet Block on interface 0. */
export const PCAPNG: CaptureFormat = {
  header,
  room: EPB_HEADER,
  record(b, timeUs, length) {
    const total = EPB_HEADER + padded(length) + 4;
    b.writeUInt32LE(EPB, 0);
    b.writeUInt32LE(total, 4);
    b.writeUInt32LE(0, 8);
    b.writeUInt32LE(Math.floor(timeUs / 2 ** 32), 12);
    b.writeUInt32LE(timeUs % 2 ** 32, 16);
    b.writeUInt32LE(length, 20);
    b.writeUInt32LE(length, 24);
    // The padding of the packet data, then the block's total length again.
    const after = Buffer.alloc(padded(length) - length + 4);
    after.writeUInt32LE(total, after.length - 4);
    return after;
  },
};

/** A Decryption Secrets Block holding SSLKEYLOGFILE lines; it decrypts the packets after it. */
export function secretsBlock(lines: Buffer): Buffer {
  const total = 16 + padded(lines.length) + 4;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(DSB, 0);
  b.writeUInt32LE(total, 4);
  b.writeUInt32LE(SECRETS_TLS_KEYLOG, 8);
  b.writeUInt32LE(lines.length, 12);
  lines.copy(b, 16);
  b.writeUInt32LE(total, total - 4);
  return b;
}
