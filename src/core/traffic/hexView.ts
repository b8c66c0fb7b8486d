// The classic hex dump (offset, 16 bytes in two groups of 8, printable-ASCII column), for traffic views
// and the CLI. HexDumpStream keeps the offset and a partial row across chunks, so a stream cut into
// segments reads as one dump.

export const HEX_ROW_BYTES = 16;

/** One row: `00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0d 0a 00 ff     |Hello world.....|`. */
export function hexRow(offset: number, bytes: Uint8Array): string {
  const hex: string[] = [];
  for (let i = 0; i < HEX_ROW_BYTES; i++) {
    hex.push(i < bytes.length ? bytes[i].toString(16).padStart(2, '0') : '  ');
  }
  const left = hex.slice(0, 8).join(' ');
  const right = hex.slice(8).join(' ');
  let ascii = '';
  for (const b of bytes) {
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return `${offset.toString(16).padStart(8, '0')}  ${left}  ${right}  |${ascii}|`;
}

/** The rows of a whole buffer; `startOffset` is the offset of its first byte in the stream. */
export function formatHexDump(bytes: Uint8Array, startOffset = 0): string[] {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += HEX_ROW_BYTES) {
    rows.push(hexRow(startOffset + i, bytes.subarray(i, i + HEX_ROW_BYTES)));
  }
  return rows;
}

/** Rows of a stream: `write` returns the rows completed so far, `flush` the last partial row. */
export class HexDumpStream {
  private pending = Buffer.alloc(0);
  private offset = 0;

  /** Offset of the next byte not yet shown in a returned row. */
  get position(): number {
    return this.offset;
  }

  write(chunk: Uint8Array): string[] {
    const all = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const whole = all.length - (all.length % HEX_ROW_BYTES);
    const rows = formatHexDump(all.subarray(0, whole), this.offset);
    this.offset += whole;
    // A copy: the rest must not pin the caller's (possibly large) chunk.
    this.pending = Buffer.from(all.subarray(whole));
    return rows;
  }

  flush(): string[] {
    const rows = formatHexDump(this.pending, this.offset);
    this.offset += this.pending.length;
    this.pending = Buffer.alloc(0);
    return rows;
  }
}
