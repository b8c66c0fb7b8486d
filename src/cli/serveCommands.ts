// `serve echo` and `serve file`: a server in the foreground until Ctrl+C.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseHex } from '../core/bytesInput';
import { EchoMode, EchoServer } from '../core/servers/echoServer';
import { DEFAULT_DENY, DenyGlobError, checkDenyList } from '../core/fileServer/denyList';
import { FileServer } from '../core/fileServer/fileServer';
import { Values, encodingOf, io, parse, runServer, serverHostPort, str, usage } from './args';
import { SERVER_TLS_FLAGS, reportServerTls, serverTlsOf } from './tlsFlags';

export async function serveEcho(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      mode: { type: 'string' },
      reply: { type: 'string' },
      encoding: { type: 'string' },
      hex: { type: 'boolean' },
      ...SERVER_TLS_FLAGS,
    },
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
  if (values.hex && mode !== 'manual') {
    usage('--hex (typed lines are hex bytes) goes with --mode manual.');
  }
  const encoding = encodingOf(str(values.encoding));
  let server: EchoServer;
  try {
    server = new EchoServer({ host, port, mode, replyText: str(values.reply), encoding, tls: serverTlsOf(values) });
  } catch (e) {
    usage((e as Error).message);
  }
  let rl: readline.Interface | undefined;
  await runServer(
    server,
    () => {
      if (mode !== 'manual') {
        return;
      }
      io.err('manual mode: each line typed here is sent to every client\n');
      rl = readline.createInterface({ input: process.stdin, terminal: false });
      rl.on('line', (line) => {
        try {
          // A typed line goes out as a line; in hex the line is the bytes themselves.
          const n = values.hex ? server.sendToAll(parseHex(line)) : server.broadcastText(line, encoding === 'hex' ? 'none' : 'lf');
          io.err(`sent to ${n} client${n === 1 ? '' : 's'}\n`);
        } catch (e) {
          io.err(`not sent: ${(e as Error).message}\n`);
        }
      });
    },
    reportServerTls,
  );
  rl?.close();
  return 0;
}

export async function serveFile(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      root: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      encoding: { type: 'string' },
      'no-listing': { type: 'boolean' },
      deny: { type: 'string', multiple: true },
      'no-default-deny': { type: 'boolean' },
      ...SERVER_TLS_FLAGS,
    },
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
  const deny = denyOf(values);
  const server = new FileServer({ host, port, root, encoding, listing: values['no-listing'] !== true, deny: deny.list, tls: serverTlsOf(values) });
  server.onDidRequest((r) =>
    io.err(
      `client ${r.client.id} asked for ${JSON.stringify(r.name)}: ${r.outcome}` +
        (r.size !== undefined ? ` (${r.size} bytes)` : '') +
        (r.reason ? ` (${r.reason})` : '') +
        '\n',
    ),
  );
  io.err(`serving ${root}\n`);
  io.err(`deny list: ${deny.text}\n`);
  await runServer(server, undefined, reportServerTls);
  return 0;
}

/** --deny adds to the default list; --no-default-deny drops the default, so only the --deny globs stay. */
function denyOf(values: Values): { list: string[]; text: string } {
  const extra = Array.isArray(values.deny) ? values.deny : [];
  const base = values['no-default-deny'] === true ? [] : DEFAULT_DENY;
  let list: string[];
  try {
    list = checkDenyList([...base, ...extra]);
  } catch (e) {
    usage(e instanceof DenyGlobError ? `--deny: ${e.message}` : String(e));
  }
  const parts = [...(base.length > 0 ? [`the default (${base.length} patterns)`] : []), ...extra.map((g) => JSON.stringify(g))];
  return { list, text: parts.length > 0 ? parts.join(' + ') : 'none: every file in the root is served' };
}
