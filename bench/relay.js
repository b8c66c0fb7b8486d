// Relay figures for npm run bench: our RelayServer against `socat TCP-LISTEN:…,fork TCP:…` and a plain
// Node pipe relay in the same run, each relay alone in its own process (as a child, this file hosts
// ours or the pipe relay). Throughput of 1 GiB through each from a target that sends from memory (the
// relay limits: the rows with targets) and of a 1 GiB download from the plain file server (the target
// limits: what a user sees), with and without the pcap capture; echo round trips at 1 and 64
// connections; RSS growth with a slow reader.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { CORE, RssWindow, childrenCpuUs, median, serveRpc, socatCpuAfter, startSocat } = require('./lib');

const MiB = 2 ** 20;
// Rounds of every relay once: one 1 GiB transfer swings by ±40 % on 2 shared cores, so the ratios are
// medians of 9 rounds (about 45 s).
const ROUNDS = 9;
// The slow reader: 4 MB/s against a target that could send 1 GiB at once.
const SLOW_RATE = 4e6;

// ---------------------------------------------------------------------------------------------------
// Child side: one relay under test.

function pipeRelay(targetPort) {
  return net.createServer({ allowHalfOpen: true }, (c) => {
    const u = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true });
    const kill = () => {
      c.destroy();
      u.destroy();
    };
    c.on('error', kill);
    u.on('error', kill);
    c.pipe(u);
    u.pipe(c);
  });
}

function child() {
  let relay;
  let ours = false;
  let pcap;
  let untap;
  let capture;
  let win;
  let cpu;
  /** A fresh capture (the previous one closed): with a cap, every round starts one, as a user's capture starts at 0. */
  const openPcap = async () => {
    untap?.dispose();
    await pcap?.close();
    const { PcapWriter } = require(path.join(capture.core, 'relay', 'pcapWriter.js'));
    // Without a cap: the file is emptied every round, the writer's count is not (9 rounds pass 8 GiB).
    pcap = await PcapWriter.open(capture.file, { overwrite: true, maxBytes: capture.maxBytes ?? 2 ** 50 });
    untap = relay.addTap(pcap);
  };
  serveRpc({
    /** `core` (default CORE) measures another build of the core beside this one (docs/PERFORMANCE.md). */
    async start({ kind, targetPort, pcapFile, pcapMaxBytes, core = CORE }) {
      if (kind === 'relay-ours') {
        const { RelayServer } = require(path.join(core, 'relay', 'relayServer.js'));
        relay = new RelayServer({ targetHost: '127.0.0.1', targetPort });
        ours = true;
        if (pcapFile) {
          capture = { file: pcapFile, maxBytes: pcapMaxBytes, core };
          await openPcap();
        }
        return { port: (await relay.start()).port, pid: process.pid };
      }
      relay = pipeRelay(targetPort);
      await new Promise((r) => relay.listen(0, '127.0.0.1', r));
      return { port: relay.address().port, pid: process.pid };
    },
    async mark() {
      if (capture?.maxBytes !== undefined) {
        await openPcap();
      }
      win = new RssWindow();
      win.start();
      cpu = process.cpuUsage();
    },
    report() {
      const c = process.cpuUsage(cpu);
      return { rss: win.stop(), cpuUs: c.user + c.system, pcap: pcap ? { ...pcap.summary, error: undefined } : undefined };
    },
    async stop() {
      if (ours) {
        await relay.stop();
        if (pcap) {
          await pcap.close();
        }
      } else {
        await new Promise((r) => relay.close(r));
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Orchestrator side.

// backlog=511 as Node's default: socat's own default of 5 drops SYNs when 64 clients connect at once.
const startTcpSocat = (targetPort, children) => startSocat('TCP-LISTEN:0,bind=127.0.0.1,fork,reuseaddr,backlog=511', `TCP:127.0.0.1:${targetPort}`, children);

/** Reads `request`'s answer slowly (≈ bytesPerSecond) for `seconds`, then drops the connection. */
function slowRead(port, request, bytesPerSecond, seconds) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(request));
    let got = 0;
    const t0 = Date.now();
    s.on('data', (d) => {
      got += d.length;
      const ahead = got - ((Date.now() - t0) / 1000) * bytesPerSecond;
      if (ahead > 0) {
        s.pause();
        setTimeout(() => s.resume(), (ahead / bytesPerSecond) * 1000);
      }
    });
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      resolve(got);
    }, seconds * 1000);
  });
}

