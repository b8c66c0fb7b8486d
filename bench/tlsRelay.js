// TLS relay figures for npm run bench (rows 12a-12c): 1 GiB (BENCH_TLS_RELAY_MIB) from a TLS target that
// sends from memory, through
//   12a  our relay TLS↔TLS (`serve relay --tls --to tls://…`) vs `socat OPENSSL-LISTEN:… OPENSSL:…`
//   12b  our relay plain→TLS (`--to tls://…`) vs a Node `tls.connect` pipe relay (pipeTlsRelay below)
//   12c  the same two relays' CPU per connection (10 connections that move 1 KiB each; info)
// with the same generated certificate (EC P-256, verified on every leg) and one TLS 1.3 cipher pinned
// by the client and the target, so every relay speaks the same TLS on both legs and only its code
// differs. Every relay, the target and the client run in processes of their own (this file hosts them
// as children). Rounds rotate the order; a ratio is the median of the rounds' ratios, the spread is
// printed beside it, and the relay's CPU per MiB (process.cpuUsage; socat's from /proc/<pid>/stat).
const net = require('node:net');
const tls = require('node:tls');
const path = require('node:path');
const { CORE, childrenCpuUs, median, serveRpc, socatCpuAfter, startSocat } = require('./lib');

const MiB = 2 ** 20;
const HOST = '127.0.0.1';
/** What the client and the target accept: one suite, so every relay's legs use it (OpenSSL's and Node's first choice). */
const PIN = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' };
const SIZE = Number(process.env.BENCH_TLS_RELAY_MIB || 1024) * MiB;
const ROUNDS = Number(process.env.BENCH_TLS_RELAY_ROUNDS || 3);
/** No new round starts after this long (at least one runs); one transfer gives up after TRANSFER_MS. */
const ROW_BUDGET_MS = 60000;
const TRANSFER_MS = 120000;
const WARMUP = 16 * MiB;
const CONNECTIONS = 10;

// ---------------------------------------------------------------------------------------------------
// Child side: the TLS target, a relay under test, or the client.

/** Sends the number of bytes asked for (`N\n`) from one 1 MiB block in memory, then closes. */
function tlsMemorySource(cert) {
  const block = require('node:crypto').randomBytes(MiB);
  let cipher;
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, ...PIN }, (socket) => {
    cipher = socket.getCipher()?.standardName;
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      let left = Number(chunk.toString('utf8').trim());
      const more = () => {
        while (left > 0) {
          const b = left >= block.length ? block : block.subarray(0, left);
          left -= b.length;
          if (!socket.write(b)) {
            socket.once('drain', more);
            return;
          }
        }
        socket.end();
      };
      more();
    });
  });
  server.lastCipher = () => cipher;
  return server;
}

