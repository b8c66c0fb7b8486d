// npm run test:desktop — the same integration suite in desktop VS Code (Electron), for machines that can
// download VS Code: @vscode/test-electron fetches it into .vscode-test/. Offline machines and CI use
// `npm run test:editor` (code-server) instead. On Linux without a display: xvfb-run -a npm run test:desktop.
//
// Env: VSCODE_VERSION=stable|insiders|1.100.3 (default 1.100.3, the oldest supported).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '../..');

async function main() {
  let runTests;
  try {
    ({ runTests } = require('@vscode/test-electron'));
  } catch {
    console.error('npm run test:desktop needs @vscode/test-electron: npm install --save-dev @vscode/test-electron@2.5');
    return 1;
  }
  const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    return 1;
  }
  const { buildSuite } = require('../../esbuild.js');
  const extensionTestsPath = await buildSuite();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-workbench-desktop-'));
  const workspace = path.join(tmp, 'sample-workspace');
  fs.cpSync(path.join(__dirname, 'sample-workspace'), workspace, { recursive: true });
  const resultsFile = path.join(tmp, 'results.json');
  let failedToRun = false;
  try {
    await runTests({
      version: process.env.VSCODE_VERSION || '1.100.3',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(tmp, 'user-data')],
      extensionTestsEnv: { TCP_WORKBENCH_TEST_RESULTS: resultsFile },
    });
  } catch (e) {
    // runTests rejects when the suite fails as well as when VS Code cannot start; the results file tells which.
    failedToRun = !fs.existsSync(resultsFile);
    if (failedToRun) {
      console.error(`desktop VS Code did not run the suite: ${e && e.message ? e.message : e}`);
    }
  }
  if (failedToRun || !fs.existsSync(resultsFile)) {
    console.log('vscode-desktop: 0 passed, 1 failed');
    return 1;
  }
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  console.log(`vscode-desktop: ${r.passed} passed, ${r.failed} failed`);
  fs.rmSync(tmp, { recursive: true, force: true });
  return r.failed === 0 && r.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
