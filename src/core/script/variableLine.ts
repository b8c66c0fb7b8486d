// `@name = value`: the value is the rest of the line without a trailing comment; a "quoted" value
// takes escapes; {{earlier}} variables are substituted when the line is read.
import { Range } from './ast';
import { CODES, range } from './diagnostics';
import { RawToken } from './lexer';
import { decodeString } from './literals';
import { Ctx } from './payload';
import { NAME, staticText, substitute } from './variables';

export function parseVariableLine(text: string, toks: readonly RawToken[], ctx: Ctx): { name: string; value: string; range: Range } | undefined {
  const start = toks[0].start;
  const end = toks[toks.length - 1].end;
  const m = /^@([^\s=]*)\s*(=?)\s*/.exec(text.slice(start, end));
  const at = range(ctx.line, start, end);
  if (!m || !NAME.test(m[1])) {
    ctx.diags.error(CODES.badVariable, 'A variable is written @name = value (name: letters, digits, _ . -).', at, { form: 'syntax' });
    return undefined;
  }
  if (!m[2]) {
    ctx.diags.error(CODES.badVariable, `@${m[1]} needs "= value".`, at, { form: 'noValue', name: m[1] });
    return undefined;
  }
  const valueStart = start + m[0].length;
  const raw = text.slice(valueStart, end);
  const quoted = toks.find((t) => t.start === valueStart && t.kind === 'string' && t.end === end);
  const tmpl = quoted ? decodeString(quoted, ctx.scope, ctx.diags) : substitute(raw, ctx.line, valueStart, ctx.scope);
  const value = staticText(tmpl);
  if (value === undefined) {
    ctx.diags.error(CODES.badVariable, 'A variable cannot be set from a captured value.', at, { form: 'capturedValue' });
    return undefined;
  }
  return { name: m[1], value, range: at };
}