/**
 * MB/s of writing `size` bytes to `file` as the capture does (captureStream.ts: 1 MiB batches appended
 * in order, one write at a time, through the page cache), nothing else running: the disk's own pace.
 */
async function diskWriteRate(file, size) {
  const batch = Buffer.alloc(2 ** 20, 1);
  const fd = fs.openSync(file, 'w');
  const t0 = process.hrtime.bigint();
  try {
    for (let left = size; left > 0; left -= batch.length) {
      await new Promise((resolve, reject) => fs.write(fd, batch, 0, Math.min(left, batch.length), null, (e) => (e ? reject(e) : resolve())));
    }
  } finally {
    fs.closeSync(fd);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.rmSync(file, { force: true });
  return size / 1e6 / (ms / 1000);
}

/**
 * ROUNDS rounds of `request` through our relay, the pipe relay, ours with the capture (in tmp and, with
 * `shm`, in /dev/shm) and socat, each relay started for these rounds and stopped after them. Returns the
 * per-round MB/s and relay CPU per MiB, their medians, and the medians of the per-round ratios.
 */
async function throughput(ctx, client, start, relays, targetPort, request, size, { shm = true } = {}) {
  const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
  const pcapFile = path.join(ctx.tmp, 'relay-bench.pcap');
  await start('ours', 'relay-ours', targetPort);
  await start('pipe', 'relay-pipe', targetPort);
  await start('pcap', 'relay-ours', targetPort, { pcapFile });
  // The same capture into tmpfs, for comparison.
  const shmDir = shm && fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/tcpwb-relay-') : undefined;
  const shmFile = shmDir ? path.join(shmDir, 'relay-bench.pcap') : undefined;
  try {
    if (shmFile) {
      await start('pcapShm', 'relay-ours', targetPort, { pcapFile: shmFile });
    }
    const socat = await startTcpSocat(targetPort, ctx.children);
    const through = { ...relays, ...(socat ? { socat } : {}) };
    const speeds = Object.fromEntries(Object.keys(through).map((k) => [k, []]));
    const ratios = { socat: [], pipe: [], pcap: [], pcapShm: [] };
    // Relay CPU per MiB: a cost that the other load on this shared machine disturbs far less than a rate.
    const cpu = { ours: [], pipe: [], pcap: [], pcapShm: [], socat: [] };
    // Rounds with every relay once, the order rotating; a ratio is the median of the rounds' ratios,
    // so load from others on the machine hits both sides of a ratio alike.
    for (let i = 0; i < ROUNDS; i++) {
      const names = Object.keys(through);
      const order = names.slice(i % names.length).concat(names.slice(0, i % names.length));
      const got = {};
      for (const name of order) {
        const measured = name !== 'socat';
        if (measured) {
          await through[name].call('mark');
        }
        const socatBefore = measured ? 0 : childrenCpuUs(through.socat.pid);
        const r = await client.call('recv', { port: through[name].port, request, expect: size });
        if (!measured) {
          cpu.socat.push((await socatCpuAfter(through.socat.pid, socatBefore)) / (r.bytes / MiB));
        }
        got[name] = mbps(r.bytes, r.ms);
        speeds[name].push(got[name]);
        if (measured) {
          cpu[name].push((await through[name].call('report')).cpuUs / (r.bytes / MiB));
        }
      }
      ratios.socat.push(got.ours / got.socat);
      ratios.pipe.push(got.ours / got.pipe);
      ratios.pcap.push(got.pcap / got.ours);
      if (shmFile) {
        ratios.pcapShm.push(got.pcapShm / got.ours);
      }
      // The capture grows by 1 GiB a run; keep the disk from filling (the writer keeps its descriptor).
      fs.truncateSync(pcapFile, 0);
      if (shmFile) {
        fs.truncateSync(shmFile, 0);
      }
    }
    await socat?.close();
    const med = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, median(v)]));
    return { mbps: speeds, median: med(speeds), ratios, medianRatio: med(ratios), cpuUsPerMiB: cpu, medianCpuUsPerMiB: med(cpu), socat: !!socat, shm: !!shmFile };
  } finally {
    for (const name of Object.keys(relays)) {
      await relays[name].call('stop').catch(() => undefined);
      await relays[name].close();
      delete relays[name];
    }
    if (shmDir) {
      fs.rmSync(shmDir, { recursive: true, force: true });
    }
  }
}

