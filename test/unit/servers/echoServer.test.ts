// The echo server against real peers: the tutorial's python echo client, nc and socat, and raw sockets.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { EchoServer, EchoServerOptions } from '../../../src/core/servers/echoServer';
import { LeaveEvent, ServerError } from '../../../src/core/servers/serverBase';
import { PEERS, Peers, readAll, sha256 as sha } from '../support';
import { Refusal } from '../../../src/core/refusals';

describe('EchoServer', () => {
  const servers: EchoServer[] = [];
  const peers = new Peers();

  afterEach(async () => {
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
  });

  async function startServer(options: EchoServerOptions = {}): Promise<{ server: EchoServer; port: number }> {
    const server = new EchoServer({ host: '127.0.0.1', port: 0, ...options });
    servers.push(server);
    const a = await server.start();
    return { server, port: a.port };
  }

  /** Reads exactly n bytes (or fails after timeoutMs). */
  function readN(s: net.Socket, n: number, timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let got = 0;
      const timer = setTimeout(() => reject(new Error(`only ${got} of ${n} bytes arrived`)), timeoutMs);
      const onData = (d: Buffer) => {
        parts.push(d);
        got += d.length;
        if (got >= n) {
          clearTimeout(timer);
          s.off('data', onData);
          resolve(Buffer.concat(parts));
        }
      };
      s.on('data', onData);
    });
  }

  function nextLeave(server: EchoServer, timeoutMs = 5000): Promise<LeaveEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no client left')), timeoutMs);
      const d = server.onDidLeaveClient((e) => {
        clearTimeout(timer);
        d.dispose();
        resolve(e);
      });
    });
  }

  describe('echo mode', () => {
    it('answers the tutorial python echo client with its own text (utf-8 Chinese too)', async () => {
      const { server, port } = await startServer();
      const left = nextLeave(server);
      const r = await peers.run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(port), 'Hello, 世界']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString('utf-8'), 'Hello, 世界');
      const e = await left;
      // The python client closes after its one recv: the tutorials' "recv returned 0" on our side.
      assert.equal(e.reason, 'closed-by-peer');
      assert.equal(e.client.bytesIn, Buffer.byteLength('Hello, 世界'));
      assert.equal(e.client.bytesOut, e.client.bytesIn);
    });

    it('echoes 4 MiB byte-exact to nc -N, and ends after the peer half-closes', async () => {
      const { server, port } = await startServer();
      const data = crypto.randomBytes(4 * 1024 * 1024);
      const r = await peers.run('nc', ['-N', '127.0.0.1', String(port)], data, 20000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, data.length);
      assert.equal(sha(r.stdout), sha(data));
      assert.equal(server.stats.bytesIn, data.length);
    });

    it('echoes to socat', async () => {
      const { port } = await startServer();
      const r = await peers.run('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], 'line one\nline two\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), 'line one\nline two\n');
    });

    it('echoes over IPv6 ::1', async function () {
      const probe = net.createServer();
      const v6 = await new Promise<boolean>((resolve) => {
        probe.once('error', () => resolve(false));
        probe.listen(0, '::1', () => probe.close(() => resolve(true)));
      });
      assert.ok(v6, 'this machine has no ::1');
      const { server, port } = await startServer({ host: '::1' });
      const s = await peers.connect(port, '::1');
      s.write('v6');
      assert.equal((await readN(s, 2)).toString(), 'v6');
      assert.match(server.clients[0].remote, /^\[::1\]:\d+$/);
    });

    it('pauses reading while the peer does not read (backpressure), then delivers everything', async () => {
      const { server, port } = await startServer();
      const s = await peers.connect(port);
      const data = crypto.randomBytes(32 * 1024 * 1024);
      s.pause();
      s.write(data);
      s.end();
      // Let the kernel buffers fill up; the server must stop reading instead of buffering 32 MiB.
      await new Promise((r) => setTimeout(r, 700));
      const inWhilePaused = server.stats.bytesIn;
      assert.ok(inWhilePaused < 24 * 1024 * 1024, `server read ${inWhilePaused} bytes while the peer was not reading`);
      const back = readAll(s);
      s.resume();
      const got = await back;
      assert.equal(got.length, data.length);
      assert.equal(sha(got), sha(data));
      assert.equal(server.stats.bytesOut, data.length);
    });

    it('serves many clients at once (200 sockets and 10 python clients in parallel)', async () => {
      const { server, port } = await startServer();
      const accepted: number[] = [];
      server.onDidAcceptClient((c) => accepted.push(c.id));
      const socks = await Promise.all(Array.from({ length: 200 }, () => peers.connect(port)));
      // All are connected at the same time.
      const deadline = Date.now() + 5000;
      while (server.clients.length < 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(server.clients.length, 200);
      const results = await Promise.all(
        socks.map(async (s, i) => {
          const msg = Buffer.from(`client ${i} ${'x'.repeat(i)}`);
          s.write(msg);
          return (await readN(s, msg.length)).equals(msg);
        }),
      );
      assert.ok(results.every(Boolean));
      const py = await Promise.all(Array.from({ length: 10 }, (_, i) => peers.run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(port), `py ${i}`])));
      assert.deepEqual(
        py.map((r) => r.stdout.toString()),
        Array.from({ length: 10 }, (_, i) => `py ${i}`),
      );
      assert.equal(new Set(accepted).size, 210);
      assert.equal(server.stats.clientsAccepted, 210);
    });
  });

  describe('reply mode', () => {
    it('sends the reply in gbk once per received chunk to the python client', async () => {
      const { port } = await startServer({ mode: 'reply', replyText: '收到了', encoding: 'gbk' });
      const r = await peers.run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(port), '你好', 'gbk']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString('utf-8'), '收到了');
    });

    it('the reply bytes are exactly the gbk encoding, one reply per chunk', async () => {
      const { server, port } = await startServer({ mode: 'reply', replyText: '收到', encoding: 'gbk' });
      const s = await peers.connect(port);
      const expected = Buffer.from('cad5b5bd', 'hex'); // 收到 in gbk
      for (let i = 0; i < 3; i++) {
        s.write(`chunk ${i}`);
        // Wait for the reply before the next send, so each send is its own chunk on the server.
        assert.deepEqual(await readN(s, expected.length), expected);
      }
      assert.equal(server.clients[0].bytesOut, 3 * expected.length);
      assert.equal(server.clients[0].bytesIn, 'chunk 0chunk 1chunk 2'.length);
    });

    it('refuses a reply that is not valid in its encoding, and reply mode without a text', () => {
      assert.throws(() => new EchoServer({ mode: 'reply', replyText: 'zz', encoding: 'hex' }), /not hex bytes/);
      assert.throws(() => new EchoServer({ mode: 'reply' }), /needs a reply text/);
      assert.throws(() => new EchoServer({ mode: 'shout' as never }), /Unknown echo server mode "shout"/);
    });
  });

  describe('manual mode', () => {
    it('sends nothing by itself; sendText reaches one client, broadcastText all', async () => {
      const { server, port } = await startServer({ mode: 'manual' });
      const a = await peers.connect(port);
      const b = await peers.connect(port);
      const received: Buffer[] = [];
      a.on('data', (d: Buffer) => received.push(d));
      a.write('hello?');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(received.length, 0, 'manual mode must not answer by itself');
      assert.equal(server.stats.bytesIn, 6);
      const [ida, idb] = server.clients.map((c) => c.id);
      assert.equal(server.sendText(ida, 'only you', 'crlf'), true);
      assert.equal((await readN(a, 10)).toString(), 'only you\r\n');
      assert.equal(server.broadcastText('all of you', 'lf'), 2);
      assert.equal((await readN(b, 11)).toString(), 'all of you\n');
      assert.equal(server.sendText(9999, 'nobody'), false);
      assert.equal(server.clients.find((c) => c.id === idb)?.bytesOut, 11);
    });

    it('hex: the text is hex digits and the line ending is appended as bytes', async () => {
      const { port, server } = await startServer({ mode: 'manual', encoding: 'hex' });
      const a = await peers.connect(port);
      while (server.clients.length < 1) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(server.broadcastText('48 69', 'crlf'), 1);
      assert.deepEqual(await readN(a, 4), Buffer.from('Hi\r\n'));
      assert.throws(() => server.broadcastText('4'), /not hex bytes/);
    });

    it('gbk text to a python client', async () => {
      const { server, port } = await startServer({ mode: 'manual', encoding: 'gbk' });
      server.onDidAcceptClient((c) => server.sendText(c.id, '欢迎'));
      const r = await peers.run('python3', [path.join(PEERS, 'echo_client.py'), '127.0.0.1', String(port), 'hi', 'gbk']);
      assert.equal(r.stdout.toString(), '欢迎');
    });
  });

  describe('clients leaving and limits', () => {
    it('refuses the client over maxConnections at once and reports it', async () => {
      const { server, port } = await startServer({ maxConnections: 2 });
      const refused: { remote: string; reason: string; why: Refusal }[] = [];
      server.onDidRefuseClient((r) => refused.push(r));
      const a = await peers.connect(port);
      const b = await peers.connect(port);
      a.write('a');
      b.write('b');
      await readN(a, 1);
      await readN(b, 1);
      const c = await peers.connect(port);
      const cGot = await readAll(c);
      assert.equal(cGot.length, 0);
      assert.equal(refused.length, 1);
      assert.match(refused[0].reason, /connection limit reached \(2\)/);
      assert.deepEqual([refused[0].why.code, refused[0].why.args], ['refusal.connectionLimit', { max: 2 }]);
      assert.match(refused[0].remote, /^127\.0\.0\.1:\d+$/);
      assert.equal(server.stats.clientsRefused, 1);
      // The two first clients still work.
      a.write('still');
      assert.equal((await readN(a, 5)).toString(), 'still');
    });

    it('closes an idle client (timed-out)', async () => {
      const { server, port } = await startServer({ idleTimeoutMs: 200 });
      const left = nextLeave(server);
      const t0 = Date.now();
      const s = await peers.connect(port);
      const closed = readAll(s);
      const e = await left;
      assert.equal(e.reason, 'timed-out');
      assert.ok(Date.now() - t0 >= 150, 'closed too early');
      await closed;
    });

    it('kick(id) closes one client (kicked); an unknown id gives false', async () => {
      const { server, port } = await startServer();
      const s = await peers.connect(port);
      s.write('x');
      await readN(s, 1);
      const left = nextLeave(server);
      assert.equal(server.kick(server.clients[0].id), true);
      assert.equal((await left).reason, 'kicked');
      assert.equal(server.kick(12345), false);
      assert.equal(server.clients.length, 0);
    });

    it('reports a reset peer (reset)', async () => {
      const { server, port } = await startServer();
      const s = await peers.connect(port);
      s.write('x');
      await readN(s, 1);
      const left = nextLeave(server);
      s.resetAndDestroy();
      assert.equal((await left).reason, 'reset');
    });

    it('stop() with live clients closes them all; the same port starts again at once', async () => {
      const { server, port } = await startServer();
      const socks = await Promise.all(Array.from({ length: 5 }, () => peers.connect(port)));
      for (const s of socks) {
        s.write('y');
        await readN(s, 1);
      }
      const reasons: string[] = [];
      server.onDidLeaveClient((e) => reasons.push(e.reason));
      const closed = socks.map((s) => readAll(s));
      await server.stop();
      assert.equal(server.state, 'stopped');
      assert.deepEqual(reasons, Array(5).fill('server-stopped'));
      await Promise.all(closed);
      const again = new EchoServer({ host: '127.0.0.1', port });
      servers.push(again);
      assert.equal((await again.start()).port, port);
      const s = await peers.connect(port);
      s.write('again');
      assert.equal((await readN(s, 5)).toString(), 'again');
    });

    it('a port in use gives ServerError EADDRINUSE and the state stays stopped', async () => {
      const { port } = await startServer();
      const second = new EchoServer({ host: '127.0.0.1', port });
      servers.push(second);
      const states: string[] = [];
      second.onDidChangeState((s) => states.push(s));
      await assert.rejects(second.start(), (e: unknown) => e instanceof ServerError && e.errno === 'EADDRINUSE' && e.message.includes(String(port)));
      assert.equal(second.state, 'stopped');
      assert.deepEqual(states, ['starting', 'stopped']);
    });

    it('reports data in and out through onData', async () => {
      const { server, port } = await startServer();
      const events: string[] = [];
      server.onData((e) => events.push(`${e.direction}:${e.bytes.toString()}`));
      const s = await peers.connect(port);
      s.write('ping');
      await readN(s, 4);
      assert.deepEqual(events, ['in:ping', 'out:ping']);
    });
  });
});
