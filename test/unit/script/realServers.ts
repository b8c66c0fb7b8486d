// Real servers nobody here wrote, started for one test: redis-server and mosquitto on a free loopback
// port (neither takes port 0), and the tutorials' chat server (test/peers/chat_server.py).
import * as net from 'node:net';
import * as path from 'node:path';
import { PEERS, Peers, peerPort, sleep } from '../support';

/**
 * Starts a server program on a port below the ephemeral range (`peerPort()`) and resolves with that port once
 * something accepts there (bounded: 10 s); a program that exits first fails at once.
 */
export async function servePeer(peers: Peers, cmd: string, args: (port: number) => string[]): Promise<number> {
  const port = await peerPort();
  const child = peers.spawn(cmd, args(port));
  child.stdout.resume();
  child.stderr.resume();
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
      return port;
    }
    if (child.exitCode !== null) {
      throw new Error(`${cmd} exited (${child.exitCode}) before listening on ${port}`);
    }
    if (Date.now() > end) {
      throw new Error(`${cmd} did not start listening on ${port}`);
    }
    await sleep(50);
  }
}

export const startRedis = (peers: Peers): Promise<number> =>
  servePeer(peers, 'redis-server', (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);

export const startMosquitto = (peers: Peers): Promise<number> => servePeer(peers, 'mosquitto', (p) => ['-p', String(p)]);

export async function startChat(peers: Peers): Promise<number> {
  const { line } = await peers.startPeer('python3', [path.join(PEERS, 'chat_server.py')], false, 10000);
  return Number(line);
}
