// `send`: connect, send a text, hex bytes or a file (once or repeated), print or record what comes back
// until the peer closes or goes quiet. Every argument is checked before connecting: bad input sends nothing.
import * as fs from 'node:fs';
import { InputError, inputBytes } from '../core/bytesInput';
import { ClientSession } from '../core/sessions/clientSession';
import { EncodingName, LineEnding, checkLineEnding } from '../core/codec';
import { sessionLink } from '../core/sessions/connectionLink';
import { SendFileError, openForSending } from '../core/fileSender';
import { formatHostPort } from '../core/hostPort';
import { Recorder } from '../core/sessions/recorder';
import { RepeatError, RepeatOptions, Repeater, checkRepeatOptions } from '../core/sessions/repeater';
import { Values, encodingOf, io, parse, str, usage } from './args';
import type { ClientTlsOptions } from '../core/tls/clientTls';
import { CLIENT_TLS_FLAGS, clientTlsOf, describeHandshake, parseTarget } from './tlsFlags';
import { ProvokePlan, TIMELINE_OPTIONS, finishTimeline, provokePlanOf, sendProvoked, watchSession } from './sendTimeline';

/** `send` prints what comes back until the peer closes, is quiet this long, or the bound below is hit. */
const SEND_QUIET_MS = 1000;
const SEND_MAX_MS = 30000;
const DEFAULT_EVERY_MS = 1000;

const OPTIONS = {
  encoding: { type: 'string' },
  'line-ending': { type: 'string' },
  hex: { type: 'string' },
  escapes: { type: 'boolean' },
  file: { type: 'string' },
  repeat: { type: 'string' },
  every: { type: 'string' },
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
  ...CLIENT_TLS_FLAGS,
  ...TIMELINE_OPTIONS,
} as const;

/** What to send, checked and encoded before any connection is made. */
type Payload = { bytes: Buffer; repeat?: RepeatOptions } | { file: string };

interface SendPlan {
  host: string;
  port: number;
  encoding: EncodingName;
  payload: Payload;
  out?: string;
  overwrite: boolean;
  tls?: ClientTlsOptions;
  provoke: ProvokePlan;
}

export async function runSend(args: string[]): Promise<number> {
  const plan = await planSend(args);
  const { host, port, encoding, tls } = plan;
  const session = new ClientSession({ host, port, encoding, tls });
  let recorder: Recorder | undefined;
  let watched: ReturnType<typeof watchSession>;
  try {
    const connectStarted = Date.now();
    await session.connect();
    if (session.tlsFacts) {
      io.err(`${describeHandshake(session.tlsFacts)}\n`);
    }
    watched = watchSession(session, Date.now() - connectStarted);
    recorder = plan.out ? Recorder.start(sessionLink(session), plan.out, { overwrite: plan.overwrite }) : undefined;
    if (!recorder) {
      // hex: one dump line per chunk; text as it decodes.
      session.onData((d) => io.out(encoding === 'hex' ? (d.text ? `${d.text}\n` : '') : d.text));
    }
    const closed = new Promise<string>((resolve) => session.onDidClose((c) => resolve(c.reason === 'error' ? `error: ${c.error?.message ?? ''}` : 'closed')));
    const probe = watched?.probe;
    const sendProblem = await sendPayload(session, plan.payload, probe && ((b) => sendProvoked(probe, b, plan.provoke)));
    if (plan.provoke.halfClose) {
      watched?.probe.halfClose();
    }
    io.err(`sent ${session.bytesOut} bytes to ${formatHostPort(host, port)}${sendProblem ? ` (${sendProblem})` : ''}\n`);
    const why = await Promise.race([closed, quietOrBound(session)]);
    recorder?.stop();
    if (plan.provoke.reset) {
      watched?.probe.reset();
    }
    const into = recorder ? ` into ${recorder.file}` : '';
    io.err(`${session.bytesIn > 0 ? `received ${session.bytesIn} bytes${into}` : `nothing came back${into}`}; ${why}\n`);
    if (watched && plan.provoke.wanted) {
      await session.close();
      finishTimeline(watched.timeline, plan.provoke, io.err);
    }
    return sendProblem || why.startsWith('error') ? 1 : 0;
  } finally {
    watched?.probe.dispose();
    recorder?.dispose();
    await session.close();
    session.dispose();
  }
}

