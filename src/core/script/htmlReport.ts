// `run --html FILE`: one self-contained page (inline CSS and SVG, no script, no remote resource) with, per
// file and block, the status and duration, a failure as the CLI prints it (file:line:col, source line,
// caret, expected against actual as text and hex), the steps' bytes as in JUnit, and the block's timeline
// drawn by the same renderer as the editor's Show Timeline. Everything from the wire is escaped.
// Bounded: step output is cut after MAX_OUTPUT_LINES lines a block, and timelines are drawn for at most
// MAX_DRAWN_EVENTS events in all (past that a failed block shows its last FAILED_LAST events, a passed
// block none); the page says what was cut.
import { renderSvg } from '../timeline/render';
import { BLOCK_TIMELINE_EVENTS } from './blockTimeline';
import { formatFailure } from './failureReport';
import { FileRun, blockOutput, xmlEscape } from './junit';
import { BlockResult, failedAt } from './results';

export const MAX_OUTPUT_LINES = 200;
export const MAX_DRAWN_EVENTS = 20000;
export const FAILED_LAST = 300;
/** The mark `run --html` looks for before it replaces an existing file. */
export const HTML_REPORT_MARK = '<meta name="generator" content="tcp-workbench run --html">';

const esc = xmlEscape;
const ICON: Record<string, string> = { passed: '✓', failed: '✗', cancelled: '⊘', skipped: '⊘' };

const CSS = `
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #d0d7de}
.block{margin:12px 0 20px;padding:8px 12px;border-left:4px solid #8c959f}
.block.passed{border-color:#1a7f37}.block.failed{border-color:#cf222e}
.block h3{font-size:14px;margin:4px 0}.status{font-weight:bold}
.passed .status{color:#1a7f37}.failed .status{color:#cf222e}.cancelled .status{color:#57606a}
.ms,.cut,.bounds{color:#57606a;font-size:12px}
pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre}
pre.failure{background:#ffebe9}
.timeline{overflow-x:auto;border:1px solid #d0d7de;margin-top:8px}
`;

/** Draws block timelines within one budget of events for the whole report. */
class Budget {
  constructor(private left: number) {}

  timeline(b: BlockResult): string {
    const t = b.timeline;
    if (!t) {
      return '';
    }
    const n = t.timeline.size;
    const highlight = new Set(t.failedSeq !== undefined ? [t.failedSeq] : []);
    if (n <= this.left || (b.status === 'failed' && n <= FAILED_LAST)) {
      this.left = Math.max(0, this.left - n);
      return `<div class="timeline">${renderSvg(t.timeline, { highlight })}</div>`;
    }
    if (b.status === 'failed') {
      this.left = Math.max(0, this.left - FAILED_LAST);
      return `<p class="cut">Timeline: the last ${FAILED_LAST} of ${n} events (the report draws at most ${MAX_DRAWN_EVENTS} in all).</p><div class="timeline">${renderSvg(t.timeline, { highlight, last: FAILED_LAST })}</div>`;
    }
    return `<p class="cut">Timeline left out: the report draws at most ${MAX_DRAWN_EVENTS} events in all.</p>`;
  }
}

function output(b: BlockResult): string {
  const lines = blockOutput(b).split('\n');
  if (lines.length > MAX_OUTPUT_LINES) {
    lines.splice(MAX_OUTPUT_LINES, lines.length, `(${lines.length - MAX_OUTPUT_LINES} more lines cut)`);
  }
  return lines.join('\n');
}

function block(file: string, source: string | undefined, b: BlockResult, budget: Budget): string {
  const failure = b.status === 'failed' ? ((source !== undefined ? formatFailure(file, source, b) : undefined) ?? `${file}: ${failedAt(b)}`) : undefined;
  const attempts = b.attempts && b.attempts.n > 1 ? `, attempt ${b.attempts.n} of ${b.attempts.of}` : '';
  return [
    `<section class="block ${b.status}">`,
    `<h3><span class="status">${ICON[b.status] ?? ''} ${b.status}</span> ${esc(b.block.title)} <span class="ms">(${b.durationMs} ms${attempts}, line ${b.block.titleRange.line + 1}, ${b.bytesOut} B sent, ${b.bytesIn} B received)</span></h3>`,
    failure !== undefined ? `<pre class="failure">${esc(failure)}</pre>` : b.status === 'cancelled' ? `<p class="ms">${esc(failedAt(b))}</p>` : '',
    `<details${b.status === 'failed' ? ' open' : ''}><summary>Steps (${b.stepsRun})</summary><pre>${esc(output(b))}</pre></details>`,
    budget.timeline(b),
    '</section>',
  ].join('\n');
}

export function toHtml(runs: readonly FileRun[], generatedAt = new Date()): string {
  const blocks = runs.flatMap((r) => r.result.blocks);
  const count = (status: string): number => blocks.filter((b) => b.status === status).length;
  const budget = new Budget(MAX_DRAWN_EVENTS);
  const files = runs.map(({ file, source, result }) =>
    [`<h2>${esc(file)} <span class="ms">(${result.durationMs} ms)</span></h2>`, ...result.blocks.map((b) => block(file, source, b, budget))].join('\n'),
  );
  const cancelled = count('cancelled');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    HTML_REPORT_MARK,
    '<title>tcp-workbench run report</title>',
    `<style>${CSS}</style></head><body>`,
    `<h1>tcp-workbench run: ${count('passed')} passed, ${count('failed')} failed${cancelled > 0 ? `, ${cancelled} cancelled` : ''}</h1>`,
    `<p class="bounds">${esc(generatedAt.toISOString())}. Timelines show the chunks each recv() got, not packets; each block keeps its last ${BLOCK_TIMELINE_EVENTS} events; step output is cut after ${MAX_OUTPUT_LINES} lines; at most ${MAX_DRAWN_EVENTS} events are drawn in all.</p>`,
    ...files,
    '</body></html>',
    '',
  ].join('\n');
}
