// `send`: connect, send a text, print what comes back until the peer closes or goes quiet.
import { ClientSession } from '../core/clientSession';
import { checkLineEnding } from '../core/codec';
import { formatHostPort, parseHostPort } from '../core/hostPort';
import { encodingOf, io, parse, str, usage } from './args';

/** `send` prints what comes back until the peer closes, is quiet this long, or the bound below is hit. */
const SEND_QUIET_MS = 1000;
const SEND_MAX_MS = 30000;

export async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { encoding: { type: 'string' }, 'line-ending': { type: 'string' } }, 2);
  if (positionals.length < 2) {
    usage('send needs HOST:PORT and TEXT.');
  }
  const { host, port } = parseHostPort(positionals[0]);
  const encoding = encodingOf(str(values.encoding));
  const lineEnding = checkLineEnding(str(values['line-ending']) ?? 'none');
  const session = new ClientSession({ host, port, encoding });
  try {
    await session.connect();
    let received = false;
    const done = new Promise<string>((resolve) => {
      let quiet: NodeJS.Timeout | undefined;
      const finish = (why: string) => {
        clearTimeout(quiet);
        clearTimeout(bound);
        resolve(why);
      };
      const rearm = () => {
        clearTimeout(quiet);
        quiet = setTimeout(() => finish('quiet'), SEND_QUIET_MS);
      };
      const bound = setTimeout(() => finish('time limit'), SEND_MAX_MS);
      session.onData((d) => {
        received = true;
        // hex: one dump line per chunk; text as it decodes.
        io.out(encoding === 'hex' ? (d.text ? `${d.text}\n` : '') : d.text);
        rearm();
      });
      session.onDidClose((c) => finish(c.reason === 'error' ? `error: ${c.error?.message ?? ''}` : 'closed'));
      rearm();
    });
    await session.send(positionals[1], lineEnding);
    io.err(`sent ${session.bytesOut} bytes to ${formatHostPort(host, port)}\n`);
    const why = await done;
    io.err(`${received ? `received ${session.bytesIn} bytes` : 'nothing came back'}; ${why}\n`);
    return why.startsWith('error') ? 1 : 0;
  } finally {
    await session.close();
    session.dispose();
  }
}
