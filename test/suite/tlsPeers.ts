// Real TLS peers for the integration tests: certificates made by `openssl` (a CA, a leaf it signed for
// localhost/127.0.0.1, a self-signed leaf), a Node `tls` echo server, and a plaintext server that speaks
// a tiny STARTTLS (`STARTTLS\r\n` → `220 go ahead\r\n`, then TLS on the same connection).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

export interface TlsCerts {
  dir: string;
  caFile: string;
  /** Signed by the CA, for localhost and 127.0.0.1. */
  cert: string;
  key: string;
  /** Self-signed, for localhost and 127.0.0.1. */
  selfCert: string;
  selfKey: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function makeCerts(): TlsCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-tls-'));
  const san = 'subjectAltName=DNS:localhost,IP:127.0.0.1';
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Workbench Test CA');
  openssl(dir, 'req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `${san}\n`);
  openssl(dir, 'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '30', '-extfile', 'ext.cnf');
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '30', '-subj', '/CN=self-signed.test', '-addext', san);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { dir, caFile: path.join(dir, 'ca.pem'), cert: read('leaf.pem'), key: read('leaf.key'), selfCert: read('self.pem'), selfKey: read('self.key') };
}

/** A TLS echo server on 127.0.0.1 (port 0) with this certificate; `sockets` are its clients. */
export async function tlsEcho(cert: string, key: string): Promise<{ port: number; sockets: Set<tls.TLSSocket>; close(): Promise<void> }> {
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert, key }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => {
      for (const s of sockets) {
        s.destroy();
      }
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A plaintext line server: `STARTTLS\r\n` is answered `220 go ahead\r\n` and the connection becomes a TLS echo. */
export async function startTlsServer(cert: string, key: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('STARTTLS\r\n')) {
        s.removeListener('data', onData);
        s.write('220 go ahead\r\n', () => {
          const t = new tls.TLSSocket(s, { isServer: true, secureContext: tls.createSecureContext({ cert, key }) });
          t.on('error', () => undefined);
          t.on('data', (b: Buffer) => t.write(Buffer.concat([Buffer.from('tls:'), b])));
        });
      }
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) {
        s.destroy();
      }
      return new Promise((r) => server.close(() => r()));
    },
  };
}
