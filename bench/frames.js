// Row 8f: 10,000 framed request/replies with checksums — `send frame u16be(len) "PING 0042" crc16modbus`
// / `expect frame u16be(len) * crc16modbus` against our echo server — timed against a hand-written Node
// client doing the same (its own CRC table, building each frame, parsing the length and checking the CRC
// of each reply), in the same run, alternating who goes first. Target: ours ≥ 0.5× as fast.
const net = require('node:net');
const path = require('node:path');
const { CORE, median } = require('./lib');

const FRAMES = 10000;
const PAIRS = 5;
const BODY = Buffer.from('PING 0042');

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    }
    t[n] = c;
  }
  return t;
})();

function crc16modbus(b, end) {
  let c = 0xffff;
  for (let i = 0; i < end; i++) {
    c = (c >>> 8) ^ TABLE[(c ^ b[i]) & 0xff];
  }
  return c;
}

/** The hand-written client: build length + body + CRC, send, read a whole frame back, check its CRC. */
function plainClient(port) {
  return new Promise((resolve, reject) => {
    const frame = () => {
      const f = Buffer.alloc(2 + BODY.length + 2);
      f.writeUInt16BE(BODY.length, 0);
      BODY.copy(f, 2);
      f.writeUInt16LE(crc16modbus(f, 2 + BODY.length), 2 + BODY.length);
      return f;
    };
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.setNoDelay(true);
      s.write(frame());
    });
    let buf = Buffer.alloc(0);
    let left = FRAMES;
    const timer = setTimeout(() => s.destroy(new Error('plain client took longer than 60 s')), 60000);
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2 && buf.length >= 4 + buf.readUInt16BE(0)) {
        const n = buf.readUInt16BE(0);
        if (crc16modbus(buf, 2 + n) !== buf.readUInt16LE(2 + n)) {
          s.destroy(new Error('bad CRC'));
          return;
        }
        buf = buf.subarray(4 + n);
        if (--left === 0) {
          clearTimeout(timer);
          s.destroy();
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
          return;
        }
        s.write(frame());
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
  const text = `### bench\nconnect 127.0.0.1:${port}\nrepeat ${FRAMES}\n  send frame u16be(len) "${BODY}" crc16modbus\n  expect frame u16be(len) * crc16modbus\n`;
  const script = parseScript(text);
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

/** Adds row 8f through the orchestrator's helpers. */
async function framesFigure({ startServer, stopServer, row, results, fmt }) {
  const server = await startServer('echo-ours');
  const ours = [];
  const plain = [];
  try {
    await plainClient(server.port); // warm-up for both paths
    await scriptClient(server.port);
    for (let i = 0; i < PAIRS; i++) {
      const order = i % 2 === 0 ? [scriptClient, plainClient] : [plainClient, scriptClient];
      for (const fn of order) {
        (fn === scriptClient ? ours : plain).push(await fn(server.port));
      }
    }
  } finally {
    await stopServer(server);
  }
  const m = { ours: median(ours), plain: median(plain) };
  const r = m.plain / m.ours;
  results.figures.frames = { frames: FRAMES, msOurs: ours, msPlain: plain, median: m, ratio: r };
  row(
    '8f',
    `Script ${FRAMES} framed request/replies (u16be length, CRC-16/MODBUS) vs hand-written Node client, ms (median)`,
    fmt(m.ours, 0),
    `plain ${fmt(m.plain, 0)}`,
    `${fmt(r, 2)}×`,
    '≥ 0.50×',
    r >= 0.5,
    `${fmt((FRAMES * 1000) / m.ours, 0)} framed round trips/s headless`,
  );
}

module.exports = { framesFigure };
