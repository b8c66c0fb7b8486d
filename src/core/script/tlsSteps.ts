// TLS in a `.tcp` file: the `@tls.*` settings, `expect tls …` / `expect cert …` (parsed here, judged
// against the handshake's facts), and the client options a `connect tls://` or `starttls` uses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CertField, CompareOp, ExpectStep, MessageArgs, Range, ScriptTls, TlsFact } from './ast';
import { CODES, DiagnosticSink } from './diagnostics';
import { RawToken } from './lexer';
import { decodeString } from './literals';
import { Ctx, missing, noMore, span } from './payload';
import { compileRegex, escapeRegex, parseRegex } from './regex';
import { render, staticText } from './variables';
import type { ClientTlsOptions, HandshakeFacts } from '../tls/clientTls';
import type { StepFailure } from './results';
import { FAILURES } from './failures';

export const TLS_KEYS = ['ca', 'insecure', 'cert', 'key', 'servername', 'alpn'] as const;
const FACTS: readonly TlsFact[] = ['protocol', 'cipher', 'alpn'];
const FIELDS: readonly CertField[] = ['subject', 'issuer', 'san', 'days'];
const OPS: readonly CompareOp[] = ['>=', '>', '<=', '<', '=='];

/**
 * Applies `@tls.KEY = value` to `tls`; problems go to `sink` at `at`. A file that does not exist (relative
 * to `file`'s folder) is a warning: it may be created before the run.
 */
export function applyTlsSetting(tls: ScriptTls, key: string, value: string, at: Range, sink: DiagnosticSink, file?: string): ScriptTls {
  const v = value.trim();
  switch (key) {
    case 'insecure': {
      const b = /^(true|yes|on|1)$/i.test(v) ? true : /^(false|no|off|0)$/i.test(v) ? false : undefined;
      if (b === undefined) {
        sink.error(CODES.badTls, `@tls.insecure is true or false, not "${v}".`, at, { form: 'boolean', value: v });
        return tls;
      }
      return { ...tls, insecure: b };
    }
    case 'ca':
    case 'cert':
    case 'key':
      if (file && v && !fs.existsSync(path.resolve(path.dirname(file), v))) {
        sink.warning(CODES.badTls, `No file ${v} (next to the .tcp file) for @tls.${key}.`, at, { form: 'noFile', path: v, key });
      }
      return { ...tls, [key]: v };
    case 'servername':
      return { ...tls, servername: v };
    case 'alpn':
      return { ...tls, alpn: v.split(/[\s,]+/).filter((p) => p) };
    default:
      sink.error(CODES.badTls, `Unknown TLS setting @tls.${key}. Settings: ${TLS_KEYS.join(', ')}.`, at, { form: 'key', key, keys: TLS_KEYS.join(', ') });
      return tls;
  }
}

/** The client options of a TLS connection from the file's settings; paths are relative to `baseDir`. */
export function clientTlsOptions(tls: ScriptTls, baseDir: string, keylog?: (line: Buffer) => void): ClientTlsOptions {
  const file = (p: string | undefined): string | undefined => (p ? path.resolve(baseDir, p) : undefined);
  return {
    insecure: tls.insecure,
    caFile: file(tls.ca),
    certFile: file(tls.cert),
    keyFile: file(tls.key),
    servername: tls.servername,
    alpn: tls.alpn && tls.alpn.length > 0 ? [...tls.alpn] : undefined,
    keylog,
  };
}

type Base = Pick<ExpectStep, 'kind' | 'keywordRange' | 'range'>;

