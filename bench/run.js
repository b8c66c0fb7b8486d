#!/usr/bin/env node
// npm run bench — our servers and downloader against plain references, measured side by side in one
// run (these machines are noisy; only ratios taken together mean anything). Loopback only. Every server
// under test and every client runs in its own child process, so RSS and event-loop delay are the
// server's own. Files are generated in os.tmpdir() and removed at the end. Prints a table and writes
// bench/results.json. A MISS is information: the exit code is 0 unless the benchmark itself breaks.
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, execFileSync } = require('node:child_process');
const { CORE, forkRpc, median, trackChild } = require('./lib');
const { MAX_BUNDLE_BYTES } = require('../esbuild.js');
const { sendFileFigure } = require('./assist');
const { relayFigures } = require('./relay');

const ROOT = path.join(__dirname, '..');
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const BIG = 'big.bin';
const SPARSE = 'sparse.bin';
const RUNS = 3;
// Echo runs: pairs of 1 s runs, ours and the pipe back to back, alternating who goes first.
const PAIRS = 6;
const CONNECTIONS = 10000;
// The whole run stays under 10 minutes (the TLS relay rows move 1 GiB through each of four relays): past this,
// remaining figures are skipped (and say so).
const BUDGET_MS = 570000;

const t0 = Date.now();
const rows = [];
const results = { date: new Date().toISOString(), machine: machine(), figures: {}, rows };
const children = new Set();
let tmp;

const log = (m) => console.error(`[bench +${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`);
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a / b) ? a / b : NaN);
const verdict = (ok) => (ok === undefined ? '' : ok ? 'PASS' : 'MISS');

function machine() {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const meminfo = safeRead('/proc/meminfo');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1]);
  return {
    nproc: os.availableParallelism(),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number.isFinite(memKb) ? +(memKb / 1024 / 1024).toFixed(1) : os.totalmem() / GiB,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
  };
}

function safeRead(p) {
  try {
    return fs.readFileSync(p, 'latin1');
  } catch {
    return '';
  }
}

