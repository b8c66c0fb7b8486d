// Sending from our echo server: bytes to one client, to all clients (nc and raw sockets), and the
// per-connection byte and chunk counters with their reset.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { WorkbenchError } from '../../../src/core/errors';
import { Peers, waitFor } from '../support';

const BYTES = Buffer.from([0x00, 0x0d, 0x0a, 0xff, 0x41]);

describe('server send and counters', () => {
  const peers = new Peers();
  let server: EchoServer;
  let port: number;

  beforeEach(async () => {
    server = new EchoServer({ mode: 'manual' });
    ({ port } = await server.start());
  });

  afterEach(async () => {
    await server.stop();
    server.dispose();
    await peers.dispose();
  });

  function collect(s: net.Socket): Buffer[] {
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    return got;
  }

  it('sendToAll reaches every client (three sockets and nc), byte-exact', async () => {
    const sockets = await Promise.all([1, 2, 3].map(() => peers.connect(port)));
    const got = sockets.map(collect);
    const nc = peers.spawn('nc', ['-d', '127.0.0.1', String(port)]);
    const ncGot = collect(nc.stdout as unknown as net.Socket);
    await waitFor(() => server.clients.length === 4, 'four clients');
    assert.equal(server.sendToAll(BYTES), 4);
    await waitFor(() => got.every((g) => Buffer.concat(g).length === BYTES.length) && Buffer.concat(ncGot).length === BYTES.length, 'every client to get the bytes');
    for (const g of [...got, ncGot]) {
      assert.deepEqual(Buffer.concat(g), BYTES);
    }
    assert.equal(server.stats.bytesOut, 4 * BYTES.length);
  });

  it('sendTo reaches one client only; an unknown client is a clear error', async () => {
    const [a, b] = await Promise.all([peers.connect(port), peers.connect(port)]);
    const gotA = collect(a);
    const gotB = collect(b);
    await waitFor(() => server.clients.length === 2, 'two clients');
    const idA = server.clients.find((c) => c.remotePort === a.localPort)?.id ?? -1;
    await server.sendTo(idA, BYTES);
    await waitFor(() => Buffer.concat(gotA).length === BYTES.length, 'client a');
    assert.deepEqual(Buffer.concat(gotA), BYTES);
    assert.equal(gotB.length, 0);
    const err = await server.sendTo(999, BYTES).catch((e: unknown) => e);
    assert.ok(err instanceof WorkbenchError && err.code === 'server.noClient' && /Client 999 is not connected: nothing was sent/.test(err.message));
  });

  it('counts bytes and chunks in and out per client and per session, and resets them', async () => {
    const s = new ClientSession({ host: '127.0.0.1', port });
    try {
      await s.connect();
      await waitFor(() => server.clients.length === 1, 'the session');
      const id = server.clients[0].id;
      await s.send('abc');
      await waitFor(() => server.clients[0].chunksIn === 1, 'one chunk in');
      await s.send('defg');
      await server.sendTo(id, BYTES);
      await waitFor(() => server.clients[0].chunksIn === 2 && s.chunksIn === 1, 'the second chunk and the reply');
      assert.deepEqual({ ...server.clients[0], connectedAt: 0 }, { ...server.clients[0], connectedAt: 0, bytesIn: 7, chunksIn: 2, bytesOut: 5, chunksOut: 1 });
      assert.deepEqual([s.bytesOut, s.chunksOut, s.bytesIn, s.chunksIn], [7, 2, 5, 1]);
      assert.equal(server.resetCounters(id), true);
      s.resetCounters();
      const c = server.clients[0];
      assert.deepEqual([c.bytesIn, c.chunksIn, c.bytesOut, c.chunksOut], [0, 0, 0, 0]);
      assert.deepEqual([s.bytesOut, s.chunksOut, s.bytesIn, s.chunksIn], [0, 0, 0, 0]);
      assert.equal(server.stats.bytesIn, 7, 'the server totals are kept');
      assert.equal(server.resetCounters(999), false);
      await s.send('h');
      await waitFor(() => server.clients[0].bytesIn === 1, 'counting again');
      assert.equal(s.bytesOut, 1);
    } finally {
      await s.close();
      s.dispose();
    }
  });
});
