// The load side of the benchmark, in its own process (never the server's): a byte-counting receiver,
// our downloader and a plain write-stream reference, echo ping-pong and streaming, and many connections.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { CORE, RssWindow, fdLimit, percentile, serveRpc } = require('./lib');

const HOST = '127.0.0.1';
const now = () => Number(process.hrtime.bigint()) / 1e6;

function connect(port, extra = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port, noDelay: true, ...extra });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** A TLS connection (the bench trusts the server's generated certificate without checking it). */
function connectTls(port) {
  return new Promise((resolve, reject) => {
    const s = require('node:tls').connect({ host: HOST, port, rejectUnauthorized: false });
    s.once('secureConnect', () => {
      s.setNoDelay(true);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Bounds any wait: a stuck figure fails with a message instead of hanging the run. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let held = [];

serveRpc({
  /**
   * Asks for a file and counts bytes to EOF. Reads into one reused 1 MiB buffer (onread), so the
   * receiver costs as little as Node allows and the server is what is measured.
   */
  recv({ port, request, expect, timeoutMs = 60000 }) {
    let bytes = 0;
    const t0 = now();
    const done = new Promise((resolve, reject) => {
      const s = net.connect({
        host: HOST,
        port,
        onread: {
          buffer: Buffer.allocUnsafe(1 << 20),
          callback: (n) => {
            bytes += n;
          },
        },
      });
      s.once('connect', () => s.write(request));
      s.once('error', reject);
      s.once('end', () => {
        const ms = now() - t0;
        s.destroy();
        resolve(ms);
      });
    });
    return withTimeout(done, timeoutMs, 'recv').then((ms) => {
      if (expect !== undefined && bytes !== expect) {
        throw new Error(`received ${bytes} bytes, expected ${expect}`);
      }
      return { bytes, ms };
    });
  },

  /** Our downloader into destDir; the file is removed afterwards so the disk does not fill up. */
  async download({ port, name, destDir }) {
    const { download } = require(path.join(CORE, 'downloads/downloader.js'));
    const rss = new RssWindow();
    rss.start();
    const c0 = process.cpuUsage();
    const t0 = now();
    const r = await download({ host: HOST, port, name, destDir, existing: 'overwrite' });
    const ms = now() - t0;
    const c = process.cpuUsage(c0);
    const mem = rss.stop();
    const size = fs.statSync(r.path).size;
    fs.rmSync(r.path, { force: true });
    return { bytes: r.bytes, size, ms, sha256: r.sha256, rss: mem, durationMs: r.durationMs, cpuUs: c.user + c.system };
  },

  /** The reference receiver: the same request bytes, then socket.pipe(fs.createWriteStream(file)). */
  async refDownload({ port, request, halfClose = false, destDir, timeoutMs = 60000 }) {
    const file = path.join(destDir, `ref-${process.pid}-${Date.now()}.bin`);
    const rss = new RssWindow();
    rss.start();
    const c0 = process.cpuUsage();
    const t0 = now();
    const done = new Promise((resolve, reject) => {
      const s = net.connect({ host: HOST, port });
      const out = fs.createWriteStream(file);
      s.once('connect', () => {
        s.write(request, 'latin1');
        if (halfClose) {
          s.end();
        }
      });
      s.once('error', reject);
      out.once('error', reject);
      out.once('close', resolve);
      s.pipe(out);
    });
    try {
      await withTimeout(done, timeoutMs, 'refDownload');
      const ms = now() - t0;
      const c = process.cpuUsage(c0);
      const mem = rss.stop();
      return { bytes: fs.statSync(file).size, ms, rss: mem, cpuUs: c.user + c.system };
    } finally {
      fs.rmSync(file, { force: true });
    }
  },

  /**
   * `conns` connections, each with one `size`-byte message in flight: send, wait for all of it back,
   * send again. Warm-up first (JIT), then `seconds` measured; every round trip timed.
   */
  async pingpong({ port, conns, seconds, warmupSeconds = 0.5, size = 64, tls = false }) {
    const socks = await withTimeout(Promise.all(Array.from({ length: conns }, () => (tls ? connectTls(port) : connect(port)))), 10000, 'connect');
    const msg = Buffer.alloc(size, 0x61);
    const maxSamples = 2000000;
    const rtts = new Float64Array(maxSamples);
    let n = 0;
    let count = 0;
    let all = 0;
    let mismatched = 0;
    const t0 = now();
    const measureFrom = t0 + warmupSeconds * 1000;
    const stopAt = measureFrom + seconds * 1000;
    const one = (s) =>
      new Promise((resolve, reject) => {
        let got = 0;
        let sentAt = 0;
        let first = true;
        const send = () => {
          sentAt = now();
          s.write(msg);
        };
        s.on('data', (d) => {
          if (first) {
            first = false;
            if (d[0] !== 0x61) {
              mismatched++;
            }
          }
          got += d.length;
          if (got < size) {
            return;
          }
          got -= size;
          all++;
          const t = now();
          if (sentAt >= measureFrom && t <= stopAt) {
            count++;
            if (n < maxSamples) {
              rtts[n++] = t - sentAt;
            }
          }
          if (t >= stopAt) {
            resolve();
          } else {
            send();
          }
        });
        s.once('error', reject);
        send();
      });
    await withTimeout(Promise.all(socks.map(one)), (warmupSeconds + seconds) * 1000 + 10000, 'pingpong');
    for (const s of socks) {
      s.destroy();
    }
    const sample = Array.from(rtts.subarray(0, n));
    return {
      conns,
      roundTrips: count,
      allRoundTrips: all,
      perSecond: count / seconds,
      p50us: percentile(sample, 50) * 1000,
      p99us: percentile(sample, 99) * 1000,
      mismatched,
    };
  },

  /** One connection streaming `chunkSize` chunks with at most `window` bytes unanswered; counts the echo. */
  async stream({ port, seconds, chunkSize = 65536, window = 4 << 20, maxBytes = 16 * 2 ** 30 }) {
    const s = await connect(port);
    const chunk = Buffer.alloc(chunkSize, 0x5a);
    let sent = 0;
    let recv = 0;
    let bad = 0;
    const t0 = now();
    const deadline = t0 + seconds * 1000;
    let stopping = false;
    let tEnd = 0;
    const done = new Promise((resolve, reject) => {
      const finish = () => {
        if (!tEnd) {
          tEnd = now();
          resolve();
        }
      };
      const pump = () => {
        while (!stopping && sent - recv < window) {
          if (now() >= deadline || sent >= maxBytes) {
            stopping = true;
            break;
          }
          sent += chunk.length;
          if (!s.write(chunk)) {
            return;
          }
        }
        if (stopping && recv >= sent) {
          finish();
        }
      };
      s.on('data', (d) => {
        if (d[0] !== 0x5a) {
          bad++;
        }
        recv += d.length;
        pump();
      });
      s.on('drain', pump);
      s.once('error', reject);
      pump();
    });
    await withTimeout(done, seconds * 1000 + 20000, 'stream');
    s.destroy();
    const secs = (tEnd - t0) / 1000;
    return { bytes: recv, seconds: secs, mbps: recv / 1e6 / secs, bad };
  },

  /** Opens `count` connections in batches; each must echo a ping. They stay open until connsClose. */
  async connsOpen({ port, count, batch = 500 }) {
    const t0 = now();
    const errors = {};
    let opened = 0;
    let echoed = 0;
    for (let i = 0; i < count; i += batch) {
      const n = Math.min(batch, count - i);
      const results = await Promise.allSettled(
        Array.from({ length: n }, async () => {
          const s = await connect(port);
          s.on('error', () => undefined);
          held.push(s);
          opened++;
          await withTimeout(echoOnce(s), 10000, 'echo');
          echoed++;
        }),
      );
      for (const r of results) {
        if (r.status === 'rejected') {
          const code = r.reason.errno ?? r.reason.code ?? r.reason.message;
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
      if (now() - t0 > 90000) {
        errors['stopped: 90 s budget'] = count - i - n;
        break;
      }
    }
    return { requested: count, opened, echoed, errors, ms: now() - t0, fdLimit: fdLimit() };
  },

  /** Every held connection echoes again (all at once). */
  async connsCheck() {
    const results = await Promise.allSettled(held.map((s) => withTimeout(echoOnce(s), 20000, 'echo')));
    return { held: held.length, echoed: results.filter((r) => r.status === 'fulfilled').length };
  },

  async connsClose() {
    const closing = held.map((s) => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', resolve))));
    for (const s of held) {
      s.destroy();
    }
    await withTimeout(Promise.all(closing), 20000, 'close');
    held = [];
  },
});

/** Sends 4 bytes and waits for them back. */
function echoOnce(s) {
  return new Promise((resolve, reject) => {
    let got = 0;
    const onData = (d) => {
      got += d.length;
      if (got >= 4) {
        s.off('data', onData);
        s.off('close', onClose);
        resolve();
      }
    };
    const onClose = () => reject(new Error('closed'));
    s.on('data', onData);
    s.once('close', onClose);
    s.write('ping');
  });
}
