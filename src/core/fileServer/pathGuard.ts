// Turns a requested name into an open file inside the served root, or a refusal with a reason.
// The rule is "never a byte outside the root": names are checked as text first, then the real path
// (symlinks resolved) must be inside the root's real path, and finally the opened descriptor itself is
// checked, so a file swapped in between the checks and the open is caught too.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { EncodingName, decodeStrict, encodeText } from '../codec';
import { DeniedNameError, DenyList } from './denyList';
import { WorkbenchError } from '../errors';
import { RefusalArgs, RefusalCode, refusal } from '../refusals';

/** The longest name accepted, in bytes on the wire. */
export const MAX_NAME_BYTES = 4096;

export type GuardResult =
  | { ok: true; kind: 'file'; path: string; size: number; handle: fsp.FileHandle }
  | { ok: true; kind: 'listing'; path: string; entries: string[] }
  | { ok: false; outcome: 'refused' | 'not-found'; code: RefusalCode; args: RefusalArgs; reason: string; error?: WorkbenchError };

export type GuardRefusal = Extract<GuardResult, { ok: false }>;

export interface GuardOptions {
  /** Answer `/` or `folder/` with a listing; default true. */
  listing?: boolean;
  /** The wire encoding, to measure the name's length in bytes; default utf-8. */
  encoding?: EncodingName;
  /** Names never served nor listed (checked as asked, resolved and opened); default none. */
  deny?: DenyList;
}

const refused = (code: RefusalCode, args?: RefusalArgs): GuardRefusal => ({ ok: false, outcome: 'refused', ...refusal(code, args) });
const notFound = (code: RefusalCode, args?: RefusalArgs): GuardRefusal => ({ ok: false, outcome: 'not-found', ...refusal(code, args) });
const deniedBy = (error: DeniedNameError): GuardRefusal => ({ ok: false, outcome: 'refused', ...refusal('refusal.denied', { entry: error.entry }), error });

