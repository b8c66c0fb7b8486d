// The unit tests' scaffold: what it owns is gone after dispose(), and the ports it hands out cannot race.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { EchoServer } from '../../src/core/servers/echoServer';
import { Scaffold, onFreePort, waitFor } from './support';

function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
  });
}

describe('Scaffold', () => {
  it('dispose() stops and disposes its servers and removes its temp folders', async () => {
    const bed = new Scaffold();
    const dir = bed.tempDir('scaffold');
    const { server, port } = await bed.start(new EchoServer());
    assert.equal(server.state, 'listening');
    assert.ok(fs.existsSync(dir));
    await bed.dispose();
    assert.equal(server.state, 'stopped');
    assert.equal(fs.existsSync(dir), false);
    assert.equal(await connectError(port), 'ECONNREFUSED');
  });

  it('refusedPort() is refused, and a server asking the kernel for a port never gets it while the scaffold holds it', async () => {
    const bed = new Scaffold();
    try {
      const port = await bed.refusedPort();
      assert.equal(await connectError(port), 'ECONNREFUSED');
      for (let i = 0; i < 50; i++) {
        const { port: other } = await bed.start(new EchoServer());
        assert.notEqual(other, port);
      }
      assert.equal(await connectError(port), 'ECONNREFUSED', 'still refused');
      await bed.releasePort(port);
      const late = await bed.start(new EchoServer({ port, host: '127.0.0.1' }));
      assert.equal(late.port, port, 'a released port can be listened on');
    } finally {
      await bed.dispose();
    }
  });

  it('listenNc() starts nc on a port it picked and says which', async () => {
    const bed = new Scaffold();
    try {
      const { child, port } = await bed.listenNc();
      const s = await bed.connect(port);
      s.write('hi\n');
      let got = '';
      child.stdout.on('data', (d: Buffer) => (got += d.toString()));
      await waitFor(() => got === 'hi\n', 'nc to print what we sent');
    } finally {
      await bed.dispose();
    }
  });

  it('onFreePort() retries on another port when the first is taken before the start', async () => {
    const bed = new Scaffold();
    try {
      const tried: number[] = [];
      const result = await onFreePort(
        async (port) => {
          tried.push(port);
          if (tried.length === 1) {
            throw new Error(`Port ${port} is already in use`);
          }
          return (await bed.start(new EchoServer({ port, host: '127.0.0.1' }))).port;
        },
        (e) => /already in use/.test(String(e)),
      );
      assert.equal(tried.length, 2);
      assert.equal(result, tried[1]);
      await assert.rejects(
        onFreePort(
          async () => {
            throw new Error('other');
          },
          () => false,
        ),
        /other/,
      );
    } finally {
      await bed.dispose();
    }
  });
});
