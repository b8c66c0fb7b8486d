// The headless CLI: the same core as the extension, no VS Code. Servers print `listening on HOST:PORT`
// as their first stdout line (scripts read the port from it when --port 0) and log to stderr.
// Exit codes: 0 ok, 2 usage, 3 not found, 1 any other failure — each with a one-line message on stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ParseArgsConfig, parseArgs } from 'node:util';
import { EchoMode, EchoServer } from './core/echoServer';
import { FileServer } from './core/fileServer';
import { TcpServer } from './core/serverBase';
import { ClientSession } from './core/clientSession';
import { NotFoundError, TargetExistsError, download, list } from './core/downloader';
import { EncodingError, EncodingName, checkEncoding, checkLineEnding } from './core/codec';
import { HostPortError, checkHost, formatHostPort, parseHostPort, parsePort } from './core/hostPort';

const USAGE = `Usage:
  tcp-workbench serve echo [--host H] [--port P] [--mode echo|reply|manual] [--reply TEXT] [--encoding E]
  tcp-workbench serve file --root DIR [--host H] [--port P] [--encoding E] [--no-listing]
  tcp-workbench download HOST:PORT NAME [--out DIR] [--encoding E] [--overwrite]
  tcp-workbench list HOST:PORT [FOLDER]
  tcp-workbench send HOST:PORT TEXT [--encoding E] [--line-ending none|lf|crlf]
  tcp-workbench --help

Servers bind 127.0.0.1 and port 0 (any free port) unless told otherwise, print "listening on HOST:PORT"
first, and stop on Ctrl+C. In manual mode every line typed on stdin is sent to all clients.
Encodings: utf-8 (default), gbk, gb18030, latin1, hex.
Exit codes: 0 ok, 2 usage error, 3 not found on the server, 1 any other failure.`;

/** `send` prints what comes back until the peer closes, is quiet this long, or the bound below is hit. */
const SEND_QUIET_MS = 1000;
const SEND_MAX_MS = 30000;

class UsageError extends Error {}

type Out = { out: (s: string) => void; err: (s: string) => void };

const io: Out = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

function usage(message: string): never {
  throw new UsageError(message);
}

function encodingOf(value: string | undefined): EncodingName {
  return checkEncoding(value ?? 'utf-8');
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, maxPositionals: number) {
  let r;
  try {
    r = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    usage((e as Error).message);
  }
  if (r.positionals.length > maxPositionals) {
    usage(`Unexpected argument "${r.positionals[maxPositionals]}".`);
  }
  return r as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Runs a server until SIGINT/SIGTERM, then closes every socket and resolves (exit 0). */
async function runServer(server: TcpServer, onListening?: () => void): Promise<void> {
  server.onDidAcceptClient((c) => io.err(`client ${c.id} connected from ${c.remote}\n`));
  server.onDidRefuseClient((r) => io.err(`refused ${r.remote}: ${r.reason}\n`));
  server.onDidLeaveClient((e) =>
    io.err(`client ${e.client.id} left: ${e.reason}${e.error ? ` (${e.error.message})` : ''}, ${e.client.bytesIn} bytes in, ${e.client.bytesOut} out\n`),
  );
  server.onDidError((e) => io.err(`server error: ${e.message}\n`));
  // Handlers go in before "listening on" is printed: a script may signal as soon as it reads that line.
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const a = await server.start();
    io.out(`listening on ${formatHostPort(a.host, a.port)}\n`);
    onListening?.();
    const signal = await signalled;
    io.err(`${signal}: stopping\n`);
    await server.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  server.dispose();
}

function serverHostPort(values: Record<string, string | boolean | undefined>): { host: string; port: number } {
  return {
    host: checkHost(str(values.host) ?? '127.0.0.1'),
    port: parsePort(str(values.port) ?? '0', true),
  };
}

async function serveEcho(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { host: { type: 'string' }, port: { type: 'string' }, mode: { type: 'string' }, reply: { type: 'string' }, encoding: { type: 'string' } },
    0,
  );
  const { host, port } = serverHostPort(values);
  const mode = (str(values.mode) ?? (values.reply !== undefined ? 'reply' : 'echo')) as EchoMode;
  if (mode !== 'echo' && mode !== 'reply' && mode !== 'manual') {
    usage(`Unknown mode "${mode}". Use echo, reply or manual.`);
  }
  if (mode === 'reply' && values.reply === undefined) {
    usage('--mode reply needs --reply TEXT.');
  }
  const encoding = encodingOf(str(values.encoding));
  let server: EchoServer;
  try {
    server = new EchoServer({ host, port, mode, replyText: str(values.reply), encoding });
  } catch (e) {
    usage((e as Error).message);
  }
  let rl: readline.Interface | undefined;
  await runServer(server, () => {
    if (mode !== 'manual') {
      return;
    }
    io.err('manual mode: each line typed here is sent to every client\n');
    rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
      try {
        // A typed line goes out as a line; in hex the line is the bytes themselves.
        const n = server.broadcastText(line, encoding === 'hex' ? 'none' : 'lf');
        io.err(`sent to ${n} client${n === 1 ? '' : 's'}\n`);
      } catch (e) {
        io.err(`not sent: ${(e as Error).message}\n`);
      }
    });
  });
  rl?.close();
  return 0;
}

