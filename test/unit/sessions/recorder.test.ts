// Recording what a connection receives into a file: byte-exact, kept when the connection is reset,
// never overwriting a file unasked. Peers: our echo server, a hand-made resetting server, nc.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientSession } from '../../../src/core/sessions/clientSession';
import { serverClientLink, sessionLink } from '../../../src/core/sessions/connectionLink';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { RecordError, RecordStop, Recorder } from '../../../src/core/sessions/recorder';
import { Peers, waitFor } from '../support';

const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));

describe('recorder', () => {
  const peers = new Peers();
  let tmp: string;
  const owned: { dispose(): void }[] = [];
  const servers: EchoServer[] = [];
  const sessions: ClientSession[] = [];

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-record-'));
  });

  afterEach(async () => {
    owned.splice(0).forEach((d) => d.dispose());
    await Promise.all(sessions.splice(0).map((s) => s.close().then(() => s.dispose())));
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
    await peers.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function session(port: number): Promise<ClientSession> {
    const s = new ClientSession({ host: '127.0.0.1', port });
    sessions.push(s);
    await s.connect();
    return s;
  }

  it('a session: every received byte, raw, in order; stop closes the file and ends recording', async () => {
    const server = new EchoServer();
    servers.push(server);
    const { port } = await server.start();
    const s = await session(port);
    const file = path.join(tmp, 'rx.bin');
    const rec = Recorder.start(sessionLink(s), file);
    owned.push(rec);
    const stops: RecordStop[] = [];
    rec.onDidStop((e) => stops.push(e));
    for (let i = 0; i < 4; i++) {
      await s.send(EVERY_BYTE);
    }
    await waitFor(() => rec.bytes === 4 * 256, 'the echo recorded');
    assert.deepEqual(fs.readFileSync(file), Buffer.concat([EVERY_BYTE, EVERY_BYTE, EVERY_BYTE, EVERY_BYTE]), 'on disk before stop');
    rec.stop();
    rec.stop();
    assert.equal(rec.recording, false);
    assert.deepEqual(stops, [{ reason: 'stopped', bytes: 1024, file, error: undefined }]);
    await s.send('after');
    await waitFor(() => s.bytesIn === 1024 + 5, 'the last echo');
    assert.equal(fs.statSync(file).size, 1024, 'nothing recorded after stop');
  });

  it('the bytes so far are on disk when the peer resets the connection', async () => {
    const first = Buffer.concat([EVERY_BYTE, Buffer.from('\r\n\0partial line')]);
    let reset = (): void => undefined;
    const port = await peers.listen((sock) => {
      sock.write(first);
      reset = () => sock.resetAndDestroy();
    });
    const s = await session(port);
    const file = path.join(tmp, 'rx.bin');
    const rec = Recorder.start(sessionLink(s), file);
    owned.push(rec);
    const stopped = new Promise<RecordStop>((resolve) => rec.onDidStop(resolve));
    await waitFor(() => rec.bytes === first.length, 'the first bytes');
    reset();
    const stop = await stopped;
    assert.equal(stop.reason, 'connection-closed');
    assert.equal(s.state, 'closed');
    assert.deepEqual(fs.readFileSync(file), first);
  });

  it("a server's client (nc): only that client's bytes, closed when it leaves", async () => {
    const server = new EchoServer({ mode: 'manual' });
    servers.push(server);
    const { port } = await server.start();
    const other = await peers.connect(port);
    await waitFor(() => server.clients.length === 1, 'the other client');
    const nc = peers.spawn('nc', ['-N', '127.0.0.1', String(port)]);
    await waitFor(() => server.clients.length === 2, 'nc');
    const id = server.clients.find((c) => c.remotePort !== other.localPort)?.id ?? -1;
    const file = path.join(tmp, 'client.bin');
    const rec = Recorder.start(serverClientLink(server, id), file);
    owned.push(rec);
    const stopped = new Promise<RecordStop>((resolve) => rec.onDidStop(resolve));
    other.write('not this one');
    nc.stdin.end(EVERY_BYTE);
    const stop = await stopped;
    assert.equal(stop.reason, 'connection-closed');
    assert.deepEqual(fs.readFileSync(file), EVERY_BYTE);
  });

  it('never overwrites an existing file unless told to', async () => {
    const server = new EchoServer();
    servers.push(server);
    const { port } = await server.start();
    const s = await session(port);
    const file = path.join(tmp, 'keep.txt');
    fs.writeFileSync(file, 'precious');
    assert.throws(
      () => Recorder.start(sessionLink(s), file),
      (e: unknown) => e instanceof RecordError && e.code === 'record.exists' && /keep\.txt already exists: not overwritten/.test(e.message),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'precious');
    const rec = Recorder.start(sessionLink(s), file, { overwrite: true });
    owned.push(rec);
    await s.send('new');
    await waitFor(() => rec.bytes === 3, 'the echo');
    rec.stop();
    assert.equal(fs.readFileSync(file, 'utf8'), 'new');
    assert.throws(
      () => Recorder.start(sessionLink(s), path.join(tmp, 'no', 'such', 'dir.bin')),
      (e: unknown) => e instanceof RecordError && e.code === 'record.cannotOpen',
    );
    await s.close();
    assert.throws(
      () => Recorder.start(sessionLink(s), path.join(tmp, 'late.bin')),
      (e: unknown) => e instanceof RecordError && e.code === 'record.closed',
    );
    assert.equal(fs.existsSync(path.join(tmp, 'late.bin')), false);
  });
});
