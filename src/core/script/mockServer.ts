// A mock server from a `listen` block: each client gets its own bounded buffer, rules answer what it
// sends (see mockRules.ts for the matching), actions run in order per client (a `wait` delays only that
// client). Connection cap, idle timeout and byte counters come from TcpServer like the other servers.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { Action, ListenBlock, Rule } from './ast';
import { Emitter } from '../events';
import { ClientInfo, ServerOptions, TcpServer } from '../servers/serverBase';
import { MAX_SEND_FILE } from './execute';
import { MOCK_BUFFER_LIMIT, OTHERWISE_QUIET_MS, RuleSet } from './mockRules';
import { ReceiveBuffer } from './receiveBuffer';
import { ScriptEncoding, quote } from './results';

export interface MockServerOptions extends ServerOptions {
  readonly block: ListenBlock;
  readonly encoding?: ScriptEncoding;
  /** The .tcp file: `send file` paths are relative to its folder. */
  readonly file: string;
}

export interface RuleHitEvent {
  readonly client: ClientInfo;
  readonly rule: Rule;
  /** Bytes this rule's actions sent. */
  readonly bytesSent: number;
}

/** `rule 3 "PING" → 6 bytes`, for logs. */
export function describeHit(e: RuleHitEvent): string {
  const t = e.rule.trigger;
  const what = t.kind === 'text' ? quote(t.text.map((p) => (typeof p === 'string' ? p : `{{${p.ref}}}`)).join('')) : t.kind === 'regex' ? 'regex' : t.kind;
  return `rule ${e.rule.index} ${what} → ${e.bytesSent} bytes`;
}

interface ClientState {
  readonly buffer: ReceiveBuffer;
  queue: Promise<void>;
  /** Rules whose actions are queued and not finished. */
  pending: number;
  quiet?: NodeJS.Timeout;
  idle: NodeJS.Timeout[];
  closed: boolean;
  /** Rules hit for this client so far: {{$seq}} in an action. */
  hits: number;
}

export class MockServer extends TcpServer {
  readonly kind = 'mock' as const;
  private readonly rules: RuleSet;
  private readonly _onDidHitRule = this._register(new Emitter<RuleHitEvent>());
  readonly onDidHitRule = this._onDidHitRule.event;

  constructor(protected override readonly options: MockServerOptions) {
    super({ host: options.block.host, port: options.block.port, ...options });
    this.rules = new RuleSet(options.block, this.encoding);
  }

  get encoding(): ScriptEncoding {
    return this.options.encoding ?? 'utf-8';
  }

  get block(): ListenBlock {
    return this.options.block;
  }

  protected handleClient(socket: net.Socket, client: ClientInfo): void {
    const st: ClientState = { buffer: new ReceiveBuffer(MOCK_BUFFER_LIMIT), queue: Promise.resolve(), pending: 0, idle: [], closed: false, hits: 0 };
    const clear = (): void => {
      clearTimeout(st.quiet);
      st.idle.forEach(clearTimeout);
    };
    socket.on('close', () => {
      st.closed = true;
      clear();
    });
    socket.on('end', () => {
      // The client half-closed: answer what is pending, then close our side too.
      this.flushChunk(st, socket, client);
      st.queue = st.queue.then(() => void (socket.writableEnded || socket.end()));
    });
    socket.on('data', (chunk: Buffer) => {
      this.received(client, chunk);
      st.buffer.push(chunk);
      this.armIdle(st, socket, client);
      this.dispatch(st, socket, client);
    });
    for (const rule of this.rules.connect) {
      this.enqueue(st, socket, client, rule, new Map());
    }
    this.armIdle(st, socket, client);
  }

  /** Answers every complete message in the buffer, in order. */
  private dispatch(st: ClientState, socket: net.Socket, client: ClientInfo): void {
    clearTimeout(st.quiet);
    for (;;) {
      const buf = st.buffer.view();
      if (buf.length === 0) {
        return;
      }
      const hit = this.rules.match(buf);
      const nl = buf.indexOf(0x0a);
      if (hit && (nl < 0 || hit.start <= nl)) {
        st.buffer.consume(hit.consume);
        this.enqueue(st, socket, client, hit.rule, hit.values);
      } else if (nl >= 0) {
        this.unmatched(st, socket, client, nl + 1);
      } else {
        break;
      }
    }
    st.quiet = setTimeout(() => this.flushChunk(st, socket, client), OTHERWISE_QUIET_MS);
  }

