// The runScript tool: a .tcp file's client blocks (or one), its listen blocks started first as mocks,
// as the CLI's `run` does; per block pass or fail, and for a failure its line, expected and actual.
import { BlockResult, ScriptRunner, ShownBytes, formatDiagnostic, parseScript } from '../script';
import { reparseWithMocks, startMocks } from '../script/mocks';
import { WorkbenchError } from '../errors';
import { MAX_RUN_MS } from './limits';
import { readScriptFile } from './paths';

export interface RunScriptInput {
  file: string;
  block?: string;
  timeoutMs?: number;
}

/** At most this many blocks are listed (the tally counts them all). */
const MAX_LISTED_BLOCKS = 100;

export async function runScript(file: string, input: RunScriptInput): Promise<object> {
  const text = readScriptFile(file);
  // The file's path resolves its `include` lines (relative to it), as the CLI and the editor do.
  const script = parseScript(text, { file });
  const errors = script.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new WorkbenchError(
      'agent.parse',
      `The script does not parse:\n${errors
        .slice(0, 20)
        .map((d) => formatDiagnostic(input.file, d))
        .join('\n')}`,
    );
  }
  const clients = script.blocks.map((b, i) => ({ b, i })).filter(({ b }) => b.kind === 'client' && (input.block === undefined || b.title === input.block));
  if (clients.length === 0) {
    const titles = script.blocks.filter((b) => b.kind === 'client').map((b) => `"${b.title}"`);
    throw new WorkbenchError(
      'agent.noBlock',
      input.block === undefined
        ? `${input.file} has no client block to run.`
        : `${input.file} has no client block titled "${input.block}" (it has ${titles.join(', ') || 'none'}).`,
    );
  }
  const hasMocks = script.blocks.some((b) => b.kind === 'listen');
  const mocks = hasMocks ? await startMocks(script, file) : undefined;
  const abort = AbortSignal.timeout(MAX_RUN_MS);
  try {
    const runner = new ScriptRunner(mocks ? reparseWithMocks(text, { file }, mocks) : script);
    try {
      const result = await runner.run({ file, signal: abort, only: clients.map((c) => c.i), timeoutMs: input.timeoutMs });
      return {
        file: input.file,
        passed: result.passed,
        failed: result.failed,
        cancelled: result.cancelled ? `the run passed its ${MAX_RUN_MS / 1000} s limit` : false,
        durationMs: result.durationMs,
        blocks: result.blocks.slice(0, MAX_LISTED_BLOCKS).map(blockOf),
        ...(result.blocks.length > MAX_LISTED_BLOCKS ? { blocksNotListed: result.blocks.length - MAX_LISTED_BLOCKS } : {}),
        ...(mocks ? { mocks: mocks.servers.map((m) => m.block.title) } : {}),
      };
    } finally {
      runner.dispose();
    }
  } finally {
    await mocks?.stop();
  }
}

/** One block's report (the editor's front end builds its result from the same). */
export function blockOf(b: BlockResult): object {
  const f = b.failure;
  const step = f?.step?.failure;
  return {
    title: b.block.title,
    line: b.block.startLine + 1,
    status: b.status,
    durationMs: b.durationMs,
    ...(f
      ? {
          failure: {
            line: f.line + 1,
            message: f.message,
            ...(step?.expected ? { expected: shown(step.expected) } : {}),
            ...(step?.actual ? { actual: shown(step.actual) } : {}),
            ...(step?.offset !== undefined ? { firstDifferenceAt: step.offset } : {}),
          },
        }
      : {}),
  };
}

function shown(s: ShownBytes): object {
  return { bytes: s.length, text: s.text, hex: s.hex, truncated: s.truncated };
}
