// The shipped examples/ scripts run green through the real CLI against our echo and file servers and
// the tutorial python reply server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { PEERS, Peers } from '../support';
import { servePeer, startChat, startRedis } from './realServers';

const CLI = path.resolve(__dirname, '../../../src/cli.js');
const EXAMPLES = path.resolve(__dirname, '../../../../examples');

describe('examples/*.tcp', () => {
  const peers = new Peers();
  const servers: (EchoServer | FileServer)[] = [];

  afterEach(async () => {
    await peers.dispose();
    await Promise.all(servers.splice(0).map((s) => s.stop().then(() => s.dispose())));
  });

  async function runExample(file: string, port: number): Promise<string[]> {
    const r = await peers.run(process.execPath, [CLI, 'run', path.join(EXAMPLES, file), '--var', `port=${port}`]);
    const out = r.stdout.toString();
    assert.equal(r.code, 0, `${file}: ${out}${r.stderr}`);
    return out.trim().split('\n');
  }

  it('echo.tcp passes against our EchoServer', async () => {
    const s = new EchoServer();
    servers.push(s);
    const lines = await runExample('echo.tcp', (await s.start()).port);
    assert.equal(lines.length, 5);
    assert.ok(
      lines.slice(0, 4).every((l) => l.startsWith('✓ ')),
      lines.join('\n'),
    );
    assert.equal(lines[4], '4 passed, 0 failed');
  });

  it('file-server.tcp passes against our FileServer', async () => {
    const s = new FileServer({ root: path.join(EXAMPLES, 'files') });
    servers.push(s);
    const lines = await runExample('file-server.tcp', (await s.start()).port);
    assert.equal(lines[lines.length - 1], '4 passed, 0 failed');
  });

  it('mock-sensor.tcp passes against its own listen block', async () => {
    const r = await peers.run(process.execPath, [CLI, 'run', path.join(EXAMPLES, 'mock-sensor.tcp')]);
    assert.equal(r.code, 0, `${r.stdout.toString()}${r.stderr}`);
    assert.match(r.stdout.toString(), /^✓ the sensor answers its protocol \(\d+ ms\)\n1 passed, 0 failed\n$/);
  });

  it('tls-mock.tcp passes against its own listen tls:// block', async () => {
    // The generated CA goes to a config folder of the test's own, not the user's.
    const before = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-example-config-'));
    const r = await peers.run(process.execPath, [CLI, 'run', path.join(EXAMPLES, 'tls-mock.tcp')]).finally(() => {
      fs.rmSync(process.env.XDG_CONFIG_HOME as string, { recursive: true, force: true });
      if (before === undefined) {
        delete process.env.XDG_CONFIG_HOME;
      } else {
        process.env.XDG_CONFIG_HOME = before;
      }
    });
    assert.equal(r.code, 0, r.stdout.toString() + r.stderr);
    assert.match(r.stdout.toString(), /✓ the mock answers over TLS .*\n1 passed, 0 failed\n$/);
  });

  it('python-reply.tcp passes against the tutorial python reply server', async () => {
    const { line } = await peers.startPeer('python3', [path.join(PEERS, 'reply_server.py'), 'PONG\\n']);
    const lines = await runExample('python-reply.tcp', Number(line));
    assert.equal(lines[lines.length - 1], '2 passed, 0 failed');
  });
  const serve = (cmd: string, args: (port: number) => string[]): Promise<number> => servePeer(peers, cmd, args);

  const allPass = (lines: string[], n: number): void => {
    assert.equal(lines[lines.length - 1], `${n} passed, 0 failed`, lines.join('\n'));
  };

  it('length-prefixed.tcp passes against its own listen block', async () => {
    allPass(await runExample('length-prefixed.tcp', 1), 2);
  });

  it('resp.tcp passes against redis-server', async () => {
    const port = await serve('redis-server', (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    allPass(await runExample('resp.tcp', port), 2);
  });

  it('mqtt.tcp passes against mosquitto', async () => {
    const port = await serve('mosquitto', (p) => ['-p', String(p)]);
    allPass(await runExample('mqtt.tcp', port), 1);
  });

  it('modbus-rtu.tcp passes against the python3-pymodbus server', async () => {
    const port = await serve('/usr/bin/python3', (p) => [path.join(PEERS, 'modbus_rtu_server.py'), String(p)]);
    allPass(await runExample('modbus-rtu.tcp', port), 3);
  });

  it('chat.tcp passes against the tutorial chat server (two and three clients, an include)', async () => {
    const lines = await runExample('chat.tcp', await startChat(peers));
    assert.deepEqual(
      lines.map((l) => l.replace(/ \(\d+ ms\)$/, '')),
      ['✓ two clients chat', '✓ a third client is told who joins', '2 passed, 0 failed'],
    );
  });

  it('redis.tcp passes against a real redis-server', async () => {
    const lines = await runExample('redis.tcp', await startRedis(peers));
    assert.equal(lines[lines.length - 1], '4 passed, 0 failed');
  });
});
