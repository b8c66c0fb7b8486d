// The .tcp script runner headless: a 10,000-step conversation (`repeat 10000` send "PING\n" /
// expect "PING\n") against our echo server (in its own process), timed against the same exchange written
// as a plain Node client, in the same run, alternating who goes first. Target: ours ≥ 0.5× as fast.
const net = require('node:net');
const path = require('node:path');
const { CORE, median, serveRpc } = require('./lib');

const STEPS = 10000;
const PAIRS = 5;
const PING = Buffer.from('PING\n');

/** The plain client: write, wait until the next 5 bytes are exactly PING\n, repeat. */
function plainClient(port) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.setNoDelay(true);
      s.write(PING);
    });
    let buf = Buffer.alloc(0);
    let left = STEPS;
    const timer = setTimeout(() => s.destroy(new Error('plain client took longer than 60 s')), 60000);
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= PING.length) {
        if (!buf.subarray(0, PING.length).equals(PING)) {
          s.destroy(new Error('echo mismatch'));
          return;
        }
        buf = buf.subarray(PING.length);
        if (--left === 0) {
          clearTimeout(timer);
          s.destroy();
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
          return;
        }
        s.write(PING);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function scriptClient(port) {
  const { parseScript, ScriptRunner } = require(path.join(CORE, 'script', 'index.js'));
  const script = parseScript(`### bench\nconnect 127.0.0.1:${port}\nrepeat ${STEPS}\n  send "PING\\n"\n  expect "PING\\n"\n`);
  if (script.diagnostics.length > 0) {
    throw new Error(script.diagnostics[0].message);
  }
  const runner = new ScriptRunner(script);
  const t0 = process.hrtime.bigint();
  const r = await runner.run({ file: path.join(__dirname, 'bench.tcp') });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  runner.dispose();
  if (r.passed !== 1) {
    throw new Error(`the script failed: ${r.blocks[0]?.failure?.message}`);
  }
  return ms;
}

const MOCK_RULE = '### bench mock\nlisten 127.0.0.1:0\non "PING\\n" send "PING\\n"\n';
const MOCK_MS = 1000;

/** Round trips per second: `conns` connections each sending PING\n and waiting for it back, for MOCK_MS. */
function roundTrips(port, conns) {
  return new Promise((resolve, reject) => {
    let count = 0;
    let open = 0;
    const end = Date.now() + MOCK_MS;
    const sockets = [];
    const finish = () => {
      sockets.forEach((s) => s.destroy());
      resolve((count * 1000) / MOCK_MS);
    };
    for (let i = 0; i < conns; i++) {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.setNoDelay(true);
        s.write(PING);
      });
      sockets.push(s);
      let got = 0;
      s.on('data', (d) => {
        got += d.length;
        while (got >= PING.length) {
          got -= PING.length;
          count++;
          if (Date.now() < end) {
            s.write(PING);
          } else if (++open === conns) {
            finish();
          }
        }
      });
      s.on('error', reject);
    }
  });
}

/** Row 9: rule-reply round trips/s of a mock vs our echo server, at 1 and 64 connections. */
async function mockFigure({ fork, startServer, stopServer, row, results, fmt }) {
  const out = {};
  for (const conns of [1, 64]) {
    const ours = [];
    const ref = [];
    // Pairs of runs, alternating who goes first (the machine is shared and noisy).
    for (let i = 0; i < 5; i++) {
      const mock = fork('script.js', {});
      const { port } = await mock.call('startMock', {}, 20000);
      const echo = await startServer('echo-ours');
      try {
        if (i % 2 === 0) {
          ours.push(await roundTrips(port, conns));
          ref.push(await roundTrips(echo.port, conns));
        } else {
          ref.push(await roundTrips(echo.port, conns));
          ours.push(await roundTrips(port, conns));
        }
      } finally {
        await mock.close();
        await stopServer(echo);
      }
    }
    const m = { ours: median(ours), echo: median(ref) };
    out[conns] = { ours, echo: ref, median: m, ratio: m.ours / m.echo };
    row(
      conns === 1 ? '9a' : '9b',
      `Mock rule replies, ${conns} conn${conns > 1 ? 's' : ''}: round trips/s`,
      fmt(m.ours),
      `echo ${fmt(m.echo)}`,
      `${fmt(m.ours / m.echo, 2)}×`,
      '≥ 0.80×',
      m.ours / m.echo >= 0.8,
    );
  }
  out.flood = await floodFigure(fork, row, fmt);
  results.figures.mock = out;
}

const FLOOD = 256 * 1024 * 1024;

