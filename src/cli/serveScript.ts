// `serve script FILE.tcp [--block TITLE]`: runs a file's listen blocks as mock servers until Ctrl+C;
// `listening on HOST:PORT` per listener on stdout first, client events and rule hits on stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, parseScript } from '../core/script';
import { startMocks } from '../core/script/mocks';
import { describeHit } from '../core/script/mockServer';
import { formatHostPort } from '../core/hostPort';
import { io, parse, str, untilSignal, usage } from './args';
import { SERVER_TLS_FLAGS, reportServerTls, serverTlsOf } from './tlsFlags';

export async function serveScript(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { block: { type: 'string' }, ...SERVER_TLS_FLAGS }, 1);
  const tls = serverTlsOf(values);
  const file = positionals[0];
  if (!file) {
    usage('serve script needs FILE.tcp.');
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    usage(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
  }
  const script = parseScript(text, { file: path.resolve(file) });
  const errors = script.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    errors.forEach((d) => io.err(`${formatDiagnostic(file, d)}\n`));
    return 2;
  }
  const title = str(values.block);
  const listen = script.blocks.filter((b) => b.kind === 'listen' && (title === undefined || b.title === title));
  if (listen.length === 0) {
    usage(title === undefined ? `${file} has no listen block.` : `${file} has no listen block titled "${title}".`);
  }
  const signal = untilSignal();
  try {
    const mocks = await startMocks(script, file, (b) => title === undefined || b.title === title, { tls });
    for (const m of mocks.servers) {
      const name = `"${m.block.title}"`;
      m.onDidAcceptClient((c) => io.err(`${name}: client ${c.id} connected from ${c.remote}\n`));
      m.onDidLeaveClient((e) => io.err(`${name}: client ${e.client.id} left: ${e.reason}, ${e.client.bytesIn} bytes in, ${e.client.bytesOut} out\n`));
      m.onDidHitRule((e) => io.err(`${name}: client ${e.client.id}: ${describeHit(e)}\n`));
      m.onDidError((e) => io.err(`${name}: ${e.message}\n`));
      const a = m.address;
      io.out(`listening on ${a ? formatHostPort(a.host, a.port) : '?'}${m.tlsInfo ? ' (TLS)' : ''}\n`);
      reportServerTls(m, `${name}: `);
    }
    const s = await signal.signalled;
    io.err(`${s}: stopping\n`);
    await mocks.stop();
  } finally {
    signal.dispose();
  }
  return 0;
}
