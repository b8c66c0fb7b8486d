// Shared by the plain-Node unit tests: the peer programs folder, the one scaffold that owns what a test
// starts (temp folders, our servers, peer programs, sockets, hand-made servers) until its dispose() in an
// after hook removes them (mocha runs without --exit), socket readers and bounded waits.
import { ChildProcess, ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';

/** The tutorial-style peer programs (python, shell) in test/peers; __dirname is out/test/unit. */
export const PEERS = path.resolve(__dirname, '../../../test/peers');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every stepMs until it holds; false if timeoutMs passes first (the caller asserts). */
export async function waitUntil(check: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) {
      return false;
    }
    await sleep(stepMs);
  }
  return true;
}

/** Like waitUntil, but a timeout is an error that names what never happened. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  if (!(await waitUntil(check, timeoutMs, 10))) {
    throw new Error(`timed out waiting for ${what}`);
  }
}

/** Open descriptors of this process (Linux), to prove none leak. */
export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

let nextPeerPort = 0;

/**
 * A port for a peer program that must be told its port (redis-server, mosquitto, openssl s_server, socat).
 * It is taken below the kernel's ephemeral range (`ip_local_port_range`), where neither a bind to port 0 nor an
 * outgoing connection ever lands, so no other socket of these tests can take it between this call and the
 * peer's bind; each call moves on (from an offset by pid) and checks the port with a bind of its own.
 */
export async function peerPort(): Promise<number> {
  const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  const base = 10000;
  const span = Math.max(1000, low - base);
  for (let i = 0; i < 200; i++) {
    const port = base + ((process.pid * 131 + nextPeerPort++) % span);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) {
      return port;
    }
  }
  throw new Error('no free port below the ephemeral range');
}

/**
 * A port that was free a moment ago, for the one case where a test must name the port a server binds
 * (`serve echo --port N`): another process may take it before the bind, so `start` is retried on another port
 * when it fails with EADDRINUSE. Everywhere else a server picks its own port (0) and the test reads it back.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, inUse: (e: unknown) => boolean, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    const port = (s.address() as net.AddressInfo).port;
    await closeServer(s);
    try {
      return await start(port);
    } catch (e) {
      if (i >= tries || !inUse(e)) {
        throw e;
      }
    }
  }
}

/** Closes a server; `conns` are its live sockets, destroyed so the close does not wait for them. */
export function closeServer(server: net.Server, conns?: Iterable<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const c of conns ?? []) {
      c.destroy();
    }
  });
}

/** Peers spawned as process-group leaders: a signal reaches the children they fork (socat `fork`, shells). */
const groups = new WeakSet<ChildProcess>();
/** The groups still running: killed if mocha itself exits first (a detached group would outlive it). */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/** Signals a child, and its whole process group when it leads one; a child already gone is no error. */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (groups.has(child) && child.pid !== undefined) {
      process.kill(-child.pid, signal);
      return;
    }
  } catch {
    // The group is gone already; fall through to the child itself.
  }
  child.kill(signal);
}

/**
 * How long the pipes of a child that exited are read on: what it printed last may still be in them, unless
 * a grandchild (socat's fork, a shell's background job) keeps them open — then they are closed after this.
 */
const PIPES_GRACE_MS = 2000;

const pipesOpen = (c: ChildProcess): boolean => [c.stdout, c.stderr].some((s) => s && !s.destroyed && !s.readableEnded);

/**
 * Signals a child and resolves once it has exited and its output is read (at once if it is all over); a
 * gentler signal is followed by SIGKILL. A grandchild that keeps the pipes open cannot hold the test up.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', killAfterMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    const exited = (): void => {
      child.stdin?.destroy();
      if (!pipesOpen(child)) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve();
      }, PIPES_GRACE_MS);
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    };
    if (child.exitCode !== null || child.signalCode !== null) {
      exited();
      return;
    }
    child.once('exit', exited);
    signalChild(child, signal);
    if (signal !== 'SIGKILL') {
      setTimeout(() => signalChild(child, 'SIGKILL'), killAfterMs).unref();
    }
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Collects a child's output until it closes; after timeoutMs it is killed and the wait fails with what it printed. */
export function finish(child: ChildProcess, timeoutMs = 15000, label = 'the child'): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      signalChild(child, 'SIGKILL');
      const stdout = Buffer.concat(out);
      reject(
        new Error(
          `${label} did not finish in ${timeoutMs} ms; stdout (${stdout.length} bytes) ${JSON.stringify(stdout.toString().slice(0, 500))}; stderr ${JSON.stringify(stderr)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** Resolves with the first line `stream` prints (without the newline); later data is left to other listeners. */
export function firstLine(stream: Readable, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`${what} printed no line in ${timeoutMs} ms; got ${JSON.stringify(buf)}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(buf.slice(0, i));
      }
    };
    stream.on('data', onData);
  });
}

