// A number wherever the language takes one (`expect bytes N`, `repeat N`): written out, or `{{expr}}`
// of file variables (checked while parsing) or of captures and generators (checked when the step runs).
import { NumberArg } from './ast';
import { CODES } from './diagnostics';
import { ExprError, evaluate, EvalEnv, numberOf } from './expr';
import { RawToken } from './lexer';
import { parseCount } from './literals';
import { Ctx, span } from './payload';
import { FAILURES, StepError } from './failures';

/** Parses a count token; undefined (with a diagnostic) when it is not one. */
export function parseNumberArg(tok: RawToken, min: number, max: number, code: typeof CODES.badRepeat | typeof CODES.badCount, ctx: Ctx): NumberArg | undefined {
  const at = span(tok, tok);
  const m = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(tok.text);
  if (!m) {
    return parseCount(tok.text, min, max, at, code, ctx.diags);
  }
  const part = ctx.scope.resolveExpr(m[1], at, false);
  if (part === undefined) {
    return undefined;
  }
  if (typeof part === 'string') {
    return parseCount(part.trim(), min, max, at, code, ctx.diags);
  }
  const expr = part.expr ?? { kind: 'var' as const, name: part.ref };
  return { ref: part.ref, range: part.range, expr };
}

/** The value of a count while running; a StepError when it is not a whole number in [min, max]. */
export function evalNumberArg(n: NumberArg, min: number, max: number, env: EvalEnv): number {
  if (typeof n === 'number') {
    return n;
  }
  let v: number;
  try {
    v = numberOf(evaluate(n.expr, env), `{{${n.ref}}}`);
  } catch (e) {
    throw e instanceof ExprError ? new StepError(FAILURES.badValue, e.message, { expr: n.ref, ...e.args }) : e;
  }
  if (v < min || v > max) {
    throw new StepError(FAILURES.badValue, `{{${n.ref}}} is ${v}; it must be from ${min} to ${max.toLocaleString('en-US')} here.`, {
      form: 'outOfRange',
      expr: n.ref,
      value: v,
      min,
      max,
    });
  }
  return v;
}

/** A count as written, for messages: `5` or `{{n + 2}}`. */
export const showNumberArg = (n: NumberArg): string => (typeof n === 'number' ? String(n) : `{{${n.ref}}}`);
