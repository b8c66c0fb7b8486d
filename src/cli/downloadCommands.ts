// `download` and `list`: the file protocol's client side.
import * as path from 'node:path';
import { download, list } from '../core/downloads/downloader';
import { parseHostPort } from '../core/hostPort';
import { encodingOf, io, parse, str, usage } from './args';

export async function runDownload(args: string[]): Promise<number> {
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

export async function runList(args: string[]): Promise<number> {
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