// C0, DEL and C1 controls: none belongs in a file name, and CR/LF would forge log lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A printable form of raw bytes for logs and events: text stays, anything else becomes \xNN. */
export function escapeBytes(bytes: Buffer, max = 200): string {
  let out = '';
  for (const b of bytes.subarray(0, max)) {
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…` : out;
}

/** Decodes the raw name strictly; a refusal when it is too long or not valid in the encoding. */
export function decodeName(bytes: Buffer, encoding: EncodingName): { ok: true; name: string } | GuardRefusal {
  if (bytes.length > MAX_NAME_BYTES) {
    return refused('refusal.nameTooLong', { max: MAX_NAME_BYTES });
  }
  if (bytes.length === 0) {
    return refused('refusal.emptyName');
  }
  const name = encoding === 'hex' ? bytes.toString('latin1') : decodeStrict(bytes, encoding);
  if (name === undefined) {
    return refused('refusal.badEncoding', { encoding });
  }
  return { ok: true, name };
}

/**
 * Checks a name as text, without touching the disk. Returns the relative segments and whether a
 * listing was asked (`/` or a name ending in `/`), or a refusal.
 */
export function checkName(name: string): { ok: true; segments: string[]; listing: boolean } | GuardRefusal {
  if (name.length === 0) {
    return refused('refusal.emptyName');
  }
  if (name.includes('\0')) {
    return refused('refusal.nul');
  }
  if (CONTROL.test(name)) {
    return refused('refusal.control');
  }
  if (name.startsWith('\\\\') || name.startsWith('//')) {
    return refused('refusal.unc');
  }
  if (name.includes('\\')) {
    return refused('refusal.backslash');
  }
  if (/^[A-Za-z]:/.test(name)) {
    return refused('refusal.driveLetter');
  }
  if (name === '/') {
    return { ok: true, segments: [], listing: true };
  }
  if (name.startsWith('/')) {
    return refused('refusal.absolute');
  }
  const listing = name.endsWith('/');
  const parts = (listing ? name.slice(0, -1) : name).split('/');
  const segments: string[] = [];
  for (const p of parts) {
    if (p === '') {
      return refused('refusal.emptySegment');
    }
    if (p === '..') {
      return refused('refusal.dotDot');
    }
    if (p.includes(':')) {
      // NTFS alternate data streams (file:stream) and stray drive specs.
      return refused('refusal.colon');
    }
    if (p !== '.') {
      segments.push(p);
    }
  }
  return { ok: true, segments, listing };
}

function inside(rootReal: string, p: string): boolean {
  return p === rootReal || p.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep);
}

function missing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP';
}

function describe(st: fs.Stats): string {
  if (st.isDirectory()) {
    return 'a folder';
  }
  if (st.isFIFO()) {
    return 'a FIFO';
  }
  if (st.isSocket()) {
    return 'a socket';
  }
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return 'a device';
  }
  return 'not a regular file';
}

/** Where the kernel says an open descriptor points (Linux); undefined where that cannot be asked. */
async function fdPath(handle: fsp.FileHandle): Promise<string | undefined> {
  if (process.platform !== 'linux') {
    return undefined;
  }
  try {
    return await fsp.readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
}

/** What the file server calls: raw name bytes from the wire to a file, a listing or a refusal. */
export async function guardRequest(root: string, bytes: Buffer, options: GuardOptions = {}): Promise<GuardResult & { name: string }> {
  const encoding = options.encoding ?? 'utf-8';
  const decoded = decodeName(bytes, encoding);
  if (!decoded.ok) {
    return { ...decoded, name: escapeBytes(bytes) };
  }
  const result = await resolveInRoot(root, decoded.name, options);
  return { ...result, name: decoded.name };
}

/**
 * Resolves `name` (already decoded) against `root`. On success for a file the caller owns `handle` and
 * must close it (a read stream created from it closes it on end or destroy).
 */
export async function resolveInRoot(root: string, name: string, options: GuardOptions = {}): Promise<GuardResult> {
  const encoding = options.encoding ?? 'utf-8';
  if (encodeText(name, encoding === 'hex' ? 'latin1' : encoding).length > MAX_NAME_BYTES) {
    return refused('refusal.nameTooLong', { max: MAX_NAME_BYTES });
  }
  const checked = checkName(name);
  if (!checked.ok) {
    return checked;
  }
  if (checked.listing && options.listing === false) {
    return refused('refusal.listingOff');
  }
  // As asked, before touching the disk: a denied name is refused whether or not it exists.
  const askedDenied = options.deny?.deniedName(checked.segments);
  if (askedDenied) {
    return deniedBy(askedDenied);
  }
  let rootReal: string;
  try {
    rootReal = await fsp.realpath(root);
  } catch (e) {
    return notFound('refusal.noRoot', { detail: (e as Error).message });
  }
  const candidate = path.join(rootReal, ...checked.segments);
  let real: string;
  try {
    real = await fsp.realpath(candidate);
  } catch (e) {
    if (missing(e)) {
      return notFound((e as NodeJS.ErrnoException).code === 'ENAMETOOLONG' ? 'refusal.nameTooLongForFs' : 'refusal.noSuchFile');
    }
    return refused('refusal.cannotResolve', { detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
  if (!inside(rootReal, real)) {
    return refused('refusal.outsideRoot');
  }
  // Resolved: a symlink to a denied file, or through a link into a denied folder.
  const realDenied = options.deny?.deniedPath(rootReal, real);
  if (realDenied) {
    return deniedBy(realDenied);
  }
  let st: fs.Stats;
  try {
    st = await fsp.stat(real);
  } catch (e) {
    return missing(e) ? notFound('refusal.noSuchFile') : refused('refusal.cannotStat', { detail: String((e as NodeJS.ErrnoException).code) });
  }
  if (checked.listing) {
    if (!st.isDirectory()) {
      return notFound('refusal.notAFolder');
    }
    return listFolder(rootReal, real, options.deny);
  }
  if (!st.isFile()) {
    return refused('refusal.notRegularFile', { what: describe(st) });
  }
  return openChecked(rootReal, real, st, options.deny);
}

/** Opens the checked file `real` and makes sure the descriptor is that file, still inside and not denied. */
async function openChecked(rootReal: string, real: string, st: fs.Stats, deny: DenyList | undefined): Promise<GuardResult> {
  // O_NONBLOCK: a FIFO swapped in after the stat must not hang the open; O_NOFOLLOW: nor a symlink.
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(real, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      return refused('refusal.becameSymlink');
    }
    return missing(e) ? notFound('refusal.noSuchFile') : refused('refusal.cannotOpen', { detail: code ?? (e as Error).message });
  }
  try {
    const fst = await handle.stat();
    if (!fst.isFile()) {
      await handle.close();
      return refused('refusal.notRegularFile', { what: describe(fst) });
    }
    // The descriptor is what gets read: make sure it is the file that was checked, and inside the root
    // and not denied (a parent folder swapped for a symlink between the checks and the open is caught here).
    const opened = await fdPath(handle);
    const moved = opened !== undefined && (!inside(rootReal, opened) || deny?.deniedPath(rootReal, opened) !== undefined);
    if (moved || fst.ino !== st.ino || fst.dev !== st.dev) {
      await handle.close();
      return refused('refusal.changed');
    }
    return { ok: true, kind: 'file', path: real, size: fst.size, handle };
  } catch (e) {
    await handle.close().catch(() => undefined);
    return refused('refusal.cannotStat', { detail: (e as Error).message });
  }
}

/** Folder entries for a listing: what could be served (files and folders inside the root, not denied). */
async function listFolder(rootReal: string, dir: string, deny: DenyList | undefined): Promise<GuardResult> {
  let dirents: fs.Dirent[];
  try {
    dirents = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    return missing(e) ? notFound('refusal.noSuchFolder') : refused('refusal.cannotReadFolder', { detail: String((e as NodeJS.ErrnoException).code) });
  }
  const entries: string[] = [];
  for (const d of dirents) {
    if (CONTROL.test(d.name) || d.name.includes('\\')) {
      continue; // could not be asked for anyway, and would break one-entry-per-line
    }
    if (deny?.deniedPath(rootReal, path.join(dir, d.name))) {
      continue;
    }
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      try {
        const target = await fsp.realpath(path.join(dir, d.name));
        if (!inside(rootReal, target) || deny?.deniedPath(rootReal, target)) {
          continue;
        }
        const st = await fsp.stat(target);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue;
      }
    }
    if (isDir) {
      entries.push(`${d.name}/`);
    } else if (isFile) {
      entries.push(d.name);
    }
  }
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { ok: true, kind: 'listing', path: dir, entries };
}
