// Starting a file's listen blocks as mock servers, and re-parsing the file so its client blocks see
// the ports really bound ({{listen.port}}, {{listen.N.port}}): what `run` and "Run all" do first.
import { ListenBlock, Script } from './ast';
import { MockServer } from './mockServer';
import { ParseOptions, parseScript } from './parser';
import * as path from 'node:path';
import { ServerOptions } from '../servers/serverBase';
import type { ServerTlsOptions } from '../tls/serverTls';

export interface StartedMocks {
  readonly servers: readonly MockServer[];
  /** The vars to re-parse with: listen.host/port and listen.N.host/port of the bound sockets. */
  readonly vars: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts every listen block (or those `only` names); on a failure, stops the ones already started. */
export async function startMocks(
  script: Script,
  file: string,
  only?: (b: ListenBlock) => boolean,
  limits: ServerOptions & { readonly certFolder?: string } = {},
): Promise<StartedMocks> {
  const servers: MockServer[] = [];
  const vars: Record<string, string> = {};
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop().then(() => s.dispose())));
  };
  let n = 0;
  try {
    for (const block of script.blocks) {
      if (block.kind !== 'listen') {
        continue;
      }
      n++;
      if (only && !only(block)) {
        continue;
      }
      const { certFolder, ...rest } = limits;
      const tls = block.tls ? listenTls(script, file, certFolder ?? limits.tls?.certFolder) : limits.tls;
      const server = new MockServer({ ...rest, tls, block, file, encoding: script.settings.encoding, host: block.host, port: block.port });
      servers.push(server);
      const a = await server.start();
      vars['listen.host'] = vars[`listen.${n}.host`] = a.host;
      vars['listen.port'] = vars[`listen.${n}.port`] = String(a.port);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { servers, vars, stop };
}

/** `listen tls://`: the file's @tls.cert/@tls.key (relative to it), else the generated certificate kept in `certFolder`. */
export function listenTls(script: Script, file: string, certFolder: string | undefined): ServerTlsOptions {
  const t = script.settings.tls;
  const dir = path.dirname(path.resolve(file));
  return t.cert || t.key
    ? { certFile: t.cert ? path.resolve(dir, t.cert) : undefined, keyFile: t.key ? path.resolve(dir, t.key) : undefined, alpn: t.alpn ? [...t.alpn] : undefined }
    : { certFolder, alpn: t.alpn ? [...t.alpn] : undefined };
}

/** Parses again with the mocks' real addresses (user overrides keep their say on everything else). */
export function reparseWithMocks(text: string, options: ParseOptions, mocks: StartedMocks): Script {
  return parseScript(text, { ...options, vars: { ...options.vars, ...mocks.vars } });
}
