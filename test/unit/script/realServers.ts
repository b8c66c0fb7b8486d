// Real servers nobody here wrote, started for one test: redis-server and mosquitto on a free loopback
// port (neither takes port 0), and the tutorials' chat server (test/peers/chat_server.py).
import * as net from 'node:net';
import * as path from 'node:path';
import { PEERS, Peers, freePort, sleep } from '../support';

/** Resolves once something accepts on 127.0.0.1:port (bounded: 10 s). */
async function accepting(port: number, what: string): Promise<void> {
  const end = Date.now() + 10000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) {
      return;
    }
    if (Date.now() > end) {
      throw new Error(`${what} did not start listening on ${port}`);
    }
    await sleep(50);
  }
}

export async function startRedis(peers: Peers): Promise<number> {
  const port = await freePort();
  const child = peers.spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  child.stdout.resume();
  child.stderr.resume();
  await accepting(port, 'redis-server');
  return port;
}

export async function startMosquitto(peers: Peers): Promise<number> {
  const port = await freePort();
  const child = peers.spawn('mosquitto', ['-p', String(port)]);
  child.stdout.resume();
  child.stderr.resume();
  await accepting(port, 'mosquitto');
  return port;
}

export async function startChat(peers: Peers): Promise<number> {
  const { line } = await peers.startPeer('python3', [path.join(PEERS, 'chat_server.py')], false, 10000);
  return Number(line);
}
