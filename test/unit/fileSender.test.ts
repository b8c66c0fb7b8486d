// Sending a file's bytes: to a session and to a server's client, byte-exact (sha256) with flat memory,
// progress, cancel, and the errors that send nothing. Peers: a python socket program that hashes.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientSession } from '../../src/core/sessions/clientSession';
import { EchoServer } from '../../src/core/servers/echoServer';
import { SendFileError } from '../../src/core/fileSender';
import { PEERS, Peers, firstLine, finish, waitFor } from './support';

const MiB = 2 ** 20;
const SINK = path.join(PEERS, 'sha256_sink.py');

/** Writes `mib` MiB of pseudo-random bytes 1 MiB at a time; returns the sha256. */
function makeFile(file: string, mib: number): string {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  const block = crypto.randomBytes(MiB);
  for (let i = 0; i < mib; i++) {
    block[0] = i & 0xff; // every MiB differs, so a repeated or skipped block shows in the hash
    fs.writeSync(fd, block);
    h.update(block);
  }
  fs.closeSync(fd);
  return h.digest('hex');
}

/** Samples RSS while `work` runs; resolves with its result and the peak growth over the start. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - start };
  } finally {
    clearInterval(timer);
  }
}

describe('fileSender', function () {
  this.timeout(120000);
  const peers = new Peers();
  let tmp: string;
  let session: ClientSession | undefined;
  let server: EchoServer | undefined;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-sendfile-'));
  });

  afterEach(async () => {
    await session?.close();
    session?.dispose();
    session = undefined;
    await server?.stop();
    server?.dispose();
    server = undefined;
    await peers.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The sink reads nothing for `delayS` first: without backpressure the file would pile up in memory meanwhile. */
  async function sinkSession(delayS = 0): Promise<{ session: ClientSession; result: Promise<string> }> {
    const child = peers.spawn('python3', [SINK, 'listen', String(delayS)]);
    const port = Number(await firstLine(child.stdout, 5000, 'the sink'));
    const result = finish(child, 110000, 'the sink').then((r) => r.stdout.toString().trim());
    const s = new ClientSession({ host: '127.0.0.1', port });
    await s.connect();
    return { session: s, result };
  }

  it('100 MiB to a session: byte-exact, progress to the end, counters, memory flat', async () => {
    const file = path.join(tmp, 'big.bin');
    const sum = makeFile(file, 100);
    const sink = await sinkSession(1);
    session = sink.session;
    const progress: number[] = [];
    const { result, growth } = await peakRssGrowth(() => sink.session.sendFile(file, { onProgress: (p) => progress.push(p.sent) }));
    sink.session.end();
    assert.equal(await sink.result, `${100 * MiB} ${sum}`);
    assert.equal(result.bytes, 100 * MiB);
    assert.equal(sink.session.bytesOut, 100 * MiB);
    assert.equal(sink.session.chunksOut, result.chunks);
    assert.ok(result.chunks >= 100 * 16, `${result.chunks} chunks of at most 64 KiB`);
    assert.equal(progress.length, result.chunks);
    assert.equal(progress[progress.length - 1], 100 * MiB);
    assert.ok(growth < 48 * MiB, `RSS grew ${(growth / MiB).toFixed(1)} MiB while sending 100 MiB`);
  });

  it('100 MiB to a client of our server: byte-exact, counted on the client, memory flat', async () => {
    const file = path.join(tmp, 'big.bin');
    const sum = makeFile(file, 100);
    server = new EchoServer({ mode: 'manual' });
    const { port } = await server.start();
    const child = peers.spawn('python3', [SINK, 'connect', String(port), String(100 * MiB), '1']);
    await firstLine(child.stdout, 5000, 'the sink');
    const result = finish(child, 110000, 'the sink').then((r) => r.stdout.toString().trim());
    const srv = server;
    await waitFor(() => srv.clients.length === 1, 'the client');
    const id = srv.clients[0].id;
    const { result: sent, growth } = await peakRssGrowth(() => srv.sendFile(id, file));
    assert.equal(await result, `${100 * MiB} ${sum}`);
    assert.equal(sent.bytes, 100 * MiB);
    assert.equal(srv.stats.bytesOut, 100 * MiB);
    assert.ok(growth < 48 * MiB, `RSS grew ${(growth / MiB).toFixed(1)} MiB while sending 100 MiB`);
  });

  it('a client that leaves halfway: sendFile.closed with the bytes sent so far, the server keeps running', async () => {
    const file = path.join(tmp, 'mid.bin');
    makeFile(file, 20);
    server = new EchoServer({ mode: 'manual' });
    const { port } = await server.start();
    const child = peers.spawn('python3', [SINK, 'connect', String(port), String(MiB)]);
    await firstLine(child.stdout, 5000, 'the sink');
    const srv = server;
    await waitFor(() => srv.clients.length === 1, 'the client');
    const err = await srv.sendFile(srv.clients[0].id, file).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SendFileError && err.code === 'sendFile.closed', String(err));
    assert.match(err.message, /The connection closed after \d+ of 20971520 bytes/);
    assert.ok(Number(err.args.sent) >= MiB && Number(err.args.sent) < 20 * MiB, `sent ${err.args.sent}`);
    assert.equal(srv.state, 'listening');
  });

  it('cancel: an aborted send stops early with sendFile.cancelled and the session stays usable', async () => {
    const file = path.join(tmp, 'mid.bin');
    makeFile(file, 20);
    const sink = await sinkSession();
    session = sink.session;
    const ac = new AbortController();
    const err = await sink.session.sendFile(file, { signal: ac.signal, onProgress: (p) => p.sent >= MiB && ac.abort() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SendFileError && err.code === 'sendFile.cancelled', String(err));
    assert.ok(sink.session.bytesOut < 20 * MiB, `${sink.session.bytesOut} bytes went out`);
    await sink.session.send('tail');
    sink.session.end();
    const [n] = (await sink.result).split(' ');
    assert.equal(Number(n), sink.session.bytesOut);
  });

  it('a missing file, a folder, a closed connection: a clear error and nothing sent', async () => {
    const sink = await sinkSession();
    session = sink.session;
    const missing = await sink.session.sendFile(path.join(tmp, 'nope.bin')).catch((e: unknown) => e);
    assert.ok(missing instanceof SendFileError && missing.code === 'sendFile.notFound' && /File not found: .*nope\.bin \(nothing was sent\)/.test(missing.message));
    const folder = await sink.session.sendFile(tmp).catch((e: unknown) => e);
    assert.ok(folder instanceof SendFileError && folder.code === 'sendFile.notAFile', String(folder));
    sink.session.end();
    assert.equal(await sink.result, `0 ${crypto.createHash('sha256').digest('hex')}`);
    await sink.session.close();
    const closed = await sink.session.sendFile(__filename).catch((e: unknown) => e);
    assert.ok(closed instanceof SendFileError && closed.code === 'sendFile.closed', String(closed));
    assert.equal(sink.session.bytesOut, 0);
  });
});
