// TAP (Test Anything Protocol, version 13) for CI systems that read it: one test point per block, in
// file order, with a YAML block saying where and why a failed block failed.
import { FileRun } from './junit';
import { BlockResult, failedAt } from './results';

/** A YAML double-quoted scalar (JSON's string syntax is valid YAML). */
const yamlString = (s: string): string => JSON.stringify(s);

/** A description cannot hold `#` (it starts a directive) or a line break. */
const description = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/#/g, '\\#');

function point(n: number, file: string, b: BlockResult): string {
  const name = `${n} - ${description(`${file}: ${b.block.title}`)}`;
  if (b.status === 'passed') {
    return `ok ${name}\n`;
  }
  if (b.status === 'cancelled' || b.status === 'skipped') {
    return `ok ${name} # SKIP ${b.status}\n`;
  }
  const f = b.failure;
  const yaml = ['  ---', `  message: ${yamlString(failedAt(b))}`, '  severity: fail', `  durationMs: ${b.durationMs}`];
  if (f) {
    yaml.push(`  at: ${yamlString(`${file}:${f.line + 1}:${f.column + 1}`)}`);
    if (f.step?.failure?.expected) {
      yaml.push(`  expected: ${yamlString(f.step.failure.expected.text)}`);
    }
    if (f.step?.failure?.actual) {
      yaml.push(`  actual: ${yamlString(f.step.failure.actual.text)}`);
    }
  }
  return `not ok ${name}\n${yaml.join('\n')}\n  ...\n`;
}

export function toTap(runs: readonly FileRun[]): string {
  let n = 0;
  const points = runs.flatMap(({ file, result }) => result.blocks.map((b) => point(++n, file, b)));
  return `TAP version 13\n1..${n}\n${points.join('')}`;
}