/** The capture's default caps: the editor's `tcpWorkbench.pcapMaxMiB` (package.json) and the CLI's (`DEFAULT_PCAP_MAX_BYTES`). */
const DEFAULT_CAPS = { editor: 256 * MiB, cli: 1024 * MiB };

/**
 * ROUNDS rounds of `request` through each of `variants` ({ name: { pcapMaxBytes?, core? } }), each our
 * relay in a process of its own, the order rotating. A variant with a cap starts a fresh capture every
 * round (as a user's starts at 0); `core` measures another build of the core in the same run. Returns
 * per variant the rounds' MB/s and relay CPU per MiB, their medians, and the median of the rounds'
 * ratios to variant `base`.
 */
async function captureRounds(ctx, client, variants, targetPort, request, size, base) {
  const relays = {};
  const names = Object.keys(variants);
  const series = () => Object.fromEntries(names.map((n) => [n, []]));
  const [speeds, cpu, ratios] = [series(), series(), series()];
  try {
    for (const name of names) {
      const { pcapMaxBytes, core } = variants[name];
      const pcapFile = pcapMaxBytes === undefined ? undefined : path.join(ctx.tmp, `relay-${name}.pcap`);
      const r = ctx.fork('relay.js', {});
      relays[name] = r;
      Object.assign(r, await r.call('start', { kind: 'relay-ours', targetPort, pcapFile, pcapMaxBytes, core }, 20000));
    }
    for (let i = 0; i < ROUNDS; i++) {
      const order = names.slice(i % names.length).concat(names.slice(0, i % names.length));
      const got = {};
      for (const name of order) {
        await relays[name].call('mark');
        const r = await client.call('recv', { port: relays[name].port, request, expect: size });
        got[name] = r.bytes / 1e6 / (r.ms / 1000);
        speeds[name].push(got[name]);
        cpu[name].push((await relays[name].call('report')).cpuUs / (r.bytes / MiB));
      }
      names.forEach((n) => ratios[n].push(got[n] / got[base]));
    }
  } finally {
    for (const r of Object.values(relays)) {
      await r.call('stop').catch(() => undefined);
      await r.close();
    }
    names.forEach((n) => fs.rmSync(path.join(ctx.tmp, `relay-${n}.pcap`), { force: true }));
  }
  const med = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, median(v)]));
  return { mbps: speeds, cpuUsPerMiB: cpu, ratios, median: med(speeds), medianCpuUsPerMiB: med(cpu), medianRatio: med(ratios) };
}

/**
 * ctx: { fork, startServer, stopServer, row, results, tmp, file, size, children } from bench/run.js.
 * Every relay sees the same target (the plain file server, the plain echo server).
 */
