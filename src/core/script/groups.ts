// The structure a block can have beyond a flat list of steps: named connections (`connect alice ADDR`,
// `alice send …`), `any order` groups of expects, and `retry N [every T]` on a group or a whole block.
import { BlockRetry, Step } from './ast';
import { CODES, range } from './diagnostics';
import { RawToken } from './lexer';
import { parseCount, parseDuration } from './literals';
import { parseAddress } from './steps';
import { Ctx, missing, noMore, span } from './payload';
import { RESERVED_WORDS } from './stepWords';

/** At most this many attempts for a retry (a block or a group). */
export const MAX_RETRY = 1000;

/** Steps that take a connection: `alice send …` names which one in a block with named connections. */
export const CONNECTION_STEPS = new Set(['send', 'expect', 'close', 'shutdown', 'starttls', 'nodelay', 'reset', 'pause', 'resume']);

export const CONNECTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `alice send …`: a word that is no step, followed by a step that takes a connection. */
export function connectionPrefix(toks: readonly RawToken[]): RawToken | undefined {
  const [name, step] = toks;
  return step && name.kind === 'word' && !RESERVED_WORDS.has(name.text) && CONNECTION_NAME.test(name.text) && CONNECTION_STEPS.has(step.text) ? name : undefined;
}

/** `connect NAME ADDR` (three words): the name, checked; undefined for the one-connection form. */
export function connectName(toks: readonly RawToken[], ctx: Ctx): { name?: string; address: RawToken[] } {
  if (toks.length < 3 || toks[0].text !== 'connect') {
    return { address: [...toks] };
  }
  const t = toks[1];
  if (RESERVED_WORDS.has(t.text) || !CONNECTION_NAME.test(t.text)) {
    ctx.diags.error(CODES.badConnection, `"${t.text}" cannot name a connection: use letters, digits, _ and -, not a step's word.`, span(t, t), { form: 'name', name: t.text });
  }
  return { name: t.text, address: [toks[0], ...toks.slice(2)] };
}

function parseEvery(toks: readonly RawToken[], i: number, ctx: Ctx): number | undefined {
  if (!toks[i]) {
    return 0;
  }
  if (toks[i].text !== 'every') {
    noMore(toks, i, ctx);
    return 0;
  }
  if (!toks[i + 1]) {
    return missing(ctx, toks[i], 'everyDuration');
  }
  noMore(toks, i + 2, ctx);
  return parseDuration(toks[i + 1].text, span(toks[i + 1], toks[i + 1]), ctx.diags);
}

/** `retry N [every T]`: the count and pause, or undefined (with a diagnostic). */
function parseRetryHead(toks: readonly RawToken[], ctx: Ctx): { count: number; everyMs: number } | undefined {
  const kw = toks[0];
  const count = toks[1] ? parseCount(toks[1].text, 1, MAX_RETRY, span(toks[1], toks[1]), CODES.badRepeat, ctx.diags) : missing(ctx, kw, 'retryCount');
  const everyMs = parseEvery(toks, 2, ctx);
  return count === undefined || everyMs === undefined ? undefined : { count, everyMs };
}

/** A block's first line `retry N every T` (before its connect). */
export function parseBlockRetry(toks: readonly RawToken[], ctx: Ctx): BlockRetry | undefined {
  const head = parseRetryHead(toks, ctx);
  return head && { ...head, range: span(toks[0], toks[toks.length - 1]) };
}

/** `any order` or `retry N [every T]` heading an indented group. */
export function parseGroupHead(toks: readonly RawToken[], ctx: Ctx): Step | undefined {
  const kw = toks[0];
  const base = { keywordRange: span(kw, kw), range: span(kw, toks[toks.length - 1]) };
  if (kw.text === 'any') {
    if (toks[1]?.text !== 'order') {
      const text = toks.map((t) => t.text).join(' ');
      ctx.diags.error(CODES.unknownStep, `Expected "any order", not "${text}".`, range(ctx.line, kw.start, toks[toks.length - 1].end), { form: 'anyOrder', text });
      return undefined;
    }
    noMore(toks, 2, ctx);
    return { ...base, kind: 'anyOrder', steps: [] };
  }
  const head = parseRetryHead(toks, ctx);
  return head && { ...base, kind: 'retry', ...head, steps: [] };
}

/** What an `any order` group may hold: expects only (of any connection). */
export function checkAnyOrderMember(step: Step, ctx: Ctx): boolean {
  if (step.kind === 'expect' && step.match !== 'close') {
    return true;
  }
  ctx.diags.error(CODES.badGroup, 'An any order group holds expect steps only (not expect close).', step.range, { step: step.kind });
  return false;
}

/** A later `connect NAME ADDR` of a block with named connections; the name joins `names`. */
export function namedConnect(names: Set<string>, toks: readonly RawToken[], ctx: Ctx): Step | undefined {
  const { name, address } = connectName(toks, ctx);
  const a = parseAddress(address, ctx, false);
  if (name !== undefined) {
    names.add(name);
  }
  return a && { kind: 'connect', ...a, name, keywordRange: span(toks[0], toks[0]), range: span(toks[0], toks[toks.length - 1]) };
}

/** What a block knows of its connections while it is parsed. */
interface BlockConnections {
  readonly names: ReadonlySet<string>;
  /** The first connect had a name. */
  readonly named?: boolean;
  /** The steps of an include file (its connections come from the file that includes it). */
  readonly implicit?: boolean;
}

/** Puts `alice` of `alice send …` on the step; in a block with named connections every such step needs one. */
export function onConnection(b: BlockConnections, s: Step, prefix: RawToken | undefined, ctx: Ctx): Step {
  if (!prefix) {
    if (b.named && CONNECTION_STEPS.has(s.kind)) {
      const names = [...b.names].join(', ');
      ctx.diags.error(CODES.badConnection, `This block has named connections (${names}): say which one, for example ${[...b.names][0]} ${s.kind} ….`, s.keywordRange, {
        form: 'missing',
        names,
        step: s.kind,
      });
    }
    return s;
  }
  const at = span(prefix, prefix);
  if (!b.named && !b.implicit) {
    ctx.diags.error(CODES.badConnection, `"${prefix.text}" names a connection, but this block has one unnamed connection: write connect NAME HOST:PORT to name them.`, at, {
      form: 'notNamed',
      name: prefix.text,
    });
  } else if (!b.names.has(prefix.text)) {
    ctx.diags.error(CODES.badConnection, `No connection "${prefix.text}" is connected above: add connect ${prefix.text} HOST:PORT first.`, at, {
      form: 'unknown',
      name: prefix.text,
    });
  }
  return { ...s, conn: prefix.text, range: range(ctx.line, prefix.start, s.range.end) };
}
