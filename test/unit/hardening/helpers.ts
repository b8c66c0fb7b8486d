// Small tools the hardening tests share: raw requests with a deadline, fd counts, child servers that report
// their memory. Temp folders, waits, sleeps and child shutdown come from ../support (the Scaffold).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChildProcess, fork } from 'node:child_process';
import { FileRequestEvent, FileServer } from '../../../src/core/fileServer/fileServer';
import { openFds, sleep, stopChild, waitUntil } from '../support';

// test/soak imports these from here under their old names.
export { openFds as fdCount, sleep, waitUntil } from '../support';

/** How many of our fds point at `file` (a leaked read stream shows up here). */
export function fdsOpenOn(file: string): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) {
        n++;
      }
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/** Waits until the fd count is at most `limit`; returns the count seen last. */
export async function settleFds(limit: number, timeoutMs = 3000): Promise<number> {
  let n = openFds();
  const end = Date.now() + timeoutMs;
  while (n > limit && Date.now() < end) {
    await sleep(25);
    n = openFds();
  }
  return n;
}

export interface RawReply {
  data: Buffer;
  /** Our port: the server's ClientInfo.remotePort. */
  localPort: number;
  ms: number;
  /** closed: the server closed; reset: an error (ECONNRESET/EPIPE) first; timeout: we gave up; cap: too much data. */
  end: 'closed' | 'reset' | 'timeout' | 'cap';
}

export interface RawOptions {
  host?: string;
  /** Send FIN after the bytes (printf name | nc -N); otherwise keep our side open like the tutorials. */
  halfClose?: boolean;
  timeoutMs?: number;
  /** Stop reading past this many bytes (an endless device must not fill our memory). */
  capBytes?: number;
}

/** Connects, sends `payload` in one write, and collects everything until the server closes. */
export function rawRequest(port: number, payload: Buffer, opts: RawOptions = {}): Promise<RawReply> {
  const started = Date.now();
  const cap = opts.capBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let end: RawReply['end'] = 'closed';
    const socket = net.connect({ host: opts.host ?? '127.0.0.1', port });
    let localPort = 0;
    const timer = setTimeout(() => {
      end = 'timeout';
      socket.destroy();
    }, opts.timeoutMs ?? 3000);
    socket.on('connect', () => {
      localPort = socket.localPort ?? 0;
      if (payload.length > 0) {
        socket.write(payload);
      }
      if (opts.halfClose) {
        socket.end();
      }
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (size > cap) {
        end = 'cap';
        socket.destroy();
      }
    });
    socket.on('error', () => {
      if (end === 'closed') {
        end = 'reset';
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), localPort, ms: Date.now() - started, end });
    });
  });
}

/**
 * The request events of file servers, by the client's port. Ports are reused, so every request goes
 * through ask(), which claims its own (oldest unclaimed) event: a later connection on the same port
 * then never reads an earlier one's event.
 */
export class RequestEvents {
  private readonly byPort = new Map<number, FileRequestEvent[]>();

  watch(server: FileServer): void {
    server.onDidRequest((e) => {
      const list = this.byPort.get(e.client.remotePort) ?? [];
      list.push(e);
      this.byPort.set(e.client.remotePort, list);
    });
  }

  async ask(port: number, bytes: Buffer, options?: RawOptions): Promise<RawReply & { event?: FileRequestEvent }> {
    const reply = await rawRequest(port, bytes, options);
    await waitUntil(() => (this.byPort.get(reply.localPort)?.length ?? 0) > 0, 500, 5);
    return { ...reply, event: this.byPort.get(reply.localPort)?.shift() };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

/** A server in a child process (serverChild.js), so its memory can be measured alone. */
/** What a race run measured: the swapper's swap count, the requests made, how many got bytes, secret bytes leaked. */
export interface RaceFigures {
  swaps: number;
  tries: number;
  served: number;
  leaked: number;
}

/**
 * While `swapper` (a peer that swaps files for a bounded time, then prints its swap count) runs, four clients
 * ask for `name` until 2.3 s pass or 3000 requests were made; `leaked` counts the bytes of `token` that came back.
 */
export async function raceRequests(
  swapper: ChildProcess,
  ask: (payload: Buffer) => Promise<{ data: Buffer }>,
  name: string,
  leakedBytes: (data: Buffer) => number,
): Promise<RaceFigures> {
  let swaps = '';
  swapper.stdout?.on('data', (d: Buffer) => (swaps += d.toString()));
  const exited = new Promise<void>((r) => swapper.once('close', () => r()));
  const f: RaceFigures = { swaps: 0, tries: 0, served: 0, leaked: 0 };
  const end = Date.now() + 2300;
  await pool(Array.from({ length: 4 }), 4, async () => {
    while (Date.now() < end && f.tries < 3000) {
      f.tries++;
      const reply = await ask(Buffer.from(`${name}\n`));
      f.leaked += leakedBytes(reply.data);
      f.served += reply.data.length > 0 ? 1 : 0;
    }
  });
  await exited;
  f.swaps = Number(swaps.trim());
  return f;
}

export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** RSS now, its peak since `resetPeak`, and the baseline taken then. */
  memory(): Promise<{ rss: number; peak: number; baseline: number }>;
  resetPeak(): Promise<void>;
  stop(): Promise<void>;
}

export function startChildServer(args: string[]): Promise<ChildServer> {
  const child = fork(path.join(__dirname, 'serverChild.js'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(cmd: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: { reply?: string; value?: T }): void => {
        if (m.reply === cmd) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(m.value as T);
        }
      };
      const onExit = (): void => {
        child.off('message', onMessage);
        reject(new Error(`server child exited before answering ${cmd}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ cmd });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('server child did not start within 10 s'));
    }, 10000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server child exited (${code}) before listening`));
    });
    child.once('message', (m: { port?: number; error?: string }) => {
      clearTimeout(timer);
      if (m.port === undefined) {
        child.kill('SIGKILL');
        reject(new Error(`server child failed: ${m.error}`));
        return;
      }
      child.removeAllListeners('exit');
      resolve({
        child,
        port: m.port,
        memory: () => ask('memory'),
        resetPeak: () => ask('resetPeak'),
        stop: () => stopChild(child, 'SIGTERM'),
      });
    });
  });
}

export const MiB = 1024 * 1024;
