// The relay's wire capture (WireWriter over addWireTap): both legs as they crossed the wire in a pcapng
// whose Decryption Secrets Blocks let tshark decrypt the TLS legs with no key file, for TLS↔TLS (the target
// leg in TLS 1.2 too), TLS→plain and plain→TLS; the plaintext pcap beside it stays byte-exact; the key
// log (onDidLogKeys) is SSLKEYLOGFILE lines that decrypt the same capture once its own keys are removed.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { PcapWriter } from '../../../src/core/relay/pcapWriter';
import { WireWriter } from '../../../src/core/relay/wireWriter';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { TlsVersion } from '../../../src/core/tls/clientTls';
import { KEYLOG_LINE, Relays, followStream, followTls, packets } from './relayFixtures';
import { waitFor } from '../support';
import { Ca, CertFactory, goodCerts, Pem } from '../tls/tlsFixtures';

describe('relay wire capture (pcapng with the TLS keys)', function () {
  this.timeout(60000);
  const relays = new Relays();
  const stops: (() => Promise<void>)[] = [];
  let certs: CertFactory;
  let ca: Ca;
  let good: Pem;
  let tmp: string;

  before(async () => ({ certs, ca, good } = await goodCerts()));
  after(() => certs.dispose());
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-wire-'));
  });
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((f) => f()));
    await relays.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function echo(tlsOn: boolean, maxVersion?: TlsVersion): Promise<number> {
    const e = new EchoServer({ tls: tlsOn ? { certFile: good.certFile, keyFile: good.keyFile, maxVersion } : undefined });
    stops.push(async () => {
      await e.stop();
      e.dispose();
    });
    return (await e.start()).port;
  }

  /** Sends `payload`, half-closes, and resolves with everything until the server's FIN. */
  function exchange(port: number, tlsOn: boolean, payload: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s = tlsOn ? tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(ca.certFile), servername: 'localhost' }) : net.connect({ host: '127.0.0.1', port });
      const got: Buffer[] = [];
      s.on(tlsOn ? 'secureConnect' : 'connect', () => s.end(payload));
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => resolve(Buffer.concat(got)));
      s.on('error', reject);
    });
  }

  /** A relay with both captures and a key log; one exchange through it; both files closed. */
  async function capture(clientTls: boolean, targetTls: boolean, payload: Buffer, targetMax?: TlsVersion) {
    const { relay, port } = await relays.start({
      targetHost: '127.0.0.1',
      targetPort: await echo(targetTls, targetMax),
      tls: clientTls ? { certFile: good.certFile, keyFile: good.keyFile } : undefined,
      targetTls: targetTls ? { caFile: ca.certFile, servername: 'localhost' } : undefined,
    });
    const wireFile = path.join(tmp, 'wire.pcapng');
    const pcapFile = path.join(tmp, 'plain.pcap');
    const wire = await WireWriter.open(wireFile);
    const pcap = await PcapWriter.open(pcapFile);
    relay.addWireTap(wire);
    relay.addTap(pcap);
    const keys: string[] = [];
    relay.onDidLogKeys((e) => keys.push(e.line.toString()));
    let closed = 0;
    relay.onDidCloseConnection(() => closed++);
    const got = await exchange(port, clientTls, payload);
    assert.deepEqual(got, payload, 'the echo through the relay');
    await waitFor(() => closed === 1, 'the relayed connection closed');
    const w = await wire.close();
    await pcap.close();
    return { wireFile, pcapFile, keys, summary: w, keyLines: wire.keyLineCount };
  }

  const payload = (name: string): Buffer => Buffer.concat([Buffer.from(`hello wire ${name}\n`), Buffer.from([0, 1, 2, 0xfe, 0xff])]);

  for (const [clientTls, targetTls, targetMax] of [
    [true, true, undefined],
    [true, true, 'TLSv1.2'],
    [true, false, undefined],
    [false, true, undefined],
  ] as const) {
    const name = `${clientTls ? 'TLS' : 'plain'} to ${targetTls ? `TLS${targetMax ? ' 1.2' : ''}` : 'plain'}`;
    it(`${name}: tshark decrypts each TLS leg with no key file; the plain pcap stays byte-exact`, async () => {
      const bytes = payload(name);
      const c = await capture(clientTls, targetTls, bytes, targetMax);
      // Stream 0 is the client's leg, stream 1 the relay's to the target.
      for (const [stream, legTls] of [
        [0, clientTls],
        [1, targetTls],
      ] as const) {
        if (legTls) {
          const out = await followTls(c.wireFile, stream);
          assert.equal(out.split(`hello wire ${name}`).length - 1, 2, `stream ${stream}: the request and its echo, decrypted:\n${out}`);
        } else {
          const f = await followStream(c.wireFile, stream);
          assert.deepEqual([f.toServer, f.toClient], [bytes, bytes], `stream ${stream}: the plain leg's bytes`);
        }
      }
      const rows = await packets(c.wireFile);
      assert.deepEqual([...new Set(rows.map((r) => r.stream))], [0, 1]);
      assert.ok(
        rows.every((r) => r.tcpCheck === '1'),
        'every TCP checksum good',
      );
      const legs = Number(clientTls) + Number(targetTls);
      assert.equal(c.keyLines, c.keys.length);
      assert.ok(c.keys.length >= legs, `${c.keys.length} key lines for ${legs} TLS legs`);
      assert.equal(
        c.keys.some((k) => k.startsWith('CLIENT_RANDOM ')),
        targetMax === 'TLSv1.2',
        'TLS 1.2 logs CLIENT_RANDOM lines, TLS 1.3 traffic secrets',
      );
      const raw = await followStream(c.pcapFile, 0);
      assert.deepEqual([raw.toServer, raw.toClient], [bytes, bytes], 'the plaintext pcap, byte-exact');
    });
  }

  it('the key log is SSLKEYLOGFILE lines: with the embedded keys removed, tshark -o tls.keylog_file decrypts the capture', async () => {
    const c = await capture(true, true, payload('keylog'));
    const lines = c.keys.join('').trimEnd().split('\n');
    assert.ok(lines.length >= 10, `${lines.length} lines`);
    for (const l of lines) {
      assert.match(l, KEYLOG_LINE);
    }
    const keylog = path.join(tmp, 'keys.log');
    fs.writeFileSync(keylog, c.keys.join(''));
    const bare = path.join(tmp, 'bare.pcapng');
    await new Promise<void>((resolve, reject) => execFile('editcap', ['--discard-all-secrets', c.wireFile, bare], (e) => (e ? reject(e) : resolve())));
    assert.doesNotMatch(await followTls(bare, 0), /hello wire keylog/, 'without keys, nothing is decrypted');
    assert.match(await followTls(bare, 0, keylog), /hello wire keylog/);
    assert.match(await followTls(bare, 1, keylog), /hello wire keylog/);
  });

  it('never replaces an existing file unless told', async () => {
    const file = path.join(tmp, 'there.pcapng');
    fs.writeFileSync(file, 'keep me');
    await assert.rejects(WireWriter.open(file), (e: Error & { code?: string }) => e.code === 'pcap.exists');
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
    const w = await WireWriter.open(file, { overwrite: true });
    await w.close();
    assert.equal(fs.readFileSync(file).readUInt32LE(0), 0x0a0d0d0a, 'a pcapng section header');
  });
});
