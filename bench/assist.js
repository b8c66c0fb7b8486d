// Send-file throughput: ClientSession.sendFile (backpressure, progress, counters) against a plain
// fs.createReadStream().pipe(socket), both sending the same file to a byte-counting sink, in the same
// run and alternating order. Sender and sink are separate child processes (this file, forked twice),
// so the sender's RSS growth is its own.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { CORE, RssWindow, median, serveRpc } = require('./lib');

const MiB = 2 ** 20;
const PAIRS = 3;

/** Child side. */
function handlers() {
  const counts = [];
  return {
    /** A sink that counts bytes per connection and closes when the sender ends. */
    sink() {
      const server = net.createServer((s) => {
        const entry = { bytes: 0 };
        counts.push(entry);
        s.on('data', (d) => (entry.bytes += d.length));
        s.on('error', () => undefined);
      });
      return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port })));
    },
    lastCount: () => counts[counts.length - 1]?.bytes ?? 0,
    async send({ port, file, how }) {
      const rss = new RssWindow();
      rss.start();
      const t0 = process.hrtime.bigint();
      let socket;
      if (how === 'ours') {
        const { ClientSession } = require(path.join(CORE, 'sessions/clientSession.js'));
        const session = new ClientSession({ host: '127.0.0.1', port });
        await session.connect();
        const closed = new Promise((resolve) => session.onDidClose(resolve));
        await session.sendFile(file);
        session.end();
        await closed;
        session.dispose();
      } else {
        socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
        await new Promise((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        });
        const closed = new Promise((resolve) => socket.once('close', resolve));
        fs.createReadStream(file).pipe(socket);
        await closed;
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      return { ms, rssGrowth: rss.stop().growth };
    },
  };
}

/** Orchestrator side: one table row (and figures) for send-file throughput and memory. */
async function sendFileFigure({ fork, file, row, results, fmt, ratio }) {
  const size = fs.statSync(file).size;
  const sink = fork('assist.js', {});
  const sender = fork('assist.js', {});
  try {
    const { port } = await sink.call('sink');
    const runs = { ours: [], pipe: [] };
    const ratios = [];
    for (let i = 0; i < PAIRS; i++) {
      const got = {};
      for (const how of i % 2 === 0 ? ['ours', 'pipe'] : ['pipe', 'ours']) {
        const r = await sender.call('send', { port, file, how }, 120000);
        const bytes = await sink.call('lastCount');
        if (bytes !== size) {
          throw new Error(`${how} delivered ${bytes} of ${size} bytes`);
        }
        got[how] = { ...r, mbps: size / 1e6 / (r.ms / 1000) };
        runs[how].push(got[how]);
      }
      ratios.push(got.ours.mbps / got.pipe.mbps);
    }
    const m = { ours: median(runs.ours.map((r) => r.mbps)), pipe: median(runs.pipe.map((r) => r.mbps)) };
    const rss = { ours: Math.max(...runs.ours.map((r) => r.rssGrowth)), pipe: Math.max(...runs.pipe.map((r) => r.rssGrowth)) };
    const r = median(ratios);
    results.figures.sendFile = { sizeBytes: size, mbps: m, ratios, rssGrowth: rss };
    row(
      '10a',
      `Send a ${fmt(size / MiB)} MiB file to a session ×${PAIRS}, MB/s (median)`,
      fmt(m.ours),
      `read stream pipe ${fmt(m.pipe)}`,
      `${fmt(r, 2)}×`,
      '≥ 0.80×',
      r >= 0.8,
    );
    row(
      '10b',
      'Sending process RSS growth (max)',
      `${fmt(rss.ours / MiB, 1)} MiB`,
      `pipe ${fmt(rss.pipe / MiB, 1)} MiB`,
      fmt(ratio(rss.ours, rss.pipe), 2),
      '≤ 64 MiB',
      rss.ours <= 64 * MiB,
    );
  } finally {
    await sender.close();
    await sink.close();
  }
}

if (require.main === module) {
  serveRpc(handlers());
}

module.exports = { sendFileFigure };
