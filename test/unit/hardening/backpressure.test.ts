// Issue 6, part 4: a peer that does not read must not make a server buffer without bound. Each server
// runs alone in a child process so its RSS is its own; the bound is 64 MiB of growth.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChildServer, MiB, startChildServer } from './helpers';
import { Scaffold, sleep } from '../support';

const RSS_BOUND = 64 * MiB;
const mib = (n: number): string => (n / MiB).toFixed(1);

describe('hardening: backpressure (server in a child process)', function () {
  this.timeout(30000);
  const children: ChildServer[] = [];
  const sockets: net.Socket[] = [];
  const bed = new Scaffold();

  after(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(children.map((c) => c.stop()));
    await bed.dispose();
  });

  it('echo: a client that writes up to 1 GiB and reads nothing keeps the server under the bound', async () => {
    const srv = await startChildServer(['echo']);
    children.push(srv);
    await srv.resetPeak();
    const s = net.connect({ host: '127.0.0.1', port: srv.port });
    sockets.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.pause(); // never read: the echoes pile up in the kernel, then (if unbounded) in the server
    s.on('error', () => undefined);
    const chunk = Buffer.alloc(MiB, 0x61);
    let written = 0;
    let stalled = false;
    const end = Date.now() + 5000;
    // Write as long as the kernel (and the server) take more, bounded by 5 s and 1 GiB; a second
    // without a drain means everything pushes back and nothing more will be taken.
    while (Date.now() < end && written < 1024 * MiB) {
      written += chunk.length;
      if (!s.write(chunk)) {
        const drained = await Promise.race([new Promise<boolean>((r) => s.once('drain', () => r(true))), sleep(1000).then(() => false)]);
        if (!drained) {
          stalled = true;
          break;
        }
      }
    }
    const m = await srv.memory();
    const growth = m.peak - m.baseline;
    console.log(
      `      figure: echo non-reading client: written ${mib(written)} MiB (accepted before the stall), server RSS ${mib(m.baseline)} → peak ${mib(m.peak)} MiB (growth ${mib(growth)} MiB)`,
    );
    assert.ok(growth <= RSS_BOUND, `echo server grew by ${mib(growth)} MiB`);
    assert.ok(stalled, `the stream never stalled (${mib(written)} MiB taken): nothing pushed back`);
    s.destroy();
  });

  it('file: a download client that reads slowly keeps the server under the bound', async () => {
    const dir = bed.tempDir('backpressure');
    // Sparse: 1 GiB of zeros that reads fast and takes no disk.
    const file = path.join(dir, 'huge.bin');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 1024 * MiB);
    const srv = await startChildServer(['file', dir]);
    children.push(srv);
    await srv.resetPeak();
    const s = net.connect({ host: '127.0.0.1', port: srv.port }, () => s.write('huge.bin\n'));
    sockets.push(s);
    s.on('error', () => undefined);
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      // Slow reader: ~64 KiB per 50 ms.
      s.pause();
      setTimeout(() => s.resume(), 50);
    });
    await sleep(2000);
    const m = await srv.memory();
    const growth = m.peak - m.baseline;
    console.log(`      figure: file slow reader: read ${mib(got)} MiB in 2 s, server RSS ${mib(m.baseline)} → peak ${mib(m.peak)} MiB (growth ${mib(growth)} MiB)`);
    assert.ok(got > 0, 'nothing arrived');
    assert.ok(growth <= RSS_BOUND, `file server grew by ${mib(growth)} MiB`);
    s.destroy();
  });
});
