// The timeline model fed by real sockets: a python peer that sends 3 pieces 0 ms apart (corked) and then
// 20 ms apart, one big send, and ends with FIN or RST; a held port; our own client and server paired.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { Timeline, ChunkEvent, MarkEvent, isChunk } from '../../../src/core/timeline/timeline';
import { SocketProbe, markError } from '../../../src/core/timeline/probe';
import { explain } from '../../../src/core/timeline/explain';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { PEERS, Peers, waitFor } from '../support';

const reads = (t: Timeline) => t.events.filter((e): e is ChunkEvent => e.kind === 'read');
const marks = (t: Timeline, kind: string) => t.events.filter((e): e is MarkEvent => e.kind === kind);

describe('timeline from real sockets', () => {
  const peers = new Peers();
  afterEach(() => peers.dispose());

  /** Connects to the python sender, records what our recv gets, and feeds in the writes it printed. */
  async function watchSender(end: 'fin' | 'rst', big = 0): Promise<{ timeline: Timeline; gotChunks: number[] }> {
    const { child, line } = await peers.startPeer('python3', [path.join(PEERS, 'pieces_sender.py'), end, String(big)]);
    const timeline = new Timeline({ lanes: ['us', 'python'] });
    const socket = await peers.connect(Number(line));
    socket.on('error', () => undefined);
    const gotChunks: number[] = [];
    socket.on('data', (b: Buffer) => gotChunks.push(b.length));
    const probe = new SocketProbe(timeline, socket, 0, 1);
    const sends: { t: number; size: number }[] = [];
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write('go');
    await waitFor(() => out.includes('done'), 'the peer to finish', 10000);
    await closed;
    for (const l of out.split('\n')) {
      if (l.startsWith('{')) {
        sends.push(JSON.parse(l) as { t: number; size: number });
      }
    }
    // The peer's writes, known from its own report, in the stream it wrote (python → us).
    const fed = new Timeline({ lanes: ['us', 'python'], now: () => timeline.startedAt });
    const events = [...timeline.events, ...sends.map((s) => ({ kind: 'peerWrite' as const, t: s.t - timeline.startedAt, size: s.size }))].sort((a, b) => a.t - b.t);
    for (const e of events) {
      if (e.kind === 'peerWrite') {
        fed.write(1, 0, Buffer.alloc(e.size), timeline.startedAt + e.t);
      } else if (e.kind === 'read') {
        fed.read(1, 0, Buffer.alloc(e.size), timeline.startedAt + e.t);
      } else if (!isChunk(e)) {
        fed.mark(e.kind, e.lane, { ...e, at: timeline.startedAt + e.t });
      }
    }
    probe.dispose();
    return { timeline: fed, gotChunks };
  }

  it('3 corked sends arrive as 1 recv (merged), 3 sends 20 ms apart as reads paired one by one, and FIN is told from RST', async () => {
    const { timeline, gotChunks } = await watchSender('fin');
    const r = reads(timeline);
    assert.deepEqual(
      r.map((e) => e.size),
      gotChunks,
      'the model holds exactly the chunks recv got',
    );
    assert.equal(r[0].size, 'one;two;three;'.length, 'the 3 corked sends came as one recv');
    assert.equal(timeline.writesOf(r[0]).length, 3);
    const notes = explain(timeline);
    assert.deepEqual(
      notes.find((n) => n.code === 'merged'),
      { code: 'merged', seq: r[0].seq, args: [3] },
    );
    // The later sends were 20 ms apart: each read pairs with the writes it actually carried bytes of.
    for (const read of r.slice(1)) {
      const writes = timeline.writesOf(read);
      assert.ok(writes.length >= 1);
      assert.equal(
        notes.some((n) => n.code === 'merged' && n.seq === read.seq),
        writes.length >= 2,
      );
    }
    assert.equal(marks(timeline, 'fin').length, 1, 'recv returned 0: a FIN');
    assert.equal(marks(timeline, 'fin')[0].lane, 1, 'the FIN came from the peer');
    assert.equal(marks(timeline, 'rst').length, 0);
    assert.ok(notes.some((n) => n.code === 'eof'));
  });

  it('one big send arrives in several recvs (split) and a SO_LINGER 0 close is a reset, not a FIN', async () => {
    const { timeline } = await watchSender('rst', 300_000);
    const big = timeline.events.find((e): e is ChunkEvent => e.kind === 'write' && e.size === 300_000);
    assert.ok(big);
    const pieces = timeline.readsOf(big);
    assert.ok(pieces.length >= 2, `300000 bytes in ${pieces.length} recvs`);
    assert.deepEqual(
      explain(timeline).find((n) => n.code === 'split'),
      { code: 'split', seq: big.seq, args: [pieces.length] },
    );
    const rst = marks(timeline, 'rst');
    assert.equal(rst.length, 1);
    assert.equal(rst[0].lane, 1);
    assert.equal(rst[0].code, 'ECONNRESET');
    assert.equal(marks(timeline, 'fin').length, 0, 'a reset is not a FIN');
    assert.ok(explain(timeline).some((n) => n.code === 'reset'));
  });

  it('EADDRINUSE on a held port is marked and explained', async () => {
    const held = net.createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
    const port = (held.address() as net.AddressInfo).port;
    const timeline = new Timeline({ lanes: ['server'] });
    const server = new EchoServer({ port });
    try {
      await assert.rejects(server.start(), (e: unknown) => {
        markError(timeline, 0, e);
        return true;
      });
    } finally {
      server.dispose();
      await new Promise<void>((r) => held.close(() => r()));
    }
    assert.equal(marks(timeline, 'error')[0].code, 'EADDRINUSE');
    assert.equal(explain(timeline)[0].code, 'addrInUse');
  });

  it('pairs our client writes with our server reads: send together shows N sends → 1 recv', async () => {
    const server = new EchoServer({ mode: 'manual' });
    const { port } = await server.start();
    const timeline = new Timeline({ lanes: ['client', 'server'] });
    const serverSide = new Promise<void>((resolve) => {
      server.onData((e) => {
        if (e.direction === 'in' && e.bytes.length > 0) {
          timeline.read(0, 1, e.bytes);
          resolve();
        }
      });
    });
    const socket = await peers.connect(port);
    const client = new SocketProbe(timeline, socket, 0, 1);
    await client.sendTogether([Buffer.from('a;'), Buffer.from('bb;'), Buffer.from('ccc;')]);
    await serverSide;
    await waitFor(() => timeline.bytesRead(0, 1) === 9, 'the server to read all 9 bytes');
    const merged = explain(timeline).filter((n) => n.code === 'merged');
    const serverReads = reads(timeline).filter((e) => e.to === 1);
    assert.equal(serverReads.length, 1, 'corked: one segment, one recv');
    assert.deepEqual(merged, [{ code: 'merged', seq: serverReads[0].seq, args: [3] }]);
    client.reset();
    await waitFor(() => server.clients.length === 0, 'the server to see the reset');
    assert.equal(marks(timeline, 'rst')[0].lane, 0);
    client.dispose();
    await server.stop();
    server.dispose();
  });
});
