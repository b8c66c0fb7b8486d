// Shared by the relay tests: relays started on the scaffold (stopped after each test), a big stamped file,
// and tshark readers for the captures.
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { RelayServer, RelayServerOptions } from '../../../src/core/relay/relayServer';
import { Scaffold } from '../support';

/** Relays on a scaffold of their own: `start(options)` is Scaffold.start() of a RelayServer, named for the relay tests. */
export class Relays {
  private readonly bed = new Scaffold();

  async start(options: RelayServerOptions): Promise<{ relay: RelayServer; port: number }> {
    const { server, port } = await this.bed.start(new RelayServer(options));
    return { relay: server, port };
  }

  dispose(): Promise<void> {
    return this.bed.dispose();
  }
}

/** `size` bytes of 1 MiB random blocks, each stamped with its index (a reordered chunk changes the hash). */
export function writeStampedFile(file: string, size: number): string {
  const MiB = 1024 * 1024;
  const block = crypto.randomBytes(MiB);
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0, i = 0; off < size; off += MiB, i++) {
      block.writeUInt32LE(i, 0);
      const part = block.subarray(0, Math.min(MiB, size - off));
      fs.writeSync(fd, part);
      hash.update(part);
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function tshark(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { maxBuffer: 256 * 1024 * 1024, timeout: 60000 }, (e, stdout, stderr) => {
      if (e) {
        reject(new Error(`tshark ${args.join(' ')} failed: ${e.message} ${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** `follow,tcp,raw,N`: the bytes each way of stream N, as tshark reassembles them. */
export async function followStream(file: string, stream: number): Promise<{ toServer: Buffer; toClient: Buffer; nodes: string[] }> {
  const out = await tshark(['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`]);
  const body = out.split('\n');
  const nodes = body.filter((l) => /^Node [01]: /.test(l)).map((l) => l.slice(8).trim());
  const start = body.findIndex((l) => l.startsWith('Node 1:')) + 1;
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  for (const line of body.slice(start)) {
    if (line.startsWith('====')) {
      break;
    }
    if (line.trim()) {
      (line.startsWith('\t') ? down : up).push(Buffer.from(line.trim(), 'hex'));
    }
  }
  return { toServer: Buffer.concat(up), toClient: Buffer.concat(down), nodes };
}

/** One SSLKEYLOGFILE line: a label, the 32-byte client random, a secret. */
export const KEYLOG_LINE =
  /^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]{64,96}$/;

/** `follow,tls,ascii,N` with no key file but what the capture holds (or `keylog`). */
export function followTls(file: string, stream: number, keylog?: string): Promise<string> {
  return tshark(['-r', file, ...(keylog ? ['-o', `tls.keylog_file:${keylog}`] : []), '-q', '-z', `follow,tls,ascii,${stream}`]);
}

export interface PacketRow {
  stream: number;
  /** e.g. `SYN,ACK`, `FIN,ACK`, `RST,ACK`, `ACK`. */
  flags: string;
  len: number;
  srcPort: number;
  /** tshark's checksum verdicts (1 = good) for IP (empty for IPv6) and TCP. */
  ipCheck: string;
  tcpCheck: string;
}

/** Every packet as tshark decodes it, with checksum verification turned on. */
export async function packets(file: string): Promise<PacketRow[]> {
  const fields = ['tcp.stream', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.len', 'tcp.srcport', 'ip.checksum.status', 'tcp.checksum.status'];
  const out = await tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [stream, syn, ack, fin, rst, len, src, ipCheck, tcpCheck] = l.split('\t');
      const on = (v: string): boolean => v === '1' || v === 'True';
      const names = [on(syn) ? 'SYN' : '', on(fin) ? 'FIN' : '', on(rst) ? 'RST' : '', on(ack) ? 'ACK' : ''].filter(Boolean);
      return { stream: Number(stream), flags: names.join(','), len: Number(len), srcPort: Number(src), ipCheck, tcpCheck };
    });
}
