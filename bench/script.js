// The .tcp script runner headless: a 10,000-step conversation (`repeat 10000` send "PING\n" /
// expect "PING\n") against our echo server (in its own process), timed against the same exchange written
// as a plain Node client, in the same run, alternating who goes first. Target: ours ≥ 0.5× as fast.
const net = require('node:net');
const path = require('node:path');
const { CORE, median } = require('./lib');

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

/** Adds row 8 (script runner vs plain client) through the orchestrator's helpers. */
async function scriptFigure({ startServer, stopServer, row, results, fmt }) {
  const server = await startServer('echo-ours');
  const ours = [];
  const plain = [];
  try {
    await plainClient(server.port); // warm-up for both paths
    await scriptClient(server.port);
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        ours.push(await scriptClient(server.port));
        plain.push(await plainClient(server.port));
      } else {
        plain.push(await plainClient(server.port));
        ours.push(await scriptClient(server.port));
      }
    }
  } finally {
    await stopServer(server);
  }
  const m = { ours: median(ours), plain: median(plain) };
  const r = m.plain / m.ours;
  results.figures.script = { steps: 2 * STEPS, msOurs: ours, msPlain: plain, median: m, ratio: r };
  row('8', `Script repeat ${STEPS} send/expect vs plain Node client, ms (median)`, fmt(m.ours, 0), `plain ${fmt(m.plain, 0)}`, `${fmt(r, 2)}×`, '≥ 0.50×', r >= 0.5, `${fmt((STEPS * 1000) / m.ours, 0)} round trips/s headless`);
}

module.exports = { scriptFigure };

// `node bench/script.js` alone: the same figure, printed (needs `node esbuild.js --tests`).
if (require.main === module) {
  const { EchoServer } = require(path.join(CORE, 'echoServer.js'));
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
