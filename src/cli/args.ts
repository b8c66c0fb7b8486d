// Shared pieces of the CLI commands: argument parsing, output, and running a server until a signal.
import { ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../core/errors';
import { EncodingName, checkEncoding } from '../core/codec';
import { checkHost, formatHostPort, parsePort } from '../core/hostPort';
import { TcpServer } from '../core/servers/serverBase';

export { UsageError };

export type Values = Record<string, string | boolean | string[] | undefined>;
export type Options = NonNullable<ParseArgsConfig['options']>;

export const io = {
  out: (s: string): void => void process.stdout.write(s),
  err: (s: string): void => void process.stderr.write(s),
};

export function usage(message: string): never {
  throw new UsageError(message);
}

export function encodingOf(value: string | undefined): EncodingName {
  return checkEncoding(value ?? 'utf-8');
}

export function parse(args: string[], options: Options, maxPositionals: number): { values: Values; positionals: string[] } {
  let r;
  try {
    r = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    usage((e as Error).message);
  }
  if (r.positionals.length > maxPositionals) {
    usage(`Unexpected argument "${r.positionals[maxPositionals]}".`);
  }
  return r as { values: Values; positionals: string[] };
}

export function str(v: Values[string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function serverHostPort(values: Values): { host: string; port: number } {
  return {
    host: checkHost(str(values.host) ?? '127.0.0.1'),
    port: parsePort(str(values.port) ?? '0', true),
  };
}

/** Resolves with the first SIGINT/SIGTERM; handlers are in place before it returns. */
export function untilSignal(): { signalled: Promise<NodeJS.Signals>; dispose: () => void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signalled,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Runs a server until SIGINT/SIGTERM, then closes every socket and resolves (exit 0). */
export async function runServer(server: TcpServer, onListening?: () => void, onTls?: (server: TcpServer) => void): Promise<void> {
  server.onDidAcceptClient((c) =>
    io.err(`client ${c.id} connected from ${c.remote}${c.tls ? ` (${c.tls.protocol}${c.tls.peerSubject ? `, certificate ${c.tls.peerSubject}` : ''})` : ''}\n`),
  );
  server.onDidRefuseClient((r) => io.err(`refused ${r.remote}: ${r.reason}\n`));
  server.onDidLeaveClient((e) =>
    io.err(`client ${e.client.id} left: ${e.reason}${e.error ? ` (${e.error.message})` : ''}, ${e.client.bytesIn} bytes in, ${e.client.bytesOut} out\n`),
  );
  server.onDidError((e) => io.err(`server error: ${e.message}\n`));
  // Handlers go in before "listening on" is printed: a script may signal as soon as it reads that line.
  const signal = untilSignal();
  try {
    const a = await server.start();
    io.out(`listening on ${formatHostPort(a.host, a.port)}${server.tlsInfo ? ' (TLS)' : ''}\n`);
    onTls?.(server);
    onListening?.();
    const s = await signal.signalled;
    io.err(`${s}: stopping\n`);
    await server.stop();
  } finally {
    signal.dispose();
  }
  server.dispose();
}
