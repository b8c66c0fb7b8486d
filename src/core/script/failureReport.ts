// A failed block as a compiler prints an error: `file:line:col: message`, the source line, a caret under
// the failing part, then expected against actual as text and hex with the first difference marked.
//   test.tcp:9:8: expected "PONG" got "PANG" (first difference at byte 1)
//       9 | expect "PONG"
//         |        ^^^^^^
//     expected  "PONG"   50 4f 4e 47
//     actual    "PANG"   50 41 4e 47
//                           ^^
import { BlockResult, ShownBytes, quote } from './results';

/** Bytes shown around the first difference. */
const WINDOW = 16;

function caretLine(indent: string, start: number, end: number): string {
  return `${indent}${' '.repeat(start)}${'^'.repeat(Math.max(1, end - start))}`;
}

/** Text and hex of `s` from byte `from` (the hex cut to WINDOW bytes), the hex column of byte `mark` underlined. */
function bytesLines(label: string, s: ShownBytes, from: number, width: number): { line: string; hexStart: number } {
  const hex = s.hex
    .split(' ')
    .filter(Boolean)
    .slice(from, from + WINDOW);
  const more = s.length > from + WINDOW || s.truncated ? ' …' : '';
  const text = quote(s.text).padEnd(width);
  const head = `    ${label.padEnd(10)}${text}   ${from > 0 ? '… ' : ''}`;
  return { line: `${head}${hex.join(' ')}${more}`, hexStart: head.length };
}

export function formatFailure(file: string, source: string, b: BlockResult): string | undefined {
  const f = b.failure;
  if (!f || b.status !== 'failed') {
    return undefined;
  }
  const lines = source.split(/\r?\n|\r/);
  const text = lines[f.line] ?? '';
  const step = f.step?.step;
  // The caret goes under the step's argument ("PONG", /re/, frame …), or its keyword when it has none.
  const kw = step?.keywordRange;
  const start = kw && step && step.range.end > kw.end ? kw.end + 1 : (kw?.start ?? f.column);
  const end = step && step.range.line === f.line ? step.range.end : text.length;
  const num = String(f.line + 1);
  const out = [`${file}:${f.line + 1}:${start + 1}: ${f.message}`, `  ${num} | ${text}`, caretLine(`  ${' '.repeat(num.length)} | `, start, end)];
  const sf = f.step?.failure;
  if (sf?.actual && (sf.expected || sf.offset !== undefined)) {
    const offset = sf.offset ?? 0;
    const from = Math.max(0, offset - 8);
    const width = Math.min(40, Math.max(sf.expected ? quote(sf.expected.text).length : 0, quote(sf.actual.text).length));
    if (sf.expected) {
      out.push(bytesLines('expected', sf.expected, from, width).line);
    }
    const actual = bytesLines('actual', sf.actual, from, width);
    out.push(actual.line);
    if (sf.offset !== undefined) {
      const col = actual.hexStart + 3 * (offset - from);
      out.push(`${' '.repeat(col)}^^ byte ${offset}`);
    }
  }
  return out.join('\n');
}
