// `run FILE.tcp...`: runs the client blocks of conversation files headless, one line per block,
// a closing tally, optional JUnit XML. Exit 0 all passed, 1 any failed, 2 usage or parse error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileRun, RunResult, Script, ScriptRunner, describeLeftover, formatDiagnostic, formatFailure, parseOverride, parseScript, toJUnit } from '../core/script';
import { parseDurationFlag } from '../core/script/literals';
import { reparseWithMocks, startMocks } from '../core/script/mocks';
import { describeHit } from '../core/script/mockServer';
import { formatHostPort } from '../core/hostPort';
import { io, parse, str, untilSignal, usage } from './args';

const OPTIONS = { junit: { type: 'string' }, var: { type: 'string', multiple: true }, timeout: { type: 'string' } } as const;

function varsOf(values: string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const v of values ?? []) {
    const o = parseOverride(v);
    if (!o) {
      usage(`--var needs name=value, not "${v}".`);
    }
    vars[o.name] = o.value;
  }
  return vars;
}

/** Reads and parses every file first: a parse error in any of them runs nothing (exit 2). */
function load(files: string[], vars: Record<string, string>): { file: string; text: string; script: Script }[] | undefined {
  let bad = false;
  const loaded = files.map((file) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      usage(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
    }
    const script = parseScript(text, { vars });
    for (const d of script.diagnostics.filter((x) => x.severity === 'error')) {
      io.err(`${formatDiagnostic(file, d)}\n`);
      bad = true;
    }
    return { file, text, script };
  });
  return bad ? undefined : loaded;
}

/** One line per block on stdout; a failure also in compiler style (file:line:col, source, caret, bytes) on stderr. */
function printResult(result: RunResult, file: string, source: string): void {
  for (const b of result.blocks) {
    const detail = formatFailure(file, source, b);
    if (detail) {
      io.err(`${detail}\n`);
    }
    if (b.status === 'passed') {
      io.out(`✓ ${b.block.title} (${b.durationMs} ms)\n`);
    } else {
      const f = b.failure;
      io.out(`✗ ${b.block.title} — ${f ? `line ${f.line + 1}: ${f.message}` : b.status}\n`);
    }
    for (const l of b.leftovers ?? []) {
      io.out(`  ⚠ ${describeLeftover(l)}\n`);
    }
  }
}

/** Writes the report through a temporary file; replaces only an earlier JUnit report, never another file. */
function writeJUnit(out: string, runs: FileRun[]): void {
  if (fs.existsSync(out)) {
    const head = fs.readFileSync(out, 'utf8').slice(0, 300);
    if (!head.includes('<testsuites')) {
      usage(`${out} exists and is not a JUnit report; choose another --junit path.`);
    }
  }
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, toJUnit(runs));
  fs.renameSync(tmp, out);
}

/** Starts the file's listen blocks first (their real ports reach the client blocks), then runs. */
async function runFile(file: string, text: string, script: Script, vars: Record<string, string>, opts: { signal: AbortSignal; timeoutMs?: number }): Promise<RunResult> {
  const hasMocks = script.blocks.some((b) => b.kind === 'listen');
  const mocks = hasMocks ? await startMocks(script, file) : undefined;
  try {
    for (const m of mocks?.servers ?? []) {
      const a = m.address;
      io.err(`mock "${m.block.title}" listening on ${a ? formatHostPort(a.host, a.port) : '?'}\n`);
      m.onDidHitRule((e) => io.err(`mock "${m.block.title}" client ${e.client.id}: ${describeHit(e)}\n`));
    }
    const runner = new ScriptRunner(mocks ? reparseWithMocks(text, { vars }, mocks) : script);
    try {
      return await runner.run({ file, ...opts });
    } finally {
      runner.dispose();
    }
  } finally {
    await mocks?.stop();
  }
}

export async function runScripts(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, Number.MAX_SAFE_INTEGER);
  if (positionals.length === 0) {
    usage('run needs at least one FILE.tcp.');
  }
  const timeoutText = str(values.timeout);
  const timeoutMs = timeoutText === undefined ? undefined : parseDurationFlag(timeoutText);
  if (timeoutMs === undefined && timeoutText !== undefined) {
    usage(`--timeout needs a duration such as 500ms or 5s, not "${timeoutText}".`);
  }
  const vars = varsOf(values.var as string[] | undefined);
  const loaded = load(positionals, vars);
  if (!loaded) {
    return 2;
  }
  const junit = str(values.junit);
  const abort = new AbortController();
  const signal = untilSignal();
  void signal.signalled.then(() => abort.abort());
  const runs: FileRun[] = [];
  try {
    for (const { file, text, script } of loaded) {
      if (loaded.length > 1) {
        io.out(`${file}\n`);
      }
      const result = await runFile(file, text, script, vars, { signal: abort.signal, timeoutMs });
      printResult(result, file, text);
      runs.push({ file, result });
    }
  } finally {
    signal.dispose();
  }
  const passed = runs.reduce((n, r) => n + r.result.passed, 0);
  const failed = runs.reduce((n, r) => n + r.result.failed, 0);
  io.out(`${passed} passed, ${failed} failed${abort.signal.aborted ? ' (cancelled)' : ''}\n`);
  if (junit) {
    writeJUnit(junit, runs);
  }
  return failed > 0 || abort.signal.aborted ? 1 : 0;
}