/** Reads until the socket closes; resolves with every byte (rejects after timeoutMs). */
export function readAll(s: net.Socket, timeoutMs = 10000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`the server did not close within ${timeoutMs} ms (${parts.length} chunks so far)`));
    }, timeoutMs);
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts));
    });
  });
}

/** What Scaffold.start() takes: our core servers (TcpServer) and anything started, stopped and disposed alike. */
export interface Startable {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  dispose(): void;
}

/**
 * The one scaffold of the unit tests: owns what a test starts — temp folders, our servers, peer programs,
 * client sockets and hand-made servers. `dispose()` in an after hook stops, kills, closes and removes all of
 * them and waits until they are gone; the scaffold can be used again afterwards (one per describe()).
 */
export class Scaffold {
  readonly children = new Set<ChildProcess>();
  readonly sockets = new Set<net.Socket>();
  /** Hand-made servers with their live sockets. */
  private readonly servers = new Map<net.Server, Set<net.Socket>>();
  /** Our servers, stopped and disposed by dispose(). */
  private readonly started: Startable[] = [];
  /** Temp folders, removed by dispose(). */
  private readonly dirs: string[] = [];
  /** The connection holding each refusedPort(). */
  private readonly holders = new Map<number, net.Socket>();

  /** A new folder under the system temp folder (`tcpwb-<prefix>-…`), removed by dispose(). */
  tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tcpwb-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts one of our servers (on the port its options say, usually 0) and owns it; resolves with it and its port. */
  async start<T extends Startable>(server: T): Promise<{ server: T; port: number }> {
    this.started.push(server);
    const { port } = await server.start();
    return { server, port };
  }

  /**
   * A port where nothing listens and that nobody can take while the test runs: the local port of a connection
   * this scaffold holds open (to a throwaway server of its own). A connect to it is refused, since no socket
   * listens there. The holder binds its address explicitly: Linux lets a plain connect() share the local port
   * of another connect()ed socket (only the four-tuple must differ), so an unbound holder's port could be taken
   * by any outgoing connection (seen in CI: the late listener got EADDRINUSE); a bound port is never shared.
   */
  async refusedPort(): Promise<number> {
    const port = await this.listen(() => undefined);
    const s = await this.connect(port, '127.0.0.1', '127.0.0.1');
    this.holders.set(s.localPort!, s);
    return s.localPort!;
  }

  /**
   * Lets go of a refusedPort(), for a test that listens there next (as the server that was missing): the holding
   * connection is reset (a reset leaves no TIME_WAIT behind that would keep the port) and gone when this resolves.
   */
  async releasePort(port: number): Promise<void> {
    const s = this.holders.get(port);
    this.holders.delete(port);
    if (s && !s.destroyed) {
      const closed = new Promise((resolve) => s.once('close', resolve));
      s.resetAndDestroy();
      await closed;
    }
  }

  /**
   * Spawns with piped stdio, as the leader of its own process group (dispose() kills what it forks too);
   * a child that exits before reading its stdin must not fail the test with EPIPE.
   */
  spawn(cmd: string, args: string[], cwd?: string): ChildProcessWithoutNullStreams {
    const child = spawn(cmd, args, { stdio: 'pipe', cwd, detached: true });
    groups.add(child);
    if (child.pid !== undefined) {
      const pid = child.pid;
      liveGroups.add(pid);
      child.once('exit', () => liveGroups.delete(pid));
    }
    this.children.add(child);
    child.on('close', () => this.children.delete(child));
    child.stdin.on('error', () => undefined);
    return child;
  }

