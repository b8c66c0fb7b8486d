// One client step from its tokens: connect, send, expect, wait, close, shutdown, repeat (provoke steps: provoke.ts).
import { Capture, Step } from './ast';
import { CODES, range } from './diagnostics';
import { RawToken } from './lexer';
import { decodeHex, decodeString, parseDuration } from './literals';
import { Ctx, missing, noMore, span } from './payload';
import { parseRegex } from './regex';
import { parseNumberArg } from './numbers';
import { parseExpectMore } from './expectSteps';
import { NAME, staticText, substitute } from './variables';
import { HostPortError, parseHostPort } from '../hostPort';
import { parseGroupHead } from './groups';
import { parseTlsExpect } from './tlsSteps';
import { parseProvokeStep, parseSend } from './provoke';
import { CLIENT_STEPS } from './stepWords';

export const MAX_REPEAT = 1_000_000;
/** `expect bytes N` waits for at most this many (the receive buffer's bound). */
export const MAX_EXPECT_BYTES = 1024 * 1024;

export { CLIENT_STEPS };

/** Parses `connect ADDR` / `listen ADDR`: host:port, [v6]:port or a bare port (127.0.0.1). */
export function parseAddress(toks: readonly RawToken[], ctx: Ctx, allowZero: boolean): { host: string; port: number; tls?: boolean } | undefined {
  const kw = toks[0];
  const t = toks[1];
  if (!t) {
    return missing(ctx, kw, 'address');
  }
  noMore(toks, 2, ctx);
  const before = ctx.diags.list.length;
  const full = staticText(substitute(t.text, ctx.line, t.start, ctx.scope));
  const at = span(t, t);
  // `tls://host:port`: the same address, over TLS.
  const scheme = full === undefined ? undefined : /^(tls|tcp):\/\//i.exec(full);
  const text = scheme ? full?.slice(scheme[0].length) : full;
  const tls = scheme?.[1].toLowerCase() === 'tls' ? { tls: true } : {};
  if (ctx.diags.list.length > before) {
    return undefined; // an undefined variable: the address itself is not checked
  }
  if (text === undefined) {
    ctx.diags.error(CODES.badAddress, 'An address cannot use a captured value.', at, { form: 'captured' });
    return undefined;
  }
  // A mock's port is 0 until the mock is started; the runner re-parses with the bound port then.
  allowZero ||= /\{\{\s*listen\./.test(t.text);
  try {
    const zero = allowZero ? /^(.*):0$/.exec(text) : null;
    if (zero || (allowZero && text === '0')) {
      const host = zero ? parseHostPort(`${zero[1]}:1`).host : '127.0.0.1';
      return { host, port: 0, ...tls };
    }
    return { ...parseHostPort(text, '127.0.0.1'), ...tls };
  } catch (e) {
    // The address error's own code and values, so the editor can word it as it words a typed address.
    ctx.diags.error(
      CODES.badAddress,
      e instanceof HostPortError ? e.message : String(e),
      at,
      e instanceof HostPortError ? { ...e.args, form: 'address', reason: e.code } : { text },
    );
    return undefined;
  }
}

export function parseCaptures(toks: readonly RawToken[], i: number, ctx: Ctx): Capture[] {
  const captures: Capture[] = [];
  if (i >= toks.length) {
    return captures;
  }
  if (toks[i].text !== '->') {
    noMore(toks, i, ctx);
    return captures;
  }
  if (i + 1 >= toks.length) {
    missing(ctx, toks[i], 'captureName');
  }
  for (let j = i + 1; j < toks.length; j++) {
    const t = toks[j];
    if (!NAME.test(t.text)) {
      ctx.diags.error(CODES.badCapture, `"${t.text}" is not a variable name (letters, digits, _ . -).`, span(t, t), { word: t.text });
      continue;
    }
    captures.push({ name: t.text, group: j - i, range: span(t, t) });
    ctx.scope.dynamic.add(t.text);
  }
  return captures;
}

function parseExpect(toks: readonly RawToken[], ctx: Ctx): Step | undefined {
  const kw = toks[0];
  const t = toks[1];
  const base = { kind: 'expect' as const, keywordRange: span(kw, kw), range: span(kw, toks[toks.length - 1]) };
  if (!t) {
    return missing(ctx, kw, 'expectation');
  }
  if (t.kind === 'string') {
    noMore(toks, 2, ctx);
    return { ...base, match: 'text', text: decodeString(t, ctx.scope, ctx.diags) };
  }
  if (t.kind === 'regex') {
    const pattern = parseRegex(t, ctx.scope, ctx.diags);
    const captures = parseCaptures(toks, 2, ctx);
    return pattern && { ...base, match: 'regex', pattern, captures };
  }
  if (t.text === 'hex') {
    if (toks.length < 3) {
      return missing(ctx, t, 'hex');
    }
    return { ...base, match: 'hex', bytes: decodeHex(toks.slice(2), ctx.diags) };
  }
  if (t.text === 'bytes') {
    const n = toks[2] ? parseNumberArg(toks[2], 1, MAX_EXPECT_BYTES, CODES.badCount, ctx) : missing(ctx, t, 'byteCount');
    const captures = parseCaptures(toks, 3, ctx);
    return n === undefined ? undefined : { ...base, match: 'bytes', count: n, captures };
  }
  if (t.text === 'close') {
    noMore(toks, 2, ctx);
    return { ...base, match: 'close' };
  }
  if (t.text === 'file' || t.text === 'nothing' || t.text === 'frame') {
    return parseExpectMore(toks, base, ctx);
  }
  if (t.text === 'tls' || t.text === 'cert') {
    return parseTlsExpect(toks, ctx, base);
  }
  ctx.diags.error(CODES.unknownStep, `Expected "text", hex, /regex/, bytes, close, file, nothing, frame, tls or cert after expect, not "${t.text}".`, span(t, t), {
    form: 'expect',
    word: t.text,
  });
  return undefined;
}

function parseRepeat(toks: readonly RawToken[], ctx: Ctx): Step | undefined {
  const kw = toks[0];
  const base = { keywordRange: span(kw, kw), range: span(kw, toks[toks.length - 1]) };
  const count = toks[1] ? parseNumberArg(toks[1], 1, MAX_REPEAT, CODES.badRepeat, ctx) : missing(ctx, kw, 'repeatCount');
  let everyMs: number | undefined;
  if (toks[2]) {
    if (toks[2].text !== 'every') {
      noMore(toks, 2, ctx);
    } else if (!toks[3]) {
      missing(ctx, toks[2], 'everyDuration');
    } else {
      everyMs = parseDuration(toks[3].text, span(toks[3], toks[3]), ctx.diags);
      noMore(toks, 4, ctx);
    }
  }
  return count === undefined ? undefined : { ...base, kind: 'repeat', count, everyMs, steps: [] };
}

/** Parses one step line (comment already removed). `connect` is parsed here but placed by the parser. */
export function parseClientStep(toks: readonly RawToken[], ctx: Ctx): Step | undefined {
  const kw = toks[0];
  const base = { keywordRange: span(kw, kw), range: span(kw, toks[toks.length - 1]) };
  switch (kw.text) {
    case 'connect': {
      const a = parseAddress(toks, ctx, false);
      return a && { ...base, kind: 'connect', ...a };
    }
    case 'send':
      return parseSend(toks, ctx, base);
    case 'expect':
      return parseExpect(toks, ctx);
    case 'wait': {
      const ms = toks[1] ? parseDuration(toks[1].text, span(toks[1], toks[1]), ctx.diags) : missing(ctx, kw, 'waitDuration');
      noMore(toks, 2, ctx);
      return ms === undefined ? undefined : { ...base, kind: 'wait', ms };
    }
    case 'close':
    case 'shutdown':
    case 'starttls':
      noMore(toks, 1, ctx);
      return { ...base, kind: kw.text };
    case 'nodelay':
    case 'reset':
    case 'pause':
    case 'resume':
      return parseProvokeStep(toks, ctx, base);
    case 'repeat':
      return parseRepeat(toks, ctx);
    case 'retry':
    case 'any':
      return parseGroupHead(toks, ctx);
    default:
      ctx.diags.error(CODES.unknownStep, `Unknown step "${kw.text}". Steps: ${CLIENT_STEPS.join(', ')}.`, range(ctx.line, kw.start, kw.end), {
        form: 'step',
        word: kw.text,
        steps: CLIENT_STEPS.join(', '),
      });
      return undefined;
  }
}