/** Row 9c: one client sends 256 MiB that no rule matches (no newline); the mock's RSS peak must stay near a discarding server's. */
async function floodFigure(fork, row, fmt) {
  const ours = await floodGrowth(fork, 'startMock');
  const ref = await floodGrowth(fork, 'startDiscard');
  const g = ours.growthMiB;
  row(
    '9c',
    'Mock RSS growth, a client floods 256 MiB unmatched',
    `${fmt(g, 1)} MiB`,
    `discarding server ${fmt(ref.growthMiB, 1)} MiB`,
    '',
    '≤ ref + 16 MiB',
    g <= ref.growthMiB + 16,
  );
  return { ours, ref };
}

async function floodGrowth(fork, op) {
  const mock = fork('script.js', { nodeArgs: ['--expose-gc'] });
  try {
    const { port } = await mock.call(op, {}, 20000);
    const s = await new Promise((resolve, reject) => {
      const c = net.connect({ host: '127.0.0.1', port }, () => resolve(c));
      c.on('error', reject);
    });
    const base = await mock.call('rss');
    const chunk = Buffer.alloc(1024 * 1024, 0x7a);
    for (let sent = 0; sent < FLOOD; sent += chunk.length) {
      if (!s.write(chunk)) {
        await new Promise((r) => s.once('drain', r));
      }
    }
    await new Promise((r) => s.end(r));
    const after = await mock.call('rss');
    s.destroy();
    return { baseRss: base.now, peakRss: after.peak, growthMiB: (after.peak - base.now) / 2 ** 20 };
  } finally {
    await mock.close();
  }
}

/** Adds row 8 (script runner vs plain client) through the orchestrator's helpers. */
async function scriptFigure({ startServer, stopServer, row, results, fmt }) {
  const server = await startServer('echo-ours');
  const ours = [];
  const plain = [];
  const cpu = { ours: [], plain: [] };
  try {
    await plainClient(server.port); // warm-up for both paths
    await scriptClient(server.port);
    const timed = async (fn, into, cpuInto) => {
      const c0 = process.cpuUsage();
      into.push(await fn(server.port));
      const c = process.cpuUsage(c0);
      cpuInto.push((c.user + c.system) / STEPS);
    };
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        await timed(scriptClient, ours, cpu.ours);
        await timed(plainClient, plain, cpu.plain);
      } else {
        await timed(plainClient, plain, cpu.plain);
        await timed(scriptClient, ours, cpu.ours);
      }
    }
  } finally {
    await stopServer(server);
  }
  const m = { ours: median(ours), plain: median(plain) };
  const r = m.plain / m.ours;
  // CPU per round trip in this process: less disturbed by other load than wall time.
  const cpuPerStep = { ours: median(cpu.ours), plain: median(cpu.plain) };
  results.figures.script = { steps: 2 * STEPS, msOurs: ours, msPlain: plain, median: m, ratio: r, clientCpuUsPerRoundTrip: cpuPerStep };
  row(
    '8',
    `Script repeat ${STEPS} send/expect vs plain Node client, ms (median)`,
    fmt(m.ours, 0),
    `plain ${fmt(m.plain, 0)}`,
    `${fmt(r, 2)}×`,
    '≥ 0.50×',
    r >= 0.5,
    `${fmt((STEPS * 1000) / m.ours, 0)} round trips/s headless; client CPU per round trip ${fmt(cpuPerStep.ours, 1)} µs vs plain ${fmt(cpuPerStep.plain, 1)} µs`,
  );
}

module.exports = { scriptFigure, mockFigure };

if (require.main === module && process.send) {
  // Forked by mockFigure: the mock server under test, in its own process.
  let server;
  let peak = 0;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20).unref();
  serveRpc({
    /** RSS now and the peak since the last call (after a GC when --expose-gc is on). */
    rss() {
      global.gc?.();
      const now = process.memoryUsage().rss;
      const out = { now, peak: Math.max(peak, now) };
      peak = now;
      return out;
    },
    /** The reference for the flood: a plain server that reads and discards. */
    async startDiscard() {
      server = net.createServer((c) => c.resume());
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      return { port: server.address().port };
    },
    async startMock() {
      const { parseScript } = require(path.join(CORE, 'script', 'index.js'));
      const { MockServer } = require(path.join(CORE, 'script', 'mockServer.js'));
      server = new MockServer({ block: parseScript(MOCK_RULE).blocks[0], file: __filename });
      return { port: (await server.start()).port };
    },
  });
} else if (require.main === module) {
  // `node bench/script.js` alone: row 8, printed (needs `node esbuild.js --tests`).
  const { EchoServer } = require(path.join(CORE, 'servers/echoServer.js'));
  (async () => {
    const rows = [];
    const results = { figures: {} };
    await scriptFigure({
      startServer: async () => {
        const s = new EchoServer();
        return { server: s, port: (await s.start()).port };
      },
      stopServer: async ({ server }) => {
        await server.stop();
        server.dispose();
      },
      row: (...a) => rows.push(a),
      results,
      fmt: (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a'),
    });
    console.log(rows.map((r) => r.join(' | ')).join('\n'));
    console.log(JSON.stringify(results.figures.script));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