/** A core module that still throws 'not implemented' (its contract stub) cannot be measured yet. */
function implemented(file) {
  const f = path.join(CORE, file);
  return fs.existsSync(f) && !/throw new Error\(['"]not implemented['"]\)/.test(fs.readFileSync(f, 'utf8'));
}

function row(id, what, ours, ref, r, target, ok, note = '') {
  rows.push({ id, what, ours, ref, ratio: r, target, result: ok === undefined ? (ours === 'n/a' ? 'n/a' : '') : verdict(ok), note });
}

function fork(script, opts) {
  const c = forkRpc(script, opts);
  children.add(c);
  c.child.once('exit', () => children.delete(c));
  return c;
}

async function startServer(kind, extra = {}, nodeArgs = []) {
  const s = fork('server.js', { nodeArgs });
  const info = await s.call('start', { kind, root: tmp, ...extra }, 20000);
  return { ...s, ...info };
}

async function stopServer(s) {
  try {
    await s.call('stop', {}, 10000);
  } finally {
    await s.close();
  }
}

/** The python3 socket.sendfile reference, or undefined when there is no python3. */
async function startPython() {
  const p = spawn('python3', [path.join(__dirname, 'sendfile_server.py'), tmp], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(undefined), 10000);
    p.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    p.stdout.on('data', (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const closer = trackChild(p, children);
  if (port === undefined) {
    await closer.close();
    return undefined;
  }
  return { port, pid: p.pid, close: () => closer.close() };
}

/** utime+stime of a process in µs, from /proc/<pid>/stat (for the python server, which has no IPC). */
function cpuOfPid(pid) {
  const f = safeRead(`/proc/${pid}/stat`).split(') ')[1]?.split(' ');
  return f ? ((Number(f[11]) + Number(f[12])) * 1e6) / 100 : NaN;
}

/** 1 GiB of 1 MiB random blocks, each stamped with its index (a reordered chunk changes the hash). */
function generateFiles() {
  const big = path.join(tmp, BIG);
  const block = crypto.randomBytes(MiB);
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(big, 'w');
  for (let i = 0; i < GiB / MiB; i++) {
    block.writeUInt32LE(i, 0);
    fs.writeSync(fd, block);
    hash.update(block);
  }
  // On disk before anything is timed, so no write-back runs under the measurements.
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const sfd = fs.openSync(path.join(tmp, SPARSE), 'w');
  fs.ftruncateSync(sfd, 4 * GiB);
  fs.closeSync(sfd);
  return hash.digest('hex');
}

/** Captures the exact request bytes our downloader sends, so the reference receiver sends the same. */
async function downloaderRequest(download) {
  let seen = Buffer.alloc(0);
  let halfClosed = false;
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => {
      seen = Buffer.concat([seen, d]);
    });
    s.on('end', () => {
      halfClosed = true;
    });
    s.on('error', () => undefined);
    setTimeout(() => s.destroy(), 300);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const dest = fs.mkdtempSync(path.join(tmp, 'probe-'));
  await download({ host: '127.0.0.1', port: srv.address().port, name: BIG, destDir: dest }).catch(() => undefined);
  await new Promise((r) => srv.close(r));
  fs.rmSync(dest, { recursive: true, force: true });
  return { request: seen.toString('latin1'), halfClosed };
}

// ---------------------------------------------------------------------------------------------------
// The figures

async function fileThroughput(client) {
  const servers = { ours: await startServer('file-ours'), plain: await startServer('file-plain') };
  const py = await startPython();
  if (py) {
    servers.python = py;
  }
  const times = { ours: [], plain: [], python: [] };
  const cpu = { ours: [], plain: [], python: [] };
  try {
    // Interleaved, so a noisy moment hurts every server alike. Server CPU per MiB is recorded too: a
    // cost that other load on the machine disturbs far less than the rate.
    for (let i = 0; i < RUNS; i++) {
      for (const [name, s] of Object.entries(servers)) {
        const before = name === 'python' ? cpuOfPid(s.pid) : await s.call('mark');
        const r = await client.call('recv', { port: s.port, request: `${BIG}\n`, expect: GiB });
        const used = name === 'python' ? cpuOfPid(s.pid) - before : (await s.call('report')).cpuUs;
        times[name].push(mbps(r.bytes, r.ms));
        cpu[name].push(used / (r.bytes / MiB));
      }
    }
  } finally {
    await stopServer(servers.ours);
    await stopServer(servers.plain);
    await py?.close();
  }
  const m = { ours: median(times.ours), plain: median(times.plain), python: py ? median(times.python) : NaN };
  const c = { ours: median(cpu.ours), plain: median(cpu.plain), python: py ? median(cpu.python) : NaN };
  results.figures.fileServer = { mbps: times, median: m, serverCpuUsPerMiB: cpu, medianCpuUsPerMiB: c };
  const rp = ratio(m.ours, m.plain);
  row(
    '1a',
    'File server 1 GiB ×3, MB/s (median)',
    fmt(m.ours),
    `plain pipe ${fmt(m.plain)}`,
    `${fmt(rp, 2)}×`,
    '≥ 0.90×',
    rp >= 0.9,
    `server CPU per MiB: ours ${fmt(c.ours)} µs, plain pipe ${fmt(c.plain)} µs, python sendfile ${fmt(c.python)} µs`,
  );
  if (py) {
    const rs = ratio(m.ours, m.python);
    row('1b', 'File server vs python sendfile', fmt(m.ours), `sendfile ${fmt(m.python)}`, `${fmt(rs, 2)}×`, '≥ 0.75×', rs >= 0.75);
  } else {
    row('1b', 'File server vs python sendfile', fmt(m.ours), 'n/a', '', '≥ 0.75×', undefined, 'no python3 on this machine');
  }
}

async function serverMemory(client) {
  const out = {};
  for (const kind of ['file-ours', 'file-plain']) {
    const s = await startServer(kind);
    try {
      await s.call('mark');
      const r = await client.call('recv', { port: s.port, request: `${SPARSE}\n`, expect: 4 * GiB }, 90000);
      const rep = await s.call('report');
      out[kind] = { ...rep.rss, mbps: mbps(r.bytes, r.ms) };
    } finally {
      await stopServer(s);
    }
  }
  results.figures.serverMemory = out;
  const g = out['file-ours'].growth / MiB;
  row('2', 'File server RSS growth, 4 GiB file', `${fmt(g, 1)} MiB`, `plain pipe ${fmt(out['file-plain'].growth / MiB, 1)} MiB`, '', '≤ 64 MiB', g <= 64);
}

/** Runs one op in a client process of its own. */
async function once(op, args, timeoutMs) {
  const c = fork('client.js', {});
  try {
    return await c.call(op, args, timeoutMs);
  } finally {
    await c.close();
  }
}

async function downloadFigure(expectedSha) {
  const { download } = require(path.join(CORE, 'downloads/downloader.js'));
  const wire = await downloaderRequest(download);
  const dest = fs.mkdtempSync(path.join(tmp, 'dl-'));
  const s = await startServer('file-ours');
  const ours = [];
  const ref = [];
  const cpu = { ours: [], ref: [] };
  let sha;
  let rssGrowth = 0;
  let refRss = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      // A fresh process for each run: its RSS growth is then this download's, not a heap an earlier
      // run already grew.
      const d = await once('download', { port: s.port, name: BIG, destDir: dest });
      if (d.bytes !== GiB || d.size !== GiB) {
        throw new Error(`download got ${d.bytes} bytes (file ${d.size}), expected ${GiB}`);
      }
      ours.push(mbps(d.bytes, d.ms));
      cpu.ours.push(d.cpuUs / (d.bytes / MiB));
      sha = d.sha256;
      rssGrowth = Math.max(rssGrowth, d.rss.growth);
      const r = await once('refDownload', { port: s.port, request: wire.request, halfClose: wire.halfClosed, destDir: dest });
      if (r.bytes !== GiB) {
        throw new Error(`reference receiver got ${r.bytes} bytes, expected ${GiB}`);
      }
      ref.push(mbps(r.bytes, r.ms));
      cpu.ref.push(r.cpuUs / (r.bytes / MiB));
      refRss = Math.max(refRss, r.rss.growth);
    }
  } finally {
    await stopServer(s);
    fs.rmSync(dest, { recursive: true, force: true });
  }
  const m = { ours: median(ours), ref: median(ref) };
  const c = { ours: median(cpu.ours), ref: median(cpu.ref) };
  results.figures.download = {
    mbps: { ours, ref },
    median: m,
    cpuUsPerMiB: cpu,
    medianCpuUsPerMiB: c,
    sha256: sha,
    expectedSha256: expectedSha,
    rssGrowth,
    refRssGrowth: refRss,
    request: JSON.stringify(wire.request),
    halfClosed: wire.halfClosed,
  };
  const r = ratio(m.ours, m.ref);
  row(
    '3a',
    'Download 1 GiB to disk ×3, MB/s (median)',
    fmt(m.ours),
    `write stream ${fmt(m.ref)}`,
    `${fmt(r, 2)}×`,
    '≥ 0.80×',
    r >= 0.8,
    `downloading process CPU per MiB: ours ${fmt(c.ours)} µs, write stream ${fmt(c.ref)} µs`,
  );
  row('3b', 'Download sha256 equals the file’s', sha === expectedSha ? 'equal' : 'DIFFERENT', `${expectedSha.slice(0, 16)}…`, '', 'equal', sha === expectedSha);
  row('3c', 'Downloading process RSS growth', `${fmt(rssGrowth / MiB, 1)} MiB`, `write stream ${fmt(refRss / MiB, 1)} MiB`, '', '≤ 64 MiB', rssGrowth <= 64 * MiB);
}

/**
 * Runs `call` against ours and the reference in PAIRS alternating the order (AB BA AB BA): other load
 * on the machine then hits both sides of a pair alike, and the ratio is the median of the pair ratios.
 */
async function paired(pairs, servers, call, score, work) {
  const runs = { ours: [], plain: [] };
  const ratios = [];
  const cpuRatios = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
    const got = {};
    for (const which of order) {
      await servers[which].call('mark');
      const r = await call(which);
      const rep = await servers[which].call('report');
      r.serverCpuPerUnit = rep.cpuUs / work(r);
      got[which] = r;
      runs[which].push(r);
    }
    ratios.push(score(got.ours) / score(got.plain));
    cpuRatios.push(got.ours.serverCpuPerUnit / got.plain.serverCpuPerUnit);
  }
  return { runs, ratio: median(ratios), ratios, cpuRatio: median(cpuRatios), cpuRatios };
}

