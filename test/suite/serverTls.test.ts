// TLS servers in the editor: an echo server with the generated certificate (kept in the global storage,
// 0600, reused), Export Local CA, mTLS with the client's subject on its row, one log line for a plaintext
// client, a `listen tls://` mock started from the Servers view, and Start Relay to a tls:// target.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as vscode from 'vscode';
import { api, Api, exec, logSince, must, run, server, setSetting, waitFor } from './helpers';
import { TlsCerts, makeCerts, tlsEcho } from './tlsPeers';

/** Sends `text` over TLS trusting `ca` (and presenting a client certificate when given); resolves with the echo. */
function tlsExchange(port: number, text: string, o: { ca: string; cert?: string; key?: string }): Promise<{ reply: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: o.ca, cert: o.cert, key: o.key }, () => s.write(text));
    let got = '';
    s.setTimeout(10_000, () => s.destroy(new Error(`no echo of ${text}`)));
    s.on('data', (d) => {
      got += d.toString('utf8');
      if (got.length >= text.length) {
        resolve({ reply: got, protocol: s.getProtocol() ?? '?' });
        s.end();
      }
    });
    s.on('error', reject);
  });
}

describe('TLS servers (commands in the extension host)', function () {
  this.timeout(30_000);
  let a: Api;
  let certs: TlsCerts;
  let caPem: string;

  before(async () => {
    a = await api();
    certs = makeCerts();
    const out = path.join(certs.dir, 'exported-ca.pem');
    const r = await must('tcpWorkbench.exportLocalCa', { path: out });
    assert.strictEqual(r.path, out);
    caPem = fs.readFileSync(out, 'utf8');
    assert.match(caPem, /^-----BEGIN CERTIFICATE-----/);
    assert.match(r.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // Kept in the extension's global storage, owner-only, and never the CA's key in the export.
    assert.strictEqual(fs.readFileSync(r.caFile, 'utf8'), caPem);
    for (const f of fs.readdirSync(path.dirname(r.caFile)).filter((n) => /\.(pem|key)$/.test(n))) {
      assert.strictEqual(fs.statSync(path.join(path.dirname(r.caFile), f)).mode & 0o777, 0o600, f);
    }
    assert.doesNotMatch(caPem, /PRIVATE KEY/);
  });

  after(async () => {
    await a.stopAll();
    for (const s of a.servers().filter((x) => x.tls || x.file?.includes('tcpwb-tls-') || x.target?.startsWith('tls://'))) {
      await run('tcpWorkbench.removeServer', { entryId: s.id });
    }
    fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('Export Local CA refuses to replace a file unless told, and the second export is the same CA (reused)', async () => {
    const out = path.join(certs.dir, 'exported-ca.pem');
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.exportLocalCa', { path: out }), undefined);
    assert.match(logSince(a, mark), /exists already/);
    const r = await must('tcpWorkbench.exportLocalCa', { path: out, overwrite: true });
    assert.strictEqual(fs.readFileSync(r.path, 'utf8'), caPem);
  });

  it('an echo server added with tls: {} listens with the generated certificate; its row says TLS and the client row its protocol', async () => {
    const r = await must('tcpWorkbench.addServer', { kind: 'echo', port: 0, label: 'TLS Echo', tls: {} });
    const s = server(a, r.id);
    assert.strictEqual(s.tls?.generated, true);
    assert.strictEqual(s.tls?.subject, 'CN=localhost');
    assert.match(s.description, /· TLS ·/);
    // A client held open: its row shows the protocol.
    const sock = tls.connect({ host: '127.0.0.1', port: r.port, servername: 'localhost', ca: caPem });
    await new Promise<void>((resolve, reject) => sock.once('secureConnect', resolve).once('error', reject));
    await waitFor(() => a.serverClients(r.id).length === 1, 'the TLS client row');
    const c = a.serverClients(r.id)[0];
    assert.match(c.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.match(c.description, / · TLSv1\.[23]$/);
    sock.destroy();
    const echo = await tlsExchange(r.port, 'hello over tls', { ca: caPem });
    assert.strictEqual(echo.reply, 'hello over tls');
    // Stopped and started again: the same certificate (reused from the global storage).
    const fp = s.tls?.fingerprint256;
    await run('tcpWorkbench.stopServer', { entryId: r.id });
    await must('tcpWorkbench.startServer', { entryId: r.id });
    assert.strictEqual(server(a, r.id).tls?.fingerprint256, fp);
  });

  it('a plaintext client on a TLS port is closed cleanly with one readable log line', async () => {
    const r = await must('tcpWorkbench.addServer', { kind: 'echo', port: 0, label: 'TLS Echo Plain', tls: {} });
    const mark = a.logCount();
    const closed = await new Promise<string>((resolve) => {
      const s = net.connect(r.port, '127.0.0.1', () => s.write('PING\r\n'));
      s.on('error', (e) => resolve(`error ${e.message}`));
      s.on('close', () => resolve('closed'));
    });
    assert.ok(/closed|ECONNRESET/.test(closed), closed);
    await waitFor(() => /spoke plaintext to a TLS port/.test(logSince(a, mark)), 'the plaintext client log line');
    const lines = a.logSince(mark).filter((l) => /plaintext/.test(l));
    assert.strictEqual(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /TLS Echo Plain: client \d+ spoke plaintext to a TLS port \(127\.0\.0\.1:\d+\); closed/);
    assert.strictEqual(server(a, r.id).state, 'listening');
    assert.match(a.trafficText(`server:${r.id}`), /spoke plaintext to a TLS port/);
  });

  it('mTLS: a client CA makes the certificate required; the client row shows its subject, a client without one is refused', async () => {
    const r = await must('tcpWorkbench.addServer', { kind: 'echo', port: 0, label: 'mTLS Echo', tls: { clientCaFile: certs.caFile } });
    assert.strictEqual(server(a, r.id).tls?.clientCertRequired, true);
    assert.match(server(a, r.id).description, /TLS · mTLS/);
    const sock = tls.connect({ host: '127.0.0.1', port: r.port, servername: 'localhost', ca: caPem, cert: certs.cert, key: certs.key });
    await new Promise<void>((resolve, reject) => sock.once('secureConnect', resolve).once('error', reject));
    await waitFor(() => a.serverClients(r.id).length === 1, 'the mTLS client row');
    assert.strictEqual(a.serverClients(r.id)[0].tls?.peerSubject, 'CN=localhost');
    assert.match(a.serverClients(r.id)[0].description, /TLSv1\.[23] · CN=localhost$/);
    sock.destroy();
    const mark = a.logCount();
    await assert.rejects(tlsExchange(r.port, 'no cert', { ca: caPem }));
    await waitFor(() => /TLS handshake failed/.test(logSince(a, mark)), 'the handshake failure log line');
  });

  it('its own certificate and key: the server presents them', async () => {
    const cert = path.join(certs.dir, 'leaf.pem');
    const key = path.join(certs.dir, 'leaf.key');
    const r = await must('tcpWorkbench.addServer', { kind: 'echo', port: 0, label: 'Own TLS Echo', tls: { certFile: cert, keyFile: key } });
    assert.strictEqual(server(a, r.id).tls?.generated, false);
    const echo = await tlsExchange(r.port, 'own cert', { ca: fs.readFileSync(certs.caFile, 'utf8') });
    assert.strictEqual(echo.reply, 'own cert');
  });

  it('a listen tls:// mock started from its file listens with TLS (the generated certificate)', async () => {
    const file = path.join(certs.dir, 'tls-mock.tcp');
    fs.writeFileSync(file, '### tls mock\nlisten tls://127.0.0.1:0\non "PING" send "PONG\\n"\n');
    const r = await must('tcpWorkbench.startScriptServer', { uri: vscode.Uri.file(file).toString(), line: 1 });
    assert.strictEqual(server(a, r.id).state, 'listening');
    const echo = await tlsExchange(r.port, 'PING', { ca: caPem });
    assert.strictEqual(echo.reply, 'PONG\n');
    await run('tcpWorkbench.stopServer', { entryId: r.id });
  });

  it('Start Relay to a tls:// target (trusting a CA) relays the plaintext; with tls: {} it listens with TLS too', async () => {
    const target = await tlsEcho(certs.cert, certs.key);
    try {
      const r = await must('tcpWorkbench.startRelay', { target: `tls://127.0.0.1:${target.port}`, targetTls: { caFile: certs.caFile } });
      assert.match(server(a, r.id).description, /→ tls:\/\/127\.0\.0\.1:\d+/);
      const plain = await new Promise<string>((resolve, reject) => {
        const s = net.connect(r.port, '127.0.0.1', () => s.write('through'));
        s.on('data', (d) => {
          resolve(d.toString());
          s.destroy();
        });
        s.on('error', reject);
      });
      assert.strictEqual(plain, 'through');
      await waitFor(() => (a.relay(r.id)?.connections.length ?? 0) >= 1, 'the relayed connection row');
      const both = await must('tcpWorkbench.startRelay', { target: `tls://127.0.0.1:${target.port}`, targetTls: { caFile: certs.caFile }, tls: {} });
      assert.notStrictEqual(both.id, r.id);
      assert.strictEqual(server(a, both.id).tls?.generated, true);
      const echo = await tlsExchange(both.port, 'tls both ways', { ca: caPem });
      assert.strictEqual(echo.reply, 'tls both ways');
    } finally {
      await target.close();
    }
  });

  it('a TLS↔TLS relay with the wire capture on: Export Capture writes the key log (0600), and with it tshark decrypts the capture stripped of its keys', async () => {
    const target = await tlsEcho(certs.cert, certs.key);
    const dir = path.join(certs.dir, 'keylog');
    fs.mkdirSync(dir);
    await setSetting('relayWireCapture', true);
    try {
      const r = await must('tcpWorkbench.startRelay', { target: `tls://127.0.0.1:${target.port}`, targetTls: { caFile: certs.caFile }, tls: {} });
      const echo = await tlsExchange(r.port, 'secret through both legs', { ca: caPem });
      assert.strictEqual(echo.reply, 'secret through both legs');
      await waitFor(() => a.relay(r.id)?.connections[0]?.state === 'closed', 'the connection to close');
      const keys = path.join(dir, 'keys.log');
      const mark = a.logCount();
      const k = await must('tcpWorkbench.exportRelayPcap', { entryId: r.id, path: keys, kind: 'keylog' });
      assert.match(logSince(a, mark), /key log exported to .*whoever has it can decrypt the traffic/);
      assert.strictEqual(fs.statSync(keys).mode & 0o777, 0o600);
      const lines = fs.readFileSync(keys, 'utf8').split('\n').filter(Boolean);
      // TLS 1.3: five secrets per handshake, one handshake per leg.
      assert.strictEqual(k.packets, lines.length);
      assert.strictEqual(lines.filter((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 ')).length, 2, lines.join('\n'));
      // Never over an existing file unless told.
      assert.strictEqual(await run('tcpWorkbench.exportRelayPcap', { entryId: r.id, path: keys, kind: 'keylog' }), undefined);
      const wire = (await must('tcpWorkbench.exportRelayPcap', { entryId: r.id, path: path.join(dir, 'wire.pcapng'), kind: 'wire' })).path;
      assert.strictEqual(fs.statSync(wire).mode & 0o777, 0o600);
      const stripped = path.join(dir, 'stripped.pcapng');
      assert.strictEqual((await exec('editcap', ['--discard-all-secrets', wire, stripped])).code, 0);
      const follow = ['-q', '-z', 'follow,tls,ascii,0'];
      assert.doesNotMatch((await exec('tshark', ['-r', stripped, ...follow])).stdout, /secret through both legs/, 'without keys nothing is decrypted');
      const decrypted = await exec('tshark', ['-r', stripped, '-o', `tls.keylog_file:${keys}`, ...follow]);
      assert.match(decrypted.stdout, /secret through both legs/, decrypted.stdout + decrypted.stderr);
    } finally {
      await setSetting('relayWireCapture', undefined);
      await target.close();
    }
  });
});
