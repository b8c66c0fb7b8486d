// Expressions inside {{ }}: numbers, variables, `len(name)`, generators ($seq, $now, $nowMs, $uuid,
// $random A B, $randomHex N) and + - * / % with parentheses. They stay in the AST and are evaluated when
// the step runs (the Hurl model), so captures and generators need no re-parse; an expression of file
// variables and numbers alone is folded while parsing, like a plain {{name}}.
import * as crypto from 'node:crypto';
import { Expr, MessageArgs } from './ast';
import { byteLength } from './expect';
import { ScriptEncoding } from './results';

export type Value = string | number;

/** What an expression reads while running: captured values, the repeat's number, the encoding, a frame's length. */
export interface EvalEnv {
  readonly values: ReadonlyMap<string, string>;
  /** {{$seq}}: 1, 2, 3… per iteration of the innermost repeat (1 outside a repeat); a mock's hit count. */
  readonly seq?: number;
  readonly encoding?: ScriptEncoding;
  /** The bare `len` of a frame field: bytes after the field up to the checksum. */
  readonly frameLen?: number;
}

export const GENERATORS: Readonly<Record<string, number>> = { seq: 0, now: 0, nowMs: 0, uuid: 0, random: 2, randomHex: 1 };

/** The largest $randomHex; bigger values belong in a file. */
export const MAX_RANDOM_HEX = 1024;

/** An expression that cannot be parsed or evaluated: English, and the values of its sentence. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly args: MessageArgs,
  ) {
    super(message);
  }
}

type Tok = { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'gen'; v: string } | { t: 'op'; v: string };

function lex(text: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(0x[0-9a-fA-F]+|\d+)|(\$[A-Za-z]+)|([A-Za-z_][A-Za-z0-9_.]*)|([-+*/%()]))/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) {
      break;
    }
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) {
      throw new ExprError(`Cannot read "${text.slice(i).trim()}" in {{${text}}}.`, { form: 'syntax', text, at: text.slice(i).trim() });
    }
    i = re.lastIndex;
    out.push(m[1] ? { t: 'num', v: Number(m[1]) } : m[2] ? { t: 'gen', v: m[2].slice(1) } : m[3] ? { t: 'name', v: m[3] } : { t: 'op', v: m[4] });
  }
  return out;
}

/** Parses the text inside {{ }}; `frame` makes a bare `len` the frame's length. Names are left unresolved. */
export function parseExpr(text: string, frame = false): Expr {
  const toks = lex(text);
  let i = 0;
  const syntax = (): ExprError =>
    new ExprError(`{{${text}}} is not an expression (numbers, names, len(name), $generators, + - * / % and parentheses).`, { form: 'syntax', text, at: '' });
  const peek = (v: string): boolean => toks[i]?.t === 'op' && toks[i].v === v;
  const sum = (): Expr => {
    let e = product();
    while (peek('+') || peek('-')) {
      const op = toks[i++].v as '+' | '-';
      e = { kind: 'bin', op, left: e, right: product() };
    }
    return e;
  };
  const product = (): Expr => {
    let e = unary();
    while (peek('*') || peek('/') || peek('%')) {
      const op = toks[i++].v as '*' | '/' | '%';
      e = { kind: 'bin', op, left: e, right: unary() };
    }
    return e;
  };
  const unary = (): Expr => (peek('-') ? (i++, { kind: 'bin', op: '-', left: { kind: 'num', value: 0 }, right: unary() }) : primary());
  const primary = (): Expr => {
    const t = toks[i++];
    if (!t) {
      throw syntax();
    }
    if (t.t === 'num') {
      return { kind: 'num', value: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      const e = sum();
      if (!peek(')')) {
        throw syntax();
      }
      i++;
      return e;
    }
    if (t.t === 'gen') {
      const arity = GENERATORS[t.v];
      if (arity === undefined) {
        throw new ExprError(`Unknown generator $${t.v}: use $seq, $now, $nowMs, $uuid, $random A B or $randomHex N.`, { form: 'generator', name: t.v });
      }
      const args: Expr[] = [];
      for (let k = 0; k < arity; k++) {
        args.push(primary());
      }
      const [lo, hi] = args.map((x) => (x.kind === 'num' ? x.value : undefined));
      if (t.v === 'random' && lo !== undefined && hi !== undefined && hi < lo) {
        randomInt(lo, hi);
      } else if (t.v === 'randomHex' && lo !== undefined) {
        generate('randomHex', [lo], {});
      }
      return { kind: 'gen', name: t.v, args };
    }
    if (t.t === 'name' && t.v === 'len' && peek('(')) {
      i++;
      const n = toks[i++];
      if (n?.t !== 'name' || !peek(')')) {
        throw syntax();
      }
      i++;
      return { kind: 'len', arg: { kind: 'var', name: n.v } };
    }
    if (t.t === 'name') {
      return frame && t.v === 'len' ? { kind: 'frameLen' } : { kind: 'var', name: t.v };
    }
    throw syntax();
  };
  const e = sum();
  if (i < toks.length) {
    throw syntax();
  }
  return e;
}

/** Every variable name an expression reads (to check they are defined). */
export function namesOf(e: Expr): string[] {
  switch (e.kind) {
    case 'var':
      return [e.name];
    case 'len':
      return namesOf(e.arg);
    case 'bin':
      return [...namesOf(e.left), ...namesOf(e.right)];
    case 'gen':
      return e.args.flatMap(namesOf);
    default:
      return [];
  }
}

/**
 * True when the value is only known while running: a capture, a generator, a frame's length, or a
 * len(), whose byte count depends on the file's encoding.
 */
export function isDynamic(e: Expr, dynamic: ReadonlySet<string>): boolean {
  switch (e.kind) {
    case 'var':
      return dynamic.has(e.name);
    case 'bin':
      return isDynamic(e.left, dynamic) || isDynamic(e.right, dynamic);
    case 'gen':
    case 'frameLen':
    case 'len':
      return true;
    default:
      return false;
  }
}

/** Replaces the names of file variables by their values, so only run-time names remain. */
export function inline(e: Expr, isStatic: (name: string) => string | undefined): Expr {
  switch (e.kind) {
    case 'var': {
      const v = isStatic(e.name);
      return v === undefined ? e : { kind: 'lit', value: v };
    }
    case 'len':
      return { kind: 'len', arg: inline(e.arg, isStatic) };
    case 'bin':
      return { ...e, left: inline(e.left, isStatic), right: inline(e.right, isStatic) };
    case 'gen':
      return { ...e, args: e.args.map((a) => inline(a, isStatic)) };
    default:
      return e;
  }
}

function toNumber(v: Value, what: string): number {
  const s = typeof v === 'number' ? '' : v.trim();
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(s) ? Number(s) : /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new ExprError(`${what} is "${String(v)}", not a whole number.`, { form: 'notNumber', what, value: String(v) });
  }
  return n;
}

