// Timeline memory and redraw cost: a Timeline fed 10,000 and 100,000 chunks of 1 KiB keeps its heap
// flat (bounded events, 64-byte previews, older events summarized), against an unbounded list of the
// same chunks in the same run; and the webview's redraw (renderSvg of the newest 400 of 2000 events)
// in ms, with its cost per chunk at 1,000 chunks/s and one redraw every 150 ms, against the same events
// as plain text lines (what a traffic log costs). Runs in a child
// process with --expose-gc so the heap figures are its own.
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { CORE, median } = require('./lib');

const MiB = 2 ** 20;
const REDRAW_MS = 150;

function child() {
  const { Timeline } = require(path.join(CORE, 'timeline/timeline.js'));
  const { renderSvg } = require(path.join(CORE, 'timeline/render.js'));
  const heap = () => {
    global.gc();
    global.gc();
    return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  };
  const chunk = Buffer.alloc(1024, 0x61);
  const feed = (n, sink) => {
    const base = heap();
    const kept = sink();
    for (let i = 0; i < n; i++) {
      kept.add(i % 2 === 0 ? 'write' : 'read', Buffer.from(chunk));
    }
    const grown = heap() - base;
    return { grown, keep: kept };
  };
  const timelineSink = () => {
    const t = new Timeline({ lanes: ['a', 'b'] });
    return { t, add: (kind, b) => (kind === 'write' ? t.write(0, 1, b) : t.read(0, 1, b)) };
  };
  const listSink = () => {
    const list = [];
    return { list, add: (kind, b) => list.push({ kind, t: Date.now(), bytes: b }) };
  };
  const out = {};
  const t = new Timeline({ lanes: ['client', 'server'] });
  for (let i = 0; i < 2000; i++) {
    if (i % 3 === 2) {
      t.read(0, 1, Buffer.from('ab;ab;'));
    } else {
      t.write(0, 1, Buffer.from('ab;'));
    }
  }
  const ms = [];
  const plainMs = [];
  // Reference: the same 400 events as plain text lines, the way a traffic log shows them.
  const plain = () =>
    t.events
      .slice(-400)
      .map((e) => `${e.t.toFixed(1)} ${e.kind} ${e.size ?? ''} ${e.head ? e.head.toString('latin1') : ''}`)
      .join('\n');
  for (let i = 0; i < 15; i++) {
    for (const [fn, into] of i % 2 === 0
      ? [
          [() => renderSvg(t, { last: 400 }), ms],
          [plain, plainMs],
        ]
      : [
          [plain, plainMs],
          [() => renderSvg(t, { last: 400 }), ms],
        ]) {
      const t0 = process.hrtime.bigint();
      fn();
      into.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  out.plainMs = plainMs;
  out.renderMs = ms;
  for (const n of [10000, 100000]) {
    const ours = feed(n, timelineSink);
    out[`ours${n}`] = ours.grown;
    out[`events${n}`] = ours.keep.t.size;
    ours.keep.t.dispose();
    const ref = feed(n, listSink);
    out[`list${n}`] = ref.grown;
  }

  process.stdout.write(JSON.stringify(out));
}

async function timelineFigure({ row, results, fmt }) {
  const r = JSON.parse(execFileSync(process.execPath, ['--expose-gc', __filename, '--child'], { encoding: 'utf8', timeout: 120000 }));
  const render = median(r.renderMs);
  const perChunkUs = (render * 1000) / (1000 * (REDRAW_MS / 1000));
  results.figures.timeline = { ...r, renderMedianMs: render };
  row(
    '11a',
    'Timeline fed 100,000 chunks of 1 KiB: heap growth (events kept)',
    `${fmt(r.ours100000 / MiB, 1)} MiB (${r.events100000})`,
    `unbounded list ${fmt(r.list100000 / MiB, 1)} MiB`,
    fmt(r.ours100000 / r.list100000, 3),
    '≤ 16 MiB',
    r.ours100000 <= 16 * MiB,
  );
  row(
    '11b',
    'Timeline heap growth, 100,000 vs 10,000 chunks (bounded: ≈ 1)',
    `${fmt(r.ours100000 / MiB, 1)} vs ${fmt(r.ours10000 / MiB, 1)} MiB`,
    `list ${fmt(r.list100000 / MiB, 1)} vs ${fmt(r.list10000 / MiB, 1)} MiB`,
    fmt(r.ours100000 / r.ours10000, 2),
    '≤ 1.5',
    r.ours100000 / r.ours10000 <= 1.5,
  );
  row(
    '11c',
    `Timeline redraw (newest 400 of 2000 events), ms; cost per chunk at 1,000 chunks/s, one redraw per ${REDRAW_MS} ms`,
    `${fmt(render, 1)} ms (${fmt(perChunkUs, 0)} µs/chunk, ${fmt((render / REDRAW_MS) * 100, 0)}% of a core)`,
    `plain text lines ${fmt(median(r.plainMs), 2)} ms`,
    `${fmt(render / median(r.plainMs), 0)}×`,
    '≤ 30 ms',
    render <= 30,
  );
}

if (require.main === module && process.argv.includes('--child')) {
  child();
}

module.exports = { timelineFigure };
