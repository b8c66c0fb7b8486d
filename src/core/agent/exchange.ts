// The exchange tool: connect, send text or hex, wait for a regex, N bytes, the peer's close or a quiet
// moment (never longer than the timeout), and report what came back with timings.
import { EncodingName, checkEncoding, createDecoder, hexDump } from '../codec';
import { parseHex } from '../bytesInput';
import { WorkbenchError } from '../errors';
import { formatHostPort } from '../hostPort';
import { compileRegex, searchBounded } from '../script/regex';
import { ClientSession } from '../sessions/clientSession';
import { AgentHost } from './host';
import { DEFAULT_QUIET_MS, DEFAULT_TIMEOUT_MS, MAX_RECEIVE_BYTES, SHOWN_RECEIVE_BYTES } from './limits';

export interface ExchangeInput {
  host?: string;
  port: number;
  send?: string;
  sendHex?: string;
  encoding?: string;
  untilRegex?: string;
  untilBytes?: number;
  untilClose?: boolean;
  quietMs?: number;
  timeoutMs?: number;
}

export type EndedBy = 'regex' | 'bytes' | 'close' | 'quiet' | 'timeout';

export interface ExchangeResult {
  address: string;
  session: string;
  sentBytes: number;
  endedBy: EndedBy;
  /** True when the condition asked for (regex, bytes or close) was met; false on a timeout. */
  ok: boolean;
  match?: string;
  closedByPeer: boolean;
  received: { bytes: number; text: string; hex: string; truncated: boolean; dropped: number };
  timings: { connectMs: number; firstByteMs?: number; totalMs: number };
}

export async function exchange(host: AgentHost, input: ExchangeInput): Promise<ExchangeResult> {
  const encoding: EncodingName = checkEncoding(input.encoding ?? 'utf-8');
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const payload = input.sendHex !== undefined ? parseHex(input.sendHex) : input.send;
  if (input.send !== undefined && input.sendHex !== undefined) {
    throw new WorkbenchError('agent.sendTwice', 'Give "send" (text) or "sendHex" (bytes), not both.');
  }
  const re = input.untilRegex === undefined ? undefined : compileRegex(input.untilRegex, '');
  if (typeof re === 'string') {
    throw new WorkbenchError('agent.badRegex', `"untilRegex" cannot be used: ${re}`);
  }
  const t0 = performance.now();
  const address = formatHostPort(input.host ?? '127.0.0.1', input.port);
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  let firstByteMs: number | undefined;
  const decoder = createDecoder(encoding === 'hex' ? 'latin1' : encoding);
  let text = '';
  let closed = false;
  let match: string | undefined;
  let quiet: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let finish: (why: EndedBy) => void = () => undefined;
  const ended = new Promise<EndedBy>((resolve) => (finish = resolve));
  let settled = false;
  const done = (why: EndedBy) => {
    settled = true;
    clearTimeout(deadline);
    clearTimeout(quiet);
    finish(why);
  };
  const noCondition = re === undefined && input.untilBytes === undefined && input.untilClose !== true;
  const onData = (bytes: Buffer) => {
    firstByteMs ??= performance.now() - t0;
    total += bytes.length;
    const room = MAX_RECEIVE_BYTES - keptBytes;
    if (room > 0) {
      const part = bytes.subarray(0, room);
      kept.push(Buffer.from(part));
      keptBytes += part.length;
      text += decoder.write(part);
    }
    if (re) {
      const m = searchBounded(re, text);
      if (m) {
        match = m[0];
        done('regex');
        return;
      }
    }
    if (input.untilBytes !== undefined && total >= input.untilBytes) {
      done('bytes');
      return;
    }
    if (noCondition) {
      clearTimeout(quiet);
      quiet = setTimeout(() => done('quiet'), input.quietMs ?? DEFAULT_QUIET_MS);
    }
  };
  // Listening from before the connect: a greeting sent on accept arrives before connect() resolves.
  const wire = (s: ClientSession) => {
    s.onData((d) => onData(d.bytes));
    s.onDidClose(() => {
      closed = true;
      done('close');
    });
  };
  const session = await withTimeout(
    host.connect(input.host ?? '127.0.0.1', input.port, encoding, wire),
    timeoutMs,
    `Connecting to ${address} took longer than ${timeoutMs} ms.`,
  );
  const connectMs = performance.now() - t0;
  try {
    if (!settled) {
      deadline = setTimeout(() => done('timeout'), Math.max(0, timeoutMs - connectMs));
    }
    if (payload !== undefined && payload.length > 0) {
      session.send(payload).catch(() => done('close'));
    }
    const endedBy = await ended;
    const all = Buffer.concat(kept);
    const shown = all.subarray(0, SHOWN_RECEIVE_BYTES);
    const shownText = createDecoder(encoding === 'hex' ? 'latin1' : encoding).write(shown);
    const ok = endedBy === 'timeout' ? false : endedBy === 'close' ? re === undefined && input.untilBytes === undefined : true;
    return {
      address: session.remote,
      session: `session:${session.id}`,
      sentBytes: session.bytesOut,
      endedBy,
      ok,
      ...(match !== undefined ? { match: match.slice(0, 1024) } : {}),
      closedByPeer: closed,
      received: { bytes: total, text: shownText, hex: hexDump(shown), truncated: shown.length < total, dropped: total - keptBytes },
      timings: { connectMs: round(connectMs), ...(firstByteMs !== undefined ? { firstByteMs: round(firstByteMs) } : {}), totalMs: round(performance.now() - t0) },
    };
  } finally {
    await host.closeSession(session);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** `p`, or a WorkbenchError after `ms` (a late session is closed when it arrives). */
async function withTimeout<T extends { close(): Promise<void> }>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.then((late) => late.close()).catch(() => undefined);
      reject(new WorkbenchError('agent.timeout', message));
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
