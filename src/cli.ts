// The headless CLI: the same core as the extension, no VS Code. Servers print `listening on HOST:PORT`
// as their first stdout line (scripts read the port from it when --port 0) and log to stderr.
// Exit codes: 0 ok, 2 usage, 3 not found, 1 any other failure — each with a one-line message on stderr.
import { NotFoundError, TargetExistsError } from './core/downloads/downloader';
import { EncodingError } from './core/codec';
import { HostPortError } from './core/hostPort';
import { UsageError, io, usage } from './cli/args';
import { serveEcho, serveFile } from './cli/serveCommands';
import { serveRelay } from './cli/serveRelay';
import { runDownload, runList } from './cli/downloadCommands';
import { runSend } from './cli/sendCommand';
import { runScripts } from './cli/runCommand';
import { serveScript } from './cli/serveScript';
import { TlsError } from './core/tls/tlsErrors';

const USAGE = `Usage:
  tcp-workbench serve echo [--host H] [--port P] [--mode echo|reply|manual] [--reply TEXT] [--encoding E] [--hex]
  tcp-workbench serve file --root DIR [--host H] [--port P] [--encoding E] [--no-listing]
                           [--deny GLOB]... [--no-default-deny]
  tcp-workbench serve script FILE.tcp [--block TITLE]
    (every serve: [--tls [--cert F --key F] [--client-ca F]])
  tcp-workbench serve relay --to HOST:PORT [--host H] [--port P] [--pcap FILE] [--pcap-max-mib N]
                            [--script FILE] [--overwrite] [--delay MS] [--rate BYTES_PER_S] [--keylog F]
                            [--wire-pcapng FILE]
                            (--to tls://HOST:PORT [--insecure] [--ca F] [--servername N] [--alpn LIST]
                             [--upstream-cert F --upstream-key F])
  tcp-workbench download HOST:PORT NAME [--out DIR] [--encoding E] [--overwrite]
  tcp-workbench list HOST:PORT [FOLDER]
  tcp-workbench send HOST:PORT TEXT | --hex HEX | --file PATH [--escapes] [--repeat N [--every MS]]
                [--out FILE [--overwrite]] [--encoding E] [--line-ending none|lf|crlf]
                [--pieces N [--gap MS] | --together N] [--nagle] [--half-close | --reset]
                [--timeline FILE.json|FILE.svg|FILE.html]
  tcp-workbench send tls://HOST:PORT … [--insecure] [--ca F] [--cert F --key F] [--servername N] [--alpn LIST] [--keylog F]
  tcp-workbench run FILE.tcp... [--junit OUT.xml] [--tap OUT.tap] [--html OUT.html] [--var NAME=VALUE]... [--vars-file FILE]...
                [--timeout 5s] [--jobs N] [--keylog F]
  tcp-workbench mcp [--root DIR]
  tcp-workbench --help | --version

Servers bind 127.0.0.1 and port 0 (any free port) unless told otherwise, print "listening on HOST:PORT"
first, and stop on Ctrl+C. In manual mode every line typed on stdin is sent to all clients (with --hex
the line is hex bytes: 48 65 6c, 0x48,0x65 or 48656c).
send: --hex sends bytes, --escapes reads \\r \\n \\t \\\\ \\" \\0 \\xHH \\u{HHHH} in TEXT, --file sends a file's
bytes, --repeat N sends N times every MS ms (default 1000), --out writes every received byte to FILE
(never over an existing one unless --overwrite). Bad input exits 2 before anything is sent.
send, what TCP did: --pieces N --gap MS sends the message as N writes MS ms apart (the reader may get 半包),
--together N sends it N times in one corked burst with Nagle on (the reader may get 粘包), --nagle turns
Nagle on (setNoDelay false), --half-close sends FIN after sending and keeps reading, --reset ends with RST
instead of FIN; --timeline writes the exchange as JSON, SVG or HTML (the chunks recv got, not packets) and
the notes (3 sends → 1 recv, FIN, reset…) are printed on stderr.
The relay forwards every client to --to and logs each connection; --pcap writes a libpcap capture as it
goes (default cap 1024 MiB), --script writes the conversations as a .tcp script on stop; neither
replaces an existing file without --overwrite. --delay and --rate shape both directions.
--wire-pcapng writes both legs as they crossed the wire (TLS records included) as a pcapng with the TLS
session keys inside: Wireshark/tshark decrypt it with no key file, and so can anyone who has it.
serve file never serves nor lists secrets: .env, .env.*, keys (*.pem, *.key, id_rsa*…), .git/ and the rest
of the default deny list (see README). --deny GLOB (repeatable) adds a pattern; --no-default-deny drops the
default list, leaving only the --deny patterns.
TLS (docs/tls.md): send tls://HOST:PORT verifies the server certificate (system store + --ca F; --insecure
accepts any, and says so), --cert/--key send a client certificate, --servername sets SNI (default the host
name, none for an IP), --alpn offers protocols, --keylog appends the session keys (SSLKEYLOGFILE).
serve … --tls listens with TLS: --cert/--key, or a certificate generated once from a local CA kept in
$XDG_CONFIG_HOME/tcp-workbench (its path and fingerprint are printed); --client-ca F requires client
certificates signed by F. A certificate, key or CA file that cannot be used exits 2.
Encodings: utf-8 (default), gbk, gb18030, latin1, hex.
run executes the client blocks of .tcp conversation files (see docs/tcp-language.md): one line per block
("✓ title (12 ms)" or "✗ title — line 14: ..."), then "N passed, N failed"; exit 1 when any block fails,
2 on a parse error (printed as FILE:LINE:COL: message). --var overrides a file's @variable, --timeout its
per-step timeout; --junit writes a JUnit XML report, --tap a TAP report, --html a self-contained HTML report
with each block's timeline (each replaces only an earlier report of its kind). Variables: --var beats --vars-file (NAME=VALUE lines; a later file beats an earlier)
beats TCPW_VAR_NAME environment variables beats the file's own @NAME. --jobs N runs N files at once
(default: the number of cores); blocks of one file run in order, each file's lines print together. A file's listen
blocks (mock servers) start first; client blocks reach them as {{listen.port}}. serve script runs only the
listen blocks (or the one titled TITLE), printing "listening on HOST:PORT" once per listener.
run --keylog F appends the TLS session keys of the scripts' connections (SSLKEYLOGFILE format, 0600):
anyone with that file can decrypt the captured traffic. A listen tls:// block without @tls.cert uses the
generated certificate, whose CA is ca.pem in the config folder (see serve --tls).
mcp serves the workbench's tools (start a server or mock, exchange, run a script, read traffic) to an agent
over the Model Context Protocol on stdin/stdout; paths are relative to --root (default: the current folder)
and its servers stop when the client disconnects (see docs/agents.md).
Exit codes: 0 ok, 2 usage error, 3 not found on the server, 1 any other failure.`;

