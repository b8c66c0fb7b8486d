// Names the file server never hands out, however they are asked for: secrets people keep next to their
// code (.env, keys, VCS folders, credential files). An entry is a glob of one or more `/`-separated
// segments; it matches wherever those segments appear, in a row, in a path inside the root, so `.git/`
// covers `.git/config` and `sub/.git/HEAD`, and `.docker/config.json` covers `x/.docker/config.json`.
// Matching is case-insensitive and ignores what Windows ignores at the end of a name (trailing dots and
// spaces, an NTFS `:stream` suffix), so `.ENV`, `.env.`, `.env ` and `a.pem::$DATA` are the names they
// would open there. The path guard checks the name as asked, the resolved path and the opened descriptor.
import * as path from 'node:path';
import { WorkbenchError } from '../errors';

/**
 * The default deny list. The first part is what the best-kept dev servers deny (Vite's server.fs.deny
 * and friends); the rest is what else people commit by accident.
 */
export const DEFAULT_DENY: readonly string[] = [
  '.env', // dotenv files: API keys, database passwords
  '.env.*', // .env.local, .env.production…
  '.envrc', // direnv: exports the same secrets
  '*.pem', // TLS/SSH private keys (and certificates: one file often holds both)
  '*.key',
  '*.crt',
  '*.p12', // PKCS#12 bundles: a certificate with its private key
  '*.pfx',
  '*.p8', // PKCS#8 keys (Apple AuthKey_*.p8 for APNs / App Store Connect)
  '*.ppk', // PuTTY private keys
  '*.keystore', // Java / Android signing keystores
  '*.jks',
  'id_rsa*', // SSH keys (id_rsa and id_rsa.pub alike: a public key names the account it opens)
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.git/', // VCS metadata: history (deleted secrets included), remotes with tokens in their URL
  '.hg/',
  '.svn/',
  '.git-credentials', // git's plain-text credential store
  '.ssh/', // when the root is a home folder
  '.aws/',
  '.gnupg/',
  '.docker/config.json', // registry auth tokens
  '.npmrc', // registry tokens
  '.pypirc',
  '.netrc',
  '.htpasswd', // password hashes
  '*.kdbx', // KeePass databases
  '*.tfstate', // Terraform state: every secret of the infrastructure in clear text
  '*.tfstate.*', // terraform.tfstate.backup
  'credentials*.json', // Google API client credentials as the quickstarts save them
  'client_secret*.json', // the same, as the Google console names the download
];

/** A deny entry that cannot be used (empty, `..`, a backslash, unbalanced braces). */
export class DenyGlobError extends WorkbenchError {
  constructor(
    readonly glob: string,
    detail: string,
  ) {
    super('file.denyGlob', `Deny pattern ${JSON.stringify(glob)}: ${detail}`, { glob, detail });
  }
}

/** The refusal when a name hits the deny list; `entry` is the pattern as the user wrote it. */
export class DeniedNameError extends WorkbenchError {
  constructor(readonly entry: string) {
    super('file.denied', `denied by the deny list: ${entry}`, { entry });
  }
}

/** One segment glob as a RegExp: `*` any run, `?` one character, `{a,b}` alternatives. */
function segmentRegExp(glob: string, seg: string): RegExp {
  let re = '';
  let inBraces = false;
  for (const ch of seg) {
    if (ch === '*') {
      re += '.*';
    } else if (ch === '?') {
      re += '.';
    } else if (ch === '{') {
      if (inBraces) {
        throw new DenyGlobError(glob, 'nested braces are not supported');
      }
      inBraces = true;
      re += '(?:';
    } else if (ch === '}' && inBraces) {
      inBraces = false;
      re += ')';
    } else if (ch === ',' && inBraces) {
      re += '|';
    } else {
      re += ch.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
    }
  }
  if (inBraces) {
    throw new DenyGlobError(glob, 'a "{" without its "}"');
  }
  return new RegExp(`^${re}$`, 's');
}

/**
 * The form a segment is compared in: NFC, lower case, without an NTFS stream suffix and without the
 * trailing dots and spaces Windows drops when it opens a name.
 */
