// `run FILE.tcp...`: runs the client blocks of conversation files headless, one line per block,
// a closing tally, optional JUnit XML, TAP and an HTML report with each block's timeline. Files run --jobs at a time (blocks of one file in order);
// each file's lines are printed together when it ends. Exit 0 all passed, 1 any failed, 2 usage or parse error.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  FileRun,
  RunResult,
  Script,
  ScriptRunner,
  envVars,
  describeLeftover,
  failedAt,
  formatFailure,
  formatDiagnostic,
  HTML_REPORT_MARK,
  mergeVars,
  parseOverride,
  parseScript,
  readVarsFile,
  toJUnit,
  toTap,
  toHtml,
} from '../core/script';
import { WorkbenchError } from '../core/errors';
import { pool } from '../core/pool';
import { parseDurationFlag } from '../core/script/literals';
import { reparseWithMocks, startMocks } from '../core/script/mocks';
import { describeHit } from '../core/script/mockServer';
import { formatHostPort } from '../core/hostPort';
import { defaultCertFolder } from '../core/tls/certStore';
import { io, parse, str, untilSignal, usage } from './args';

const OPTIONS = {
  junit: { type: 'string' },
  tap: { type: 'string' },
  html: { type: 'string' },
  var: { type: 'string', multiple: true },
  'vars-file': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  jobs: { type: 'string' },
  keylog: { type: 'string' },
} as const;

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
    const script = parseScript(text, { vars, file: path.resolve(file) });
    for (const d of script.diagnostics.filter((x) => x.severity === 'error')) {
      io.err(`${formatDiagnostic(file, d)}\n`);
      bad = true;
    }
    return { file, text, script };
  });
  return bad ? undefined : loaded;
}

/** One line per block (and its leftovers); a failure also in compiler style (file:line:col, source, caret, bytes) on stderr. */
function resultLines(result: RunResult, file: string, source: string): string {
  let out = '';
  for (const b of result.blocks) {
    const detail = formatFailure(file, source, b);
    if (detail) {
      io.err(`${detail}\n`);
    }
    if (b.status === 'passed') {
      const attempts = b.attempts && b.attempts.n > 1 ? `, attempt ${b.attempts.n} of ${b.attempts.of}` : '';
      out += `✓ ${b.block.title} (${b.durationMs} ms${attempts})\n`;
    } else {
      out += `✗ ${b.block.title} — ${failedAt(b)}\n`;
    }
    for (const l of b.leftovers ?? []) {
      out += `  ⚠ ${describeLeftover(l)}\n`;
    }
  }
  return out;
}

const REPORTS = {
  junit: { name: 'a JUnit', isOurs: (head: string) => head.includes('<testsuites'), write: toJUnit },
  tap: { name: 'a TAP', isOurs: (head: string) => head.startsWith('TAP version'), write: toTap },
  html: { name: 'an HTML', isOurs: (head: string) => head.includes(HTML_REPORT_MARK), write: (runs: FileRun[]) => toHtml(runs) },
} as const;

/** Refuses a report path that holds something else than an earlier report of that kind (before anything runs). */
function checkReport(kind: keyof typeof REPORTS, out: string | undefined): void {
  if (out !== undefined && fs.existsSync(out) && !REPORTS[kind].isOurs(fs.readFileSync(out, 'utf8').slice(0, 300))) {
    usage(`${out} exists and is not ${REPORTS[kind].name} report; choose another --${kind} path.`);
  }
}

/** Writes the report through a temporary file, so a reader never sees half of it. */
function writeReport(kind: keyof typeof REPORTS, out: string, runs: FileRun[]): void {
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, REPORTS[kind].write(runs));
  fs.renameSync(tmp, out);
}

/** The variables of the run, by the one precedence rule (varSources.ts): --var, then --vars-file, then TCPW_VAR_*. */
function runVars(values: { var?: unknown; 'vars-file'?: unknown }): Record<string, string> {
  const files = ((values['vars-file'] as string[] | undefined) ?? []).map((f) => {
    try {
      return readVarsFile(f);
    } catch (e) {
      return usage(e instanceof WorkbenchError ? e.message : String(e));
    }
  });
  return mergeVars(envVars(process.env), files, varsOf(values.var as string[] | undefined));
}

function jobsOf(text: string | undefined): number {
  if (text === undefined) {
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 64)) {
    usage(`--jobs needs a whole number from 1 to 64, not "${text}".`);
  }
  return n;
}

/** Starts the file's listen blocks first (their real ports reach the client blocks), then runs. */
async function runFile(
  file: string,
  text: string,
  script: Script,
  vars: Record<string, string>,
  opts: { signal: AbortSignal; timeoutMs?: number; keylog?: (line: Buffer) => void; timelines?: boolean },
  log: (line: string) => void,
): Promise<RunResult> {
  const hasMocks = script.blocks.some((b) => b.kind === 'listen');
  const mocks = hasMocks ? await startMocks(script, file, undefined, { certFolder: defaultCertFolder() }) : undefined;
  try {
    for (const m of mocks?.servers ?? []) {
      const a = m.address;
      log(`mock "${m.block.title}" listening on ${a ? formatHostPort(a.host, a.port) : '?'}\n`);
      m.onDidHitRule((e) => log(`mock "${m.block.title}" client ${e.client.id}: ${describeHit(e)}\n`));
    }
    const runner = new ScriptRunner(mocks ? reparseWithMocks(text, { vars, file: path.resolve(file) }, mocks) : script);
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
  const jobs = jobsOf(str(values.jobs));
  const junit = str(values.junit);
  const tap = str(values.tap);
  const html = str(values.html);
  checkReport('junit', junit);
  checkReport('tap', tap);
  checkReport('html', html);
  const keylogFile = str(values.keylog);
  // The scripts' TLS session keys (SSLKEYLOGFILE), appended synchronously so lines never interleave; 0600.
  const keylog = keylogFile === undefined ? undefined : (line: Buffer): void => fs.appendFileSync(keylogFile, line, { mode: 0o600 });
  const vars = runVars(values);
  const loaded = load(positionals, vars);
  if (!loaded) {
    return 2;
  }
  const abort = new AbortController();
  const signal = untilSignal();
  void signal.signalled.then(() => abort.abort());
  let runs: FileRun[];
  // Each file's lines print together, in the order the files were given, as soon as it and those before it end.
  const done: (string | undefined)[] = loaded.map(() => undefined);
  let printed = 0;
  try {
    runs = await pool(loaded, jobs, async ({ file, text, script }, i) => {
      // With several files in flight, mock logs name their file.
      const log = (line: string): void => io.err(loaded.length > 1 ? `${file}: ${line}` : line);
      const result = await runFile(file, text, script, vars, { signal: abort.signal, timeoutMs, keylog, timelines: html !== undefined }, log);
      done[i] = `${loaded.length > 1 ? `${file}\n` : ''}${resultLines(result, file, text)}`;
      for (; printed < done.length && done[printed] !== undefined; printed++) {
        io.out(done[printed] as string);
      }
      return { file, result, source: text };
    });
  } finally {
    signal.dispose();
  }
  const passed = runs.reduce((n, r) => n + r.result.passed, 0);
  const failed = runs.reduce((n, r) => n + r.result.failed, 0);
  io.out(`${passed} passed, ${failed} failed${abort.signal.aborted ? ' (cancelled)' : ''}\n`);
  if (junit) {
    writeReport('junit', junit, runs);
  }
  if (tap) {
    writeReport('tap', tap, runs);
  }
  if (html) {
    writeReport('html', html, runs);
  }
  return failed > 0 || abort.signal.aborted ? 1 : 0;
}
