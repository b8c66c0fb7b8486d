// copyPcap: a capture the PcapWriter is still writing copied whole or filtered to one connection, read
// back by tshark; a half-written last record left out; an existing file never replaced unless told.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { WorkbenchError } from '../../../src/core/errors';
import { copyPcap } from '../../../src/core/relay/pcapFilter';
import { PcapWriter } from '../../../src/core/relay/pcapWriter';
import { RelayConnection } from '../../../src/core/relay/relayTypes';
import { readAll, waitFor } from '../support';
import { Relays, followStream, packets } from './relayFixtures';

describe('copyPcap', function () {
  this.timeout(60000);
  const relays = new Relays();
  let echo: EchoServer;
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-pcapcopy-'));
  });

  afterEach(async () => {
    await relays.dispose();
    await echo?.stop();
    echo?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A relay to an echo server, capturing to `live.pcap`; three conversations through it, the writer left open. */
  async function liveCapture(): Promise<{ file: string; pcap: PcapWriter; conns: RelayConnection[]; sent: Buffer[] }> {
    echo = new EchoServer({ host: '127.0.0.1' });
    const target = (await echo.start()).port;
    const { relay, port } = await relays.start({ targetHost: '127.0.0.1', targetPort: target });
    const file = path.join(dir, 'live.pcap');
    const pcap = await PcapWriter.open(file);
    relay.addTap(pcap);
    const conns: RelayConnection[] = [];
    relay.onDidCloseConnection((e) => conns.push(e.connection));
    const sent = ['one\n', 'the second conversation\n', 'three, the last one\n'].map((t) => Buffer.from(t));
    for (const b of sent) {
      const s = net.connect({ host: '127.0.0.1', port });
      s.write(b, () => setTimeout(() => s.end(), 50));
      assert.deepEqual(await readAll(s), b);
      await waitFor(() => conns.length === sent.indexOf(b) + 1, 'the connection to close');
    }
    await waitFor(() => fs.statSync(file).size === pcap.summary.bytes, 'the capture to reach the disk');
    return { file, pcap, conns, sent };
  }

  it('copies a capture still being written; tshark follows every stream', async () => {
    const { file, pcap, sent } = await liveCapture();
    const r = await copyPcap(file, path.join(dir, 'all.pcap'));
    assert.equal(r.packets, pcap.summary.packets);
    assert.equal(r.bytes, pcap.summary.bytes);
    for (let i = 0; i < sent.length; i++) {
      const f = await followStream(r.file, i);
      assert.deepEqual(f.toServer, sent[i]);
      assert.deepEqual(f.toClient, sent[i]);
    }
    await pcap.close();
  });

  it('keeps one connection: its stream only, with the same packets as in the whole capture', async () => {
    const { file, pcap, conns, sent } = await liveCapture();
    const c = conns[1];
    const r = await copyPcap(file, path.join(dir, 'one.pcap'), { filter: { clientAddress: c.clientEnd.address, clientPort: c.clientEnd.port } });
    const rows = await packets(r.file);
    const whole = (await packets(file)).filter((p) => p.stream === 1);
    assert.deepEqual(
      rows.map((p) => [p.flags, p.len]),
      whole.map((p) => [p.flags, p.len]),
    );
    assert.ok(rows.every((p) => p.stream === 0));
    assert.deepEqual((await followStream(r.file, 0)).toServer, sent[1]);
    // A time window that ends before the connection opened keeps nothing.
    const none = await copyPcap(file, path.join(dir, 'none.pcap'), {
      filter: { clientAddress: c.clientEnd.address, clientPort: c.clientEnd.port, toUs: (c.openedAt - 1000) * 1000 },
    });
    assert.equal(none.packets, 0);
    await pcap.close();
  });

  it('leaves out a half-written last record, so the copy stays a valid capture', async () => {
    const { file, pcap } = await liveCapture();
    const summary = await pcap.close();
    const cut = path.join(dir, 'cut.pcap');
    const bytes = fs.readFileSync(file);
    // The whole file plus the header and 10 bytes of a record that says it holds 60.
    const partial = Buffer.alloc(26);
    partial.writeUInt32LE(60, 8);
    partial.writeUInt32LE(60, 12);
    fs.writeFileSync(cut, Buffer.concat([bytes, partial]));
    const r = await copyPcap(cut, path.join(dir, 'copy.pcap'));
    assert.equal(r.packets, summary.packets);
    assert.deepEqual(fs.readFileSync(r.file), bytes);
    assert.equal((await packets(r.file)).length, summary.packets);
  });

  it('with length, reads only that many bytes: what lies past them (a hole, a later write) never reaches the copy', async () => {
    const { file, pcap } = await liveCapture();
    const summary = await pcap.close();
    const bytes = fs.readFileSync(file);
    // Past the complete part: 64 KiB of zeros (a write not landed yet), then the capture's records again.
    const grown = path.join(dir, 'grown.pcap');
    fs.writeFileSync(grown, Buffer.concat([bytes, Buffer.alloc(65536), bytes.subarray(24)]));
    const r = await copyPcap(grown, path.join(dir, 'prefix.pcap'), { length: bytes.length });
    assert.equal(r.packets, summary.packets);
    assert.deepEqual(fs.readFileSync(r.file), bytes);
    // Without length the zeros are read as records: the reason Export passes it.
    const all = await copyPcap(grown, path.join(dir, 'all.pcap'));
    assert.ok(all.packets > summary.packets, `${all.packets} records read from the grown file`);
  });

  it('never replaces an existing file unless told, and leaves no partial file behind', async () => {
    const { file, pcap } = await liveCapture();
    await pcap.close();
    const dest = path.join(dir, 'mine.pcap');
    fs.writeFileSync(dest, 'my own notes');
    await assert.rejects(copyPcap(file, dest), (e: unknown) => e instanceof WorkbenchError && e.code === 'pcap.exists');
    assert.equal(fs.readFileSync(dest, 'utf8'), 'my own notes');
    await copyPcap(file, dest, { overwrite: true });
    assert.deepEqual(fs.readFileSync(dest), fs.readFileSync(file));
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.includes('.partial')),
      [],
    );
    // A source that is not yet a capture (no header): an error, and nothing at the destination.
    fs.writeFileSync(path.join(dir, 'empty.pcap'), '');
    await assert.rejects(copyPcap(path.join(dir, 'empty.pcap'), path.join(dir, 'out.pcap')), (e: unknown) => e instanceof WorkbenchError && e.code === 'pcap.empty');
    assert.ok(!fs.existsSync(path.join(dir, 'out.pcap')));
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.includes('.partial')),
      [],
    );
  });
});
