// Variables: `@name = value` lines (file scope, in order), `--var name=value` overrides, and the run-time
// references a step may use — `-> name` captures of earlier expects, and `{{1}}` captures in mock rules.
import { Range, Template, TemplatePart } from './ast';
import { CODES, DiagnosticSink, range } from './diagnostics';
import { EvalEnv, ExprError, evaluate, inline, isDynamic, namesOf, parseExpr } from './expr';

export const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export class Scope {
  /** Names a step may reference that get their value while running. */
  readonly dynamic = new Set<string>();

  constructor(
    readonly vars: Map<string, string>,
    private readonly diags: DiagnosticSink,
  ) {}

  /** A file variable's value, a run-time reference, or undefined (with a diagnostic). */
  resolve(name: string, at: Range): TemplatePart | undefined {
    if (this.dynamic.has(name)) {
      return { ref: name, range: at };
    }
    if (!NAME.test(name)) {
      return this.resolveExpr(name, at, false);
    }
    const v = this.vars.get(name);
    if (v === undefined) {
      this.diags.error(CODES.undefinedVariable, `The variable "${name}" is not defined here (define it with @${name} = value above, or capture it with -> ${name}).`, at, {
        name,
      });
    }
    return v;
  }

  /**
   * `{{n + 2}}`, `{{len(key)}}`, `{{$seq}}`: folded to text when it reads only file variables and
   * numbers, kept as an expression for the run otherwise. `frame` makes a bare `len` a frame's length.
   */
  resolveExpr(text: string, at: Range, frame: boolean): TemplatePart | undefined {
    try {
      const parsed = parseExpr(text, frame);
      const missing = namesOf(parsed).find((n) => !this.dynamic.has(n) && !this.vars.has(n));
      if (missing !== undefined) {
        this.resolve(missing, at);
        return undefined;
      }
      const e = inline(parsed, (n) => (this.dynamic.has(n) ? undefined : this.vars.get(n)));
      return isDynamic(e, this.dynamic) ? { ref: text, range: at, expr: e } : String(evaluate(e, { values: new Map() }));
    } catch (err) {
      if (!(err instanceof ExprError)) {
        throw err;
      }
      this.diags.error(CODES.badExpression, err.message, at, err.args);
      return undefined;
    }
  }
}

/** Appends a part, merging adjacent literal text. */
export function pushPart(parts: TemplatePart[], p: TemplatePart): void {
  if (typeof p === 'string' && typeof parts[parts.length - 1] === 'string') {
    parts[parts.length - 1] = (parts[parts.length - 1] as string) + p;
  } else if (p !== '') {
    parts.push(p);
  }
}

/**
 * Substitutes `{{name}}` in unquoted text (an address, a path, a variable's value). `offset` is the text's
 * column in the line, so diagnostics point at the reference.
 */
export function substitute(text: string, line: number, offset: number, scope: Scope): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const i = m.index ?? 0;
    pushPart(parts, text.slice(last, i));
    const at = range(line, offset + i, offset + i + m[0].length);
    const ref = scope.resolve(m[1], at);
    if (ref !== undefined) {
      pushPart(parts, ref);
    }
    last = i + m[0].length;
  }
  pushPart(parts, text.slice(last));
  return parts;
}

/** A template with only literal text, or undefined when it has run-time references. */
export function staticText(t: Template): string | undefined {
  return t.every((p) => typeof p === 'string') ? t.join('') : undefined;
}

/**
 * Renders a template with run-time values; `escape` transforms each value (regex-escaping); `env` adds
 * what expressions read besides the values. Throws ExprError when an expression cannot be evaluated.
 */
export function render(t: Template, values: ReadonlyMap<string, string>, escape: (s: string) => string = (s) => s, env: Omit<EvalEnv, 'values'> = {}): string {
  return t.map((p) => (typeof p === 'string' ? p : escape(p.expr ? String(evaluate(p.expr, { ...env, values })) : (values.get(p.ref) ?? '')))).join('');
}

/** Parses `name=value` from the CLI's --var. */
export function parseOverride(text: string): { name: string; value: string } | undefined {
  const i = text.indexOf('=');
  const name = i > 0 ? text.slice(0, i).trim() : '';
  return NAME.test(name) ? { name, value: text.slice(i + 1) } : undefined;
}
