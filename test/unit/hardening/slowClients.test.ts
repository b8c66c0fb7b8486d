// Issue 6, part 3: idle and trickling clients lose their file-server slot at the name timeout, and
// maxConnections holds under a burst of twice the cap. Times are scaled down (300 ms name timeout).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { LeaveEvent } from '../../../src/core/servers/serverBase';
import { rawRequest } from './helpers';
import { Scaffold, sleep, waitUntil } from '../support';

const NAME_TIMEOUT = 300;

type Client = net.Socket & { closedAt?: number; port?: number };

/** Connects and resolves once connected; `port` is our port (gone from the socket once closed), `closedAt` set on close. */
function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const s: Client = net.connect({ host: '127.0.0.1', port }, () => {
      s.port = s.localPort;
      s.setNoDelay(true); // no Nagle: each byte leaves at once, as a real trickler's would
      resolve(s);
    });
    s.on('error', (e) => (s.connecting ? reject(e) : undefined));
    s.on('close', () => (s.closedAt = Date.now()));
  });
}

describe('hardening: slow and idle clients', function () {
  this.timeout(20000);
  let dir: string;
  let server: FileServer;
  let port: number;
  const leaves: LeaveEvent[] = [];
  const sockets: net.Socket[] = [];
  const bed = new Scaffold();

  before(async () => {
    dir = bed.tempDir('slow');
    fs.writeFileSync(path.join(dir, 'normal.txt'), 'normal\n');
    // A quiet gap well above the trickle interval, so the trickle never completes a name and only the
    // name timeout can end it (a slower trickle is ended sooner, by the gap itself).
    server = new FileServer({ root: dir, nameTimeoutMs: NAME_TIMEOUT, nameQuietMs: 150, maxConnections: 5 });
    server.onDidLeaveClient((e) => leaves.push(e));
    port = (await bed.start(server)).port;
  });

  afterEach(() => {
    sockets.splice(0).forEach((s) => s.destroy());
  });

  after(() => bed.dispose());

  function leaveOf(s: Client): LeaveEvent | undefined {
    return leaves.find((e) => e.client.remotePort === s.port);
  }

  it('closes a client that sends nothing after the name timeout (timed-out)', async () => {
    const t0 = Date.now();
    const s = await connect(port);
    sockets.push(s);
    assert.ok(await waitUntil(() => s.closedAt !== undefined, 3000), 'never closed');
    const held = s.closedAt! - t0;
    assert.ok(await waitUntil(() => leaveOf(s) !== undefined, 500));
    console.log(`      idle client closed after ${held} ms (name timeout ${NAME_TIMEOUT} ms), reason ${leaveOf(s)?.reason}`);
    assert.ok(held >= NAME_TIMEOUT - 20 && held < NAME_TIMEOUT + 700, `held ${held} ms`);
    assert.equal(leaveOf(s)?.reason, 'timed-out');
  });

  it('closes clients that trickle one byte every 30 ms at the name timeout, and the slots come back', async () => {
    // Five trickling clients take every slot; none may keep it past the name timeout, however often it
    // sends (a timeout re-armed on each byte would keep them forever).
    const t0 = Date.now();
    const tricklers = await Promise.all(Array.from({ length: 5 }, () => connect(port)));
    sockets.push(...tricklers);
    const timers = tricklers.map((s) =>
      setInterval(() => {
        if (!s.destroyed && s.writable) {
          s.write('a');
        }
      }, 30),
    );
    try {
      const allClosed = await waitUntil(() => tricklers.every((s) => s.closedAt !== undefined), 3000);
      const held = tricklers.map((s) => (s.closedAt ?? Date.now()) - t0);
      console.log(`      tricklers held their slot for ${held.join(', ')} ms (name timeout ${NAME_TIMEOUT} ms)`);
      assert.ok(allClosed, 'a trickling client kept its slot');
      assert.ok(Math.max(...held) < NAME_TIMEOUT + 700, `held up to ${Math.max(...held)} ms`);
      for (const s of tricklers) {
        assert.ok(await waitUntil(() => leaveOf(s) !== undefined, 500));
        assert.equal(leaveOf(s)?.reason, 'timed-out');
      }
    } finally {
      timers.forEach(clearInterval);
    }
    assert.ok(await waitUntil(() => server.clients.length === 0, 1000));
    const r = await rawRequest(port, Buffer.from('normal.txt\n'));
    assert.equal(r.data.toString(), 'normal\n', 'a normal client gets in after the tricklers');
  });

  it('holds maxConnections under a burst of twice the cap: the extra ones are refused at once and reported', async () => {
    const cap = 10;
    const s = new FileServer({ root: dir, nameTimeoutMs: 10000, maxConnections: cap });
    const refusals: { remote: string; reason: string }[] = [];
    let live = 0;
    let peak = 0;
    s.onDidRefuseClient((e) => refusals.push(e));
    s.onDidAcceptClient(() => (peak = Math.max(peak, ++live)));
    s.onDidLeaveClient(() => live--);
    try {
      const p = (await s.start()).port;
      const burst = await Promise.all(Array.from({ length: 2 * cap }, () => connect(p)));
      sockets.push(...burst);
      const t0 = Date.now();
      // The refused ones are closed at once; the accepted ones wait for a name (10 s).
      const refusedClosed = await waitUntil(() => burst.filter((b) => b.closedAt !== undefined).length >= cap, 1000, 5);
      const refusedMs = Date.now() - t0;
      await sleep(100);
      const closed = burst.filter((b) => b.closedAt !== undefined).length;
      console.log(
        `      burst of ${2 * cap} on a cap of ${cap}: accepted ${s.stats.clientsAccepted}, refused ${s.stats.clientsRefused} (${refusals.length} events, closed within ${refusedMs} ms), peak live ${peak}`,
      );
      assert.ok(refusedClosed, `only ${closed} closed`);
      assert.equal(closed, cap, 'exactly the extra ones are closed');
      assert.equal(s.stats.clientsAccepted, cap);
      assert.equal(s.stats.clientsRefused, cap);
      assert.equal(refusals.length, cap);
      assert.ok(
        refusals.every((r) => /limit|max/i.test(r.reason) && r.remote.startsWith('127.0.0.1:')),
        JSON.stringify(refusals[0]),
      );
      assert.equal(s.clients.length, cap);
      assert.ok(peak <= cap, `peak ${peak}`);
    } finally {
      await s.stop();
      s.dispose();
    }
  });
});
