// Turns relayed conversations into a `.tcp` script that replays them: what the client sent becomes
// `send`, what the server answered becomes `expect` (consecutive chunks of one direction merged), the
// client's FIN `shutdown` (or `close` once the server had closed) and the server's FIN `expect close`.
import { Emitter } from '../events';
import { formatHostPort } from '../hostPort';
import { RelayCloseEvent, RelayConnection, RelayDataEvent, RelayDirection, RelayHalfCloseEvent, RelayTap, UpstreamFailureEvent } from './relayTypes';

export type ConversationStep = { kind: 'data'; direction: RelayDirection; bytes: Buffer } | { kind: 'fin'; direction: RelayDirection };

export interface Conversation {
  /** The relay connection's id, when recorded from a relay. */
  id?: number;
  title: string;
  target: { host: string; port: number };
  steps: ConversationStep[];
  /** Who reset the connection at the end, if anyone did. */
  reset?: 'client' | 'server';
  /** Bytes each way beyond the recording cap (not in `steps`). */
  unrecorded: Record<RelayDirection, number>;
}

/** Text for `send "…"`/`expect "…"`, or undefined when the bytes are better written as hex. */
export function quoteBytes(b: Buffer): string | undefined {
  const text = b.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(b)) {
    return undefined;
  }
  let out = '';
  let odd = 0;
  let prev = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    let e: string;
    if (ch === '\n' || ch === '\r' || ch === '\t' || ch === '\\' || ch === '"' || ch === '\0') {
      e = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\', '"': '\\"', '\0': '\\0' }[ch]!;
    } else if (code < 0x20 || code === 0x7f) {
      e = `\\x${code.toString(16).padStart(2, '0')}`;
      odd++;
    } else if ((code >= 0x80 && code < 0xa0) || code === 0xfeff || code === 0x2028 || code === 0x2029) {
      e = `\\u{${code.toString(16)}}`;
      odd++;
    } else if (ch === '{' && prev === '{') {
      // `{{` would start a variable.
      e = '\\x7b';
    } else {
      e = ch;
    }
    prev = e;
    out += e;
  }
  // More than a quarter control characters reads better as hex.
  return odd * 4 > text.length ? undefined : `"${out}"`;
}

function hexOf(b: Buffer): string {
  return (b.toString('hex').match(/../g) ?? []).join(' ');
}

function step(verb: 'send' | 'expect', b: Buffer): string {
  return `${verb} ${quoteBytes(b) ?? `hex ${hexOf(b)}`}`;
}

/** One `### title` block per conversation. */
export function exportScript(conversations: Conversation[]): string {
  return conversations.map(blockOf).join('\n');
}

function blockOf(c: Conversation): string {
  const lines = [`### ${c.title.replace(/[\r\n]+/g, ' ')}`, `connect ${formatHostPort(c.target.host, c.target.port)}`];
  let pending: { direction: RelayDirection; parts: Buffer[] } | undefined;
  const flush = (): void => {
    if (pending) {
      lines.push(step(pending.direction === 'client→server' ? 'send' : 'expect', Buffer.concat(pending.parts)));
      pending = undefined;
    }
  };
  let serverClosed = false;
  let clientClosed = false;
  for (const s of c.steps) {
    if (s.kind === 'data') {
      if (pending && pending.direction !== s.direction) {
        flush();
      }
      pending ??= { direction: s.direction, parts: [] };
      pending.parts.push(s.bytes);
      continue;
    }
    flush();
    if (s.direction === 'server→client') {
      serverClosed = true;
      lines.push('expect close');
    } else {
      clientClosed = true;
      lines.push(serverClosed ? 'close' : 'shutdown');
    }
  }
  flush();
  if (c.unrecorded['server→client'] > 0 && !serverClosed) {
    lines.push(`expect bytes ${c.unrecorded['server→client']}`);
  }
  if (c.unrecorded['client→server'] > 0) {
    lines.push(`# ${c.unrecorded['client→server']} more bytes the client sent were not recorded`);
  }
  if (c.reset) {
    lines.push(`# the ${c.reset} reset the connection here`);
  }
  if (!clientClosed) {
    lines.push('close');
  }
  return `${lines.join('\n')}\n`;
}

/** Consecutive data of one direction merged, with FINs kept as markers. */
function turnsOf(c: Conversation): { direction: RelayDirection; bytes?: Buffer }[] {
  const turns: { direction: RelayDirection; parts?: Buffer[] }[] = [];
  for (const s of c.steps) {
    const last = turns[turns.length - 1];
    if (s.kind === 'data' && last?.parts && last.direction === s.direction) {
      last.parts.push(s.bytes);
    } else {
      turns.push(s.kind === 'data' ? { direction: s.direction, parts: [s.bytes] } : { direction: s.direction });
    }
  }
  return turns.map((t) => ({ direction: t.direction, bytes: t.parts ? Buffer.concat(t.parts) : undefined }));
}

