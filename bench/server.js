// A server under test, alone in its own process so its RSS and event-loop delay are its own.
// Kinds: our FileServer / EchoServer (from the compiled core in out/), the plainest Node servers
// of the same protocols as references, and a memory source (relay throughput).
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { CORE, RssWindow, memStatus, fdLimit, serveRpc } = require('./lib');

let server; // ours: a TcpServer; plain: a net.Server
let ours = false;
let rssWindow;
let cpuStart;
let eld;
let eldResolutionMs = 1;
let traffic;
const plainSockets = new Set();

/**
 * What the extension hangs on onData (src/servers/serverManager.ts): the shipped traffic ring
 * (src/core/traffic/trafficLog.ts — 50 previewed chunks a second per source, 256 bytes decoded and escaped, a
 * 2000-entry ring, the rest only counted), plus byte counters and a count of its throttled change events
 * (each one is a tree refresh in the editor).
 */
function trafficRecorder() {
  const { TrafficLog } = require(path.join(CORE, 'traffic/trafficLog.js'));
  const ring = new TrafficLog();
  const t = { chunks: 0, bytesIn: 0, bytesOut: 0, previewed: 0, skipped: 0, refreshes: 0 };
  ring.onDidChange(() => t.refreshes++);
  return {
    get stats() {
      return { ...t, previewed: ring.counts.previewed, skipped: ring.counts.skipped };
    },
    record(e) {
      t.chunks++;
      if (e.direction === 'in') {
        t.bytesIn += e.bytes.length;
      } else {
        t.bytesOut += e.bytes.length;
      }
      ring.record('server:bench', 'File Server', e.client.remote, e.direction, e.bytes, 'utf-8');
    },
  };
}

/** The plainest file server of the protocol: the first chunk is the name (LF dropped), then pipe. */
function plainFileServer(root) {
  return net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      const name = path.basename(chunk.toString('utf8').replace(/\r?\n$/, ''));
      const file = path.join(root, name);
      fs.stat(file, (err, st) => {
        if (err || !st.isFile()) {
          socket.end();
          return;
        }
        fs.createReadStream(file).pipe(socket);
      });
    });
  });
}

/**
 * A target that is never the bottleneck: for any request line `SIZE\n` it sends SIZE bytes from one
 * 1 MiB block in memory as fast as the socket takes them, then closes (for relay throughput, where a
 * target reading a file would limit every relay alike).
 */
function memorySource() {
  const block = require('node:crypto').randomBytes(1 << 20);
  return net.createServer((socket) => {
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
}

/** The plainest echo server; noDelay like ours, so both speak the same TCP and only the code differs. */
function plainEchoServer() {
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
}

/** The plainest TLS echo server (the same certificate as ours): Node's tls server piping each socket to itself. */
function plainTlsEchoServer(root) {
  const dir = path.join(root, 'tls');
  const options = { cert: fs.readFileSync(path.join(dir, 'server.pem')), key: fs.readFileSync(path.join(dir, 'server.key')) };
  return require('node:tls').createServer(options, (socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
}

serveRpc({
  async start({ kind, root, maxConnections, backlog, trafficLog }) {
    if (kind === 'file-ours' || kind === 'echo-ours' || kind === 'echo-ours-tls') {
      ours = true;
      if (kind === 'echo-ours-tls') {
        // The generated certificate (in the bench's temporary folder), as `serve echo --tls` uses it.
        const { EchoServer } = require(path.join(CORE, 'servers/echoServer.js'));
        server = new EchoServer({ mode: 'echo', maxConnections, backlog, tls: { certFolder: path.join(root, 'tls') } });
      } else if (kind === 'file-ours') {
        const { FileServer } = require(path.join(CORE, 'fileServer/fileServer.js'));
        server = new FileServer({ root, maxConnections, backlog });
      } else {
        const { EchoServer } = require(path.join(CORE, 'servers/echoServer.js'));
        server = new EchoServer({ mode: 'echo', maxConnections, backlog });
      }
      if (trafficLog) {
        traffic = trafficRecorder();
        server.onData((e) => traffic.record(e));
      }
      server.onDidError((e) => console.error(`[bench server] ${e.message}`));
      const a = await server.start();
      return { port: a.port, fdLimit: fdLimit(), pid: process.pid };
    }
    server =
      kind === 'file-plain' ? plainFileServer(root) : kind === 'memory-source' ? memorySource() : kind === 'echo-plain-tls' ? plainTlsEchoServer(root) : plainEchoServer();
    server.on('connection', (s) => {
      plainSockets.add(s);
      s.on('close', () => plainSockets.delete(s));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, backlog }, resolve);
    });
    return { port: server.address().port, fdLimit: fdLimit(), pid: process.pid };
  },

  /** Starts a measuring window: RSS peak and (optionally) event-loop delay. */
  mark({ eventLoop = false, resolutionMs = 1 } = {}) {
    rssWindow = new RssWindow();
    rssWindow.start();
    cpuStart = process.cpuUsage();
    if (eventLoop) {
      eldResolutionMs = resolutionMs;
      eld = monitorEventLoopDelay({ resolution: resolutionMs });
      eld.enable();
    }
  },

  /** Ends the window. Node's histogram counts the timer interval itself, so the resolution is subtracted. */
  report() {
    const rss = rssWindow ? rssWindow.stop() : undefined;
    rssWindow = undefined;
    // CPU the server spent in the window: a cost per unit of work that other load on the machine
    // disturbs far less than a wall-clock rate.
    const c = cpuStart ? process.cpuUsage(cpuStart) : undefined;
    const cpuUs = c ? c.user + c.system : undefined;
    let eventLoop;
    if (eld) {
      eld.disable();
      const ms = (ns) => Math.max(0, ns / 1e6 - eldResolutionMs);
      eventLoop = { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), samples: eld.count, resolutionMs: eldResolutionMs };
      eld = undefined;
    }
    return { rss, cpuUs, eventLoop, traffic: traffic ? { ...traffic.stats } : undefined, stats: ours ? { ...server.stats } : undefined };
  },

  /** RSS after a full collection, for per-connection costs. */
  gcRss() {
    if (global.gc) {
      global.gc();
      global.gc();
    }
    return memStatus().rss;
  },

  async clients() {
    if (ours) {
      return server.clients.length;
    }
    return new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
  },

  async stop() {
    if (ours) {
      await server.stop();
      server.dispose();
    } else {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of plainSockets) {
          s.destroy();
        }
      });
    }
  },
});
