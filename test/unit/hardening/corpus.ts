// The hostile-name corpus (test/data/traversal-names.json) and the folder it is tried against: a served
// root with traps inside (symlinks out, a FIFO, devices) and a secret just outside. Shared by the unit
// tests and `npm run soak`.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { encodeText } from '../../../src/core/codec';

export interface CorpusEntry {
  name?: string;
  hex?: string;
  repeat?: { unit: string; times: number; prefix?: string; suffix?: string };
  server?: 'utf-8' | 'gbk';
  why: string;
}

export interface HostileName<E extends CorpusEntry = CorpusEntry> {
  /** A short printable label for reports. */
  label: string;
  bytes: Buffer;
  server: 'utf-8' | 'gbk';
  why: string;
  /** The entry as written in the corpus file (for fields a corpus of its own adds). */
  entry: E;
}

/** Finds the repository root from out/test/... or test/... (the file runs transpiled or bundled). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'test', 'data', 'traversal-names.json'))) {
      return dir;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`test/data/traversal-names.json not found above ${__dirname}`);
}

/** Loads a corpus from test/data (traversal-names.json unless told otherwise). */
export function loadCorpus<E extends CorpusEntry = CorpusEntry>(fileName = 'traversal-names.json'): HostileName<E>[] {
  const file = path.join(repoRoot(), 'test', 'data', fileName);
  const { names } = JSON.parse(fs.readFileSync(file, 'utf8')) as { names: E[] };
  return names.map((e) => {
    const server = e.server ?? 'utf-8';
    let bytes: Buffer;
    if (e.hex !== undefined) {
      bytes = Buffer.from(e.hex, 'hex');
    } else if (e.repeat) {
      const text = (e.repeat.prefix ?? '') + e.repeat.unit.repeat(e.repeat.times) + (e.repeat.suffix ?? '');
      bytes = encodeText(text, server);
    } else if (e.name !== undefined) {
      bytes = encodeText(e.name, server);
    } else {
      throw new Error(`corpus entry without name/hex/repeat: ${e.why}`);
    }
    const shown = e.name ?? (e.hex !== undefined ? `hex:${e.hex}` : `${e.repeat?.unit}×${e.repeat?.times}`);
    const label = JSON.stringify(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown);
    return { label: `${label} (${bytes.length} B, ${server})`, bytes, server, why: e.why, entry: e };
  });
}

export interface Fixture {
  base: string;
  root: string;
  /** Appears in every secret file and nowhere else. */
  token: string;
  secretPaths: string[];
  normalName: string;
  normalContent: Buffer;
  fifo: string;
  /** Whether a real character device could be made inside the root (mknod needs CAP_MKNOD). */
  deviceInside: boolean;
}

/** Builds <base>/secret, <base>/root-evil/secret and the served <base>/root with its traps. */
export function buildFixture(base: string): Fixture {
  const token = `SECRET-${crypto.randomBytes(24).toString('hex')}`;
  const root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(base, 'root-evil'));
  const secretPaths = [path.join(base, 'secret'), path.join(base, 'root-evil', 'secret')];
  for (const p of secretPaths) {
    fs.writeFileSync(p, `${token}\n`.repeat(64));
  }
  const normalContent = Buffer.from(`normal file ${crypto.randomBytes(8).toString('hex')}\n`);
  fs.writeFileSync(path.join(root, 'normal.txt'), normalContent);
  fs.writeFileSync(path.join(root, 'sub', 'inner.txt'), 'inner\n');
  // A gbk-named file so the gbk server has something real to serve too.
  fs.writeFileSync(path.join(root, '中文.txt'), normalContent);
  const link = (target: string, at: string): void => fs.symlinkSync(target, path.join(root, at));
  link('..', 'link-out');
  link('../secret', 'secret-link');
  link(path.join(base, 'secret'), 'abs-link');
  link('chain2', 'chain1');
  link('../secret', 'chain2');
  link('../root-evil/secret', 'sib-link');
  fs.symlinkSync('../..', path.join(root, 'sub', 'up'));
  link('/dev/zero', 'zero');
  link('/dev/urandom', 'urandom');
  link('/etc/passwd', 'passwd');
  link('loop2', 'loop1');
  link('loop1', 'loop2');
  link('./nothing-here', 'dangling');
  const fifo = path.join(root, 'pipe');
  execFileSync('mkfifo', [fifo]);
  let deviceInside = false;
  try {
    // Same numbers as /dev/zero: an endless device living inside the root.
    execFileSync('mknod', [path.join(root, 'zero-dev'), 'c', '1', '5'], { stdio: 'ignore' });
    deviceInside = true;
  } catch {
    deviceInside = false;
  }
  return { base, root, token, secretPaths, normalName: 'normal.txt', normalContent, fifo, deviceInside };
}

/**
 * A server that wrongly opened the FIFO blocks a thread-pool thread until a writer comes; opening the
 * write end (non-blocking) releases every such reader so the process can exit. Returns how many opens worked.
 */
export function releaseFifoReaders(fifo: string): number {
  let released = 0;
  for (let i = 0; i < 16; i++) {
    try {
      const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.closeSync(fd);
      released++;
    } catch {
      break; // ENXIO: nobody is reading
    }
  }
  return released;
}

/** Secret bytes found in a reply: the token's occurrences times its length (0 when clean). */
export function leakedBytes(reply: Buffer, token: string): number {
  let n = 0;
  let at = reply.indexOf(token);
  while (at >= 0) {
    n += token.length;
    at = reply.indexOf(token, at + 1);
  }
  // A reply cut mid-token still leaks: look for its first 16 characters too.
  if (n === 0 && reply.includes(token.slice(0, 16))) {
    n = 16;
  }
  return n;
}
