// `serve relay`: sits between a client and a target server, logs every connection, and optionally
// writes the traffic as a pcap (as it goes), the bytes on the wire with their TLS keys as a pcapng, and
// as a replayable .tcp script (on stop).
import * as fs from 'node:fs';
import { formatHostPort } from '../core/hostPort';
import { WorkbenchError } from '../core/errors';
import { PcapSummary, PcapWriter } from '../core/relay/pcapWriter';
import { WireWriter } from '../core/relay/wireWriter';
import { RelayServer } from '../core/relay/relayServer';
import { ScriptRecorder } from '../core/relay/scriptExport';
import { io, parse, runServer, serverHostPort, str, usage } from './args';
import { CLIENT_TLS_FLAGS, SERVER_TLS_FLAGS, clientTlsOf, parseTarget, reportServerTls, serverTlsOf } from './tlsFlags';
import { keylogFileWriter } from '../core/tls/clientTls';

function count(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(v)) {
    usage(`${flag} needs a whole number, not "${v}".`);
  }
  return Number(v);
}

function captureLine(what: string, s: PcapSummary, more = ''): string {
  const cut = s.truncated ? `, cut short (${s.droppedPackets} packets not written${s.error ? `: ${s.error.message}` : ', size cap reached'})` : '';
  return `${what} ${s.file}: ${s.packets} packets, ${s.bytes} bytes${more}${cut}\n`;
}

export async function serveRelay(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      to: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      pcap: { type: 'string' },
      'wire-pcapng': { type: 'string' },
      'pcap-max-mib': { type: 'string' },
      script: { type: 'string' },
      overwrite: { type: 'boolean' },
      delay: { type: 'string' },
      rate: { type: 'string' },
      ...CLIENT_TLS_FLAGS,
      ...SERVER_TLS_FLAGS,
      'upstream-cert': { type: 'string' },
      'upstream-key': { type: 'string' },
    },
    0,
  );
  const to = str(values.to);
  if (!to) {
    usage('serve relay needs --to HOST:PORT (the target server).');
  }
  const target = parseTarget(to);
  // --cert/--key are the relay's own (listening) certificate; the target may ask for --upstream-cert/--upstream-key.
  const keylog = str(values.keylog);
  const targetTls = clientTlsOf({ ...values, keylog: undefined }, target.tls, { cert: 'upstream-cert', key: 'upstream-key' }, to);
  const tls = serverTlsOf(values);
  const { host, port } = serverHostPort(values);
  const delayMs = count(str(values.delay), '--delay');
  const bytesPerSecond = count(str(values.rate), '--rate');
  const pcapMaxMiB = count(str(values['pcap-max-mib']), '--pcap-max-mib');
  const scriptFile = str(values.script);
  const overwrite = values.overwrite === true;
  if (scriptFile && !overwrite && fs.existsSync(scriptFile)) {
    throw new WorkbenchError('script.exists', `The script file ${scriptFile} already exists (use --overwrite to replace it).`, { file: scriptFile });
  }
  const shaping = { delayMs, bytesPerSecond };
  const server = new RelayServer({ host, port, targetHost: target.host, targetPort: target.port, toServer: shaping, toClient: shaping, tls, targetTls });
  if (keylog) {
    // Both legs' session keys, in SSLKEYLOGFILE format: whoever has this file can decrypt the captured traffic.
    const write = keylogFileWriter(keylog);
    server.onDidLogKeys((e) => write(e.line));
    io.err(`key log ${keylog}: the TLS session keys of both legs (whoever has this file can decrypt the traffic)\n`);
  }
  const maxBytes = pcapMaxMiB === undefined ? undefined : pcapMaxMiB * 1024 * 1024;
  const pcapFile = str(values.pcap);
  const wireFile = str(values['wire-pcapng']);
  const pcap = pcapFile ? await PcapWriter.open(pcapFile, { overwrite, maxBytes }) : undefined;
  const wire = wireFile ? await WireWriter.open(wireFile, { overwrite, maxBytes }) : undefined;
  const recorder = scriptFile ? new ScriptRecorder({ target }) : undefined;
  if (pcap) {
    server.addTap(pcap);
  }
  if (wire) {
    server.addWireTap(wire);
    io.err(`wire capture ${wire.file}: both legs as they crossed the wire, with the TLS session keys inside (whoever has this file can decrypt the traffic)\n`);
  }
  if (recorder) {
    server.addTap(recorder);
  }
  const where = `${target.tls ? 'tls://' : ''}${formatHostPort(target.host, target.port)}`;
  server.onDidOpenConnection((c) => io.err(`client ${c.id} relayed to ${where} (${formatHostPort(c.targetEnd.address, c.targetEnd.port)})\n`));
  server.onDidFailUpstream((f) => io.err(`client ${f.client.id} reset: ${f.error.message}\n`));
  server.onDidCloseConnection((e) =>
    io.err(`client ${e.connection.id} closed: ${e.reason}, ${e.connection.bytesToServer} bytes client→server, ${e.connection.bytesToClient} bytes server→client\n`),
  );
  io.err(`relaying to ${where}\n`);
  try {
    await runServer(server, undefined, reportServerTls);
  } finally {
    if (pcap) {
      io.err(captureLine('pcap', await pcap.close()));
    }
    if (wire) {
      io.err(captureLine('wire capture', await wire.close(), `, ${wire.keyLineCount} key line${wire.keyLineCount === 1 ? '' : 's'}`));
    }
    if (recorder && scriptFile) {
      fs.writeFileSync(scriptFile, recorder.script());
      io.err(`script ${scriptFile}: ${recorder.conversations.length} connection${recorder.conversations.length === 1 ? '' : 's'}\n`);
    }
  }
  return 0;
}
