// Shared by the path guard, file server and downloader tests: a served root with a secret file just
// outside it and every kind of trap inside it, big files and their hashes. Peers and waits: ./support.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { Scaffold } from './support';

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
  const bed = new Scaffold();
  const base = bed.tempDir('file');
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
    cleanup: () => bed.dispose(),
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
      block.writeUInt32BE((i * 2654435761) >>> 0, 512 * 1024);
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