async function relayFigures(ctx) {
  const { row, results, tmp, file, size } = ctx;
  const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const out = {};
  results.figures.relay = out;
  const fileTarget = await ctx.startServer('file-plain');
  const echoTarget = await ctx.startServer('echo-plain');
  const memoryTarget = await ctx.startServer('memory-source');
  const client = ctx.fork('client.js', {});
  const relays = {};
  const start = async (name, kind, targetPort, extra = {}) => {
    const r = ctx.fork('relay.js', {});
    Object.assign(r, await r.call('start', { kind, targetPort, ...extra }, 20000));
    relays[name] = r;
    return r;
  };
  const socats = new Set();
  try {
    // Through a target that sends from memory, the relay is what limits: these rows compare relays.
    const m = await throughput(ctx, client, start, relays, memoryTarget.port, `${size}\n`, size, { shm: false });
    out.throughput = m;
    const c = m.medianCpuUsPerMiB;
    const cpuNote = `relay CPU per MiB: ours ${fmt(c.ours)} µs, pipe ${fmt(c.pipe)} µs, socat ${fmt(c.socat)} µs, ours with pcap ${fmt(c.pcap)} µs`;
    const r = m.medianRatio;
    const v = m.median;
    row(
      '8a',
      `Relay 1 GiB from memory ×${ROUNDS}, MB/s`,
      fmt(v.ours),
      m.socat ? `socat ${fmt(v.socat)}` : 'no socat',
      `${fmt(r.socat, 2)}×`,
      '≥ 1.00×',
      m.socat ? r.socat >= 1 : undefined,
    );
    row('8b', 'Relay vs plain Node pipe relay', fmt(v.ours), `pipe ${fmt(v.pipe)}`, `${fmt(r.pipe, 2)}×`, '≥ 0.90×', r.pipe >= 0.9, cpuNote);
    // A download through the relay (the plain file server's 1 GiB file): what a user sees, the target limiting.
    const f = await throughput(ctx, client, start, relays, fileTarget.port, `${file}\n`, size);
    out.fileThroughput = f;
    const where = tmp.startsWith('/dev/shm') ? 'tmpfs' : 'os.tmpdir()';
    row(
      '8c',
      `Relay of a 1 GiB download with pcap capture on (file in ${where})`,
      fmt(f.median.pcap),
      `without ${fmt(f.median.ours)}`,
      `${fmt(f.medianRatio.pcap, 2)}×`,
      '≥ 0.70×',
      f.medianRatio.pcap >= 0.7,
    );
    if (f.shm) {
      // tmpfs keeps the capture in RAM: every MiB is fresh memory, on this VM the dearest of all (docs/PERFORMANCE.md).
      row('8c2', 'The same, pcap file in /dev/shm', fmt(f.median.pcapShm), `without ${fmt(f.median.ours)}`, `${fmt(f.medianRatio.pcapShm, 2)}×`, '(info)', undefined);
    }
    // From memory the relay outruns what the disk takes: the capture then runs at the disk's pace.
    const disk = await diskWriteRate(path.join(tmp, 'relay-disk.bin'), size);
    out.diskWriteMBps = disk;
    row(
      '8c3',
      `Relay 1 GiB from memory with pcap capture on (${where})`,
      fmt(v.pcap),
      `without ${fmt(v.ours)}; the disk alone ${fmt(disk)}`,
      `${fmt(r.pcap, 2)}×, ${fmt(v.pcap / disk, 2)}× disk`,
      '(info)',
      undefined,
    );
    row(
      '8g',
      'Relay of a 1 GiB download (plain file server), MB/s',
      fmt(f.median.ours),
      `socat ${fmt(f.median.socat)}, pipe ${fmt(f.median.pipe)}`,
      `${fmt(f.medianRatio.socat, 2)}× socat, ${fmt(f.medianRatio.pipe, 2)}× pipe`,
      '(info)',
      undefined,
    );

    // The capture as shipped: a fresh one per round at each default cap (the rows above capture without a cap).
    const caps = await captureRounds(
      ctx,
      client,
      { ours: {}, editor: { pcapMaxBytes: DEFAULT_CAPS.editor }, cli: { pcapMaxBytes: DEFAULT_CAPS.cli } },
      fileTarget.port,
      `${file}\n`,
      size,
      'ours',
    );
    out.defaultCaps = caps;
    const cc = caps.medianCpuUsPerMiB;
    for (const [id, name, what] of [
      ['8h', 'editor', "the editor's default cap (256 MiB)"],
      ['8i', 'cli', "the CLI's default cap (1024 MiB)"],
    ]) {
      const note = `relay CPU per MiB ${fmt(cc[name])} µs with the capture, ${fmt(cc.ours)} µs without`;
      row(
        id,
        `Relay of a 1 GiB download, capture at ${what}`,
        fmt(caps.median[name]),
        `without ${fmt(caps.median.ours)}`,
        `${fmt(caps.medianRatio[name], 2)}×`,
        '(info)',
        undefined,
        note,
      );
    }

    // Echo round trips through each relay to the plain echo server.
    await start('ours', 'relay-ours', echoTarget.port);
    await start('pipe', 'relay-pipe', echoTarget.port);
    const esocat = await startTcpSocat(echoTarget.port, ctx.children);
    if (esocat) {
      socats.add(esocat);
    }
    const ethrough = { ours: relays.ours, pipe: relays.pipe, ...(esocat ? { socat: esocat } : {}) };
    out.echo = {};
    for (const conns of [1, 64]) {
      const rts = Object.fromEntries(Object.keys(ethrough).map((k) => [k, []]));
      for (let i = 0; i < 3; i++) {
        for (const [name, r] of Object.entries(ethrough)) {
          const got = await client.call('pingpong', { port: r.port, conns, seconds: 1, warmupSeconds: 0.3 });
          rts[name].push(got.perSecond);
        }
      }
      const e = Object.fromEntries(Object.entries(rts).map(([k, v]) => [k, median(v)]));
      out.echo[conns] = { perSecond: rts, median: e };
      row(
        `8${conns === 1 ? 'd' : 'e'}`,
        `Relay echo 64 B, ${conns} conn${conns > 1 ? 's' : ''}: round trips/s`,
        fmt(e.ours),
        `pipe ${fmt(e.pipe)}, socat ${fmt(e.socat)}`,
        `${fmt(e.ours / e.pipe, 2)}× pipe, ${fmt(e.ours / e.socat, 2)}× socat`,
        '(info)',
        undefined,
      );
    }

    // A slow reader of a fast target: the relay's RSS must stay flat. (A faster reader measures the
    // garbage of Node's 64 KiB read buffers instead: about 40 MiB at 20 MB/s, the pipe relay alike.)
    const rss = {};
    for (const name of ['ours', 'pipe']) {
      await relays[name].call('stop');
      await relays[name].close();
      delete relays[name];
      const r = await start(name, name === 'ours' ? 'relay-ours' : 'relay-pipe', fileTarget.port);
      await r.call('mark');
      const got = await slowRead(r.port, `${file}\n`, SLOW_RATE, 4);
      rss[name] = { ...(await r.call('report')).rss, bytesRead: got };
    }
    out.slowReader = rss;
    const g = rss.ours.growth / MiB;
    row('8f', `Relay RSS growth, slow reader ${SLOW_RATE / 1e6} MB/s for 4 s`, `${fmt(g, 1)} MiB`, `pipe ${fmt(rss.pipe.growth / MiB, 1)} MiB`, '', '≤ 32 MiB', g <= 32);
  } finally {
    for (const r of Object.values(relays)) {
      await r.call('stop').catch(() => undefined);
      await r.close();
    }
    for (const s of socats) {
      await s.close();
    }
    await client.close();
    await ctx.stopServer(fileTarget);
    await ctx.stopServer(echoTarget);
    await ctx.stopServer(memoryTarget);
  }
}

if (require.main === module) {
  child();
}

module.exports = { relayFigures, captureRounds, DEFAULT_CAPS };