async function serveFile(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { root: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, encoding: { type: 'string' }, 'no-listing': { type: 'boolean' } },
    0,
  );
  const rootArg = str(values.root);
  if (!rootArg) {
    usage('serve file needs --root DIR.');
  }
  const { host, port } = serverHostPort(values);
  const encoding = encodingOf(str(values.encoding));
  const root = path.resolve(rootArg);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new Error(`The root folder ${root} does not exist.`);
  }
  if (!stat.isDirectory()) {
    throw new Error(`The root ${root} is not a folder.`);
  }
  const server = new FileServer({ host, port, root, encoding, listing: values['no-listing'] !== true });
  server.onDidRequest((r) =>
    io.err(
      `client ${r.client.id} asked for ${JSON.stringify(r.name)}: ${r.outcome}` +
        (r.size !== undefined ? ` (${r.size} bytes)` : '') +
        (r.reason ? ` (${r.reason})` : '') +
        '\n',
    ),
  );
  io.err(`serving ${root}\n`);
  await runServer(server);
  return 0;
}

async function runDownload(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' }, encoding: { type: 'string' }, overwrite: { type: 'boolean' } }, 2);
  if (positionals.length < 2) {
    usage('download needs HOST:PORT and NAME.');
  }
  const { host, port } = parseHostPort(positionals[0]);
  const name = positionals[1];
  const encoding = encodingOf(str(values.encoding));
  const destDir = path.resolve(str(values.out) ?? '.');
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    const r = await download({ host, port, name, destDir, encoding, existing: values.overwrite === true ? 'overwrite' : 'fail', signal: controller.signal });
    const secs = Math.max(r.durationMs, 1) / 1000;
    io.out(`${r.path}\n`);
    io.err(`${r.bytes} bytes in ${r.durationMs} ms (${(r.bytes / secs / 1048576).toFixed(1)} MiB/s), sha256 ${r.sha256}\n`);
    return 0;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}

async function runList(args: string[]): Promise<number> {
  const { positionals } = parse(args, {}, 2);
  if (positionals.length < 1) {
    usage('list needs HOST:PORT.');
  }
  const { host, port } = parseHostPort(positionals[0]);
  const entries = await list(host, port, positionals[1]);
  for (const e of entries) {
    io.out(`${e}\n`);
  }
  if (entries.length === 0) {
    io.err('no entries (an empty folder, or a server without listings)\n');
  }
  return 0;
}

async function runSend(args: string[]): Promise<number> {
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

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'serve': {
        const [what, ...args] = rest;
        if (what === 'echo') {
          return await serveEcho(args);
        }
        if (what === 'file') {
          return await serveFile(args);
        }
        return usage(what ? `Unknown server "${what}". Use serve echo or serve file.` : 'serve needs echo or file.');
      }
      case 'download':
        return await runDownload(rest);
      case 'list':
        return await runList(rest);
      case 'send':
        return await runSend(rest);
      case undefined:
        return usage('No command given.');
      default:
        return usage(`Unknown command "${command}".`);
    }
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError || err instanceof HostPortError || err instanceof EncodingError) {
      io.err(`tcp-workbench: ${err.message} (see --help)\n`);
      return 2;
    }
    if (err instanceof NotFoundError) {
      io.err(`tcp-workbench: ${err.message}\n`);
      return 3;
    }
    if (err instanceof TargetExistsError) {
      io.err(`tcp-workbench: ${err.message} (use --overwrite to replace it)\n`);
      return 1;
    }
    io.err(`tcp-workbench: ${String(err?.message ?? err).split('\n')[0]}\n`);
    return 1;
  }
}

if (require.main === module) {
  let finished = false;
  // Node exits with 0 when nothing is left to wait for; a command that never settled must not look successful.
  process.on('exit', (code) => {
    if (!finished && code === 0) {
      process.stderr.write('tcp-workbench: the operation stopped without finishing (internal error).\n');
      process.exitCode = 1;
    }
  });
  main(process.argv.slice(2)).then(
    (code) => {
      finished = true;
      // Exit explicitly: a server's stdin reader or a lingering timer must not keep the process alive.
      process.exitCode = code;
      process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`tcp-workbench: ${String(e)}\n`);
      process.exit(1);
    },
  );
}
