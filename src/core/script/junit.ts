// JUnit XML for CI systems: one <testsuite> per .tcp file, one <testcase> per block, the failure
// message with its line, and each step's bytes in <system-out>.
import { BlockResult, RunResult, StepResult, describeLeftover, failedAt, stepLabel, stepRun } from './results';

export interface FileRun {
  /** The file as the user named it (shown as the suite name). */
  readonly file: string;
  readonly result: RunResult;
  /** The file's text, for failures in compiler style (the HTML report). */
  readonly source?: string;
}

/** Escapes text for XML and drops characters XML 1.0 cannot hold (a NUL received from a peer). */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function stepLine(r: StepResult): string {
  const parts = [`line ${r.line + 1}${stepRun(r)} ${stepLabel(r.step)} ${r.ok ? 'ok' : 'FAILED'} (${r.durationMs} ms)`];
  if (r.sent && r.sent.length > 0) {
    parts.push(`  sent ${r.sent.length} bytes: ${r.sent.hex}`);
  }
  if (r.received && r.received.length > 0) {
    parts.push(`  received ${r.received.length} bytes: ${r.received.hex}`);
  }
  if (r.failure) {
    parts.push(`  ${r.failure.message}`);
  }
  return parts.join('\n');
}

export function blockOutput(b: BlockResult): string {
  const lines = b.steps.map(stepLine);
  if (b.stepsOmitted > 0) {
    lines.push(`(${b.stepsOmitted} more step results not kept)`);
  }
  for (const l of b.leftovers ?? []) {
    lines.push(`(${describeLeftover(l)})`);
  }
  if (b.bytesDropped > 0) {
    lines.push(`(${b.bytesDropped} received bytes dropped unmatched: the receive buffer is bounded)`);
  }
  return lines.join('\n');
}

function testcase(file: string, b: BlockResult): string {
  const head = `    <testcase name="${xmlEscape(b.block.title)}" classname="${xmlEscape(file)}" time="${seconds(b.durationMs)}"`;
  const out = `      <system-out>${xmlEscape(blockOutput(b))}</system-out>\n`;
  if (b.status === 'passed') {
    return `${head}>\n${out}    </testcase>\n`;
  }
  const message = failedAt(b);
  const tag =
    b.status === 'cancelled'
      ? `      <skipped message="${xmlEscape(message)}"/>\n`
      : `      <failure message="${xmlEscape(message)}" type="script.${b.status}">${xmlEscape(message)}</failure>\n`;
  return `${head}>\n${tag}${out}    </testcase>\n`;
}

export function toJUnit(runs: readonly FileRun[]): string {
  let tests = 0;
  let failures = 0;
  let time = 0;
  const suites = runs.map(({ file, result }) => {
    const failed = result.blocks.filter((b) => b.status === 'failed').length;
    const skipped = result.blocks.filter((b) => b.status === 'cancelled').length;
    tests += result.blocks.length;
    failures += failed;
    time += result.durationMs;
    const cases = result.blocks.map((b) => testcase(file, b)).join('');
    return `  <testsuite name="${xmlEscape(file)}" tests="${result.blocks.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds(result.durationMs)}">\n${cases}  </testsuite>\n`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tcp-workbench" tests="${tests}" failures="${failures}" time="${seconds(time)}">\n${suites.join('')}</testsuites>\n`;
}