export function normalizeSegment(seg: string): string {
  let s = seg.normalize('NFC').toLowerCase();
  const colon = s.indexOf(':');
  if (colon > 0) {
    s = s.slice(0, colon);
  }
  const trimmed = s.replace(/[. ]+$/, '');
  return trimmed === '' ? s : trimmed;
}

type Segment = RegExp | '**';

interface Entry {
  glob: string;
  anchored: boolean;
  segments: Segment[];
}

function compile(glob: string): Entry {
  if (typeof glob !== 'string' || glob.trim() === '') {
    throw new DenyGlobError(String(glob), 'an empty pattern');
  }
  if (glob.includes('\\')) {
    throw new DenyGlobError(glob, 'use / between folders, not \\');
  }
  const anchored = glob.startsWith('/');
  // A trailing "/" only says "a folder"; a match on a folder covers everything in it anyway.
  const body = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = body.split('/');
  if (body === '' || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new DenyGlobError(glob, 'empty, "." and ".." segments are not allowed');
  }
  // "**/**" is "**": collapsing keeps the backtracking of matchFrom to one level per "**" the user wrote.
  const segments = parts.filter((p, i) => p !== '**' || parts[i - 1] !== '**').map((p): Segment => (p === '**' ? '**' : segmentRegExp(glob, normalizeSegment(p))));
  // Leading and trailing "**" add nothing to "anywhere in the path, and everything inside".
  while (segments[0] === '**' && segments.length > 1) {
    segments.shift();
  }
  while (segments[segments.length - 1] === '**' && segments.length > 1) {
    segments.pop();
  }
  return { glob, anchored, segments };
}

/** Does `pat` match `segs` from `j` on, as a prefix (whatever follows is inside the match)? */
function matchFrom(pat: Segment[], i: number, segs: string[], j: number): boolean {
  if (i === pat.length) {
    return true;
  }
  const p = pat[i];
  if (p === '**') {
    for (let k = j; k <= segs.length; k++) {
      if (matchFrom(pat, i + 1, segs, k)) {
        return true;
      }
    }
    return false;
  }
  return j < segs.length && p.test(segs[j]) && matchFrom(pat, i + 1, segs, j + 1);
}

export class DenyList {
  private readonly entries: Entry[];

  /** Throws DenyGlobError for the first pattern that cannot be used. */
  constructor(readonly globs: readonly string[] = DEFAULT_DENY) {
    this.entries = globs.map(compile);
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * The first entry that denies the relative path `segments` (a path inside the root, split at "/"),
   * or undefined. A path is denied when any run of its segments matches an entry, so everything inside a
   * denied folder is denied too.
   */
  match(segments: readonly string[]): string | undefined {
    if (this.entries.length === 0 || segments.length === 0) {
      return undefined;
    }
    const segs = segments.map(normalizeSegment);
    for (const e of this.entries) {
      const last = e.anchored ? 0 : segs.length - 1;
      for (let j = 0; j <= last; j++) {
        if (matchFrom(e.segments, 0, segs, j)) {
          return e.glob;
        }
      }
    }
    return undefined;
  }

  /** The refusal for relative `segments` that match, else undefined. */
  deniedName(segments: readonly string[]): DeniedNameError | undefined {
    const entry = this.match(segments);
    return entry === undefined ? undefined : new DeniedNameError(entry);
  }

  /** deniedName() for an absolute path `p` inside `root` (both real paths). */
  deniedPath(root: string, p: string): DeniedNameError | undefined {
    return this.entries.length === 0
      ? undefined
      : this.deniedName(
          path
            .relative(root, p)
            .split(path.sep)
            .filter((s) => s !== ''),
        );
  }
}

/** Checks a list of patterns (a setting, CLI flags); throws DenyGlobError for the first bad one. */
export function checkDenyList(globs: unknown): string[] {
  if (!Array.isArray(globs)) {
    throw new DenyGlobError(String(globs), 'the deny list must be a list of patterns');
  }
  const list = globs.map((g) => (typeof g === 'string' ? g.trim() : g)) as string[];
  new DenyList(list);
  return list;
}
