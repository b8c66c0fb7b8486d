// The checksums a frame can carry (`send frame … crc16modbus`), as the socket assistants and Docklight
// name them. Each has its width and the byte order it travels in; the CRCs are table-driven.

export type ChecksumName = 'sum8' | 'xor8' | 'lrc' | 'crc16modbus' | 'crc16ccitt' | 'crc32' | 'crc32le';

export interface Checksum {
  readonly name: ChecksumName;
  /** Bytes on the wire. */
  readonly width: 1 | 2 | 4;
  /** Least significant byte first on the wire. */
  readonly littleEndian: boolean;
  compute(bytes: Uint8Array): number;
}

function table(poly: number, reflected: boolean, bits: 16 | 32): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = reflected ? n : n << (bits - 8);
    for (let k = 0; k < 8; k++) {
      if (reflected) {
        c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
      } else {
        c = c & (1 << (bits - 1)) ? (c << 1) ^ poly : c << 1;
      }
    }
    t[n] = bits === 32 ? c >>> 0 : c & 0xffff;
  }
  return t;
}

const MODBUS = table(0xa001, true, 16);
const CCITT = table(0x1021, false, 16);
const CRC32 = table(0xedb88320, true, 32);

/** CRC-16/MODBUS: poly 0x8005 reflected, init 0xFFFF. */
export function crc16modbus(b: Uint8Array): number {
  let c = 0xffff;
  for (let i = 0; i < b.length; i++) {
    c = (c >>> 8) ^ MODBUS[(c ^ b[i]) & 0xff];
  }
  return c;
}

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, not reflected. */
export function crc16ccitt(b: Uint8Array): number {
  let c = 0xffff;
  for (let i = 0; i < b.length; i++) {
    c = ((c << 8) & 0xffff) ^ CCITT[((c >>> 8) ^ b[i]) & 0xff];
  }
  return c;
}

/** CRC-32 (ISO-HDLC, as zip and Ethernet): poly 0x04C11DB7 reflected, init and xorout 0xFFFFFFFF. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    c = (c >>> 8) ^ CRC32[(c ^ b[i]) & 0xff];
  }
  return (c ^ 0xffffffff) >>> 0;
}

function sum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    s = (s + b[i]) & 0xff;
  }
  return s;
}

function xor(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    s ^= b[i];
  }
  return s;
}

export const CHECKSUMS: Readonly<Record<ChecksumName, Checksum>> = {
  sum8: { name: 'sum8', width: 1, littleEndian: false, compute: sum },
  xor8: { name: 'xor8', width: 1, littleEndian: false, compute: xor },
  /** Modbus ASCII's LRC: the two's complement of the 8-bit sum. */
  lrc: { name: 'lrc', width: 1, littleEndian: false, compute: (b) => -sum(b) & 0xff },
  /** Modbus RTU sends its CRC low byte first. */
  crc16modbus: { name: 'crc16modbus', width: 2, littleEndian: true, compute: crc16modbus },
  crc16ccitt: { name: 'crc16ccitt', width: 2, littleEndian: false, compute: crc16ccitt },
  crc32: { name: 'crc32', width: 4, littleEndian: false, compute: crc32 },
  crc32le: { name: 'crc32le', width: 4, littleEndian: true, compute: crc32 },
};

export const isChecksumName = (w: string): w is ChecksumName => Object.prototype.hasOwnProperty.call(CHECKSUMS, w);

/** The checksum of `bytes` as it travels (its width, its byte order). */
export function checksumBytes(c: Checksum, bytes: Uint8Array): Buffer {
  const v = c.compute(bytes);
  const out = Buffer.alloc(c.width);
  if (c.width === 1) {
    out[0] = v;
  } else if (c.width === 2) {
    out.writeUInt16BE(v);
  } else {
    out.writeUInt32BE(v);
  }
  if (c.littleEndian) {
    out.reverse();
  }
  return out;
}
