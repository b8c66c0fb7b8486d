// Repeat send: the exact count, loose spacing, stop, the connection closing, bad options; on a session
// and on a server's client.
import * as assert from 'node:assert/strict';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { serverClientLink, sessionLink } from '../../../src/core/sessions/connectionLink';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { RepeatError, RepeatTick, Repeater } from '../../../src/core/sessions/repeater';
import { Peers, sleep, waitFor } from '../support';

describe('repeater', () => {
  const peers = new Peers();
  let server: EchoServer;
  let port: number;
  const sessions: ClientSession[] = [];
  const repeaters: Repeater[] = [];

  beforeEach(async () => {
    server = new EchoServer({ mode: 'manual' });
    ({ port } = await server.start());
  });

  afterEach(async () => {
    repeaters.splice(0).forEach((r) => r.dispose());
    await Promise.all(sessions.splice(0).map((s) => s.close().then(() => s.dispose())));
    await server.stop();
    server.dispose();
    await peers.dispose();
  });

  async function session(): Promise<ClientSession> {
    const s = new ClientSession({ host: '127.0.0.1', port });
    sessions.push(s);
    await s.connect();
    await waitFor(() => server.clients.length === sessions.length, 'the server to see the session');
    return s;
  }

  function repeat(...args: ConstructorParameters<typeof Repeater>): { r: Repeater; ticks: RepeatTick[] } {
    const r = new Repeater(...args);
    repeaters.push(r);
    const ticks: RepeatTick[] = [];
    r.onTick((t) => ticks.push(t));
    return { r, ticks };
  }

  it('N times every MS ms: exactly N sends, N payloads arrive, spacing about MS', async () => {
    const s = await session();
    const payload = Buffer.from('ping\r\n');
    const { r, ticks } = repeat(sessionLink(s), payload, { everyMs: 20, count: 10 });
    const stop = await r.done;
    assert.deepEqual(stop, { reason: 'done', sent: 10, error: undefined });
    assert.deepEqual(
      ticks.map((t) => t.index),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    await waitFor(() => server.stats.bytesIn === 10 * payload.length, 'the payloads');
    await sleep(60);
    assert.equal(server.stats.bytesIn, 10 * payload.length, 'no send after done');
    const span = ticks[9].at - ticks[0].at;
    // Loose bounds: timers never run much early; a busy machine may run them late.
    assert.ok(span >= 9 * 20 - 9, `10 sends spanned ${span} ms`);
    assert.ok(span < 9 * 20 * 10, `10 sends spanned ${span} ms`);
  });

  it('until stopped: stop() ends it at once and nothing more is sent', async () => {
    const s = await session();
    const { r, ticks } = repeat(sessionLink(s), Buffer.from('x'), { everyMs: 5 });
    await waitFor(() => ticks.length >= 5, 'five ticks');
    r.stop();
    const stop = await r.done;
    assert.equal(stop.reason, 'stopped');
    const n = ticks.length;
    assert.equal(stop.sent, n);
    await sleep(50);
    assert.equal(ticks.length, n);
    assert.equal(r.running, false);
    await waitFor(() => server.stats.bytesIn === n, `${n} bytes at the server`);
  });

  it("to a server's client: stops with connection-closed when the client goes", async () => {
    const client = await peers.connect(port);
    let got = 0;
    client.on('data', (d: Buffer) => (got += d.length));
    await waitFor(() => server.clients.length === 1, 'the client');
    const { r, ticks } = repeat(serverClientLink(server, server.clients[0].id), Buffer.from([0x00, 0x0d, 0xff]), { everyMs: 2 });
    await waitFor(() => ticks.length >= 3, 'three ticks');
    client.destroy();
    const stop = await r.done;
    assert.equal(stop.reason, 'connection-closed');
    assert.ok(got >= 3 && got % 3 === 0, `${got} bytes received`);
  });

  it('stops with connection-closed when the session is closed, and at once on a closed one', async () => {
    const s = await session();
    const { r } = repeat(sessionLink(s), Buffer.from('y'), { everyMs: 3 });
    await sleep(20);
    await s.close();
    assert.equal((await r.done).reason, 'connection-closed');
    const late = repeat(sessionLink(s), Buffer.from('y'), { everyMs: 3, count: 5 });
    assert.deepEqual(await late.r.done, { reason: 'connection-closed', sent: 0, error: undefined });
  });

  it('refuses an interval under 1 ms, a fractional one, or a count under 1, sending nothing', async () => {
    const s = await session();
    for (const o of [{ everyMs: 0 }, { everyMs: 1.5 }, { everyMs: -3 }, { everyMs: 10, count: 0 }, { everyMs: 10, count: 2.5 }, { everyMs: NaN }]) {
      assert.throws(
        () => new Repeater(sessionLink(s), Buffer.from('z'), o),
        (e: unknown) => e instanceof RepeatError && e.code === 'repeat.badOptions',
        JSON.stringify(o),
      );
    }
    await sleep(30);
    assert.equal(s.bytesOut, 0);
    assert.equal(server.stats.bytesIn, 0);
  });
});
