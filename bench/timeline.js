// Timeline memory and redraw cost: a Timeline fed 10,000 and 100,000 chunks of 1 KiB keeps its heap
// flat (bounded events, 64-byte previews, older events summarized), against an unbounded list of the
// same chunks in the same run; and the live view's redraw (renderSvg of the newest 400 of 2000 events,
// 150 new chunks before each: 1,000 chunks/s, one redraw every 150 ms) in ms with the panel's RowCache,
// against every row drawn (no cache: the redraw before the cache) and the same events as plain text
// lines (what a traffic log costs). Runs in a child
// process with --expose-gc so the heap figures are its own.
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { CORE, median } = require('./lib');

const MiB = 2 ** 20;
const REDRAW_MS = 150;

function child() {
  const { Timeline } = require(path.join(CORE, 'timeline/timeline.js'));
  const { renderSvg, drawRows, placeRow, svgOf } = require(path.join(CORE, 'timeline/render.js'));
  const { RowCache } = require(path.join(CORE, 'timeline/rowCache.js'));
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
  // A live view at 1,000 chunks/s, one redraw per REDRAW_MS: 2000 events kept, then before each redraw
  // the chunks that came in since the last one. Each redraw done twice, in alternating order: as the panel
  // does it now and as it did before (below).
  const t = new Timeline({ lanes: ['client', 'server'] });
  let n = 0;
  const feedChunks = (count) => {
    for (let i = 0; i < count; i++, n++) {
      if (n % 3 === 2) {
        t.read(0, 1, Buffer.from('ab;ab;'));
      } else {
        t.write(0, 1, Buffer.from('ab;'));
      }
    }
  };
  feedChunks(2000);
  const cache = new RowCache();
  const ms = [];
  const fullMs = [];
  const plainMs = [];
  // Reference: the same 400 events as plain text lines, the way a traffic log shows them.
  const plain = () =>
    t.events
      .slice(-400)
      .map((e) => `${e.t.toFixed(1)} ${e.kind} ${e.size ?? ''} ${e.head ? e.head.toString('latin1') : ''}`)
      .join('\n');
  // What the panel does per redraw, up to the message it posts (serialized as postMessage does):
  // the rows that changed, drawn with the RowCache, and where every row goes ...
  let sent;
  let lastRows;
  const postedBytes = [];
  const cached = () => {
    const d = drawRows(t, { last: 400, cache });
    const held = sent;
    const msg = {
      width: d.width,
      height: d.height,
      head: d.head,
      order: d.rows.map((r) => [r.seq, r.y]),
      added: d.rows
        .filter((r) => held.get(r.seq) !== r.svg)
        .map(placeRow)
        .join(''),
    };
    sent = new Map(d.rows.map((r) => [r.seq, r.svg]));
    lastRows = d;
    const json = JSON.stringify(msg);
    postedBytes.push(json.length);
    return json;
  };
  // ... against every row drawn and the whole drawing posted (the redraw before this round).
  const fullBytes = [];
  const full = () => {
    const json = JSON.stringify({ svg: renderSvg(t, { last: 400 }) });
    fullBytes.push(json.length);
    return json;
  };
  // A live view redraws for as long as it is open: the first redraws (the JIT warming up) are not counted.
  const WARM = 10;
  let same = true;
  for (let i = 0; i < WARM + 81; i++) {
    feedChunks(REDRAW_MS);
    if (i < WARM) {
      const d = drawRows(t, { last: 400, cache });
      sent = new Map(d.rows.map((r) => [r.seq, r.svg]));
      full();
      plain();
      continue;
    }
    const order =
      i % 2 === 0
        ? [
            [cached, ms],
            [full, fullMs],
            [plain, plainMs],
          ]
        : [
            [plain, plainMs],
            [full, fullMs],
            [cached, ms],
          ];
    const drawn = new Map();
    for (const [fn, into] of order) {
      const t0 = process.hrtime.bigint();
      drawn.set(fn, fn());
      into.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    // The reused rows must give the very drawing every row drawn gives.
    same = same && svgOf(lastRows) === JSON.parse(drawn.get(full)).svg;
  }
  out.plainMs = plainMs;
  out.renderMs = ms;
  out.fullMs = fullMs;
  out.postedKiB = median(postedBytes) / 1024;
  out.fullKiB = median(fullBytes) / 1024;
  out.same = same;
  out.reused = cache.reused;
  out.drawn = cache.drawn;
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
  const full = median(r.fullMs);
  results.figures.timeline = { ...r, renderMedianMs: render, fullMedianMs: full };
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
    `Timeline redraw of a live view up to its posted message (newest 400 of 2000 events, ${REDRAW_MS} new chunks per redraw: 1,000 chunks/s, one redraw per ${REDRAW_MS} ms), ms`,
    `${fmt(render, 1)} ms (${fmt((render / REDRAW_MS) * 100, 0)}% of a core; rows reused ${r.reused}/${r.reused + r.drawn}; posts ${fmt(r.postedKiB, 0)} KiB)`,
    `every row drawn, whole SVG posted ${fmt(full, 1)} ms (${fmt(r.fullKiB, 0)} KiB); plain text ${fmt(median(r.plainMs), 2)} ms`,
    fmt(render / full, 2),
    '≤ 30 ms, same SVG',
    render <= 30 && r.same,
  );
}

if (require.main === module && process.argv.includes('--child')) {
  child();
}

module.exports = { timelineFigure };
