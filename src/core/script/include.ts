// `include PATH`: another file's lines read in place (shared steps or settings). The path is relative to
// the including file; cycles, missing files and files with blocks are diagnostics at the include line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic } from './ast';
import { CODES, range } from './diagnostics';
import { RawToken } from './lexer';
import { Ctx, missing, noMore, span } from './payload';
import { decodeString } from './literals';
import { staticText, substitute } from './variables';

/** Includes nest at most this deep (a cycle is caught before that; this bounds a long chain). */
export const MAX_INCLUDE_DEPTH = 16;
/** An included file is at most this big. */
export const MAX_INCLUDE_BYTES = 1024 * 1024;

export interface IncludeOptions {
  /** The parsed file's path: include paths are relative to its folder. Without it, include is refused. */
  readonly file?: string;
  /** Reads an included file (default: from disk, as UTF-8); throws when it cannot. */
  readonly readFile?: (file: string) => string;
}

export interface Included {
  /** Absolute path. */
  readonly path: string;
  /** As written on the include line. */
  readonly written: string;
  readonly lines: readonly string[];
}

function readFromDisk(file: string): string {
  const st = fs.statSync(file);
  if (!st.isFile() || st.size > MAX_INCLUDE_BYTES) {
    throw new Error(st.isFile() ? `larger than ${MAX_INCLUDE_BYTES} bytes` : 'not a file');
  }
  return fs.readFileSync(file, 'utf8');
}

/** Reads the file of an include line; undefined (with a diagnostic at the line) when it cannot be used. */
export function readInclude(toks: readonly RawToken[], ctx: Ctx, options: IncludeOptions, stack: readonly string[]): Included | undefined {
  const kw = toks[0];
  const p = toks[1];
  if (!p) {
    return missing(ctx, kw, 'path');
  }
  noMore(toks, 2, ctx);
  const at = span(kw, p);
  const written = p.kind === 'string' ? staticText(decodeString(p, ctx.scope, ctx.diags)) : staticText(substitute(p.text, ctx.line, p.start, ctx.scope));
  if (written === undefined || written === '') {
    ctx.diags.error(CODES.badInclude, 'include needs a path written in the file (no captured value).', at, { form: 'path' });
    return undefined;
  }
  const from = stack[stack.length - 1] ?? options.file;
  if (!from) {
    ctx.diags.error(CODES.badInclude, 'include needs the file to be saved first (its path is relative to the file).', at, { form: 'noFile', path: written });
    return undefined;
  }
  const file = path.resolve(path.dirname(from), written);
  if (file === options.file || stack.includes(file)) {
    const through = [options.file, ...stack].map((f) => path.basename(f ?? '')).join(' → ');
    ctx.diags.error(CODES.badInclude, `${written} includes itself (through ${through}).`, at, { form: 'cycle', path: written, through });
    return undefined;
  }
  if (stack.length >= MAX_INCLUDE_DEPTH) {
    ctx.diags.error(CODES.badInclude, `Includes nest at most ${MAX_INCLUDE_DEPTH} deep.`, at, { form: 'depth', max: MAX_INCLUDE_DEPTH });
    return undefined;
  }
  let text: string;
  try {
    text = (options.readFile ?? readFromDisk)(file);
  } catch (e) {
    const error = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    ctx.diags.error(CODES.badInclude, `Cannot include ${written}: ${error}.`, at, { form: 'missing', path: written, error });
    return undefined;
  }
  const lines = text.split(/\r?\n|\r/);
  const block = lines.findIndex((l) => /^[ \t]*###/.test(l));
  if (block >= 0) {
    // Blocks of another file are run by running that file; an include adds steps or settings only.
    ctx.diags.error(CODES.badInclude, `${written} has blocks (### on line ${block + 1}); an included file holds only steps and settings.`, at, {
      form: 'blocks',
      path: written,
      line: block + 1,
    });
    return undefined;
  }
  return { path: file, written, lines };
}

/** A problem on line `i` of an included file, reported at the include line with where it really is. */
export function toIncludeDiagnostic(d: Diagnostic, inc: Included, i: number, ctx: Ctx): Diagnostic {
  if (d.code === CODES.inInclude || d.code === CODES.badInclude) {
    // Already about a nested include: keep its words, point at this line.
    return { ...d, range: range(ctx.line, 0, ctx.lineLength) };
  }
  const where = `${inc.written}:${i + 1}:${d.range.start + 1}`;
  return {
    code: CODES.inInclude,
    message: `${where}: ${d.message}`,
    severity: d.severity,
    range: range(ctx.line, 0, ctx.lineLength),
    // The inner sentence's values, its form renamed (inInclude itself has one sentence).
    args: Object.fromEntries(Object.entries({ ...d.args, where, code: d.code, innerForm: d.args.form }).filter(([k, v]) => k !== 'form' && v !== undefined)),
  };
}