/** Parses and checks every argument; throws UsageError (exit 2) on anything wrong. */
async function planSend(args: string[]): Promise<SendPlan> {
  const { values, positionals } = parse(args, OPTIONS, 2);
  if (positionals.length < 1) {
    usage('send needs HOST:PORT and TEXT (or --hex HEX, or --file PATH).');
  }
  const { host, port, tls: isTls } = parseTarget(positionals[0]);
  const tls = clientTlsOf(values, isTls);
  const encoding = encodingOf(str(values.encoding));
  const lineEnding = checkLineEnding(str(values['line-ending']) ?? 'none');
  const payload = await payloadOf(values, positionals[1], encoding, lineEnding);
  const out = str(values.out);
  const overwrite = values.overwrite === true;
  if (out !== undefined && !overwrite && fs.existsSync(out)) {
    usage(`--out ${out} already exists: not overwritten (add --overwrite to replace it).`);
  }
  if (overwrite && out === undefined && values.timeline === undefined) {
    usage('--overwrite goes with --out FILE or --timeline FILE.');
  }
  const provoke = provokePlanOf(values, !('file' in payload), overwrite);
  return { host, port, encoding, payload, out, overwrite, tls, provoke };
}

async function payloadOf(values: Values, text: string | undefined, encoding: EncodingName, lineEnding: LineEnding): Promise<Payload> {
  const hex = str(values.hex);
  const file = str(values.file);
  const given = [text !== undefined, hex !== undefined, file !== undefined].filter(Boolean).length;
  if (given !== 1) {
    usage(given === 0 ? 'send needs HOST:PORT and TEXT (or --hex HEX, or --file PATH).' : 'Give only one of TEXT, --hex HEX and --file PATH.');
  }
  if (values.escapes && (text === undefined || encoding === 'hex')) {
    usage('--escapes applies to TEXT (not to hex).');
  }
  if (file !== undefined) {
    if (values.repeat !== undefined || values.every !== undefined || values['line-ending'] !== undefined) {
      usage('--repeat, --every and --line-ending apply to TEXT or --hex, not to --file.');
    }
    try {
      await (await openForSending(file)).handle.close();
    } catch (e) {
      usage((e as SendFileError).message);
    }
    return { file };
  }
  let bytes: Buffer;
  try {
    bytes = inputBytes(hex ?? (text as string), { encoding: hex !== undefined ? 'hex' : encoding, escapes: values.escapes === true, lineEnding });
  } catch (e) {
    if (e instanceof InputError) {
      usage(e.message);
    }
    throw e;
  }
  return { bytes, repeat: repeatOf(values) };
}

function repeatOf(values: Values): RepeatOptions | undefined {
  const repeat = str(values.repeat);
  const every = str(values.every);
  if (repeat === undefined) {
    if (every !== undefined) {
      usage('--every MS goes with --repeat N.');
    }
    return undefined;
  }
  const whole = (flag: string, v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : usage(`${flag} needs a whole number, not "${v}".`));
  const options = { count: whole('--repeat', repeat), everyMs: every === undefined ? DEFAULT_EVERY_MS : whole('--every', every) };
  try {
    checkRepeatOptions(options);
  } catch (e) {
    if (e instanceof RepeatError) {
      usage(e.message);
    }
    throw e;
  }
  return options;
}

/** Sends; resolves with a short problem description when the sending stopped early, else undefined. */
async function sendPayload(session: ClientSession, payload: Payload, provoked?: (bytes: Buffer) => Promise<boolean>): Promise<string | undefined> {
  if ('file' in payload) {
    try {
      await session.sendFile(payload.file);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (!payload.repeat) {
    if (!(await provoked?.(payload.bytes))) {
      await session.send(payload.bytes);
    }
    return undefined;
  }
  const repeater = new Repeater(sessionLink(session), payload.bytes, payload.repeat);
  try {
    const stop = await repeater.done;
    return stop.reason === 'done' ? undefined : `sent ${stop.sent} of ${payload.repeat.count} times: ${stop.error?.message ?? stop.reason}`;
  } finally {
    repeater.dispose();
  }
}

/** Resolves 'quiet' once nothing arrived for SEND_QUIET_MS, or 'time limit' after SEND_MAX_MS. */
function quietOrBound(session: ClientSession): Promise<string> {
  return new Promise<string>((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const finish = (why: string) => {
      clearTimeout(quiet);
      clearTimeout(bound);
      sub.dispose();
      closeSub.dispose();
      resolve(why);
    };
    const rearm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish('quiet'), SEND_QUIET_MS);
    };
    const bound = setTimeout(() => finish('time limit'), SEND_MAX_MS);
    const sub = session.onData(rearm);
    const closeSub = session.onDidClose(() => finish('closed'));
    rearm();
  });
}