/** `expect tls FACT VALUE` / `expect cert FIELD /re/|"text"` / `expect cert days OP N`. */
export function parseTlsExpect(toks: readonly RawToken[], ctx: Ctx, base: Base): ExpectStep | undefined {
  const what = toks[1];
  const name = toks[2];
  const cert = what.text === 'cert';
  const allowed: readonly string[] = cert ? FIELDS : FACTS;
  if (!name) {
    return missing(ctx, what, cert ? 'certField' : 'tlsFact');
  }
  if (!allowed.includes(name.text)) {
    ctx.diags.error(CODES.badTls, `Expected ${allowed.join(', ')} after expect ${what.text}, not "${name.text}".`, span(name, name), {
      form: 'fact',
      step: `expect ${what.text}`,
      word: name.text,
      list: allowed.join(', '),
    });
    return undefined;
  }
  if (name.text === 'days') {
    const op = toks[3];
    const n = toks[4];
    if (!op || !OPS.includes(op.text as CompareOp) || !n || !/^-?\d{1,6}$/.test(n.text)) {
      ctx.diags.error(CODES.badTls, 'Write expect cert days >= N (or >, <=, <, ==).', span(name, toks[toks.length - 1]), { form: 'days' });
      return undefined;
    }
    noMore(toks, 5, ctx);
    return { ...base, match: 'cert', field: 'days', op: op.text as CompareOp, days: Number(n.text) };
  }
  const t = toks[3];
  if (!t) {
    return missing(ctx, name, 'tlsValue');
  }
  noMore(toks, 4, ctx);
  const value = t.kind === 'regex' ? undefined : t.kind === 'string' ? staticText(decodeString(t, ctx.scope, ctx.diags)) : t.text;
  const pattern = t.kind === 'regex' ? parseRegex(t, ctx.scope, ctx.diags) : undefined;
  if (t.kind === 'regex' && !pattern) {
    return undefined;
  }
  return cert ? { ...base, match: 'cert', field: name.text as CertField, value, pattern } : { ...base, match: 'tls', fact: name.text as TlsFact, value, pattern };
}

/** Judges an `expect tls` / `expect cert` step against the connection's handshake; undefined when it holds. */
export function judgeTls(step: ExpectStep, facts: HandshakeFacts | undefined, captures: ReadonlyMap<string, string>): StepFailure | undefined {
  if (step.match !== 'tls' && step.match !== 'cert') {
    return undefined;
  }
  const what = step.match === 'tls' ? `tls ${step.fact}` : `cert ${step.field}`;
  if (!facts) {
    return { message: `expect ${what}: the connection is not TLS (connect tls://… or starttls first)`, code: FAILURES.tls, args: { form: 'notTls', what } };
  }
  const leaf = facts.chain[0];
  if (step.match === 'cert' && !leaf) {
    return { message: `expect ${what}: the peer sent no certificate`, code: FAILURES.tls, args: { form: 'noCert', what } };
  }
  if (step.match === 'cert' && step.field === 'days' && leaf) {
    const ok = compare(leaf.daysLeft, step.op ?? '>=', step.days ?? 0);
    const actual = `${leaf.daysLeft} (until ${leaf.validTo.slice(0, 10)})`;
    return ok ? undefined : mismatch(what, `${step.op} ${step.days}`, actual);
  }
  const actual =
    step.match === 'tls'
      ? step.fact === 'alpn'
        ? (facts.alpn ?? 'none')
        : facts[step.fact]
      : step.field === 'subject'
        ? leaf?.subject
        : step.field === 'issuer'
          ? leaf?.issuer
          : leaf?.subjectAltNames.join(', ');
  const text = actual ?? '';
  if (step.pattern) {
    const re = compileRegex(render(step.pattern.source, captures, escapeRegex), step.pattern.flags);
    if (typeof re === 'string') {
      return { message: `bad regex: ${re}`, code: FAILURES.badRegex, args: { detail: re } };
    }
    return re.exec(text) ? undefined : mismatch(what, `/${re.source}/`, text);
  }
  const want = step.value ?? '';
  // A certificate's names are long: a text is found within them; a handshake fact is matched whole.
  const ok = step.match === 'cert' ? text.includes(want) : text.toLowerCase() === want.toLowerCase();
  return ok ? undefined : mismatch(what, want, text);
}

function compare(a: number, op: CompareOp, b: number): boolean {
  return op === '>=' ? a >= b : op === '>' ? a > b : op === '<=' ? a <= b : op === '<' ? a < b : a === b;
}

function mismatch(what: string, expected: string, actual: string): StepFailure {
  const args: MessageArgs = { form: 'mismatch', what, expected, actual };
  return { message: `expected ${what} ${expected} got ${actual || 'nothing'}`, code: FAILURES.tls, args };
}
