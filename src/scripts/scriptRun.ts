// Runs test items of the Testing view with the core runner: per file, its mocks first (listen blocks),
// then the requested client blocks, reported live (started / step output / passed or failed) and with
// their traffic in the traffic log. Cancelling aborts the runner, which destroys its sockets at once.
import * as vscode from 'vscode';
import { BlockResult, MAX_KEPT_STEPS, Script, ScriptRunner, StepResult, brief, quote, reparseWithMocks, startMocks, stepLabel } from '../core/script';
import type { RunScriptResult, ScriptBlockSummary } from '../state/commands';
import { diagnosticText, failureText, messageOf } from '../common/messages';
import { Services } from '../state/services';
import { ScriptTests } from './scriptTests';
import { ServerEntry } from '../state/serverEntry';

/** What a caller other than the Testing view adds to a run (the runScript agent tool). */
export interface ScriptRunOptions {
  /** Per-step timeout instead of the file's own. */
  readonly timeoutMs?: number;
  /** Every block's full result, as it finishes. */
  readonly onBlock?: (b: BlockResult) => void;
}
import { editorVarsProblem, parseOptionsFor } from './scriptDocuments';
import { pool } from '../core/pool';

/** Groups the request's items by file: a file item means all its blocks. */
async function plan(tests: ScriptTests, request: vscode.TestRunRequest): Promise<Map<vscode.TestItem, vscode.TestItem[]>> {
  const roots: vscode.TestItem[] = [];
  tests.controller.items.forEach((i) => roots.push(i));
  const excluded = new Set(request.exclude ?? []);
  const byFile = new Map<vscode.TestItem, vscode.TestItem[]>();
  for (const item of request.include ?? roots) {
    const file = item.parent ?? item;
    if (excluded.has(item) || excluded.has(file)) {
      continue;
    }
    if (!byFile.has(file)) {
      byFile.set(file, []);
    }
    if (!item.parent) {
      await tests.refresh(file);
      file.children.forEach((c) => excluded.has(c) || byFile.get(file)?.push(c));
    } else {
      byFile.get(file)?.push(item);
    }
  }
  return byFile;
}