function randomInt(lo: number, hi: number): number {
  if (hi < lo) {
    throw new ExprError(`$random ${lo} ${hi}: the first bound must not exceed the second.`, { form: 'range', text: `$random ${lo} ${hi}` });
  }
  return lo + crypto.randomInt(0, hi - lo + 1);
}

function generate(name: string, args: number[], env: Omit<EvalEnv, 'values'>): Value {
  switch (name) {
    case 'seq':
      return env.seq ?? 1;
    case 'now':
      return Math.floor(Date.now() / 1000);
    case 'nowMs':
      return Date.now();
    case 'uuid':
      return crypto.randomUUID();
    case 'random':
      return randomInt(args[0], args[1]);
    default: {
      const n = args[0];
      if (n < 1 || n > MAX_RANDOM_HEX) {
        throw new ExprError(`$randomHex ${n}: the digit count must be from 1 to ${MAX_RANDOM_HEX}.`, { form: 'range', text: `$randomHex ${n}` });
      }
      return crypto
        .randomBytes(Math.ceil(n / 2))
        .toString('hex')
        .slice(0, n);
    }
  }
}

/** Evaluates an expression; throws ExprError for a value that is not a number where one is needed. */
export function evaluate(e: Expr, env: EvalEnv): Value {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'lit':
      return e.value;
    case 'var':
      return env.values.get(e.name) ?? '';
    case 'len':
      return byteLength(String(evaluate(e.arg, env)), env.encoding ?? 'utf-8');
    case 'frameLen':
      return env.frameLen ?? 0;
    case 'gen':
      return generate(
        e.name,
        e.args.map((a) => toNumber(evaluate(a, env), `an argument of $${e.name}`)),
        env,
      );
    case 'bin': {
      const a = toNumber(evaluate(e.left, env), describe(e.left));
      const b = toNumber(evaluate(e.right, env), describe(e.right));
      if ((e.op === '/' || e.op === '%') && b === 0) {
        throw new ExprError('Division by zero.', { form: 'divideByZero' });
      }
      const r = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : e.op === '/' ? Math.trunc(a / b) : a % b;
      if (!Number.isSafeInteger(r)) {
        throw new ExprError(`The result ${r} is too large.`, { form: 'tooLarge', value: String(r) });
      }
      return r;
    }
  }
}

/** An expression as a person reads it in a message. */
export function describe(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'lit':
      return JSON.stringify(e.value);
    case 'var':
      return e.name;
    case 'len':
      return `len(${describe(e.arg)})`;
    case 'frameLen':
      return 'len';
    case 'gen':
      return [`$${e.name}`, ...e.args.map(describe)].join(' ');
    case 'bin':
      return `${describe(e.left)} ${e.op} ${describe(e.right)}`;
  }
}

/** A number from an evaluated value, for counts and frame fields. */
export function numberOf(v: Value, what: string): number {
  return toNumber(v, what);
}
