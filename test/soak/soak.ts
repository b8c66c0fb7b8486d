// `npm run soak`: about 30 s (SOAK_SECONDS) of mixed load on an echo server and a file server in this
// process — echo round trips, downloads checked by sha256, cancelled downloads, clients that reset
// mid-file, hostile names, listings — then a summary. Exits 1 on any wrong byte, leaked secret byte,
// leaked fd or temp file, crash or unhandled error; 2 when it hangs past its own deadline.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { EchoServer } from '../../src/core/servers/echoServer';
import { FileServer } from '../../src/core/fileServer/fileServer';
import { DownloadError, download, list } from '../../src/core/downloads/downloader';
import { buildFixture, leakedBytes, loadCorpus, releaseFifoReaders } from '../unit/hardening/corpus';
import { MiB, fdCount, rawRequest, settleFds, sleep, waitUntil } from '../unit/hardening/helpers';
import { Scaffold } from '../unit/support';

const DURATION_MS = Math.max(1, Number(process.env.SOAK_SECONDS ?? 30)) * 1000;
const HOST = '127.0.0.1';

const counts: Record<string, number> = {};
const failures: string[] = [];
const count = (what: string): void => void (counts[what] = (counts[what] ?? 0) + 1);
function fail(what: string, detail: string): void {
  count(`${what} FAILED`);
  if (failures.length < 50) {
    failures.push(`${what}: ${detail}`);
  }
}

process.on('uncaughtException', (e) => fail('uncaught exception', e.stack ?? String(e)));
process.on('unhandledRejection', (e) => fail('unhandled rejection', String(e)));
process.on('warning', (w) => fail('process warning', `${w.name}: ${w.message}`));

