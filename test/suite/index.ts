// The test runner VS Code's extension host loads (extensionTestsPath): the contract @vscode/test-electron uses
// too, so the same suite runs in code-server (npm run test:editor) and desktop VS Code (npm run test:desktop).
// run() resolves when every test passed and rejects otherwise; it also writes the results to the JSON file
// named by TCP_WORKBENCH_TEST_RESULTS, because the extension host's own exit code does not carry failures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

interface TestResult {
  title: string;
  state: 'passed' | 'failed';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 20_000,
    // Lets a developer run one test: TCP_WORKBENCH_TEST_GREP="echo server" npm run test:editor
    grep: process.env.TCP_WORKBENCH_TEST_GREP || undefined,
  });
  for (const f of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  const resultsFile = process.env.TCP_WORKBENCH_TEST_RESULTS;
  const results: TestResult[] = [];
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = results.filter((r) => r.state === 'passed').length;
        // A hook failure counts in `failures` without a failed test of its own.
        const failed = Math.max(failures, results.length - passed);
        if (resultsFile) {
          // What activate() took in this editor, for `npm run bench` (activation time).
          const exports = vscode.extensions.getExtension('tcp-workbench.tcp-workbench')?.exports as { activationMs?: number } | undefined;
          const activation = { activateMs: exports?.activationMs, vscode: vscode.version };
          fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed, results, activation }, null, 2));
        }
        console.log(`${passed} passed, ${failed} failed`);
        if (failed > 0) {
          reject(new Error(`${failed} test(s) failed`));
        } else if (passed === 0) {
          reject(new Error(`no test ran (looked for *.test.js in ${__dirname})`));
        } else {
          resolve();
        }
      });
      runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('fail', (t, err: unknown) =>
        results.push({
          title: t.fullTitle(),
          state: 'failed',
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
      );
    } catch (e) {
      // A test file that throws while loading (syntax error, bad import) ends up here.
      if (resultsFile) {
        fs.writeFileSync(resultsFile, JSON.stringify({ passed: 0, failed: 1, results: [], error: String(e) }, null, 2));
      }
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
