// The provoke steps, parsed: they make TCP's classic surprises happen on a script's connection.
// `send "abc" pieces 3 gap 20ms` (one message, several writes: 半包), `send together "a" "b"` (several
// messages, one segment: 粘包), `nodelay on|off` (Nagle), `reset` (RST), `pause` / `resume` (stop reading).
// provokeRun.ts runs them through the timeline's SocketProbe, the same code as a session's buttons.
import { Payload, Pieces, Step } from './ast';
import { CODES } from './diagnostics';
import { RawToken } from './lexer';
import { parseDuration } from './literals';
import { Ctx, noMore, parsePayload, span } from './payload';
import { parseNumberArg } from './numbers';

/** At most this many pieces, and this long between two (the probe's own bounds). */
export const MAX_PIECES = 1000;
export const MAX_GAP_MS = 10_000;

/** The step words this file adds (they take a connection: `alice reset`). */
export const PROVOKE_STEPS = ['nodelay', 'reset', 'pause', 'resume'] as const;

type Base = Pick<Step, 'range' | 'keywordRange'>;

/** `send PAYLOAD [pieces N [gap T]]` or `send together PAYLOAD PAYLOAD…`. */
export function parseSend(toks: readonly RawToken[], ctx: Ctx, base: Base): Step | undefined {
  if (toks[1]?.kind === 'word' && toks[1].text === 'together') {
    return parseTogether(toks, ctx, base);
  }
  // `pieces` ends the payload (a hex run or a frame would otherwise take it as one of theirs).
  const at = toks.findIndex((t, i) => i >= 2 && t.kind === 'word' && t.text === 'pieces');
  const end = at < 0 ? toks.length : at;
  const { payload, next } = parsePayload(toks.slice(0, end), 1, ctx, false);
  noMore(toks.slice(0, end), next, ctx);
  if (at < 0) {
    return payload && { ...base, kind: 'send', payload };
  }
  const pieces = parsePieces(toks, at, ctx);
  return payload && pieces && { ...base, kind: 'send', payload, pieces };
}

/** `pieces N [gap T]` from toks[i] (the word `pieces`). */
function parsePieces(toks: readonly RawToken[], i: number, ctx: Ctx): Pieces | undefined {
  const kw = toks[i];
  const n = toks[i + 1];
  if (!n) {
    ctx.diags.error(CODES.badProvoke, `pieces needs a count from 1 to ${MAX_PIECES.toLocaleString('en-US')}, for example pieces 3.`, span(kw, kw), {
      form: 'pieces',
      max: MAX_PIECES,
    });
    return undefined;
  }
  const count = parseNumberArg(n, 1, MAX_PIECES, CODES.badCount, ctx);
  let gapMs: number | undefined = 0;
  if (toks[i + 2]) {
    if (toks[i + 2].text !== 'gap') {
      noMore(toks, i + 2, ctx);
    } else {
      gapMs = parseGap(toks, i + 2, ctx);
      noMore(toks, i + 4, ctx);
    }
  }
  return count === undefined || gapMs === undefined ? undefined : { count, gapMs };
}

function parseGap(toks: readonly RawToken[], i: number, ctx: Ctx): number | undefined {
  const kw = toks[i];
  const t = toks[i + 1];
  const ms = t ? parseDuration(t.text, span(t, t), ctx.diags) : undefined;
  if (t && ms === undefined) {
    return undefined;
  }
  if (ms === undefined || ms > MAX_GAP_MS) {
    const at = t ?? kw;
    ctx.diags.error(CODES.badProvoke, `gap needs a duration of at most 10s, for example gap 20ms.`, span(at, at), { form: 'gap' });
    return undefined;
  }
  return ms;
}

/** Where the message starting at toks[i] ends: a hex run stops at a string or the next `hex`/`file`; a frame runs to the end. */
function messageEnd(toks: readonly RawToken[], i: number): number {
  const t = toks[i];
  if (t.kind === 'string') {
    return i + 1;
  }
  if (t.text === 'file') {
    return Math.min(toks.length, i + 2);
  }
  if (t.text !== 'hex') {
    return t.text === 'frame' ? toks.length : i + 1;
  }
  let j = i + 1;
  while (j < toks.length && toks[j].kind === 'word' && toks[j].text !== 'hex' && toks[j].text !== 'file') {
    j++;
  }
  return j;
}

/** `send together A B …`: two or more messages, each a "string", hex …, file PATH or (last) frame …. */
function parseTogether(toks: readonly RawToken[], ctx: Ctx, base: Base): Step | undefined {
  const kw = toks[1];
  const payloads: Payload[] = [];
  let ok = true;
  for (let i = 2; i < toks.length;) {
    const end = messageEnd(toks, i);
    const { payload } = parsePayload([kw, ...toks.slice(i, end)], 1, ctx, false);
    ok &&= payload !== undefined;
    if (payload) {
      payloads.push(payload);
    }
    i = end;
  }
  if (payloads.length < 2 && ok) {
    ctx.diags.error(CODES.badProvoke, 'send together needs two or more messages: strings, hex bytes or files, one after the other.', span(toks[0], toks[toks.length - 1]), {
      form: 'together',
    });
    return undefined;
  }
  return ok ? { ...base, kind: 'send', payload: payloads[0], together: payloads } : undefined;
}

/** `nodelay on|off`, `reset`, `pause`, `resume`. */
export function parseProvokeStep(toks: readonly RawToken[], ctx: Ctx, base: Base): Step | undefined {
  const kw = toks[0];
  if (kw.text !== 'nodelay') {
    noMore(toks, 1, ctx);
    return { ...base, kind: kw.text as 'reset' | 'pause' | 'resume' };
  }
  const t = toks[1];
  if (t?.text !== 'on' && t?.text !== 'off') {
    const at = t ?? kw;
    ctx.diags.error(CODES.badProvoke, `nodelay needs on (Nagle off) or off (Nagle on), not "${t?.text ?? ''}".`, span(at, at), { form: 'onOff', word: t?.text ?? '' });
    return undefined;
  }
  noMore(toks, 2, ctx);
  return { ...base, kind: 'nodelay', on: t.text === 'on' };
}
