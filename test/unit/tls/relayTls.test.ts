// The relay with TLS on either leg: plain→TLS, TLS→plain, TLS↔TLS; a target whose certificate does not
// verify resets the client with relay.targetTls; the session keys of both legs are reported.
import * as assert from 'node:assert/strict';
import { RelayServer } from '../../../src/core/relay/relayServer';
import { UpstreamFailureEvent } from '../../../src/core/relay/relayTypes';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { KeylogEvent } from '../../../src/core/servers/serverBase';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { Peers, readAll, waitFor } from '../support';
import { Ca, CertFactory, goodCerts, Pem } from './tlsFixtures';

describe('TLS relay', function () {
  this.timeout(30000);
  const peers = new Peers();
  const stops: (() => Promise<void>)[] = [];
  let certs: CertFactory;
  let ca: Ca;
  let good: Pem;

  before(async () => ({ certs, ca, good } = await goodCerts()));
  after(() => certs.dispose());
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((f) => f()));
    await peers.dispose();
  });

  async function echo(tls: boolean): Promise<number> {
    const e = new EchoServer({ tls: tls ? { certFile: good.certFile, keyFile: good.keyFile } : undefined });
    stops.push(async () => {
      await e.stop();
      e.dispose();
    });
    return (await e.start()).port;
  }

  async function relay(options: Omit<ConstructorParameters<typeof RelayServer>[0], 'targetHost'>): Promise<{ relay: RelayServer; port: number }> {
    const r = new RelayServer({ targetHost: '127.0.0.1', ...options });
    stops.push(async () => {
      await r.stop();
      r.dispose();
    });
    return { relay: r, port: (await r.start()).port };
  }

  async function tlsClient(port: number): Promise<ClientSession> {
    const s = new ClientSession({ host: '127.0.0.1', port, tls: { caFile: ca.certFile } });
    stops.push(() => s.close());
    await s.connect();
    return s;
  }

  it('plain → TLS: a plaintext client reaches a TLS target; the relay sees the plaintext', async () => {
    const { relay: r, port } = await relay({ targetPort: await echo(true), targetTls: { caFile: ca.certFile } });
    const seen: string[] = [];
    r.onDidRelayData((e) => seen.push(`${e.direction} ${e.bytes.toString()}`));
    const got = await peers.request(port, ['plain to tls'], { halfClose: true });
    assert.equal(got.toString(), 'plain to tls');
    assert.deepEqual(seen, ['client→server plain to tls', 'server→client plain to tls']);
  });

  it('TLS → plain and TLS ↔ TLS, with the keys of each TLS leg', async () => {
    for (const targetTls of [false, true]) {
      const { relay: r, port } = await relay({
        targetPort: await echo(targetTls),
        tls: { certFile: good.certFile, keyFile: good.keyFile },
        targetTls: targetTls ? { caFile: ca.certFile } : undefined,
      });
      const keys: KeylogEvent[] = [];
      r.onDidLogKeys((e) => keys.push(e));
      const s = await tlsClient(port);
      let got = '';
      s.onData((d) => (got += d.text));
      await s.send(`tls to ${targetTls ? 'tls' : 'plain'}`);
      await waitFor(() => got === `tls to ${targetTls ? 'tls' : 'plain'}`, 'the echo through the relay');
      const legs = new Set(keys.filter((k) => k.line.toString().startsWith('CLIENT_TRAFFIC_SECRET_0 ')).map((k) => `${k.clientId} ${k.leg}`));
      assert.deepEqual([...legs].sort(), targetTls ? ['1 client', '1 target'] : ['1 client']);
      await s.close();
    }
  });

  it('a target whose certificate does not verify: the client is reset, relay.targetTls names why', async () => {
    const { relay: r, port } = await relay({ targetPort: await echo(true), targetTls: {} });
    const failures: UpstreamFailureEvent[] = [];
    r.onDidFailUpstream((f) => failures.push(f));
    const sock = await peers.connect(port);
    const got = await readAll(sock, 10000).catch(() => Buffer.alloc(0));
    assert.equal(got.length, 0);
    await waitFor(() => failures.length === 1, 'the upstream failure');
    assert.equal(failures[0].error.code, 'relay.targetTls');
    assert.equal(failures[0].error.args.tlsCode, 'tls.unknownIssuer');
    assert.match(failures[0].error.message, /TLS to the target 127\.0\.0\.1:\d+ failed: .*unknown authority/);
  });

  it('one secure context for all upstream legs of a relay: three clients verified by it; a CA file that cannot be read fails each client, and the relay keeps serving', async () => {
    const { port } = await relay({ targetPort: await echo(true), targetTls: { caFile: ca.certFile } });
    const got = await Promise.all(['one', 'two', 'three'].map((m) => peers.request(port, [m], { halfClose: true })));
    assert.deepEqual(
      got.map((b) => b.toString()),
      ['one', 'two', 'three'],
    );
    const { relay: bad, port: badPort } = await relay({ targetPort: await echo(true), targetTls: { caFile: '/nonexistent/ca.pem' } });
    const failures: UpstreamFailureEvent[] = [];
    bad.onDidFailUpstream((f) => failures.push(f));
    for (let i = 0; i < 2; i++) {
      const sock = await peers.connect(badPort);
      assert.equal((await readAll(sock, 10000).catch(() => Buffer.alloc(0))).length, 0);
    }
    await waitFor(() => failures.length === 2, 'both upstream failures');
    assert.deepEqual(
      failures.map((f) => f.error.args.tlsCode),
      ['tls.badFile', 'tls.badFile'],
    );
    assert.match(failures[1].error.message, /nonexistent\/ca\.pem/);
    assert.equal(bad.state, 'listening');
    await waitFor(() => bad.clients.length === 0, 'no connection left open');
  });
});
