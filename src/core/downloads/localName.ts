// A requested name made safe as a local file name: never a path, nothing a file system refuses.
import * as path from 'node:path';

/** Room for the temporary name's prefix and suffix within the usual 255-byte limit. */
const MAX_LOCAL_NAME_BYTES = 200;
// Characters no file system of ours accepts in a name: Windows' reserved set, the separators, and controls.
const INVALID = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character. */
export function cutBytes(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > max) {
      break;
    }
    out += ch;
    used += n;
  }
  return out;
}

/** The last segment of a requested name, safe as a local file name (never a path). */
export function localNameFor(name: string): string {
  const segments = name.split(/[/\\]/).filter((s) => s.length > 0);
  let n = (segments[segments.length - 1] ?? '').replace(INVALID, '_');
  // Windows drops trailing dots and spaces, which would turn "a." into "a" or "..." into nothing.
  n = n.replace(/[. ]+$/, '').replace(/^ +/, '');
  if (n === '' || n === '.' || n === '..') {
    return 'download';
  }
  if (RESERVED.test(n)) {
    n = `_${n}`;
  }
  if (Buffer.byteLength(n, 'utf8') > MAX_LOCAL_NAME_BYTES) {
    const ext = path.extname(n);
    const keepExt = ext.length > 1 && Buffer.byteLength(ext, 'utf8') <= 32;
    n = keepExt ? cutBytes(n.slice(0, -ext.length), MAX_LOCAL_NAME_BYTES - Buffer.byteLength(ext, 'utf8')) + ext : cutBytes(n, MAX_LOCAL_NAME_BYTES);
  }
  return n;
}

/** `name (n).ext`, for keep-both. */
export function numbered(name: string, n: number): string {
  const ext = path.extname(name);
  const base = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${base} (${n})${ext === name ? '' : ext}`;
}
