// TLS from the editor: Connect to tls:// verified with a CA, refused without it (with the reason and the
// fingerprint), insecure: true, the chain document, STARTTLS, and Send/Repeat/Save as Script over TLS.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, Api, logSince, must, run, waitFor } from './helpers';
import { TlsCerts, makeCerts, startTlsServer, tlsEcho } from './tlsPeers';

describe('TLS sessions (commands in the extension host)', function () {
  this.timeout(30_000);
  let a: Api;
  let certs: TlsCerts;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    a = await api();
    certs = makeCerts();
  });

  after(() => fs.rmSync(certs.dir, { recursive: true, force: true }));

  afterEach(async () => {
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await Promise.all(closers.splice(0).map((c) => c()));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function echo(cert = certs.cert, key = certs.key) {
    const e = await tlsEcho(cert, key);
    closers.push(() => e.close());
    return e;
  }

  it('connects to tls:// verified with the CA; Send, Repeat and Save as Script work over it', async () => {
    const e = await echo();
    const s = await must('tcpWorkbench.connect', { address: `tls://127.0.0.1:${e.port}`, tls: { caFile: certs.caFile }, show: false });
    const info = a.sessions().find((x) => x.id === s.id);
    assert.strictEqual(info?.tls?.trust, 'verified');
    assert.match(info?.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.strictEqual(info?.tls?.peerSubject, 'CN=localhost');
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'over tls' });
    await waitFor(() => (a.sessions().find((x) => x.id === s.id)?.bytesIn ?? 0) >= 8, 'the echo of "over tls"');
    assert.match(a.trafficText(`session:${s.id}`), /over tls/);
    const r = await must('tcpWorkbench.repeatSend', { sessionId: s.id, text: 'r', everyMs: 5, count: 3 });
    assert.ok(r.repeatId > 0);
    await waitFor(() => (a.sessions().find((x) => x.id === s.id)?.bytesIn ?? 0) >= 11, 'three repeated echoes');
    const file = path.join(certs.dir, 'session.tcp');
    await must('tcpWorkbench.saveSessionAsScript', { sessionId: s.id, path: file });
    assert.match(fs.readFileSync(file, 'utf8'), /over tls/);
  });

  it('refuses a certificate it cannot verify with the reason and the fingerprint; insecure: true connects', async () => {
    const e = await echo();
    let mark = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.connect', { address: `tls://127.0.0.1:${e.port}`, show: false }), undefined);
    assert.match(logSince(a, mark), /authority you do not trust[\s\S]*SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.strictEqual(a.sessions().length, 0);

    const self = await echo(certs.selfCert, certs.selfKey);
    mark = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.connect', { address: `tls://127.0.0.1:${self.port}`, show: false }), undefined);
    assert.match(logSince(a, mark), /self-signed/);

    mark = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.connect', { address: `localhost:${e.port}`, tls: { caFile: certs.caFile, servername: 'api.test' }, show: false }), undefined);
    assert.match(logSince(a, mark), /The name api\.test is not in the certificate \(it has: localhost, 127\.0\.0\.1\)/);

    const s = await must('tcpWorkbench.connect', { address: `tls://127.0.0.1:${self.port}`, tls: { insecure: true }, show: false });
    assert.strictEqual(a.sessions().find((x) => x.id === s.id)?.tls?.trust, 'insecure');
  });

  it('rejects bad tls options with a message naming them', async () => {
    const mark = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.connect', { address: 'tls://127.0.0.1:1', tls: { alpn: 'h2' as unknown as string[] }, show: false }), undefined);
    assert.match(logSince(a, mark), /"tls\.alpn" must be a list/);
    assert.strictEqual(await run('tcpWorkbench.connect', { address: 'tls://127.0.0.1:1', tls: { caFile: path.join(certs.dir, 'missing.pem') }, show: false }), undefined);
    assert.match(logSince(a, mark), /missing\.pem/);
  });

  it('Show Certificate Chain opens a readable document of the peer chain', async () => {
    const e = await echo();
    const s = await must('tcpWorkbench.connect', { address: `tls://127.0.0.1:${e.port}`, tls: { caFile: certs.caFile }, show: false });
    const r = await must('tcpWorkbench.showCertificateChain', { sessionId: s.id });
    // The leaf and the CA that verified it.
    assert.strictEqual(r.certificates, 2);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri);
    assert.ok(doc, 'the chain document is open');
    const text = doc.getText();
    assert.match(text, /Certificate chain of 127\.0\.0\.1:\d+/);
    assert.match(text, /Subject: +CN=localhost/);
    assert.match(text, /Issuer: +CN=Workbench Test CA/);
    assert.match(text, /SANs: +DNS:localhost, IP:127\.0\.0\.1/);
    assert.match(text, /SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.match(text, /\[1\] root \(CA\)\n  Subject: +CN=Workbench Test CA/);
    assert.match(text, /-----BEGIN CERTIFICATE-----/);
    // A plaintext session has no chain: a clear error, no document.
    const srv = await startTlsServer(certs.cert, certs.key);
    closers.push(() => srv.close());
    const p = await must('tcpWorkbench.connect', { address: `127.0.0.1:${srv.port}`, show: false });
    const mark = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.showCertificateChain', { sessionId: p.id }), undefined);
    assert.match(logSince(a, mark), /is not a TLS connection/);
  });

  it('STARTTLS upgrades a plaintext session in place, verified like Connect', async () => {
    const srv = await startTlsServer(certs.cert, certs.key);
    closers.push(() => srv.close());
    const s = await must('tcpWorkbench.connect', { address: `127.0.0.1:${srv.port}`, show: false });
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'STARTTLS\r\n' });
    await waitFor(() => /220 go ahead/.test(a.trafficText(`session:${s.id}`)), 'the 220 reply');
    const mark = a.logLines().length;
    const up = await must('tcpWorkbench.startTls', { sessionId: s.id, tls: { caFile: certs.caFile } });
    assert.strictEqual(up.trust, 'verified');
    assert.match(logSince(a, mark), /upgraded to TLS/);
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'hello' });
    await waitFor(() => /tls:hello/.test(a.trafficText(`session:${s.id}`)), 'the reply over TLS');
    assert.ok(a.sessions().find((x) => x.id === s.id)?.tls);
    // Already TLS: a second STARTTLS is refused.
    assert.strictEqual(await run('tcpWorkbench.startTls', { sessionId: s.id }), undefined);

    // Without the CA the upgrade fails with the reason, and the session is closed.
    const s2 = await must('tcpWorkbench.connect', { address: `127.0.0.1:${srv.port}`, show: false });
    await must('tcpWorkbench.sendText', { sessionId: s2.id, text: 'STARTTLS\r\n' });
    await waitFor(() => /220 go ahead/.test(a.trafficText(`session:${s2.id}`)), 'the second 220 reply');
    const mark2 = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.startTls', { sessionId: s2.id }), undefined);
    assert.match(logSince(a, mark2), /authority you do not trust/);
    await waitFor(() => !a.sessions().some((x) => x.id === s2.id), 'the failed session to close');
  });

  it('Forget Trusted Certificates with arguments forgets without asking', async () => {
    const r = await must('tcpWorkbench.forgetTrustedCertificates', {});
    assert.strictEqual(typeof r.forgotten, 'number');
    assert.deepStrictEqual(a.trustedCertificates(), {});
  });
});
