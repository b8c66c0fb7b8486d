// A TLS echo server on 127.0.0.1 whose certificate nobody trusts (self-signed, made here by openssl), for the
// TLS UI test and the TLS screenshots: Connect to Server… with tls:// to it must ask before connecting.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

/**
 * Starts the server with a self-signed certificate for localhost/127.0.0.1 (subject CN=untrusted.test,
 * valid 30 days). Returns { port, fingerprint (SHA-256, AB:CD:…), close() }; close() also removes its files.
 */
export async function untrustedServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-untrusted-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30'].concat([
      '-subj',
      '/CN=untrusted.test',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]),
    { cwd: dir, stdio: 'pipe' },
  );
  const cert = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
  const sockets = new Set();
  const server = tls.createServer({ cert, key: fs.readFileSync(path.join(dir, 'k.pem')) }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  server.on('tlsClientError', () => {});
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    fingerprint: new crypto.X509Certificate(cert).fingerprint256,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
