// One timeline per connection when both ends are ours: the two ends of a real loopback connection find each
// other by their ports, and a later connection from the same local port (ports are reused) starts its own
// timeline instead of joining the finished one.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { Timeline } from '../../../src/core/timeline/timeline';
import { TimelineJoins } from '../../../src/core/timeline/joins';
import { Peers, peerPort, waitFor } from '../support';

describe('TimelineJoins', () => {
  const peers = new Peers();
  afterEach(() => peers.dispose());

  it('joins both ends of a connection; a reused port after a close gets a new timeline', async () => {
    const joins = new TimelineJoins<Timeline>();
    const made: Timeline[] = [];
    const create = () => {
      const t = new Timeline({ lanes: ['client', 'server'] });
      made.push(t);
      return t;
    };
    // The server end, as our servers watch their clients: joins by "clientPort>serverPort" on lane 1.
    const serverEnds: { t: Timeline; ports: string; socket: net.Socket }[] = [];
    let port = 0;
    port = await peers.listen((s) => {
      const ports = `${s.remotePort}>${port}`;
      serverEnds.push({ t: joins.join(ports, 1, create), ports, socket: s });
      s.on('close', () => joins.left(ports, serverEnds.find((e) => e.socket === s)!.t));
    });
    // The client end, as sessions are watched: from a fixed local port, so the second connection reuses it.
    const localPort = await peerPort();
    const connectFrom = async (): Promise<{ t: Timeline; socket: net.Socket }> => {
      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort }, () => resolve(s));
        peers.sockets.add(s);
        s.once('error', reject);
      });
      const ports = `${socket.localPort}>${socket.remotePort}`;
      const t = joins.join(ports, 0, create);
      socket.on('close', () => joins.left(ports, t));
      return { t, socket };
    };

    const first = await connectFrom();
    const firstPort = first.socket.localPort;
    await waitFor(() => serverEnds.length === 1, 'the server to accept the first connection');
    assert.equal(serverEnds[0].t, first.t, 'both ends of the first connection share one timeline');
    first.t.write(0, 1, Buffer.from('old'));
    // A reset leaves no TIME_WAIT, so the same local port can connect again at once.
    const closed = new Promise<void>((r) => serverEnds[0].socket.once('close', () => r()));
    first.socket.resetAndDestroy();
    await closed;

    const second = await connectFrom();
    assert.equal(second.socket.localPort, firstPort, 'the port was reused');
    await waitFor(() => serverEnds.length === 2, 'the server to accept the second connection');
    assert.notEqual(second.t, first.t, 'the new connection did not join the finished one');
    assert.equal(serverEnds[1].t, second.t, 'both ends of the second connection share one timeline');
    assert.equal(second.t.size, 0, 'nothing of the first connection in the new timeline');
    assert.equal(made.length, 2);
    assert.equal(joins.size, 0, 'no timeline waits once both ends are in');
  });

  it('a second end on the same lane never joins: the ports belong to a new connection', () => {
    const joins = new TimelineJoins<string>();
    assert.equal(
      joins.join('5000>7', 0, () => 'a'),
      'a',
    );
    // The session of the first connection is still recorded (its close not seen yet); a new session with
    // the same ports cannot be the same connection.
    assert.equal(
      joins.join('5000>7', 0, () => 'b'),
      'b',
    );
    assert.equal(
      joins.join('5000>7', 1, () => 'c'),
      'b',
      'the server end joins the newest',
    );
  });
});
