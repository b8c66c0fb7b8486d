// ClientSession against real servers: the tutorial's python echo server, socat and nc listeners, and
// small node servers where a test needs exact control of chunking, resets or a full accept queue.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ClientSession, ConnectError, SessionClose, SessionData, connect } from '../../../src/core/sessions/clientSession';
import { EncodingName, encodeText } from '../../../src/core/codec';
import { PEERS, Peers, waitFor } from '../support';

describe('ClientSession', () => {
  const sessions: ClientSession[] = [];
  const peers = new Peers();

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close().then(() => s.dispose())));
    await peers.dispose();
  });

  function session(port: number, encoding?: EncodingName, host = '127.0.0.1', connectTimeoutMs?: number): ClientSession {
    const s = new ClientSession({ host, port, encoding, connectTimeoutMs });
    sessions.push(s);
    return s;
  }

  function collect(s: ClientSession): SessionData[] {
    const got: SessionData[] = [];
    s.onData((d) => got.push(d));
    return got;
  }

  function closed(s: ClientSession): Promise<SessionClose> {
    return new Promise((resolve) => s.onDidClose(resolve));
  }

  const bytesOf = (got: SessionData[]) => Buffer.concat(got.map((d) => d.bytes));
  const textOf = (got: SessionData[]) => got.map((d) => d.text).join('');

  describe('against the tutorial python echo server', () => {
    let port: number;
    beforeEach(async () => {
      port = Number((await peers.startPeer('python3', [path.join(PEERS, 'echo_server.py'), '127.0.0.1', '0'])).line);
    });

    it('connects, sends text and gets it back decoded; counters and state follow', async () => {
      const s = session(port);
      assert.equal(s.state, 'connecting');
      let connected = 0;
      s.onDidConnect(() => connected++);
      const t0 = Date.now();
      await s.connect();
      assert.equal(s.state, 'connected');
      assert.equal(connected, 1);
      assert.ok(s.connectedAt !== undefined && s.connectedAt >= t0);
      const got = collect(s);
      const sent: Buffer[] = [];
      s.onDidSend((b) => sent.push(b));
      await s.send('héllo 世界', 'lf');
      await waitFor(() => bytesOf(got).length >= Buffer.byteLength('héllo 世界\n'), 'the echo');
      assert.equal(textOf(got), 'héllo 世界\n');
      assert.equal(s.bytesOut, Buffer.byteLength('héllo 世界\n'));
      assert.equal(s.bytesIn, s.bytesOut);
      assert.deepEqual(Buffer.concat(sent), Buffer.from('héllo 世界\n'));
    });

    it('line endings none / lf / crlf go out as bytes', async () => {
      const s = session(port);
      await s.connect();
      const got = collect(s);
      await s.send('a');
      await s.send('b', 'none');
      await s.send('c', 'lf');
      await s.send('d', 'crlf');
      await s.send(new Uint8Array([0x00, 0xff]));
      await waitFor(() => bytesOf(got).length >= 9, 'the echo');
      assert.deepEqual(bytesOf(got), Buffer.from([0x61, 0x62, 0x63, 0x0a, 0x64, 0x0d, 0x0a, 0x00, 0xff]));
    });

    it('hex: sends hex digits as bytes (line ending appended as bytes) and shows received bytes as a dump', async () => {
      const s = session(port, 'hex');
      await s.connect();
      const got = collect(s);
      await s.send('48 65 6c 6c 6f', 'lf');
      await waitFor(() => bytesOf(got).length >= 6, 'the echo');
      assert.deepEqual(bytesOf(got), Buffer.from('Hello\n'));
      assert.equal(got.map((d) => d.text).join(' '), '48 65 6c 6c 6f 0a');
      await assert.rejects(s.send('4x'), /not hex bytes/);
      assert.equal(s.bytesOut, 6, 'nothing more was sent');
    });

    it('gbk: sends and decodes gbk', async () => {
      const s = session(port, 'gbk');
      await s.connect();
      const got = collect(s);
      await s.send('你好');
      await waitFor(() => bytesOf(got).length >= 4, 'the echo');
      assert.deepEqual(bytesOf(got), Buffer.from('c4e3bac3', 'hex'));
      assert.equal(textOf(got), '你好');
    });

    it('end() half-closes: the tutorial server sees recv() == b"" and closes, which we report as closed-by-peer', async () => {
      const s = session(port);
      await s.connect();
      const got = collect(s);
      const done = closed(s);
      await s.send('last words');
      s.end();
      const c = await done;
      assert.equal(c.reason, 'closed-by-peer');
      // Data sent before the half-close still came back.
      assert.equal(textOf(got), 'last words');
      assert.equal(s.state, 'closed');
      await assert.rejects(s.send('more'), /Not connected/);
    });

    it('close() reports closed-by-us', async () => {
      const s = session(port);
      await s.connect();
      const done = closed(s);
      await s.close();
      assert.deepEqual(await done, { reason: 'closed-by-us', error: undefined });
      assert.equal(s.state, 'closed');
    });
  });

  it('is full duplex with socat: data arrives while we send', async () => {
    const { child, line } = await peers.startPeer('socat', ['-d', '-d', 'TCP-LISTEN:0,bind=127.0.0.1', '-'], true);
    const port = Number(/:(\d+)\s*$/.exec(line)?.[1]);
    assert.ok(port > 0, line);
    const fromPeer: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => fromPeer.push(d));
    const s = session(port);
    await s.connect();
    const got = collect(s);
    // The peer talks first and we keep sending at the same time.
    child.stdin?.write('server says hi\n');
    await s.send('client says hi\n');
    await waitFor(() => textOf(got).includes('server says hi\n'), 'the peer text');
    await waitFor(() => Buffer.concat(fromPeer).toString().includes('client says hi\n'), 'our text at the peer');
    const done = closed(s);
    child.stdin?.end();
    assert.equal((await done).reason, 'closed-by-peer');
  });

  it('connects over IPv6 to the python echo server on ::1', async () => {
    const port = Number((await peers.startPeer('python3', [path.join(PEERS, 'echo_server.py'), '::1', '0'])).line);
    const s = session(port, undefined, '::1');
    assert.equal(s.remote, `[::1]:${port}`);
    await s.connect();
    const got = collect(s);
    await s.send('v6');
    await waitFor(() => textOf(got) === 'v6', 'the echo over ::1');
  });

  it('talks to nc -l', async () => {
    const { child, port } = await peers.listenNc();
    const fromNc: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => fromNc.push(d));
    // nc says where it listens before it accepts; a connect that comes too early all the same is retried briefly.
    let s: ClientSession | undefined;
    for (let i = 0; i < 100 && !s; i++) {
      const attempt = session(port);
      try {
        await attempt.connect();
        s = attempt;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(s, 'nc never listened');
    const got = collect(s);
    await s.send('to nc', 'lf');
    child.stdin.write('from nc\n');
    await waitFor(() => textOf(got) === 'from nc\n', 'text from nc');
    await waitFor(() => Buffer.concat(fromNc).toString() === 'to nc\n', 'text at nc');
  });

  for (const [encoding, text] of [
    ['utf-8', '中'],
    ['gbk', '中'],
    ['gb18030', '𠀀'],
  ] as const) {
    it(`decodes a ${encoding} character split across two chunks`, async () => {
      const whole = encodeText(`x${text}y`, encoding);
      const cut = 2; // inside the multi-byte character
      const port = await peers.listen((sock) => {
        sock.setNoDelay(true);
        sock.write(whole.subarray(0, cut));
        setTimeout(() => sock.end(whole.subarray(cut)), 100);
      });
      const s = session(port, encoding);
      const got = collect(s);
      const done = closed(s);
      await s.connect();
      await done;
      assert.ok(got.length >= 2, `expected two chunks, got ${got.length}`);
      assert.ok(!textOf(got).includes('\ufffd'), JSON.stringify(textOf(got)));
      assert.equal(textOf(got), `x${text}y`);
      assert.equal(got[0].text, 'x', 'the half character waits for its other half');
    });
  }

  it('a character cut off by the end of the stream still shows', async () => {
    const port = await peers.listen((sock) => sock.end(Buffer.from([0x41, 0xe4, 0xb8])));
    const s = session(port);
    const got = collect(s);
    const done = closed(s);
    await s.connect();
    await done;
    assert.equal(textOf(got), 'A\ufffd');
    assert.equal(s.bytesIn, 3);
  });

  it('a reset by the peer closes with reason error', async () => {
    const port = await peers.listen((sock) => sock.once('data', () => sock.resetAndDestroy()));
    const s = session(port);
    await s.connect();
    const done = closed(s);
    await s.send('x');
    const c = await done;
    assert.equal(c.reason, 'error');
    assert.match(c.error?.message ?? '', /127\.0\.0\.1:\d+.*ECONNRESET/);
  });

  it('dispose() closes the connection', async () => {
    let serverSaw = false;
    const port = await peers.listen((sock) => sock.on('close', () => (serverSaw = true)));
    const s = session(port);
    await s.connect();
    s.dispose();
    await waitFor(() => serverSaw, 'the server to see the close');
    assert.equal(s.state, 'closed');
  });

  describe('connect errors name host and port', () => {
    it('refused', async () => {
      const port = await peers.refusedPort();
      await assert.rejects(
        connect({ host: '127.0.0.1', port }),
        (e: unknown) => e instanceof ConnectError && e.errno === 'ECONNREFUSED' && e.message.includes(`127.0.0.1:${port}`) && /refused/.test(e.message),
      );
    });

    it('unknown host', async () => {
      const s = session(80, undefined, 'no-such-host.invalid');
      await assert.rejects(
        s.connect(),
        (e: unknown) => e instanceof ConnectError && /^(ENOTFOUND|EAI_AGAIN)$/.test(e.errno ?? '') && e.message.includes('no-such-host.invalid'),
      );
      assert.equal(s.state, 'closed');
    });

    it('bad port and bad host', async () => {
      await assert.rejects(
        session(0).connect(),
        (e: unknown) => e instanceof ConnectError && e.errno === 'EINVAL' && /127\.0\.0\.1:0/.test(e.message) && /out of range/.test(e.message),
      );
      await assert.rejects(session(70000).connect(), /127\.0\.0\.1:70000.*out of range/);
      await assert.rejects(session(80, undefined, 'bad host').connect(), /not a valid host name/);
    });

    it('timed out (a listener whose accept queue is full never answers)', async () => {
      const port = Number((await peers.startPeer('python3', [path.join(PEERS, 'full_backlog.py')])).line);
      const s = session(port, undefined, '127.0.0.1', 300);
      const t0 = Date.now();
      await assert.rejects(
        s.connect(),
        (e: unknown) => e instanceof ConnectError && e.errno === 'ETIMEDOUT' && e.message.includes(`127.0.0.1:${port}`) && e.message.includes('300 ms'),
      );
      const took = Date.now() - t0;
      assert.ok(took >= 280 && took < 5000, `took ${took} ms`);
      assert.equal(s.state, 'closed');
    });

    it('close() while connecting cancels the connect', async () => {
      const port = Number((await peers.startPeer('python3', [path.join(PEERS, 'full_backlog.py')])).line);
      const s = session(port, undefined, '127.0.0.1', 5000);
      const pending = s.connect();
      await new Promise((r) => setTimeout(r, 50));
      await s.close();
      await assert.rejects(pending, (e: unknown) => e instanceof ConnectError && e.errno === 'ECANCELED');
      assert.equal(s.state, 'closed');
    });

    it('send before connect is refused and sends nothing', async () => {
      const s = session(1);
      await assert.rejects(s.send('x'), /Not connected to 127\.0\.0\.1:1/);
      assert.equal(s.bytesOut, 0);
    });
  });
});
