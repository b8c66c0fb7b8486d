// Issue 6, part 5: stop with live transfers, 200 start/stop cycles on one port, and a port taken by
// another process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { ServerError, ServerState } from '../../../src/core/servers/serverBase';
import { MiB, settleFds } from './helpers';
import { Scaffold, openFds, waitUntil } from '../support';

describe('hardening: lifecycle', function () {
  this.timeout(30000);
  let dir: string;
  const cleanup: (() => Promise<void> | void)[] = [];
  const bed = new Scaffold();

  before(() => {
    dir = bed.tempDir('lifecycle');
    const file = path.join(dir, 'huge.bin');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 512 * MiB); // sparse
    fs.writeFileSync(path.join(dir, 'small.txt'), 'small\n');
  });

  after(async () => {
    for (const c of cleanup.reverse()) {
      await c();
    }
    await bed.dispose();
  });

  it('stop() with 100 live transfers closes every socket within 1 s; the port is reusable at once', async () => {
    const server = new FileServer({ root: dir });
    cleanup.push(() => server.dispose());
    const { port } = await server.start();
    const fdsBefore = openFds();
    const sockets = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<net.Socket & { closedAt?: number }>((resolve, reject) => {
            const s: net.Socket & { closedAt?: number } = net.connect({ host: '127.0.0.1', port }, () => s.write('huge.bin\n'));
            s.on('error', reject); // a no-op once resolved
            s.on('close', () => (s.closedAt = Date.now()));
            // Live means bytes are flowing: resolve on the first chunk, then read slowly.
            s.once('data', () => {
              s.pause();
              resolve(s);
            });
          }),
      ),
    );
    cleanup.push(() => sockets.forEach((s) => s.destroy()));
    assert.equal(server.clients.length, 100);
    const t0 = Date.now();
    await server.stop();
    const stopMs = Date.now() - t0;
    // Paused sockets still see the close: resume so the FIN/RST is read.
    sockets.forEach((s) => s.resume());
    const allClosed = await waitUntil(() => sockets.every((s) => s.closedAt !== undefined), 1000, 5);
    const lastClose = Math.max(...sockets.map((s) => (s.closedAt ?? Date.now()) - t0));
    const again = new FileServer({ root: dir, port });
    cleanup.push(() => again.dispose());
    const a = await again.start();
    const fdsAfter = await settleFds(fdsBefore + 1, 2000);
    console.log(
      `      stop with 100 live transfers: stop() ${stopMs} ms, last client socket closed after ${lastClose} ms, restarted on ${a.port}; fds ${fdsBefore} → ${fdsAfter}`,
    );
    assert.ok(allClosed, 'a client socket was still open 1 s after stop');
    assert.ok(lastClose <= 1000, `${lastClose} ms`);
    assert.equal(a.port, port);
    assert.equal(server.state, 'stopped');
    assert.equal(server.clients.length, 0);
    await again.stop();
  });

  it('start/stop 200 times on one port with a client each time: no leak, no EADDRINUSE', async function () {
    this.timeout(40000);
    const probe = new EchoServer();
    const { port } = await probe.start();
    await probe.stop();
    probe.dispose();
    const server = new EchoServer({ port });
    cleanup.push(() => server.dispose());
    const fdsBefore = openFds();
    const states: ServerState[] = [];
    server.onDidChangeState((s) => states.push(s));
    const t0 = Date.now();
    let cycles = 0;
    for (let i = 0; i < 200; i++) {
      const a = await server.start();
      assert.equal(a.port, port);
      // A client connected at stop: the server closes first, so its side of the pair sits in TIME_WAIT.
      const echoed = await new Promise<string>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => s.write(`ping ${i}`));
        s.once('data', (d) => resolve(d.toString()));
        s.on('error', () => undefined);
        s.once('close', () => reject(new Error('closed before the echo')));
        cleanup.push(() => void s.destroy());
      });
      assert.equal(echoed, `ping ${i}`);
      await server.stop();
      cycles++;
    }
    const fdsAfter = await settleFds(fdsBefore, 2000);
    console.log(`      figure: start/stop cycles ${cycles} on port ${port} in ${Date.now() - t0} ms; fds before ${fdsBefore}, after ${fdsAfter}`);
    assert.equal(cycles, 200);
    assert.ok(fdsAfter <= fdsBefore, `fds ${fdsBefore} → ${fdsAfter}`);
    assert.equal(states.length, 800, 'starting/listening/stopping/stopped each cycle');
    assert.equal(server.state, 'stopped');
  });

  it('a port held by another process: ServerError with a clear message, state stays stopped', async () => {
    const blocker = spawn(
      'python3',
      ['-c', "import socket,sys,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(1)\nprint(s.getsockname()[1], flush=True)\nsys.stdin.read()"],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((r) => blocker.once('exit', () => r()));
    cleanup.push(async () => {
      blocker.kill();
      await exited;
    });
    const port = await new Promise<number>((resolve) => blocker.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    for (const server of [new EchoServer({ port }), new FileServer({ root: dir, port })]) {
      cleanup.push(() => server.dispose());
      const states: ServerState[] = [];
      server.onDidChangeState((s) => states.push(s));
      const err = await server.start().then(
        () => new Error('started on a port in use'),
        (e: unknown) => e as Error,
      );
      console.log(`      port in use (${server.kind}): ${err.name}: ${err.message}`);
      assert.ok(err instanceof ServerError, `${err.name}: ${err.message}`);
      assert.equal((err as ServerError).errno, 'EADDRINUSE');
      assert.match(err.message, new RegExp(`${port}.*in use|in use.*${port}`));
      assert.equal(server.state, 'stopped');
      assert.deepEqual(states, ['starting', 'stopped']);
      assert.equal(server.address, undefined);
    }
    blocker.stdin.end(); // python exits on EOF
    await exited;
    const later = new EchoServer({ port });
    cleanup.push(() => later.dispose());
    assert.equal((await later.start()).port, port, 'the port is free again once the other process left');
    await later.stop();
  });
});
