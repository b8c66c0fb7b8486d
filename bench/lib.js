// Helpers shared by the benchmark's processes: memory readings from /proc, percentiles, and a tiny
// request/reply protocol over the IPC channel so the orchestrator can drive a server or client process.
const fs = require('node:fs');
const path = require('node:path');
const { fork, spawn } = require('node:child_process');

/**
 * The compiled core (`node esbuild.js --tests`). BENCH_CORE points elsewhere to measure a candidate
 * change side by side with the same harness (e.g. a patched copy in /tmp).
 */
const CORE = process.env.BENCH_CORE ? path.resolve(process.env.BENCH_CORE) : path.join(__dirname, '..', 'out', 'src', 'core');

/** This process's VmRSS and VmHWM (peak) in bytes; NaN where /proc is missing. */
function memStatus() {
  let status = '';
  try {
    status = fs.readFileSync('/proc/self/status', 'latin1');
  } catch {
    return { rss: process.memoryUsage.rss(), hwm: NaN };
  }
  const kb = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The soft limit on open files of this process (what `ulimit -n` set for it). */
function fdLimit() {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Peak RSS growth over a window: sampled every 50 ms, cross-checked with the kernel's VmHWM, which is
 * reset at start (writing 5 to clear_refs) so a peak from before the window does not count.
 */
class RssWindow {
  start() {
    let hwmReset = false;
    try {
      fs.writeFileSync('/proc/self/clear_refs', '5');
      hwmReset = true;
    } catch {
      // Without the reset VmHWM may hold an older peak; the samples alone then decide.
    }
    this.hwmReset = hwmReset;
    this.base = memStatus().rss;
    this.peak = this.base;
    this.samples = 0;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, memStatus().rss);
      this.samples++;
    }, 50);
  }

  stop() {
    clearInterval(this.timer);
    const m = memStatus();
    let peak = Math.max(this.peak, m.rss);
    if (this.hwmReset && Number.isFinite(m.hwm)) {
      peak = Math.max(peak, m.hwm);
    }
    return { base: this.base, peak, growth: peak - this.base, samples: this.samples };
  }
}

/** The p-th percentile (0..100) of numbers (sorted in place). */
function percentile(values, p) {
  if (values.length === 0) {
    return NaN;
  }
  values.sort((a, b) => a - b);
  const i = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return values[i];
}

function median(values) {
  return percentile([...values], 50);
}

/** In a child: answers {id, op, args} messages with handlers[op](args); exits when the parent goes. */
function serveRpc(handlers) {
  process.on('message', (msg) => {
    const reply = (m) => {
      if (process.connected) {
        process.send({ id: msg.id, ...m });
      }
    };
    Promise.resolve()
      .then(() => {
        const h = handlers[msg.op];
        if (!h) {
          throw new Error(`unknown op ${msg.op}`);
        }
        return h(msg.args ?? {});
      })
      .then(
        (result) => reply({ ok: true, result }),
        (e) => reply({ ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
  });
  // A parent that died or finished must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
}

/**
 * Forks a benchmark process. Its fd limit is raised in the spawning shell (`ulimit -n`, as far as
 * the machine allows: root may go past the hard limit up to fs.nr_open), then node is exec'd in place.
 */
function forkRpc(script, { nofile = 65536, nodeArgs = [] } = {}) {
  const shell = `ulimit -n ${nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const child = fork(path.join(__dirname, script), [], {
    execPath: '/bin/sh',
    execArgv: ['-c', shell, process.execPath, ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map();
  let exited = false;
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (p) {
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) {
        p.resolve(m.result);
      } else {
        p.reject(new Error(m.error));
      }
    }
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${script} exited (${signal ?? code}) during ${p.op}`));
    }
    pending.clear();
  });
  return {
    child,
    /** Runs op in the child; rejects after timeoutMs so no figure can hang the run. */
    call(op, args = {}, timeoutMs = 120000) {
      if (exited) {
        return Promise.reject(new Error(`${script} is not running`));
      }
      const id = next++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${op} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, op });
        child.send({ id, op, args });
      });
    },
    /** Ends the child and waits (SIGKILL after 3 s). */
    async close() {
      if (exited) {
        return;
      }
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(kill);
    },
  };
}

/** Puts a child process in `children` (the set the bench stops at its end) until it exits; returns its closer. */
function trackChild(p, children) {
  const closer = {
    async close() {
      if (p.exitCode === null && p.signalCode === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await gone;
      }
    },
  };
  children.add(closer);
  p.once('exit', () => children.delete(closer));
  return closer;
}

// ---------------------------------------------------------------------------------------------------
// socat, the reference relay of the relay rows (plain and TLS).

/** socat with the given addresses (its first one listening on port 0), or undefined without socat. */
async function startSocat(listen, connect, children) {
  const p = spawn('socat', ['-d', '-d', listen, connect], { stdio: ['ignore', 'ignore', 'pipe'] });
  const closer = trackChild(p, children);
  const port = await new Promise((resolve) => {
    let err = '';
    const timer = setTimeout(() => resolve(undefined), 5000);
    p.once('error', () => resolve(undefined));
    p.stderr.on('data', (d) => {
      err += d;
      const m = /listening on .*:(\d+)\s*\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        // Drained but no longer parsed: socat logs a few lines per connection.
        err = '';
        resolve(Number(m[1]));
      }
    });
  });
  if (port === undefined) {
    await closer.close();
    return undefined;
  }
  return { port, pid: p.pid, close: () => closer.close() };
}

/** CPU (µs) of socat's reaped children (one per connection): cutime + cstime of the parent, /proc/<pid>/stat. */
function childrenCpuUs(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of stat (cutime, cstime), counted from 1 with the command as field 2, in 1/100 s.
    return (Number(f[13]) + Number(f[14])) * 10000;
  } catch {
    return NaN;
  }
}

/** Waits (up to 1 s) until socat has reaped the child of the connection that just closed; resolves with the CPU (µs) it added. */
async function socatCpuAfter(pid, before) {
  for (let i = 0; i < 50 && childrenCpuUs(pid) === before; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return childrenCpuUs(pid) - before;
}

module.exports = { CORE, memStatus, fdLimit, RssWindow, percentile, median, serveRpc, forkRpc, trackChild, startSocat, childrenCpuUs, socatCpuAfter };