async function main(): Promise<number> {
  const hang = setTimeout(() => {
    console.error(`soak: still running ${DURATION_MS / 1000 + 60} s after the start — hung`);
    process.exit(2);
  }, DURATION_MS + 60_000);
  hang.unref();

  const bed = new Scaffold();
  const base = bed.tempDir('soak');
  const fx = buildFixture(base);
  const files = new Map<string, string>(); // name -> sha256
  for (const size of [1, 1000, 65536, 1000003, 4 * MiB]) {
    const data = crypto.randomBytes(size);
    const name = `f${size}.bin`;
    fs.writeFileSync(path.join(fx.root, name), data);
    files.set(name, crypto.createHash('sha256').update(data).digest('hex'));
  }
  const dest = path.join(base, 'dest');
  fs.mkdirSync(dest);
  const corpus = loadCorpus();

  const echo = new EchoServer({ host: HOST, maxConnections: 500 });
  const fileServer = new FileServer({ root: fx.root, host: HOST, nameTimeoutMs: 2000, maxConnections: 500 });
  for (const s of [echo, fileServer]) {
    s.onDidError((e) => fail(`${s.kind} server error`, e.message));
  }
  const echoPort = (await echo.start()).port;
  const filePort = (await fileServer.start()).port;
  // Warm up (thread pool, lazy handles) so the fd baseline is what running servers need.
  await download({ host: HOST, port: filePort, name: 'f1000.bin', destDir: dest, localName: 'warm' });
  fs.unlinkSync(path.join(dest, 'warm'));
  const fdsBefore = await settleFds(fdCount(), 300);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let leaked = 0;
  const deadline = Date.now() + DURATION_MS;
  const running = (): boolean => Date.now() < deadline;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)];

  async function echoWorker(): Promise<void> {
    while (running()) {
      const payload = crypto.randomBytes(1 + Math.floor(Math.random() * 256 * 1024));
      const got = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const s = net.connect({ host: HOST, port: echoPort }, () => {
          // In a few pieces, as an interactive client would send.
          for (let at = 0; at < payload.length; at += 50_000) {
            s.write(payload.subarray(at, at + 50_000));
          }
        });
        const timer = setTimeout(() => s.destroy(), 10_000);
        s.on('data', (d: Buffer) => {
          chunks.push(d);
          size += d.length;
          if (size >= payload.length) {
            s.end();
          }
        });
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks));
        });
      });
      if (got.equals(payload)) {
        count('echo ok');
      } else {
        fail('echo', `${payload.length} B sent, ${got.length} B back${got.length === payload.length ? ' (different bytes)' : ''}`);
      }
    }
  }

  async function downloadWorker(w: number): Promise<void> {
    for (let i = 0; running(); i++) {
      const name = pick([...files.keys()]);
      try {
        const r = await download({ host: HOST, port: filePort, name, destDir: dest, localName: `d${w}-${i}-${name}`, idleTimeoutMs: 10_000 });
        if (r.sha256 !== files.get(name)) {
          fail('download', `${name}: sha256 differs (${r.bytes} B)`);
        } else {
          count('download ok');
        }
        fs.unlinkSync(r.path);
      } catch (e) {
        fail('download', `${name}: ${(e as Error).message}`);
      }
    }
  }

  async function cancelWorker(w: number): Promise<void> {
    for (let i = 0; running(); i++) {
      const ac = new AbortController();
      try {
        await download({ host: HOST, port: filePort, name: 'f4194304.bin', destDir: dest, localName: `c${w}-${i}`, signal: ac.signal, onProgress: () => ac.abort() });
        fail('cancel', 'a cancelled download completed');
      } catch (e) {
        if (e instanceof DownloadError) {
          count('cancel ok');
        } else {
          fail('cancel', (e as Error).message);
        }
      }
    }
  }

  async function resetWorker(w: number): Promise<void> {
    for (let i = 0; running(); i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect({ host: HOST, port: filePort }, () => s.write('f4194304.bin\n'));
        const timer = setTimeout(() => {
          fail('reset', 'no first chunk within 10 s');
          s.destroy();
        }, 10_000);
        s.once('data', () => {
          if ((w + i) % 2 === 0) {
            s.resetAndDestroy();
          } else {
            s.destroy();
          }
          count('reset ok');
        });
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async function hostileWorker(): Promise<void> {
    while (running()) {
      const h = pick(corpus);
      const r = await rawRequest(filePort, h.bytes, { halfClose: Math.random() < 0.5 });
      const leak = leakedBytes(r.data, fx.token);
      leaked += leak;
      if (leak > 0 || r.data.length > 0 || r.end === 'timeout' || r.end === 'cap') {
        fail('hostile', `${h.label}: ${r.data.length} B back (${leak} secret), ${r.end}`);
      } else {
        count('hostile refused');
      }
    }
  }

  async function listWorker(): Promise<void> {
    while (running()) {
      const entries = await list(HOST, filePort, '/').catch((e: Error) => [`ERROR ${e.message}`]);
      if (!entries.includes('f1000.bin') || entries.some((e) => e === 'secret' || e.startsWith('link-out') || e.startsWith('ERROR'))) {
        fail('listing', entries.join(', '));
      } else {
        count('listing ok');
      }
      await sleep(50);
    }
  }

  const started = Date.now();
  const monitor = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const t = ((Date.now() - started) / 1000).toFixed(0);
    const ops = Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `[${t}s] fds ${fdCount()}, rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB, clients echo ${echo.clients.length} file ${fileServer.clients.length} | ${ops}`,
    );
  }, 5000);
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);

  await Promise.all([
    ...Array.from({ length: 6 }, () => echoWorker()),
    ...Array.from({ length: 4 }, (_, w) => downloadWorker(w)),
    ...Array.from({ length: 2 }, (_, w) => cancelWorker(w)),
    ...Array.from({ length: 4 }, (_, w) => resetWorker(w)),
    ...Array.from({ length: 2 }, () => hostileWorker()),
    listWorker(),
  ]);
  clearInterval(monitor);
  clearInterval(sampler);

  // Everything the clients did is over: the servers must have let go of every one of them.
  const drained = await waitUntil(() => echo.clients.length === 0 && fileServer.clients.length === 0, 5000);
  if (!drained) {
    fail('clients left', `echo ${echo.clients.length}, file ${fileServer.clients.length}`);
  }
  const fdsAfter = await settleFds(fdsBefore, 5000);
  if (fdsAfter > fdsBefore) {
    fail('fd leak', `${fdsBefore} → ${fdsAfter}`);
  }
  const leftovers = fs.readdirSync(dest);
  if (leftovers.length > 0) {
    fail('files left in the download folder', leftovers.slice(0, 10).join(', '));
  }
  const stats = `echo in/out ${echo.stats.bytesIn}/${echo.stats.bytesOut} B, file out ${fileServer.stats.bytesOut} B, accepted ${echo.stats.clientsAccepted + fileServer.stats.clientsAccepted}, refused ${echo.stats.clientsRefused + fileServer.stats.clientsRefused}`;
  await Promise.all([echo.stop(), fileServer.stop()]);
  echo.dispose();
  fileServer.dispose();
  releaseFifoReaders(fx.fifo);
  await bed.dispose();

  console.log('');
  console.log(`soak: ${((Date.now() - started) / 1000).toFixed(1)} s of mixed load`);
  for (const [k, v] of Object.entries(counts).sort()) {
    console.log(`  ${k}: ${v}`);
  }
  console.log(`  ${stats}`);
  console.log(`  secret bytes leaked: ${leaked}`);
  console.log(`  fds before ${fdsBefore}, after ${fdsAfter}`);
  console.log(`  rss ${(rssBefore / MiB).toFixed(0)} MiB at the start, peak ${(rssPeak / MiB).toFixed(0)} MiB`);
  if (failures.length > 0 || leaked > 0) {
    console.log(`soak: FAILED (${failures.length} problems)`);
    failures.forEach((f) => console.log(`  - ${f}`));
    return 1;
  }
  console.log('soak: OK');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`soak: crashed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