  /** A chunk without a newline that no rule took, once the client is quiet (or half-closed). */
  private flushChunk(st: ClientState, socket: net.Socket, client: ClientInfo): void {
    clearTimeout(st.quiet);
    if (st.buffer.length > 0 && !st.closed) {
      this.unmatched(st, socket, client, st.buffer.length);
    }
  }

  private unmatched(st: ClientState, socket: net.Socket, client: ClientInfo, n: number): void {
    const bytes = st.buffer.consume(n);
    // The line end left behind by a rule that matched "PING" in "PING\n" is not a message of its own.
    const blank = bytes.length <= 2 && /^\r?\n$/.test(bytes.toString('latin1'));
    if (this.rules.otherwise && !blank) {
      this.enqueue(st, socket, client, this.rules.otherwise, new Map([['0', iconv.decode(bytes, this.encoding)]]));
    }
  }

  private armIdle(st: ClientState, socket: net.Socket, client: ClientInfo): void {
    if (this.rules.idle.length === 0) {
      return;
    }
    st.idle.forEach(clearTimeout);
    st.idle = this.rules.idle.map((rule) => {
      const ms = rule.trigger.kind === 'idle' ? rule.trigger.ms : 0;
      return setTimeout(() => this.enqueue(st, socket, client, rule, new Map()), ms);
    });
  }

  private enqueue(st: ClientState, socket: net.Socket, client: ClientInfo, rule: Rule, values: ReadonlyMap<string, string>): void {
    const seq = ++st.hits;
    // The common case — nothing queued, only text/hex sends and close — runs at once, without promises.
    if (st.pending === 0 && this.rules.isImmediate(rule)) {
      let sent = 0;
      for (const a of rule.actions) {
        if (st.closed) {
          return;
        }
        sent += a.kind === 'send' && a.payload.kind !== 'file' ? this.write(socket, client, this.rules.bytesOf(a.payload, values, seq)) : this.closeClient(st, socket, client);
      }
      if (this._onDidHitRule.hasListeners) {
        this._onDidHitRule.fire({ client, rule, bytesSent: sent });
      }
      return;
    }
    st.pending++;
    st.queue = st.queue
      .then(async () => {
        let sent = 0;
        for (const a of rule.actions) {
          if (st.closed) {
            return;
          }
          sent += await this.act(a, st, socket, client, values, seq);
        }
        this._onDidHitRule.fire({ client, rule, bytesSent: sent });
      })
      .catch((e: Error) => {
        this._onDidError.fire(new Error(`rule ${rule.index}: ${e.message}`));
      })
      .finally(() => st.pending--);
  }

  private async act(a: Action, st: ClientState, socket: net.Socket, client: ClientInfo, values: ReadonlyMap<string, string>, seq: number): Promise<number> {
    if (a.kind === 'wait') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          socket.off('close', done);
          resolve();
        };
        const t = setTimeout(done, a.ms);
        socket.on('close', done);
      });
      return 0;
    }
    if (a.kind === 'close') {
      return this.closeClient(st, socket, client);
    }
    const p = a.payload;
    let bytes: Buffer;
    if (p.kind === 'file') {
      const file = path.resolve(path.dirname(path.resolve(this.options.file)), p.path);
      if ((await fs.promises.stat(file)).size > MAX_SEND_FILE) {
        throw new Error(`${p.path} is larger than ${MAX_SEND_FILE} bytes`);
      }
      bytes = await fs.promises.readFile(file);
    } else {
      bytes = this.rules.bytesOf(p, values, seq);
    }
    const n = this.write(socket, client, bytes);
    if (socket.writableNeedDrain && !socket.destroyed) {
      // Backpressure: this client's next action waits until it reads.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
    return n;
  }

  private closeClient(st: ClientState, socket: net.Socket, client: ClientInfo): number {
    this.setLeaveReason(client.id, 'done');
    socket.end();
    st.closed = true;
    return 0;
  }

  /** Writes and counts once the socket took the bytes; a client that does not read is paused until it does. */
  private write(socket: net.Socket, client: ClientInfo, bytes: Buffer): number {
    if (bytes.length === 0 || !socket.writable) {
      return 0;
    }
    const ok = socket.write(bytes, (err) => {
      if (!err) {
        this.sent(client, bytes);
      }
    });
    if (!ok && !socket.isPaused()) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
    return bytes.length;
  }
}
