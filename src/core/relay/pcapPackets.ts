// Synthesized packets for the capture: IPv4/IPv6 + TCP headers around relayed bytes, with correct IP
// and TCP checksums, as LINKTYPE_RAW packets (no link layer, the IP version tells the family). The
// headers leave room in front for the file format's record header: libpcap's (below) or another's.
import * as net from 'node:net';
import { wasmSum, wasmSums } from './pcapChecksum';

export const LINKTYPE_RAW = 101;
/** Max payload in one segment: 65535 (IPv4 total length) − 20 (IP) − 20 (TCP). */
export const MAX_SEGMENT = 65495;
const SNAPLEN = 262144;
/** The libpcap record header in front of each packet. */
export const PCAP_RECORD_HEADER = 16;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface PacketEnd {
  /** 4 bytes (IPv4) or 16 (IPv6). */
  ip: Buffer;
  port: number;
}

/** The 24-byte libpcap global header (microsecond timestamps, little-endian). */
export function globalHeader(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(SNAPLEN, 16);
  b.writeUInt32LE(LINKTYPE_RAW, 20);
  return b;
}

/** An address as packet bytes; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes plain IPv4. */
export function ipBytes(address: string): Buffer | undefined {
  const a = unmapped(address);
  if (net.isIPv4(a)) {
    return Buffer.from(a.split('.').map(Number));
  }
  return net.isIPv6(a) ? ipv6Bytes(a) : undefined;
}

export function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

function ipv6Bytes(address: string): Buffer {
  let a = address.replace(/%.*$/, '');
  const out = Buffer.alloc(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const p = v4[1].split('.').map(Number);
    a = `${a.slice(0, -v4[1].length)}${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

/** Fills the libpcap record header at b[0, 16): when, and the packet's length (all of it is in the file). */
export function pcapRecordHeader(b: Buffer, timeUs: number, length: number): void {
  b.writeUInt32LE(Math.floor(timeUs / 1e6), 0);
  b.writeUInt32LE(timeUs % 1e6, 4);
  b.writeUInt32LE(length, 8);
  b.writeUInt32LE(length, 12);
}

/**
 * The one's-complement sum (RFC 1071) of b[start, end) as 16-bit big-endian words, added to `acc`, not
 * yet folded. Read 4 bytes at a time: a one's-complement sum of 32-bit words folds to the same 16-bit
 * sum, and a JavaScript number holds the sum of any packet exactly.
 */
export function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let s = acc;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    s += v.getUint32(i);
  }
  if (i + 2 <= end) {
    s += v.getUint16(i);
    i += 2;
  }
  if (i < end) {
    s += b[i] << 8;
  }
  return s;
}

/** The checksum field for a sum: folded to 16 bits (end-around carry), complemented. */
export function checksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) {
    s = (s % 0x10000) + Math.floor(s / 0x10000);
  }
  return ~s & 0xffff;
}

export interface Segment {
  src: PacketEnd;
  dst: PacketEnd;
  seq: number;
  ack: number;
  flags: number;
  payload?: Buffer;
  ipId: number;
}

/**
 * The IP and TCP headers of one segment, after `room` zero bytes left for the file format's record
 * header (PCAP_RECORD_HEADER for libpcap); the payload is written after them as is.
 */
export function segmentHeader(s: Segment, room: number): Buffer {
  const v6 = s.src.ip.length === 16;
  const ipLen = v6 ? 40 : 20;
  const payloadLen = s.payload?.length ?? 0;
  const tcpLen = 20 + payloadLen;
  const total = ipLen + tcpLen;
  // From Node's shared pool (a fresh zeroed ArrayBuffer per packet costs more than the header);
  // every byte not written below must be zero.
  const b = Buffer.allocUnsafe(room + ipLen + 20).fill(0);
  const ip = room;
  if (v6) {
    b.writeUInt32BE(0x60000000, ip);
    b.writeUInt16BE(tcpLen, ip + 4);
    b[ip + 6] = 6;
    b[ip + 7] = 64;
    s.src.ip.copy(b, ip + 8);
    s.dst.ip.copy(b, ip + 24);
  } else {
    b[ip] = 0x45;
    b.writeUInt16BE(total, ip + 2);
    b.writeUInt16BE(s.ipId & 0xffff, ip + 4);
    b.writeUInt16BE(0x4000, ip + 6);
    b[ip + 8] = 64;
    b[ip + 9] = 6;
    s.src.ip.copy(b, ip + 12);
    s.dst.ip.copy(b, ip + 16);
    b.writeUInt16BE(checksum(sum16(b, ip, ip + 20, 0)), ip + 10);
  }
  const t = ip + ipLen;
  b.writeUInt16BE(s.src.port, t);
  b.writeUInt16BE(s.dst.port, t + 2);
  b.writeUInt32BE(s.seq >>> 0, t + 4);
  b.writeUInt32BE(s.ack >>> 0, t + 8);
  b[t + 12] = 5 << 4;
  b[t + 13] = s.flags;
  b.writeUInt16BE(65535, t + 14);
  // Pseudo-header (addresses, protocol, TCP length), then the TCP header and the payload.
  let sum = sum16(s.src.ip, 0, s.src.ip.length, 0);
  sum = sum16(s.dst.ip, 0, s.dst.ip.length, sum) + 6 + (tcpLen & 0xffff) + (tcpLen >>> 16);
  sum = sum16(b, t, t + 20, sum);
  if (s.payload && payloadLen > 0) {
    sum = wasmSums(payloadLen) ? sum + wasmSum(s.payload) : sum16(s.payload, 0, payloadLen, sum);
  }
  b.writeUInt16BE(checksum(sum), t + 16);
  return b;
}