async function echoFigure(client) {
  const servers = { ours: await startServer('echo-ours'), plain: await startServer('echo-plain') };
  const out = {};
  const seconds = 1;
  try {
    for (const conns of [1, 64]) {
      const p = await paired(
        PAIRS,
        servers,
        (which) => client.call('pingpong', { port: servers[which].port, conns, seconds, warmupSeconds: 0.3 }),
        (r) => r.perSecond,
        (r) => r.allRoundTrips,
      );
      out[`pingpong${conns}`] = p;
      const sum = (a) => ({
        perSecond: a.reduce((x, r) => x + r.roundTrips, 0) / (seconds * a.length),
        p50us: median(a.map((r) => r.p50us)),
        p99us: median(a.map((r) => r.p99us)),
        mismatched: a.reduce((x, r) => x + r.mismatched, 0),
      });
      const o = sum(p.runs.ours);
      const q = sum(p.runs.plain);
      row(
        `4${conns === 1 ? 'a' : 'b'}`,
        `Echo ping-pong 64 B, ${conns} conn${conns > 1 ? 's' : ''}: round trips/s (p50/p99 µs)`,
        `${fmt(o.perSecond)} (${fmt(o.p50us)}/${fmt(o.p99us)})`,
        `pipe ${fmt(q.perSecond)} (${fmt(q.p50us)}/${fmt(q.p99us)})`,
        `${fmt(p.ratio, 2)}×`,
        '≥ 0.90×',
        p.ratio >= 0.9 && o.mismatched === 0,
        [
          `server CPU per round trip ${fmt(median(p.runs.ours.map((r) => r.serverCpuPerUnit)), 1)} µs vs pipe ${fmt(median(p.runs.plain.map((r) => r.serverCpuPerUnit)), 1)} µs (${fmt(p.cpuRatio, 2)}×)`,
          o.mismatched ? `${o.mismatched} replies were not the bytes sent` : '',
        ]
          .filter(Boolean)
          .join('; '),
      );
    }
    const p = await paired(
      PAIRS,
      servers,
      (which) => client.call('stream', { port: servers[which].port, seconds }),
      (r) => r.mbps,
      (r) => r.bytes / MiB,
    );
    out.stream = p;
    const mb = (a) => a.reduce((x, r) => x + r.bytes, 0) / 1e6 / a.reduce((x, r) => x + r.seconds, 0);
    const bad = p.runs.ours.reduce((x, r) => x + r.bad, 0);
    row(
      '4c',
      'Echo stream 64 KiB chunks, 1 conn: MB/s echoed',
      fmt(mb(p.runs.ours)),
      `pipe ${fmt(mb(p.runs.plain))}`,
      `${fmt(p.ratio, 2)}×`,
      '(info)',
      bad ? false : undefined,
      [
        `server CPU per MiB ${fmt(median(p.runs.ours.map((r) => r.serverCpuPerUnit)))} µs vs pipe ${fmt(median(p.runs.plain.map((r) => r.serverCpuPerUnit)))} µs (${fmt(p.cpuRatio, 2)}×)`,
        bad ? `${bad} chunks were not the bytes sent` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  } finally {
    await stopServer(servers.ours);
    await stopServer(servers.plain);
  }
  results.figures.echo = out;
}

async function connectionsFigure() {
  const s = await startServer('echo-ours', { maxConnections: 2 * CONNECTIONS, backlog: 4096 }, ['--expose-gc']);
  const c = fork('client.js', {});
  try {
    const clientInfo = await c.call('connsOpen', { port: s.port, count: 0 });
    // Each side needs one descriptor per connection plus a few of its own.
    const cap = Math.min(s.fdLimit, clientInfo.fdLimit) - 64;
    const count = Math.min(CONNECTIONS, cap);
    if (count < CONNECTIONS) {
      log(`open-file limit caps the connections at ${count} (fd limit ${Math.min(s.fdLimit, clientInfo.fdLimit)})`);
    }
    const base = await s.call('gcRss');
    const open = await c.call('connsOpen', { port: s.port, count, batch: 500 }, 150000);
    const serverSees = await s.call('clients');
    const heldRss = await s.call('gcRss');
    const again = await c.call('connsCheck', {}, 60000);
    await c.call('connsClose', {}, 30000);
    const perConn = (heldRss - base) / Math.max(1, serverSees);
    results.figures.connections = {
      requested: CONNECTIONS,
      count,
      fdLimits: { server: s.fdLimit, client: clientInfo.fdLimit },
      open,
      serverSees,
      again,
      rssBase: base,
      rssHeld: heldRss,
      perConnBytes: perConn,
    };
    const heldAll = open.echoed === CONNECTIONS && again.echoed === CONNECTIONS && serverSees === CONNECTIONS;
    const errs = Object.entries(open.errors)
      .map(([k, v]) => `${k}×${v}`)
      .join(', ');
    row(
      '5a',
      `Connections held (opened ${fmt(open.ms / 1000, 1)} s, echo checked twice)`,
      `${Math.min(open.echoed, again.echoed)} / ${CONNECTIONS}`,
      `fd limit ${Math.min(s.fdLimit, clientInfo.fdLimit)}`,
      '',
      '10000',
      heldAll,
      [count < CONNECTIONS ? `capped at ${count} by the open-file limit` : '', errs].filter(Boolean).join('; '),
    );
    row(
      '5b',
      'Server RSS per connection (after GC)',
      `${fmt(perConn / 1024, 1)} KiB`,
      `${fmt((heldRss - base) / MiB, 1)} MiB for ${serverSees}`,
      '',
      '≤ 20 KiB',
      perConn <= 20 * 1024,
    );
  } finally {
    await c.close();
    await stopServer(s);
  }
}

async function responsiveness(client) {
  const s = await startServer('file-ours', { trafficLog: true });
  const speeds = [];
  let rep;
  try {
    await s.call('mark', { eventLoop: true, resolutionMs: 1 });
    for (let i = 0; i < RUNS; i++) {
      const r = await client.call('recv', { port: s.port, request: `${BIG}\n`, expect: GiB });
      speeds.push(mbps(r.bytes, r.ms));
    }
    rep = await s.call('report');
  } finally {
    await stopServer(s);
  }
  const e = rep.eventLoop;
  results.figures.responsiveness = { mbps: speeds, eventLoop: e, traffic: rep.traffic, rss: rep.rss };
  const sawAll = rep.traffic.bytesOut === RUNS * GiB;
  row(
    '6',
    `Event-loop delay under 1 GiB ×3 at ${fmt(median(speeds))} MB/s, traffic log on: p50/p99/max ms`,
    `${fmt(e.p50, 2)} / ${fmt(e.p99, 2)} / ${fmt(e.max, 1)}`,
    `${e.samples} samples`,
    '',
    'p99 ≤ 50 ms',
    e.p99 <= 50 && sawAll,
    sawAll ? '' : `traffic listener saw ${rep.traffic.bytesOut} of ${RUNS * GiB} bytes out`,
  );
}

/** Builds with the project's own `node esbuild.js --production`, in a temp folder so dist/ is left alone. */
function extensionCost() {
  if (!fs.existsSync(path.join(ROOT, 'src', 'extension.ts'))) {
    row('7a', 'Bundle dist/extension.js (production)', 'n/a', '', '', `≤ ${MAX_BUNDLE_BYTES / 1000} KB`, undefined, 'src/extension.ts does not exist yet');
  } else {
    const work = fs.mkdtempSync(path.join(tmp, 'build-'));
    try {
      // Into a temporary folder, so dist/ is left alone.
      execFileSync(process.execPath, [path.join(ROOT, 'esbuild.js'), '--production', `--outdir=${path.join(work, 'dist')}`], { cwd: ROOT, stdio: 'pipe' });
      const size = fs.statSync(path.join(work, 'dist', 'extension.js')).size;
      results.figures.bundle = { bytes: size };
      row('7a', 'Bundle dist/extension.js (production)', `${fmt(size / 1000, 1)} KB`, `${size} bytes`, '', `≤ ${MAX_BUNDLE_BYTES / 1000} KB`, size <= MAX_BUNDLE_BYTES);
    } catch (e) {
      row('7a', 'Bundle dist/extension.js (production)', 'error', '', '', `≤ ${MAX_BUNDLE_BYTES / 1000} KB`, false, String(e.stderr || e.message).split('\n')[0]);
    }
  }
  // The real-editor harness (npm run test:editor) may leave what activate() took in the editor here.
  const f = path.join(ROOT, '.vscode-test', 'activation.json');
  let act;
  try {
    act = JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch {
    act = undefined;
  }
  if (act && Number.isFinite(act.activateMs)) {
    results.figures.activation = act;
    row('7b', `activate() in VS Code ${act.vscode ?? ''}`.trim(), `${fmt(act.activateMs, 1)} ms`, '', '', '≤ 30 ms', act.activateMs <= 30);
  } else {
    row('7b', 'activate() in the real editor', 'n/a', '', '', '≤ 30 ms', undefined, 'the real-editor harness records no activation time (.vscode-test/activation.json)');
  }
}

// ---------------------------------------------------------------------------------------------------

function printTable() {
  const head = ['#', 'measure', 'ours', 'reference', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [r.id, r.what, r.ours, r.ref, r.ratio, r.target, r.result]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  const m = results.machine;
  console.log(`\nTCP Workbench benchmark — ${results.date}`);
  console.log(`${m.nproc} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.kernel}; core: ${results.core}\n`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) {
    console.log(line(b));
  }
  const notes = rows.filter((r) => r.note);
  if (notes.length) {
    console.log('');
    for (const r of notes) {
      console.log(`${r.id}: ${r.note}`);
    }
  }
  console.log(
    `\n${rows.filter((r) => r.result === 'PASS').length} PASS, ${rows.filter((r) => r.result === 'MISS').length} MISS, ${rows.filter((r) => r.result === 'n/a').length} n/a — ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

async function step(name, key, needs, fn) {
  if (!wanted(key)) {
    return;
  }
  const missing = needs.filter((f) => !implemented(f));
  if (missing.length) {
    log(`${name}: skipped, ${missing.join(', ')} still a stub`);
    row('-', name, 'n/a', '', '', '', undefined, `skipped: ${missing.join(', ')} is not implemented yet`);
    return;
  }
  if (Date.now() - t0 > BUDGET_MS) {
    row('-', name, 'n/a', '', '', '', undefined, 'skipped: the 10-minute budget is spent');
    return;
  }
  log(`${name}…`);
  try {
    await fn();
  } catch (e) {
    log(`${name} failed: ${e.message}`);
    row('!', name, 'error', '', '', '', false, e.message);
    results.figures[`${name}Error`] = e.message;
  }
}

// --only file,memory,download,echo,tls,connections,responsiveness,sendfile,script,frames,relay,tlsrelay,extension,timeline runs a subset (while tuning).
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(String(process.argv[i + 1] ?? '').split(',')) : undefined;
})();
const wanted = (key) => !only || only.has(key);
/** Figures that need none of the generated files (tlsrelay's target sends from memory). */
const NO_FILES = new Set(['timeline', 'tls', 'tlsrelay']);

async function main() {
  if (!fs.existsSync(path.join(CORE, 'servers/serverBase.js'))) {
    console.error('The compiled core is missing: run `node esbuild.js --tests` first (npm run bench does).');
    process.exit(1);
  }
  if (only && [...only].every((k) => k === 'timeline')) {
    // Nothing else wanted: no need for the big files.
    await step('Timeline', 'timeline', ['timeline/timeline.js'], () => require('./timeline').timelineFigure({ row, results, fmt }));
    printTable();
    return;
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-workbench-bench-'));
  let sha;
  try {
    await step('Timeline', 'timeline', ['timeline/timeline.js'], () => require('./timeline').timelineFigure({ row, results, fmt }));
    if (!only || [...only].some((k) => !NO_FILES.has(k))) {
      log(`generating 1 GiB and a sparse 4 GiB file in ${tmp}`);
      sha = generateFiles();
    }
    const client = fork('client.js', {});
    try {
      await step('File server throughput', 'file', ['fileServer/fileServer.js'], () => fileThroughput(client));
      await step('Server memory', 'memory', ['fileServer/fileServer.js'], () => serverMemory(client));
      await step('Download', 'download', ['fileServer/fileServer.js', 'downloads/downloader.js'], () => downloadFigure(sha));
      await step('Echo', 'echo', ['servers/echoServer.js'], () => echoFigure(client));
      await step('TLS', 'tls', ['tls/serverTls.js'], () => require('./tls').tlsFigures({ client, startServer, stopServer, paired, row, fmt, tmp, pairs: PAIRS }));
    } finally {
      await client.close();
    }
    await step('Connections', 'connections', ['servers/echoServer.js'], () => connectionsFigure());
    const client2 = fork('client.js', {});
    try {
      await step('Responsiveness', 'responsiveness', ['fileServer/fileServer.js'], () => responsiveness(client2));
    } finally {
      await client2.close();
    }
    await step('Send file', 'sendfile', ['fileSender.js'], () => sendFileFigure({ fork, file: path.join(tmp, BIG), row, results, fmt, ratio }));
    await step('Script runner', 'script', ['script/runner.js'], () => require('./script').scriptFigure({ startServer, stopServer, row, results, fmt }));
    await step('Mock server', 'script', ['script/mockServer.js'], () => require('./script').mockFigure({ fork, startServer, stopServer, row, results, fmt }));
    await step('Script frames', 'frames', ['script/frameCodec.js'], () => require('./frames').framesFigure({ startServer, stopServer, row, results, fmt }));
    await step('Relay', 'relay', ['relay/relayServer.js'], () => relayFigures({ fork, startServer, stopServer, row, results, tmp, file: BIG, size: GiB, children }));
    await step('TLS relay', 'tlsrelay', ['relay/relayServer.js', 'tls/serverTls.js'], () => require('./tlsRelay').tlsRelayFigures({ fork, row, results, tmp, children }));
    await step('Extension cost', 'extension', [], async () => extensionCost());
  } finally {
    for (const c of [...children]) {
      await c.close().catch(() => undefined);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  results.durationS = (Date.now() - t0) / 1000;
  results.core = path.relative(ROOT, CORE) || CORE;
  printTable();
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), path.join(__dirname, 'results.json'))}`);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) {
      c.close().catch(() => undefined);
    }
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
