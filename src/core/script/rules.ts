// The rules of a `listen` block: `on connect|"text"|/re/|hex ..|idle T` or `otherwise`, then actions
// (`send ..`, `wait T`, `close`) chained on the same line, run in order.
import { Action, Rule, Trigger } from './ast';
import { CODES } from './diagnostics';
import { RawToken } from './lexer';
import { decodeString, parseDuration } from './literals';
import { Ctx, missing, parsePayload, span, takeHex } from './payload';
import { parseRegex } from './regex';
import { decodeHex } from './literals';

/** Rule regexes may use {{1}}..{{9}} in their actions for capture groups. */
const GROUP_REFS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function parseTrigger(toks: readonly RawToken[], ctx: Ctx): { trigger?: Trigger; next: number } {
  const kw = toks[0];
  if (kw.text === 'otherwise') {
    return { trigger: { kind: 'otherwise' }, next: 1 };
  }
  const t = toks[1];
  if (!t) {
    return { trigger: missing(ctx, kw, 'trigger'), next: 1 };
  }
  if (t.kind === 'string') {
    return { trigger: { kind: 'text', text: decodeString(t, ctx.scope, ctx.diags) }, next: 2 };
  }
  if (t.kind === 'regex') {
    const pattern = parseRegex(t, ctx.scope, ctx.diags);
    return { trigger: pattern && { kind: 'regex', pattern }, next: 2 };
  }
  if (t.text === 'connect') {
    return { trigger: { kind: 'connect' }, next: 2 };
  }
  if (t.text === 'hex') {
    const { words, next } = takeHex(toks, 2);
    if (words.length === 0) {
      return { trigger: missing(ctx, t, 'ruleHex'), next };
    }
    return { trigger: { kind: 'hex', bytes: decodeHex(words, ctx.diags) }, next };
  }
  if (t.text === 'idle') {
    const d = toks[2];
    const ms = d ? parseDuration(d.text, span(d, d), ctx.diags) : missing(ctx, t, 'idleDuration');
    return { trigger: ms === undefined ? undefined : { kind: 'idle', ms }, next: 3 };
  }
  ctx.diags.error(CODES.badRule, `Expected connect, "text", /regex/, hex or idle after on, not "${t.text}".`, span(t, t), { form: 'trigger', word: t.text });
  return { next: toks.length };
}

function parseActions(toks: readonly RawToken[], i: number, ctx: Ctx): Action[] {
  const actions: Action[] = [];
  while (i < toks.length) {
    const t = toks[i];
    if (t.text === 'send') {
      const { payload, next } = parsePayload(toks, i + 1, ctx, true);
      if (payload) {
        actions.push({ kind: 'send', payload, range: span(t, toks[next - 1] ?? t) });
      }
      i = next;
    } else if (t.text === 'wait') {
      const d = toks[i + 1];
      const ms = d ? parseDuration(d.text, span(d, d), ctx.diags) : missing(ctx, t, 'actionDuration');
      if (ms !== undefined && d) {
        actions.push({ kind: 'wait', ms, range: span(t, d) });
      }
      i += 2;
    } else if (t.text === 'close') {
      actions.push({ kind: 'close', range: span(t, t) });
      i++;
    } else {
      ctx.diags.error(CODES.badRule, `Unknown action "${t.text}". Actions: send, wait, close.`, span(t, t), { form: 'action', word: t.text });
      return actions;
    }
  }
  return actions;
}

/** Parses one rule line (comment removed); `index` is its 1-based number in the block. */
export function parseRule(toks: readonly RawToken[], ctx: Ctx, index: number): Rule | undefined {
  const kw = toks[0];
  if (kw.text !== 'on' && kw.text !== 'otherwise') {
    ctx.diags.error(CODES.badRule, `A listen block holds rules: on ... or otherwise ..., not "${kw.text}".`, span(kw, kw), { form: 'notRule', word: kw.text });
    return undefined;
  }
  const { trigger, next } = parseTrigger(toks, ctx);
  const groups = trigger?.kind === 'regex' ? GROUP_REFS.filter((g) => !ctx.scope.dynamic.has(g)) : [];
  groups.forEach((g) => ctx.scope.dynamic.add(g));
  const actions = parseActions(toks, next, ctx);
  groups.forEach((g) => ctx.scope.dynamic.delete(g));
  if (!trigger) {
    return undefined;
  }
  if (actions.length === 0 && next >= toks.length) {
    ctx.diags.error(CODES.badRule, 'The rule has no action: add send "...", wait T or close.', span(kw, toks[toks.length - 1]), { form: 'noAction' });
  }
  return { index, trigger, triggerRange: span(kw, toks[Math.min(next, toks.length) - 1]), actions, range: span(kw, toks[toks.length - 1]) };
}