function literal(b: Buffer): string {
  return quoteBytes(b) ?? `hex ${hexOf(b)}`;
}

/**
 * The server's side as a `listen` block (a mock of the target): a greeting becomes `on connect send`,
 * each client message followed by an answer `on "message" send "answer"`, a server FIN after an answer
 * `close` on that rule. The first answer to a message wins when conversations repeat it.
 */
export function exportListenBlock(conversations: Conversation[], title: string, listen: { host: string; port: number }): string {
  const lines = [`### ${title.replace(/[\r\n]+/g, ' ')}`, `listen ${formatHostPort(listen.host, listen.port)}`];
  const seen = new Set<string>();
  const rule = (trigger: string, answer: Buffer, close: boolean): void => {
    if (!seen.has(trigger)) {
      seen.add(trigger);
      lines.push(`on ${trigger} send ${literal(answer)}${close ? ' close' : ''}`);
    }
  };
  for (const c of conversations) {
    const turns = turnsOf(c);
    turns.forEach((t, i) => {
      const next = turns[i + 1];
      // The server closed after this answer, before the client said anything more.
      const after = turns.slice(i + 2);
      const until = after.findIndex((x) => x.bytes);
      const closes = (until < 0 ? after : after.slice(0, until)).some((x) => x.direction === 'server→client');
      if (t.direction === 'server→client' && t.bytes && i === 0) {
        rule('connect', t.bytes, next?.direction === 'server→client' && !next.bytes);
      } else if (t.direction === 'client→server' && t.bytes && next?.direction === 'server→client' && next.bytes) {
        rule(literal(t.bytes), next.bytes, closes);
      }
    });
  }
  return `${lines.join('\n')}\n`;
}

export interface ScriptRecorderOptions {
  /** Bytes kept per conversation; more is only counted. Default 1 MiB. */
  maxBytesPerConversation?: number;
  /** Finished conversations kept; older ones are dropped. Default 100. */
  maxConversations?: number;
  /** The host written in `connect` (default the target's address as connected). */
  target?: { host: string; port: number };
}

/** A relay tap that keeps the conversations (bounded) for exportScript. Never congested: it only copies. */
export class ScriptRecorder implements RelayTap {
  private readonly open = new Map<number, Conversation & { kept: number }>();
  private readonly done: Conversation[] = [];
  private readonly _onDrain = new Emitter<void>();
  readonly onDrain = this._onDrain.event;
  readonly congested = false;
  /** Finished conversations that were dropped because of maxConversations. */
  droppedConversations = 0;

  constructor(private readonly options: ScriptRecorderOptions = {}) {}

  /** Finished conversations first, then the ones still open, oldest first. */
  get conversations(): Conversation[] {
    return [...this.done, ...this.open.values()];
  }

  script(): string {
    return exportScript(this.conversations);
  }

  opened(c: RelayConnection): void {
    const target = this.options.target ?? { host: c.targetEnd.address, port: c.targetEnd.port };
    const title = `connection ${c.id} from ${formatHostPort(c.clientEnd.address, c.clientEnd.port)}`;
    this.open.set(c.id, { id: c.id, title, target, steps: [], unrecorded: { 'client→server': 0, 'server→client': 0 }, kept: 0 });
  }

  data(e: RelayDataEvent): void {
    const c = this.open.get(e.connection.id);
    if (!c) {
      return;
    }
    const room = Math.max(0, (this.options.maxBytesPerConversation ?? 1024 * 1024) - c.kept);
    const keep = Math.min(room, e.bytes.length);
    if (keep > 0) {
      // A copy: the socket's buffer must not be pinned by a long-lived recording.
      c.steps.push({ kind: 'data', direction: e.direction, bytes: Buffer.from(e.bytes.subarray(0, keep)) });
      c.kept += keep;
    }
    c.unrecorded[e.direction] += e.bytes.length - keep;
  }

  halfClosed(e: RelayHalfCloseEvent): void {
    this.open.get(e.connection.id)?.steps.push({ kind: 'fin', direction: e.direction });
  }

  closed(e: RelayCloseEvent): void {
    const c = this.open.get(e.connection.id);
    if (!c) {
      return;
    }
    this.open.delete(e.connection.id);
    if (e.reason === 'client-reset') {
      c.reset = 'client';
    } else if (e.reason !== 'closed') {
      c.reset = 'server';
    }
    this.done.push({ id: c.id, title: c.title, target: c.target, steps: c.steps, reset: c.reset, unrecorded: c.unrecorded });
    if (this.done.length > (this.options.maxConversations ?? 100)) {
      this.done.shift();
      this.droppedConversations++;
    }
  }

  failed(_e: UpstreamFailureEvent): void {
    // Nothing was said: there is no conversation to replay.
  }
}