/** The reference for plain→TLS (and, listening with TLS, what Node itself does TLS↔TLS): the simplest Node relay. */
function pipeTlsRelay(targetPort, cert, listenTls) {
  const listen = listenTls ? (f) => tls.createServer({ cert: cert.certPem, key: cert.keyPem, allowHalfOpen: true }, f) : (f) => net.createServer({ allowHalfOpen: true }, f);
  return listen((c) => {
    const u = tls.connect({ host: HOST, port: targetPort, ca: cert.caPem, allowHalfOpen: true });
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
  let server;
  let relay;
  let cpu;
  serveRpc({
    async start({ kind, targetPort, cert }) {
      if (kind === 'relay-ours-tls' || kind === 'relay-ours-plain') {
        const { RelayServer } = require(path.join(CORE, 'relay', 'relayServer.js'));
        // As `serve relay [--tls --cert F --key F] --to tls://127.0.0.1:P --ca F` configures it.
        const listen = kind === 'relay-ours-tls' ? { tls: { certFile: cert.certFile, keyFile: cert.keyFile } } : {};
        relay = new RelayServer({ targetHost: HOST, targetPort, targetTls: { caFile: cert.caFile }, ...listen });
        return { port: (await relay.start()).port };
      }
      server = kind === 'target' ? tlsMemorySource(cert) : pipeTlsRelay(targetPort, cert, kind === 'relay-pipe-tls2');
      await new Promise((r) => server.listen(0, HOST, r));
      return { port: server.address().port };
    },
    mark() {
      cpu = process.cpuUsage();
    },
    report() {
      const c = process.cpuUsage(cpu);
      return { cpuUs: c.user + c.system, cipher: server?.lastCipher?.() };
    },
    /** The client: asks for `size` bytes over TLS (trusting the generated CA) or plain TCP, counts them to EOF. */
    recv({ port, useTls, size, caPem }) {
      const t0 = performance.now();
      let bytes = 0;
      let cipher;
      return new Promise((resolve, reject) => {
        const s = useTls ? tls.connect({ host: HOST, port, ca: caPem, ...PIN }) : net.connect({ host: HOST, port });
        const timer = setTimeout(() => s.destroy(new Error(`recv timed out after ${TRANSFER_MS} ms (${bytes} bytes)`)), TRANSFER_MS);
        s.once(useTls ? 'secureConnect' : 'connect', () => {
          cipher = useTls ? s.getCipher()?.standardName : undefined;
          s.write(`${size}\n`);
        });
        s.on('data', (d) => {
          bytes += d.length;
        });
        s.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        s.once('end', () => {
          clearTimeout(timer);
          s.destroy();
          if (bytes !== size) {
            reject(new Error(`received ${bytes} bytes, expected ${size}`));
          } else {
            resolve({ bytes, ms: performance.now() - t0, cipher });
          }
        });
      });
    },
    async stop() {
      await relay?.stop();
      await new Promise((r) => (server ? server.close(r) : r()));
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Orchestrator side.

/** Rounds of one transfer through each relay ({ name: { port, call?, pid? } }), the order rotating. */
async function rounds(client, relays, useTls, caPem, target) {
  const names = Object.keys(relays);
  const out = Object.fromEntries(names.map((n) => [n, { mibps: [], cpuUsPerMiB: [], ciphers: new Set() }]));
  // The first relay (ours) over each other one, per round.
  const ratios = Object.fromEntries(names.slice(1).map((n) => [n, []]));
  // A warm-up transfer through each relay first: JIT, and what the first TLS connection loads once.
  for (const name of names) {
    await client.call('recv', { port: relays[name].port, useTls, size: WARMUP, caPem }, TRANSFER_MS);
  }
  const t0 = Date.now();
  for (let i = 0; i < ROUNDS && (i === 0 || Date.now() - t0 < ROW_BUDGET_MS); i++) {
    const order = names.slice(i % names.length).concat(names.slice(0, i % names.length));
    const got = {};
    for (const name of order) {
      const r = relays[name];
      const before = r.call ? await r.call('mark') : childrenCpuUs(r.pid);
      const res = await client.call('recv', { port: r.port, useTls, size: SIZE, caPem }, TRANSFER_MS + 5000);
      const cpuUs = r.call ? (await r.call('report')).cpuUs : await socatCpuAfter(r.pid, before);
      got[name] = res.bytes / MiB / (res.ms / 1000);
      out[name].mibps.push(got[name]);
      out[name].cpuUsPerMiB.push(cpuUs / (res.bytes / MiB));
      out[name].ciphers.add(`${res.cipher ?? 'plain'} / ${(await target.call('report')).cipher}`);
    }
    names.slice(1).forEach((n) => ratios[n].push(got[names[0]] / got[n]));
  }
  return { ...out, ratios };
}

/** The relays' CPU (ms) per connection, median of CONNECTIONS one after another that each move 1 KiB: what every handshake and setup costs. */
async function perConnection(client, relays, caPem) {
  const out = {};
  for (const [name, r] of Object.entries(relays)) {
    const each = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      await r.call('mark');
      await client.call('recv', { port: r.port, useTls: false, size: 1024, caPem }, TRANSFER_MS);
      each.push((await r.call('report')).cpuUs / 1000);
    }
    out[name] = median(each);
  }
  return out;
}

/** ctx: { fork, row, results, tmp, children } from bench/run.js. */
async function tlsRelayFigures(ctx) {
  const { row, results, tmp } = ctx;
  const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const { localCertificate } = require(path.join(CORE, 'tls', 'certStore.js'));
  const cert = await localCertificate(path.join(tmp, 'tls-relay'));
  const procs = [];
  const start = async (kind, targetPort) => {
    const p = ctx.fork('tlsRelay.js', {});
    procs.push(p);
    return Object.assign(p, await p.call('start', { kind, targetPort, cert }, 20000));
  };
  const out = { sizeBytes: SIZE, pinned: PIN };
  results.figures.tlsRelay = out;
  try {
    const target = await start('target');
    const client = ctx.fork('tlsRelay.js', {});
    procs.push(client);
    const spread = (a) => `${fmt(Math.min(...a), 2)}–${fmt(Math.max(...a), 2)}×`;
    const describe = (m, names) =>
      `${m.ours.mibps.length} rounds, ratio to ${names
        .slice(1)
        .map((n) => `${n} ${fmt(median(m.ratios[n]), 2)}× (${spread(m.ratios[n])})`)
        .join(', ')}; MiB/s ${names.map((n) => `${n} ${m[n].mibps.map((x) => fmt(x)).join('/')}`).join(', ')}; ` +
      `relay CPU per MiB ${names.map((n) => `${n} ${fmt(median(m[n].cpuUsPerMiB))} µs`).join(', ')}; cipher (client leg / target leg) ${[...new Set(names.flatMap((n) => [...m[n].ciphers]))].join(', ')}`;
    const label = `${fmt(SIZE / MiB)} MiB`;

    const ours = await start('relay-ours-tls', target.port);
    const pipe2 = await start('relay-pipe-tls2', target.port);
    const socat = await startSocat(
      `OPENSSL-LISTEN:0,bind=${HOST},fork,reuseaddr,backlog=511,cert=${cert.certFile},key=${cert.keyFile},verify=0`,
      `OPENSSL:${HOST}:${target.port},cafile=${cert.caFile}`,
      ctx.children,
    );
    if (socat) {
      const m = await rounds(client, { ours, socat, pipe: pipe2 }, true, cert.caPem, target);
      out.tlsToTls = m;
      const r = median(m.ratios.socat);
      row(
        '12a',
        `TLS relay TLS↔TLS ${label}, MiB/s`,
        fmt(median(m.ours.mibps)),
        `socat ${fmt(median(m.socat.mibps))}`,
        `${fmt(r, 2)}×`,
        '≥ 1.00×',
        r >= 1,
        describe(m, ['ours', 'socat', 'pipe']),
      );
      await socat.close();
    } else {
      row('12a', `TLS relay TLS↔TLS ${label}, MiB/s`, 'n/a', 'no socat', '', '≥ 1.00×', undefined, 'socat is not installed');
    }
    await ours.call('stop');

    const plain = await start('relay-ours-plain', target.port);
    const pipe = await start('relay-pipe-tls', target.port);
    const m = await rounds(client, { ours: plain, pipe }, false, cert.caPem, target);
    out.plainToTls = m;
    const r = median(m.ratios.pipe);
    row(
      '12b',
      `TLS relay plain→TLS ${label}, MiB/s`,
      fmt(median(m.ours.mibps)),
      `tls.connect pipe ${fmt(median(m.pipe.mibps))}`,
      `${fmt(r, 2)}×`,
      '≥ 0.90×',
      r >= 0.9,
      describe(m, ['ours', 'pipe']),
    );
    const c = await perConnection(client, { ours: plain, pipe }, cert.caPem);
    out.plainToTlsPerConnection = c;
    row(
      '12c',
      `TLS relay plain→TLS, ${CONNECTIONS} connections of 1 KiB: relay CPU per connection`,
      `${fmt(c.ours, 1)} ms`,
      `tls.connect pipe ${fmt(c.pipe, 1)} ms`,
      `${fmt(c.ours / c.pipe, 2)}×`,
      '(info)',
      undefined,
    );
  } finally {
    for (const p of procs) {
      await p.call('stop', {}, 10000).catch(() => undefined);
      await p.close();
    }
    for (const k of ['tlsToTls', 'plainToTls']) {
      for (const v of Object.values(out[k] ?? {})) {
        if (v?.ciphers) {
          v.ciphers = [...v.ciphers];
        }
      }
    }
  }
}

if (require.main === module) {
  child();
}

module.exports = { tlsRelayFigures };