function stepOutput(r: StepResult): string {
  const it = (r.iteration ? ` [${r.iteration.join('.')}]` : '') + (r.attempt ? ` ${vscode.l10n.t('(attempt {0} of {1})', r.attempt.n, r.attempt.of)}` : '');
  // The step's keyword (send, expect…) and its connection's name are the script's own words and stay as written.
  const head = r.ok
    ? vscode.l10n.t('line {0}{1} {2} ok ({3} ms)', r.line + 1, it, stepLabel(r.step), r.durationMs)
    : vscode.l10n.t('line {0}{1} {2} FAILED ({3} ms)', r.line + 1, it, stepLabel(r.step), r.durationMs);
  const lines = [`  ${head}`];
  if (r.sent && r.sent.length > 0) {
    lines.push(`    ${vscode.l10n.t('sent {0} bytes: {1}  {2}', r.sent.length, brief(r.sent, false), r.sent.hex)}`);
  }
  if (r.received && r.received.length > 0) {
    lines.push(`    ${vscode.l10n.t('received {0} bytes: {1}  {2}', r.received.length, brief(r.received, false), r.received.hex)}`);
  }
  if (r.failure) {
    lines.push(`    ${failureText(r.failure)}`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** The failure at its step's line; expected vs actual as a diff when both are there. */
function failureMessage(uri: vscode.Uri, b: BlockResult): vscode.TestMessage {
  const f = b.failure;
  const text = f ? vscode.l10n.t('line {0}: {1}', f.line + 1, failureText(f)) : b.status;
  const s = f?.step?.failure;
  const step = f?.step?.step;
  const asHex = step?.kind === 'expect' && step.match === 'hex';
  const m =
    s?.expected && s.actual ? vscode.TestMessage.diff(text, asHex ? s.expected.hex : s.expected.text, asHex ? s.actual.hex : s.actual.text) : new vscode.TestMessage(text);
  m.location = new vscode.Location(uri, new vscode.Position(f?.line ?? b.block.titleRange.line, f?.column ?? 0));
  return m;
}

function summaryOf(b: BlockResult): ScriptBlockSummary {
  const f = b.failure;
  return {
    title: b.block.title,
    line: b.block.titleRange.line,
    status: b.status,
    durationMs: b.durationMs,
    failure: f && b.status !== 'passed' ? { line: f.line, column: f.column, message: f.message } : undefined,
    leftovers: b.leftovers?.map((l) => ({ connection: l.connection, bytes: l.bytes.length })),
  };
}

/** Runs the chosen blocks of one file into `run`; adds their outcomes to `out`. */
async function runFile(
  svc: Services,
  tests: ScriptTests,
  run: vscode.TestRun,
  file: vscode.TestItem,
  items: vscode.TestItem[],
  signal: AbortSignal,
  out: RunScriptResult,
  opts: ScriptRunOptions,
): Promise<void> {
  const uri = file.uri as vscode.Uri;
  const loaded = await tests.refresh(file);
  const live = items.filter((i) => i.parent === file && tests.indexOf(i) !== undefined);
  const fail = (message: string, line = 0): void => {
    for (const i of live) {
      const m = new vscode.TestMessage(message);
      m.location = new vscode.Location(uri, new vscode.Position(line, 0));
      run.errored(i, m);
      out.failed++;
      out.blocks.push({ title: i.label, line: i.range?.start.line ?? 0, status: 'failed', durationMs: 0, failure: { line, column: 0, message } });
    }
  };
  if (!loaded) {
    return fail(vscode.l10n.t('Cannot read {0}.', uri.fsPath));
  }
  const error = loaded.script.diagnostics.find((d) => d.severity === 'error');
  if (error) {
    const where = `${vscode.workspace.asRelativePath(uri)}:${error.range.line + 1}:${error.range.start + 1}`;
    return fail(`${where}: ${diagnosticText(error)}`, error.range.line);
  }
  const byIndex = new Map(live.map((i) => [tests.indexOf(i) as number, i]));
  byIndex.forEach((i) => run.enqueued(i));
  let script: Script = loaded.script;
  let mocks: Awaited<ReturnType<typeof startMocks>> | undefined;
  try {
    if (script.blocks.some((b) => b.kind === 'listen')) {
      // A listen tls:// block without @tls.cert uses the generated certificate, kept in the global storage.
      mocks = await startMocks(script, uri.fsPath, undefined, { certFolder: svc.context.globalStorageUri.fsPath });
      script = reparseWithMocks(loaded.text, parseOptionsFor(uri), mocks);
    }
  } catch (e) {
    return fail(vscode.l10n.t('The mock servers of this file could not start: {0}', messageOf(e)));
  }
  const rows = showMocks(svc, uri, mocks);
  const runner = new ScriptRunner(script);
  const shown = new Map<number, number>();
  const sources = new Set<string>();
  runner.onDidStartBlock((e) => {
    const item = byIndex.get(e.index);
    if (item) {
      run.started(item);
      run.appendOutput(`### ${e.block.title}\r\n`, undefined, item);
    }
  });
  runner.onDidFinishStep((e) => {
    const n = (shown.get(e.index) ?? 0) + 1;
    shown.set(e.index, n);
    // Bounded like the kept results: a million-step repeat must not flood the output.
    if (n <= MAX_KEPT_STEPS || !e.result.ok) {
      // A failed step's line shows the failure message (red): its output stays in the test output only, or
      // the message would cover the start of the grey output on the same line.
      const at = e.result.ok ? new vscode.Location(uri, new vscode.Position(e.result.line, 0)) : undefined;
      run.appendOutput(stepOutput(e.result), at, byIndex.get(e.index));
    } else if (n === MAX_KEPT_STEPS + 1) {
      run.appendOutput(`  … ${vscode.l10n.t('later steps are not shown')}\r\n`, undefined, byIndex.get(e.index));
    }
  });
  runner.onDidTransfer((e) => {
    // One traffic source per connection: a block with named connections shows each under its name.
    const source = `script:${uri.toString()}#${e.index}${e.connection !== undefined ? `:${e.connection}` : ''}`;
    sources.add(source);
    const label = e.connection !== undefined ? vscode.l10n.t('Script "{0}" {1}', e.block.title, e.connection) : vscode.l10n.t('Script "{0}"', e.block.title);
    svc.traffic.record(source, label, e.peer, e.direction, e.bytes, script.settings.encoding);
  });
  runner.onDidFinishBlock((e) => {
    const item = byIndex.get(e.index);
    const b = e.result;
    out.blocks.push(summaryOf(b));
    if (b.status === 'passed') {
      out.passed++;
    } else if (b.status === 'failed') {
      out.failed++;
    }
    if (b.timeline) {
      svc.scriptTimelines.set(uri.toString(), e.index, e.block, b.timeline);
    }
    opts.onBlock?.(b);
    if (!item) {
      return;
    }
    if (b.timeline) {
      run.appendOutput(`${vscode.l10n.t('Timeline of this run: Show Timeline in the test’s context menu.')}\r\n`, undefined, item);
    }
    for (const l of b.leftovers ?? []) {
      const text = l.connection
        ? vscode.l10n.t('⚠ {0} bytes left unread on {1}: {2} (hex {3})', l.bytes.length, l.connection, quote(l.bytes.text), l.bytes.hex)
        : vscode.l10n.t('⚠ {0} bytes left unread: {1} (hex {2})', l.bytes.length, quote(l.bytes.text), l.bytes.hex);
      run.appendOutput(`${text}\r\n`, undefined, item);
    }
    if (b.status === 'passed') {
      run.passed(item, b.durationMs);
    } else if (b.status === 'failed') {
      run.failed(item, failureMessage(uri, b), b.durationMs);
    } else {
      run.skipped(item);
    }
  });
  try {
    await runner.run({ file: uri.fsPath, signal, only: [...byIndex.keys()].sort((a, b) => a - b), timeoutMs: opts.timeoutMs, timelines: true });
  } finally {
    runner.dispose();
    await Promise.all(rows.map((e) => svc.servers.remove(e)));
    await mocks?.stop();
    sources.forEach((s) => svc.traffic.forget(s));
  }
}

/**
 * The run's mocks as rows of the Servers view while it lasts, with their clients, traffic and rule hits
 * in the logs, like a mock started from its CodeLens (none while a setting is unusable: reported at a start).
 */
function showMocks(svc: Services, uri: vscode.Uri, mocks: Awaited<ReturnType<typeof startMocks>> | undefined): ServerEntry[] {
  const cfg = svc.configOrUndefined();
  if (!mocks || !cfg) {
    return [];
  }
  return mocks.servers.map((m) => svc.servers.adopt({ kind: 'mock', file: uri.fsPath, line: m.block.startLine, label: m.block.title }, m, cfg));
}

/** Running connects to the network: in an untrusted workspace ask first (or refuse without a person). */
async function trusted(interactive: boolean): Promise<boolean> {
  if (vscode.workspace.isTrusted) {
    return true;
  }
  if (!interactive) {
    throw new Error(
      vscode.l10n.t('This workspace is not trusted, and running a script connects to the network. Trust the workspace, or run the script from the editor to be asked.'),
    );
  }
  const anyway = vscode.l10n.t('Run anyway');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('This workspace is not trusted. Running a script opens network connections to the addresses in it.'),
    { modal: true },
    anyway,
  );
  return choice === anyway;
}

/** The last runs reported to the Testing view (its items, the tally), newest last: for the integration tests. */
const reported: { items: string[]; passed: number; failed: number }[] = [];
export const reportedTestRuns = (): readonly { items: string[]; passed: number; failed: number }[] => reported;

export async function runScriptTests(
  svc: Services,
  tests: ScriptTests,
  request: vscode.TestRunRequest,
  token: vscode.CancellationToken,
  interactive: boolean,
  opts: ScriptRunOptions = {},
): Promise<RunScriptResult> {
  const out: RunScriptResult = { passed: 0, failed: 0, cancelled: false, blocks: [] };
  if (!(await trusted(interactive))) {
    return { ...out, cancelled: true };
  }
  const byFile = await plan(tests, request);
  const run = tests.controller.createTestRun(request, undefined, true);
  const abort = new AbortController();
  // The caller's token, or Cancel in the Testing view for a run a command started.
  const subs = [token.onCancellationRequested(() => abort.abort()), run.token.onCancellationRequested(() => abort.abort())];
  try {
    // A vars file that cannot be read fails the run before anything connects (the CLI's usage error).
    const varsProblem = editorVarsProblem();
    // `tcpWorkbench.script.jobs` files at once; each file's outcomes are added in the files' order.
    const perFile = await pool([...byFile], svc.config().scriptJobs, async ([file, items]) => {
      const mine: RunScriptResult = { passed: 0, failed: 0, cancelled: false, blocks: [] };
      if (abort.signal.aborted) {
        items.forEach((i) => run.skipped(i));
      } else if (varsProblem) {
        for (const i of items) {
          run.errored(i, new vscode.TestMessage(varsProblem));
          mine.failed++;
          mine.blocks.push({ title: i.label, line: i.range?.start.line ?? 0, status: 'failed', durationMs: 0, failure: { line: 0, column: 0, message: varsProblem } });
        }
      } else {
        await runFile(svc, tests, run, file, items, abort.signal, mine, opts);
      }
      return mine;
    });
    for (const r of perFile) {
      out.passed += r.passed;
      out.failed += r.failed;
      out.blocks.push(...r.blocks);
    }
  } finally {
    subs.forEach((d) => d.dispose());
    run.end();
    reported.push({ items: (request.include ?? []).map((i) => i.label), passed: out.passed, failed: out.failed });
    reported.splice(0, reported.length - 20);
  }
  return { ...out, cancelled: abort.signal.aborted };
}
