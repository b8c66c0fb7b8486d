// The expects added with frames: `expect file PATH` (the next bytes equal a file's), `expect nothing T`
// (no unconsumed byte within T) and `expect frame … [-> names]` (see frames.ts).
import { Range, Step } from './ast';
import { RawToken } from './lexer';
import { decodeString, parseDuration } from './literals';
import { Ctx, missing, noMore, span } from './payload';
import { parseFrame } from './frames';
import { parseCaptures } from './steps';
import { CODES } from './diagnostics';
import { staticText, substitute } from './variables';

type Base = { readonly kind: 'expect'; readonly keywordRange: Range; readonly range: Range };

export function parseExpectMore(toks: readonly RawToken[], base: Base, ctx: Ctx): Step | undefined {
  const t = toks[1];
  if (t.text === 'nothing') {
    const d = toks[2];
    const ms = d ? parseDuration(d.text, span(d, d), ctx.diags) : missing(ctx, t, 'nothingDuration');
    noMore(toks, 3, ctx);
    return ms === undefined ? undefined : { ...base, match: 'nothing', ms };
  }
  if (t.text === 'file') {
    const p = toks[2];
    if (!p) {
      return missing(ctx, t, 'path');
    }
    noMore(toks, 3, ctx);
    const text = p.kind === 'string' ? staticText(decodeString(p, ctx.scope, ctx.diags)) : staticText(substitute(p.text, ctx.line, p.start, ctx.scope));
    if (text === undefined) {
      ctx.diags.error(CODES.badVariable, 'A file path cannot use a captured value.', span(p, p), { form: 'capturedPath' });
      return undefined;
    }
    return { ...base, match: 'file', path: text };
  }
  const { frame, next } = parseFrame(toks, 2, ctx, true);
  const captures = parseCaptures(toks, next, ctx);
  const wild = frame?.fields.filter((f) => f.kind === 'rest' || (f.kind === 'int' && f.value.kind === 'any')).length ?? 0;
  const extra = captures.find((c) => c.group > wild);
  if (frame && extra) {
    ctx.diags.error(CODES.badFrame, `The frame has ${wild} value(s) to capture (* and _ fields), not more.`, extra.range, { form: 'captures', count: wild });
  }
  return frame && { ...base, match: 'frame', frame, captures };
}
