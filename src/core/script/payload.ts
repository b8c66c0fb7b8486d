// What a `send` step or a rule's `send` action sends: a "string", `hex ..` bytes or `file PATH`.
import { Payload, Range } from './ast';
import { CODES, DiagnosticSink, range } from './diagnostics';
import { RawToken } from './lexer';
import { decodeHex, decodeString } from './literals';
import { Scope, staticText, substitute } from './variables';

export interface Ctx {
  readonly diags: DiagnosticSink;
  readonly scope: Scope;
  readonly line: number;
  /** The whole line, for diagnostics at its end. */
  readonly lineLength: number;
}

/** Words that end a run of hex words in a rule (`on hex 01 02 send hex 03 close`). */
export const ACTION_WORDS = new Set(['send', 'wait', 'close']);

export const span = (a: RawToken, b: RawToken): Range => range(a.line, a.start, b.end);

/** Hex words from toks[i] on, stopping at an action word; returns them and the next index. */
export function takeHex(toks: readonly RawToken[], i: number): { words: RawToken[]; next: number } {
  const words: RawToken[] = [];
  while (i < toks.length && toks[i].kind === 'word' && !ACTION_WORDS.has(toks[i].text)) {
    words.push(toks[i]);
    i++;
  }
  return { words, next: i };
}

/** What a step can lack, by the key a `missingArgument` diagnostic carries as `what`. */
export const NEEDS = {
  payload: 'what to send: "text", hex 48 65 or file PATH',
  hex: 'hex bytes, for example 48 65 6c 6c 6f',
  ruleHex: 'hex bytes, for example 01 03',
  path: 'a path (relative to the .tcp file)',
  address: 'an address, for example 127.0.0.1:9007',
  captureName: 'a name to capture into',
  expectation: 'what to expect: "text", hex .., /regex/, bytes N or close',
  byteCount: 'a byte count',
  repeatCount: 'a count, for example repeat 10',
  retryCount: 'a count, for example retry 5 every 200ms',
  everyDuration: 'a duration, for example every 50ms',
  waitDuration: 'a duration, for example 100ms',
  trigger: 'connect, "text", /regex/, hex .. or idle T',
  idleDuration: 'a duration, for example idle 10s',
  actionDuration: 'a duration, for example 500ms',
} as const;

export type Need = keyof typeof NEEDS;

export function missing(ctx: Ctx, after: RawToken, what: Need): undefined {
  ctx.diags.error(CODES.missingArgument, `${after.text} needs ${NEEDS[what]}.`, range(ctx.line, after.start, after.end), { step: after.text, what });
  return undefined;
}

/** Parses the payload after `send` at toks[i]; `inRule` lets hex stop at the next action word. */
export function parsePayload(toks: readonly RawToken[], i: number, ctx: Ctx, inRule: boolean): { payload?: Payload; next: number } {
  const kw = toks[i - 1];
  const t = toks[i];
  if (!t) {
    return { payload: missing(ctx, kw, 'payload'), next: i };
  }
  if (t.kind === 'string') {
    return { payload: { kind: 'text', text: decodeString(t, ctx.scope, ctx.diags), range: span(t, t) }, next: i + 1 };
  }
  if (t.text === 'hex') {
    const { words, next } = inRule ? takeHex(toks, i + 1) : { words: toks.slice(i + 1), next: toks.length };
    if (words.length === 0) {
      return { payload: missing(ctx, t, 'hex'), next };
    }
    return { payload: { kind: 'hex', bytes: decodeHex(words, ctx.diags), range: span(t, words[words.length - 1]) }, next };
  }
  if (t.text === 'file') {
    const p = toks[i + 1];
    if (!p) {
      return { payload: missing(ctx, t, 'path'), next: i + 1 };
    }
    const text = p.kind === 'string' ? staticText(decodeString(p, ctx.scope, ctx.diags)) : staticText(substitute(p.text, ctx.line, p.start, ctx.scope));
    if (text === undefined) {
      ctx.diags.error(CODES.badVariable, 'A file path cannot use a captured value.', span(p, p), { form: 'capturedPath' });
    }
    return { payload: { kind: 'file', path: text ?? '', range: span(t, p) }, next: i + 2 };
  }
  ctx.diags.error(CODES.unknownStep, `Expected "text", hex or file after ${kw.text}, not "${t.text}".`, span(t, t), { form: 'payload', step: kw.text, word: t.text });
  return { next: i + 1 };
}

/** Reports tokens left over after a complete step. */
export function noMore(toks: readonly RawToken[], i: number, ctx: Ctx): void {
  if (i < toks.length) {
    ctx.diags.error(CODES.extraArgument, `Unexpected "${toks[i].text}" at the end of the step.`, span(toks[i], toks[toks.length - 1]), { word: toks[i].text });
  }
}
