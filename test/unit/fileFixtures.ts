// Shared by the path guard, file server and downloader tests: a served root with a secret file just
// outside it and every kind of trap inside it, peer-program runners and raw-socket helpers.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const PEERS = path.resolve(__dirname, '../../../test/peers');

export interface Fixture {
  base: string;
  /** The served folder. */
  root: string;
  /** A file just outside the root whose bytes must never be served. */
  secret: string;
  secretText: string;
  /** A scratch folder for downloads. */
  out: string;
  files: Record<string, Buffer>;
  cleanup(): Promise<void>;
}

/**
 * root/
 *   a.txt, empty.txt, 测试文件.txt, sub/inner.txt, sub/子目录/文件.txt, .hidden
 *   link-in -> a.txt (inside, allowed), link-out -> ../secret.txt, dir-out -> .. (both outside)
 *   abs-out -> /abs/path/of/secret.txt, fifo (mkfifo)
 * secret.txt (outside the root)
 */
export async function makeFixture(): Promise<Fixture> {
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'tcpwb-file-'));
  const root = path.join(base, 'root');
  const out = path.join(base, 'out');
  await fsp.mkdir(path.join(root, 'sub', '子目录'), { recursive: true });
  await fsp.mkdir(out);
  const secretText = `TOP-SECRET-${crypto.randomBytes(8).toString('hex')}`;
  const secret = path.join(base, 'secret.txt');
  await fsp.writeFile(secret, secretText);
  const files: Record<string, Buffer> = {
    'a.txt': Buffer.from('hello from a.txt\n'),
    'empty.txt': Buffer.alloc(0),
    '测试文件.txt': Buffer.from('中文内容 — 测试\n'),
    'sub/inner.txt': crypto.randomBytes(70_000),
    'sub/子目录/文件.txt': Buffer.from('子目录里的文件\n'),
    '.hidden': Buffer.from('hidden'),
  };
  for (const [name, data] of Object.entries(files)) {
    await fsp.writeFile(path.join(root, name), data);
  }
  await fsp.symlink('a.txt', path.join(root, 'link-in'));
  await fsp.symlink('../secret.txt', path.join(root, 'link-out'));
  await fsp.symlink('..', path.join(root, 'dir-out'));
  await fsp.symlink(secret, path.join(root, 'abs-out'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  return {
    base,
    root,
    secret,
    secretText,
    out,
    files,
    cleanup: () => fsp.rm(base, { recursive: true, force: true }),
  };
}

/**
 * A large file with random-looking content, made quickly: one random MiB repeated with a counter in each
 * block, so no two blocks are equal and a misplaced block changes the hash. Returns its sha256.
 */
export async function makeBigFile(file: string, mib: number): Promise<string> {
  const block = crypto.randomBytes(1024 * 1024);
  const hash = crypto.createHash('sha256');
  const fh = await fsp.open(file, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32BE(i, 0);
      block.writeUInt32BE(i * 2654435761 >>> 0, 512 * 1024);
      hash.update(block);
      await fh.write(block);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** Open descriptors of this process (Linux), to prove none leak. */
export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Resolves when `check()` holds, or rejects after timeoutMs. */
export async function waitFor(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Tracks child processes and sockets so every test can close them in its after hooks. */
export class Peers {
  readonly children = new Set<ChildProcess>();
  readonly sockets = new Set<net.Socket>();

  /** Runs a peer program with stdin input; resolves with its stdout when it exits (bounded in time). */
  run(cmd: string, args: string[], input?: Buffer | string, timeoutMs = 15000): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      this.children.add(child);
      const out: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${cmd} ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        this.children.delete(child);
        resolve({ code, stdout: Buffer.concat(out), stderr });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }

  /** Starts the tutorial python file server; resolves with its port once it prints it. */
  startPythonServer(root: string, encoding = 'utf-8', extra: string[] = []): Promise<{ port: number; child: ChildProcess }> {
    return new Promise((resolve, reject) => {
      const child = spawn('python3', [path.join(PEERS, 'file_server.py'), root, '0', encoding, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      let text = '';
      const timer = setTimeout(() => reject(new Error('the python file server did not start')), 10000);
      child.on('error', reject);
      child.on('close', () => this.children.delete(child));
      child.stderr.resume();
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /^(\d+)\n/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve({ port: Number(m[1]), child });
        }
      });
    });
  }

  connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve(s));
      this.sockets.add(s);
      s.once('error', reject);
    });
  }

  /** Sends `parts` (with gapMs between them), optionally half-closes, and reads until the server closes. */
  async request(port: number, parts: (Buffer | string)[], opts: { halfClose?: boolean; gapMs?: number; timeoutMs?: number } = {}): Promise<Buffer> {
    const s = await this.connect(port);
    const got = readAll(s, opts.timeoutMs ?? 10000);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0 && opts.gapMs) {
        await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      s.write(parts[i]);
    }
    if (opts.halfClose) {
      s.end();
    }
    return got;
  }

  async dispose(): Promise<void> {
    const exits = [...this.children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) {
            resolve();
            return;
          }
          c.once('close', () => resolve());
          c.kill('SIGKILL');
        }),
    );
    for (const s of this.sockets) {
      s.destroy();
    }
    this.sockets.clear();
    await Promise.all(exits);
    this.children.clear();
  }
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

/**
 * Reads until the socket closes and says whether the server reset it. A reset that arrives while data
 * is still queued is reported by libuv as a plain end, so the end is checked with getpeername too
 * (ENOTCONN after a reset, a peer after a FIN), as the downloader does.
 */
export function readUntilClose(s: net.Socket, timeoutMs = 10000): Promise<{ bytes: number; reset: boolean }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let reset = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`the server did not close within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (d: Buffer) => (bytes += d.length));
    s.on('error', (e: NodeJS.ErrnoException) => (reset ||= e.code === 'ECONNRESET'));
    s.on('end', () => {
      const handle = (s as unknown as { _handle?: { getpeername(out: object): number } })._handle;
      reset ||= handle !== undefined && handle !== null && handle.getpeername({}) !== 0;
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes, reset });
    });
  });
}