  /** Runs a peer program with stdin input; resolves with its output when it exits (bounded in time). */
  run(cmd: string, args: string[], input?: Buffer | string, timeoutMs = 15000): Promise<RunResult> {
    const child = this.spawn(cmd, args);
    const done = finish(child, timeoutMs, `${cmd} ${args.join(' ')}`);
    child.stdin.end(input ?? '');
    return done;
  }

  /** Starts a peer program and resolves with the first line it prints on stdout (or stderr, for socat -d -d). */
  async startPeer(cmd: string, args: string[], fromStderr = false, timeoutMs = 5000): Promise<{ child: ChildProcessWithoutNullStreams; line: string }> {
    const child = this.spawn(cmd, args);
    const exited = new Promise<never>((_, reject) => {
      child.on('error', reject);
      child.on('close', (code) => reject(new Error(`${cmd} exited (${code}) before printing a line`)));
    });
    const line = await Promise.race([firstLine(fromStderr ? child.stderr : child.stdout, timeoutMs, cmd), exited]);
    return { child, line };
  }

  /** Starts the tutorial python file server; resolves with its port once it prints it. */
  async startPythonServer(root: string, encoding = 'utf-8', extra: string[] = []): Promise<{ port: number; child: ChildProcess }> {
    const { child, line } = await this.startPeer('python3', [path.join(PEERS, 'file_server.py'), root, '0', encoding, ...extra], false, 10000);
    // Its log must not fill the pipe and stall it.
    child.stderr.resume();
    if (!/^\d+$/.test(line)) {
      throw new Error(`the python file server printed ${JSON.stringify(line)} instead of its port`);
    }
    return { port: Number(line), child };
  }

  /** Starts `nc -l` on a port it picks itself (0) and resolves once it says which (`Listening on … N`). */
  async listenNc(host = '127.0.0.1'): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
    const { child, line } = await this.startPeer('nc', ['-lv', host, '0'], true);
    const m = /^Listening on \S+ (\d+)$/.exec(line);
    if (!m) {
      throw new Error(`nc printed ${JSON.stringify(line)} instead of where it listens`);
    }
    return { child, port: Number(m[1]) };
  }

  connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, localAddress }, () => resolve(s));
      this.sockets.add(s);
      s.once('error', reject);
    });
  }

  /** A server on 127.0.0.1 whose connection handler the test writes; resolves with its port. */
  async listen(handler: (s: net.Socket) => void): Promise<number> {
    const conns = new Set<net.Socket>();
    const server = net.createServer((s) => {
      conns.add(s);
      s.on('close', () => conns.delete(s));
      s.on('error', () => undefined);
      handler(s);
    });
    this.servers.set(server, conns);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return (server.address() as net.AddressInfo).port;
  }

  /** Sends `parts` (with gapMs between them), optionally half-closes, and reads until the server closes. */
  async request(port: number, parts: (Buffer | string)[], opts: { halfClose?: boolean; gapMs?: number; timeoutMs?: number } = {}): Promise<Buffer> {
    const s = await this.connect(port);
    const got = readAll(s, opts.timeoutMs ?? 10000);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0 && opts.gapMs) {
        await sleep(opts.gapMs);
      }
      s.write(parts[i]);
    }
    if (opts.halfClose) {
      s.end();
    }
    return got;
  }

  async dispose(): Promise<void> {
    for (const s of this.sockets) {
      s.destroy();
    }
    this.sockets.clear();
    this.holders.clear();
    const servers = [...this.servers].map(([server, conns]) => closeServer(server, conns));
    this.servers.clear();
    const ours = this.started.splice(0).map((s) => s.stop().then(() => s.dispose()));
    await Promise.all([...servers, ...ours, ...[...this.children].map((c) => stopChild(c))]);
    this.children.clear();
    for (const dir of this.dirs.splice(0)) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The scaffold under the name most tests know it by (they began with peers only). */
export { Scaffold as Peers };

/** A scaffold for each test of the describe() it is called in, disposed after each test. */
export function useScaffold(): Scaffold {
  const bed = new Scaffold();
  afterEach(() => bed.dispose());
  return bed;
}
