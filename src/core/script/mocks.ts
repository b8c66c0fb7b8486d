// Starting a file's listen blocks as mock servers, and re-parsing the file so its client blocks see
// the ports really bound ({{listen.port}}, {{listen.N.port}}): what `run` and "Run all" do first.
import { ListenBlock, Script } from './ast';
import { MockServer } from './mockServer';
import { ParseOptions, parseScript } from './parser';
import { ServerOptions } from '../servers/serverBase';

export interface StartedMocks {
  readonly servers: readonly MockServer[];
  /** The vars to re-parse with: listen.host/port and listen.N.host/port of the bound sockets. */
  readonly vars: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts every listen block (or those `only` names); on a failure, stops the ones already started. */
export async function startMocks(script: Script, file: string, only?: (b: ListenBlock) => boolean, limits: ServerOptions = {}): Promise<StartedMocks> {
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
      const server = new MockServer({ ...limits, block, file, encoding: script.settings.encoding, host: block.host, port: block.port });
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

/** Parses again with the mocks' real addresses (user overrides keep their say on everything else). */
export function reparseWithMocks(text: string, options: ParseOptions, mocks: StartedMocks): Script {
  return parseScript(text, { ...options, vars: { ...options.vars, ...mocks.vars } });
}
