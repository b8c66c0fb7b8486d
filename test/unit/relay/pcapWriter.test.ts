// The relay's pcap capture read back by tshark: Follow TCP Stream gives the relayed bytes, and the
// packets (handshake, segments, FIN/RST) and their checksums are what happened.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { PcapWriter, PcapWriterOptions } from '../../../src/core/relay/pcapWriter';
import { RelayServer } from '../../../src/core/relay/relayServer';
import { RelayCloseEvent } from '../../../src/core/relay/relayTypes';
import { Peers, freePort, readAll, sleep, waitFor } from '../support';
import { PacketRow, Relays, followStream, packets, tshark } from './relayFixtures';

// Both writers: around the page cache where the temp dir takes O_DIRECT (the default), and the plain stream.
for (const directIo of [true, false]) {
  describe(`PcapWriter (${directIo ? 'direct I/O where the file system takes it' : 'plain stream'})`, function () {
    this.timeout(60000);
    const peers = new Peers();
    const relays = new Relays();
    const echoes: EchoServer[] = [];
    const pcaps: PcapWriter[] = [];
    let dir: string;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-pcap-'));
    });

    afterEach(async () => {
      await relays.dispose();
      // Closed here too when a test failed before its own close (close() twice is one close).
      await Promise.all(pcaps.splice(0).map((p) => p.close()));
      await Promise.all(echoes.splice(0).map((s) => s.stop().then(() => s.dispose())));
      await peers.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function echo(host = '127.0.0.1'): Promise<number> {
      const s = new EchoServer({ host });
      echoes.push(s);
      return (await s.start()).port;
    }

    /** A capture of `relay` into `name` in the test's folder (an absolute path as it is). */
    async function capture(relay: RelayServer, name: string, options?: PcapWriterOptions): Promise<{ file: string; pcap: PcapWriter }> {
      const file = path.isAbsolute(name) ? name : path.join(dir, name);
      const pcap = await PcapWriter.open(file, { directIo, ...options });
      pcaps.push(pcap);
      // The temp dir takes O_DIRECT here and on CI (ext4; tmpfs since Linux 6.6): the switch decides.
      assert.equal(pcap.direct, directIo && !file.startsWith('/dev/'), 'the writer the switch chose');
      relay.addTap(pcap);
      return { file, pcap };
    }

    const ofStream = (rows: PacketRow[], n: number): PacketRow[] => rows.filter((r) => r.stream === n);

    it('captures echo, client reset and target reset conversations that tshark follows byte for byte', async () => {
      // The target echoes, but answers "RESET" with 3000 bytes and a reset.
      const target = await peers.listen((s) => {
        s.on('data', (d: Buffer) => {
          if (d.toString() === 'RESET') {
            s.write(Buffer.alloc(3000, 9), () => setTimeout(() => s.resetAndDestroy(), 50));
          } else {
            s.write(d);
          }
        });
        s.on('end', () => s.end());
      });
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: target });
      const { file, pcap } = await capture(relay, 'all.pcap');
      const closed: RelayCloseEvent[] = [];
      relay.onDidCloseConnection((e) => closed.push(e));

      // 0: 200 KB of random bytes echoed, then both FINs (segments must be split at 65495 bytes).
      const payload = crypto.randomBytes(200000);
      const a = await peers.connect(port);
      const got = readAll(a);
      a.end(payload);
      assert.ok((await got).equals(payload));
      await waitFor(() => closed.length === 1, 'conversation 0 to close');
      // 1: the client says something and resets.
      const b = await peers.connect(port);
      b.write('bye!');
      await waitFor(() => relay.connections[0]?.bytesToClient === 4, 'the echo of bye!');
      b.resetAndDestroy();
      await waitFor(() => closed.length === 2, 'conversation 1 to close');
      // 2: the target resets after 3000 bytes.
      const c = await peers.connect(port);
      c.on('error', () => undefined);
      const cGot = readAll(c);
      c.write('RESET');
      assert.equal((await cGot).length, 3000);
      await waitFor(() => closed.length === 3, 'conversation 2 to close');
      const summary = await pcap.close();
      assert.equal(summary.truncated, false);
      assert.equal(fs.statSync(file).size, summary.bytes);

      const f0 = await followStream(file, 0);
      assert.ok(f0.toServer.equals(payload), 'stream 0 client→server');
      assert.ok(f0.toClient.equals(payload), 'stream 0 server→client');
      assert.deepEqual(
        f0.nodes,
        [closed[0].connection.clientEnd, closed[0].connection.targetEnd].map((e) => `${e.address}:${e.port}`),
      );
      const f1 = await followStream(file, 1);
      assert.equal(f1.toServer.toString(), 'bye!');
      assert.equal(f1.toClient.toString(), 'bye!');
      const f2 = await followStream(file, 2);
      assert.equal(f2.toServer.toString(), 'RESET');
      assert.ok(f2.toClient.equals(Buffer.alloc(3000, 9)));

      const rows = await packets(file);
      assert.equal(rows.length, summary.packets);
      assert.ok(
        rows.every((r) => r.ipCheck === '1' && r.tcpCheck === '1'),
        'every IP and TCP checksum is good',
      );
      const clientPort = (n: number): number => closed[n].connection.clientEnd.port;
      const shape = (n: number): string[] => ofStream(rows, n).map((r) => `${r.srcPort === clientPort(n) ? 'c' : 's'} ${r.flags}${r.len ? ' data' : ''}`);
      const s0 = shape(0);
      assert.deepEqual(s0.slice(0, 3), ['c SYN', 's SYN,ACK', 'c ACK']);
      assert.deepEqual(s0.filter((x) => !x.endsWith('data')).slice(3), ['c FIN,ACK', 's FIN,ACK']);
      const data0 = ofStream(rows, 0).filter((r) => r.len > 0);
      assert.ok(data0.every((r) => r.len <= 65495));
      assert.ok(data0.length >= 8, `200000 bytes each way need at least 4 segments each, got ${data0.length}`);
      assert.deepEqual(shape(1), ['c SYN', 's SYN,ACK', 'c ACK', 'c ACK data', 's ACK data', 'c RST,ACK']);
      assert.deepEqual(
        shape(2).filter((x) => !x.startsWith('s ACK data')),
        ['c SYN', 's SYN,ACK', 'c ACK', 'c ACK data', 's RST,ACK'],
      );
    });

    it('records a refused target as a SYN answered by a reset', async () => {
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: await freePort() });
      const { file, pcap } = await capture(relay, 'refused.pcap');
      const s = await peers.connect(port);
      s.on('error', () => undefined);
      await readAll(s);
      await pcap.close();
      assert.deepEqual(
        (await packets(file)).map((r) => r.flags),
        ['SYN', 'RST,ACK'],
      );
    });

    it('writes IPv6 packets for a relay on ::1', async () => {
      const { relay, port } = await relays.start({ host: '::1', targetHost: '::1', targetPort: await echo('::1') });
      const { file, pcap } = await capture(relay, 'v6.pcap');
      const s = await peers.connect(port, '::1');
      const got = readAll(s);
      s.end('over IPv6');
      assert.equal((await got).toString(), 'over IPv6');
      await waitFor(() => relay.connections.length === 0, 'the connection to close');
      await pcap.close();
      const f = await followStream(file, 0);
      assert.equal(f.toServer.toString(), 'over IPv6');
      assert.equal(f.toClient.toString(), 'over IPv6');
      const v6 = await tshark(['-r', file, '-T', 'fields', '-e', 'ipv6.src', '-e', 'tcp.checksum.status', '-o', 'tcp.check_checksum:TRUE']);
      const lines = v6.trim().split('\n');
      assert.equal(lines.length, 7);
      assert.ok(
        lines.every((l) => l === '::1\t1'),
        v6,
      );
    });

    it('writes the relay address for the server end when client and target differ in family', async () => {
      const { relay, port } = await relays.start({ targetHost: '::1', targetPort: await echo('::1') });
      const { file, pcap } = await capture(relay, 'mixed.pcap');
      const closed: RelayCloseEvent[] = [];
      relay.onDidCloseConnection((e) => closed.push(e));
      assert.equal((await peers.request(port, ['v4 to v6'], { halfClose: true })).toString(), 'v4 to v6');
      await waitFor(() => closed.length === 1, 'the close');
      await pcap.close();
      const f = await followStream(file, 0);
      assert.deepEqual(f.nodes, [`127.0.0.1:${closed[0].connection.clientEnd.port}`, `127.0.0.1:${port}`]);
      assert.equal(f.toClient.toString(), 'v4 to v6');
    });

    it('stops at the size cap, says so, and the relay still delivers every byte', async () => {
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: await echo() });
      const { file, pcap } = await capture(relay, 'cap.pcap', { maxBytes: 10000 });
      const payload = crypto.randomBytes(100000);
      const got = await peers.request(port, [payload], { halfClose: true });
      assert.ok(got.equals(payload));
      const summary = await pcap.close();
      assert.equal(summary.truncated, true);
      assert.ok(summary.droppedPackets > 0);
      assert.ok(fs.statSync(file).size <= 10000);
      assert.equal((await packets(file)).length, summary.packets);
    });

    it('stops capturing on a write error (a full disk) and keeps relaying', async () => {
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: await echo() });
      const { pcap } = await capture(relay, '/dev/full', { overwrite: true });
      const payload = crypto.randomBytes(300000);
      assert.ok((await peers.request(port, [payload], { halfClose: true })).equals(payload));
      const summary = await pcap.close();
      assert.equal(summary.truncated, true);
      assert.equal((summary.error as Error & { code?: string })?.code, 'pcap.write');
      assert.match(summary.error?.message ?? '', /Cannot write the capture \/dev\/full/);
    });

    it('captures only the chosen connection', async () => {
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: await echo() });
      const { file, pcap } = await capture(relay, 'one.pcap', { connectionId: 2 });
      for (const text of ['first', 'second', 'third']) {
        assert.equal((await peers.request(port, [text], { halfClose: true })).toString(), text);
        await sleep(20);
      }
      await waitFor(() => relay.connections.length === 0, 'all connections to close');
      await pcap.close();
      const rows = await packets(file);
      assert.ok(rows.every((r) => r.stream === 0));
      assert.equal((await followStream(file, 0)).toServer.toString(), 'second');
    });

    it('never replaces an existing file unless told to', async () => {
      const file = path.join(dir, 'exists.pcap');
      fs.writeFileSync(file, 'keep me');
      await assert.rejects(PcapWriter.open(file), (e: Error & { code?: string }) => e.code === 'pcap.exists' && /already exists/.test(e.message));
      assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
      const w = await PcapWriter.open(file, { overwrite: true });
      await w.close();
      assert.equal(fs.statSync(file).size, 24);
    });

    it('keeps the relay paused while the disk is behind, and loses nothing', async () => {
      // A tiny high-water mark makes the writer congested at once: the relay must wait for its drains.
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: await echo() });
      const { file, pcap } = await capture(relay, 'slow.pcap', { highWaterMark: 1024 });
      let congestedSeen = 0;
      relay.onDidRelayData(() => (congestedSeen += pcap.congested ? 1 : 0));
      const payload = crypto.randomBytes(4 * 1024 * 1024);
      const got = await peers.request(port, [payload], { halfClose: true, timeoutMs: 30000 });
      assert.ok(got.equals(payload));
      assert.ok(congestedSeen > 0, 'the writer was never congested');
      await pcap.close();
      const f = await followStream(file, 0);
      assert.ok(f.toServer.equals(payload) && f.toClient.equals(payload));
    });

    it('sync() in the middle of a transfer says how much of the file is complete: whole packets tshark reads, without waiting for the transfer to end', async () => {
      const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: await echo() });
      const { file, pcap } = await capture(relay, 'live.pcap');
      // 64 MiB echoed in 256 KiB writes with backpressure; sync() once the first 8 MiB are back.
      const s = await peers.connect(port);
      let back = 0;
      s.on('data', (d: Buffer) => (back += d.length));
      const block = crypto.randomBytes(256 * 1024);
      const total = 64 * 1024 * 1024;
      const sending = (async () => {
        for (let sent = 0; sent < total; sent += block.length) {
          if (!s.write(block)) {
            await new Promise((r) => s.once('drain', r));
          }
        }
        s.end();
      })();
      await waitFor(() => back >= 8 * 1024 * 1024, 'the first 8 MiB to come back', 20000);
      const complete = await pcap.sync();
      const backAtSync = back;
      // Exactly the part sync() vouches for: later writes may already reach past it, and not in order.
      const copy = path.join(dir, 'copy.pcap');
      const fd = fs.openSync(file, 'r');
      const head = Buffer.alloc(complete);
      const got = fs.readSync(fd, head, 0, complete, 0);
      fs.closeSync(fd);
      assert.equal(got, complete, 'the file holds at least what sync() said');
      fs.writeFileSync(copy, head);
      await sending;
      await waitFor(() => back === total, 'every byte to come back', 30000);
      assert.ok(backAtSync < total, `the transfer was still running when sync() resolved (${backAtSync} of ${total} bytes back)`);
      const rows = await packets(copy);
      assert.ok(rows.length >= 3 && rows.every((r) => r.tcpCheck === '1'), `${rows.length} good packets in the copy`);
      const seen = rows.reduce((n, r) => n + r.len, 0);
      assert.ok(seen >= 8 * 1024 * 1024, `the copy holds ${seen} payload bytes, at least the 8 MiB echoed before sync()`);
      await pcap.close();
    });
  });
}
