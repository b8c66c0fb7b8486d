// Writes recorded traffic as a replayable `.tcp` block ("Save as script"): what was sent becomes `send`,
// what came back `expect`, text where the bytes are text in the encoding and hex where they are not.
import { decodeStrict } from '../codec';
import { formatHostPort } from '../hostPort';
import { ScriptEncoding } from './results';

export interface RecordedChunk {
  readonly direction: 'in' | 'out';
  readonly bytes: Buffer;
  /** Order across sessions (increasing in the order chunks happened), for a script of several connections. */
  readonly seq?: number;
}

export interface RecordedSession {
  readonly title: string;
  readonly host: string;
  readonly port: number;
  readonly encoding: ScriptEncoding;
  readonly chunks: readonly RecordedChunk[];
  /** The peer closed the connection (adds `expect close`). */
  readonly peerClosed?: boolean;
}

const HEX_PER_LINE = 32;

/** A script string literal for `text`: the inverse of the parser's escapes. */
export function scriptString(text: string): string {
  const body = text
    .replace(/[\\"]/g, '\\$&')
    .replace(/\{(?=\{)/g, '\\{')
    .replace(/[\x00-\x1f\x7f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${body}"`;
}

/**
 * Joins consecutive chunks of one direction: the script's matching does not care how bytes were split.
 * With `bySeq`, chunks join only when no other session's chunk came between (their seq follow on).
 */
function merge(chunks: readonly RecordedChunk[], bySeq = false): RecordedChunk[] {
  const out: RecordedChunk[] = [];
  let lastSeq: number | undefined;
  for (const c of chunks) {
    const last = out[out.length - 1];
    const adjacent = !bySeq || (lastSeq !== undefined && c.seq === lastSeq + 1);
    lastSeq = c.seq;
    if (last && last.direction === c.direction && adjacent) {
      out[out.length - 1] = { direction: c.direction, bytes: Buffer.concat([last.bytes, c.bytes]), seq: last.seq };
    } else if (c.bytes.length > 0) {
      out.push(c);
    }
  }
  return out;
}

/** Step lines for one direction's bytes: one per text line, or hex rows when the bytes are not text. */
function stepLines(keyword: 'send' | 'expect', bytes: Buffer, encoding: ScriptEncoding): string[] {
  const text = decodeStrict(bytes, encoding);
  // U+F780-U+F7FF are the parser's raw-byte markers: such text is written as hex to stay exact.
  if (text !== undefined && !/[\uf780-\uf7ff]/.test(text)) {
    return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((line) => `${keyword} ${scriptString(line)}`);
  }
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += HEX_PER_LINE) {
    lines.push(
      `${keyword} hex ${bytes
        .subarray(i, i + HEX_PER_LINE)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ')}`,
    );
  }
  return lines;
}

/** Several sessions as one block of named connections, their chunks in the order they happened. */
export function writeConversation(title: string, sessions: readonly (RecordedSession & { readonly name: string })[]): string {
  const encoding = sessions[0]?.encoding ?? 'utf-8';
  const lines = ['# Recorded by TCP Workbench: what each connection sent is `NAME send`, what came back `NAME expect`.'];
  if (encoding !== 'utf-8') {
    lines.push(`@encoding = ${encoding}`);
  }
  lines.push('', `### ${title.replace(/[\r\n]+/g, ' ').trim() || 'recorded sessions'}`);
  for (const s of sessions) {
    lines.push(`connect ${s.name} ${formatHostPort(s.host, s.port)}`);
  }
  // Runs of one session and direction, in the order their first chunk happened.
  const runs = sessions.flatMap((s) => merge(s.chunks, true).map((c) => ({ ...c, name: s.name })));
  runs.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const c of runs) {
    lines.push(...stepLines(c.direction === 'out' ? 'send' : 'expect', c.bytes, encoding).map((l) => `${c.name} ${l}`));
  }
  for (const s of sessions) {
    lines.push(s.peerClosed ? `${s.name} expect close` : `${s.name} close`);
  }
  lines.push('');
  return lines.join('\n');
}

export function writeScript(s: RecordedSession): string {
  const lines = ['# Recorded by TCP Workbench: what was sent is `send`, what came back is `expect`.'];
  if (s.encoding !== 'utf-8') {
    lines.push(`@encoding = ${s.encoding}`);
  }
  lines.push('', `### ${s.title.replace(/[\r\n]+/g, ' ').trim() || 'recorded session'}`, `connect ${formatHostPort(s.host, s.port)}`);
  for (const c of merge(s.chunks)) {
    lines.push(...stepLines(c.direction === 'out' ? 'send' : 'expect', c.bytes, s.encoding));
  }
  lines.push(s.peerClosed ? 'expect close' : 'close', '');
  return lines.join('\n');
}