declare const TCP_WORKBENCH_VERSION: string;
/** The extension's version (esbuild compiles it in from package.json). */
export const VERSION = typeof TCP_WORKBENCH_VERSION === 'string' ? TCP_WORKBENCH_VERSION : '0.0.0-dev';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out(`${VERSION}\n`);
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
        if (what === 'script') {
          return await serveScript(args);
        }
        if (what === 'relay') {
          return await serveRelay(args);
        }
        return usage(what ? `Unknown server "${what}". Use serve echo, serve file, serve relay or serve script.` : 'serve needs echo, file or relay, or script FILE.tcp.');
      }
      case 'download':
        return await runDownload(rest);
      case 'list':
        return await runList(rest);
      case 'send':
        return await runSend(rest);
      case 'run':
        return await runScripts(rest);
      case 'mcp':
        // Loaded only here: the MCP SDK is most of the bundle and no other command needs it (a require,
        // not import(), so the unbundled test build resolves it like every other module).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return await (require('./cli/mcpCommand') as typeof import('./cli/mcpCommand')).runMcp(rest, VERSION);
      case undefined:
        return usage('No command given.');
      default:
        return usage(`Unknown command "${command}".`);
    }
  } catch (e) {
    const err = e as Error;
    // A certificate, key or CA file that cannot be used is bad input like a bad flag.
    const badTlsInput = err instanceof TlsError && (err.code === 'tls.badFile' || err.code === 'tls.badOption');
    if (err instanceof UsageError || err instanceof HostPortError || err instanceof EncodingError || badTlsInput) {
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
