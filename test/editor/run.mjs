#!/usr/bin/env node
// npm run test:editor — the extension's tests inside a real VS Code, offline:
//   1. installs VS Code 1.100.3 and 1.139.1 (code-server from npm) into .vscode-test/ if missing,
//   2. builds dist/extension.js as it ships (minified) and the integration suite (test/suite -> out/test/suite),
//   3. stages the package's files (what the .vsix contains) into .vscode-test/package and runs the suite in the
//      Node extension host of each VS Code version with that folder as the extension under test,
//   4. runs the Workspace Trust suite (test/suite-trust) once per version with trust ON and an untrusted folder
//      whose .vscode/settings.json sets the restricted settings (host, fileRoot) to what an attacker would,
//   5. runs the UI tests (test/editor/ui/*.test.mjs, Playwright driving the workbench) in each of --ui-hosts.
// Prints `<layer>: N passed, N failed` per run, how long each layer took, and a total; exits non-zero on any
// failure, timeout or empty run.
//
// Options: --hosts 1.100.3,1.139.1   --no-ui   --ui-only   --timeout <s> (per suite run, default 300)
//          --ui-hosts 1.139.1 (the hosts of the UI tests, among --hosts; default all of them; env TCP_WORKBENCH_UI_HOSTS;
//          `1.100.3,1.139.1:timeline+tls` runs only the UI test files whose name contains timeline or tls in 1.139.1)
//          --keep (keep temp folders)   --dev (load the work tree instead of the staged package)   --no-trust
//          --extensionDevelopmentPath <dir> --suite <dir> (develop the harness with another extension/suite)
//          --vsix [file] (test the .vsix as VS Code installs it: `npm run package` unless a file is given,
//          then code-server --install-extension, and the installed folder is the extension under test)
// Env: TCP_WORKBENCH_TEST_GREP=<text> runs only matching tests (integration and UI).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import build from '../../esbuild.js';
import { EDITOR_DIR, EXTENSION_ID, INSTALL_DIR, ROOT, VERSIONS, ensureHost, hostInfo, openWorkbench, reportFailure, startCodeServer } from './lib/host.mjs';
import { stagePackage } from './lib/package.mjs';
import { runUiTests } from './lib/ui.mjs';

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      throw new Error(`unexpected argument ${a}`);
    }
    const [k, inline] = a.slice(2).split(/=(.*)/s);
    if (inline !== undefined) {
      out[k] = inline;
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[k] = argv[++i];
    } else {
      out[k] = true;
    }
  }
  return out;
}

const opts = parseArgs(process.argv.slice(2));
const hosts = opts.hosts ? String(opts.hosts).split(',') : VERSIONS;
const uiHostsAsked = opts['ui-hosts'] ?? process.env.TCP_WORKBENCH_UI_HOSTS;
/** Each UI host with the test files it runs (`version:part+part`; no parts: all files). */
const uiFiles = new Map(
  uiHostsAsked
    ? String(uiHostsAsked)
        .split(',')
        .map((e) => e.split(':'))
        .map(([version, parts]) => [version, parts ? parts.split('+') : undefined])
    : hosts.map((h) => [h, undefined]),
);
const uiHosts = hosts.filter((h) => uiFiles.has(h));
const suiteTimeoutS = Number(opts.timeout ?? process.env.TCP_WORKBENCH_EDITOR_TIMEOUT ?? 300);
const t0 = Date.now();
const secs = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const log = (m) => console.log(`[editor +${secs(t0)}] ${m}`);

// Last line of defence against a hang nobody foresaw: the whole run gets a hard limit.
const hardLimitS = Number(process.env.TCP_WORKBENCH_EDITOR_HARD_LIMIT ?? 1800);
setTimeout(() => {
  console.error(`[editor] the whole run exceeded ${hardLimitS} s: giving up (code-server and chromium are killed)`);
  process.exit(2);
}, hardLimitS * 1000).unref();

/** Copies the sample workspace into `dir`, so tests may write files without touching the repository. */
function freshWorkspace(dir) {
  fs.cpSync(path.join(EDITOR_DIR, 'sample-workspace'), dir, { recursive: true });
  return dir;
}

/**
 * Installs a .vsix (built by `npm run package` when `file` is not given) with code-server's own
 * --install-extension into .vscode-test/vsix-extensions; returns the installed extension's folder.
 */
function installVsix(file, version) {
  if (!file) {
    const b = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
    if (b.status !== 0) {
      throw new Error(`npm run package failed (exit ${b.status})`);
    }
    file = path.join(ROOT, 'tcp-workbench.vsix');
  }
  const dir = path.join(INSTALL_DIR, 'vsix-extensions');
  fs.rmSync(dir, { recursive: true, force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-workbench-vsix-'));
  const info = hostInfo(version);
  const r = spawnSync(info.node, [info.entry, '--extensions-dir', dir, '--user-data-dir', path.join(tmp, 'user-data'), '--install-extension', file], {
    encoding: 'utf8',
    timeout: 120_000,
    // code-server's state stays in the temp folder; no gallery to ask.
    env: { ...process.env, XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: '' }) },
  });
  fs.rmSync(tmp, { recursive: true, force: true });
  const installed = fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => d.startsWith(`${EXTENSION_ID}-`)) : [];
  if (r.status !== 0 || installed.length !== 1) {
    throw new Error(`installing ${file} into VS Code ${version} failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  }
  return path.join(dir, installed[0]);
}

/**
 * The untrusted workspace of the trust run: the sample workspace plus a .vscode/settings.json that asks for
 * every interface, a root outside the workspace (holding a secret) and an empty deny list (next to a .env).
 * In Restricted Mode VS Code must ignore all three (package.json:
 * capabilities.untrustedWorkspaces.restrictedConfigurations); replyText is not restricted and must still
 * apply, which shows the file was read.
 */
function untrustedWorkspace(tmp) {
  const ws = freshWorkspace(path.join(tmp, 'workspace'));
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'not for the network\n');
  fs.writeFileSync(path.join(ws, '.env'), 'API_KEY=untrusted-env-marker\n');
  fs.mkdirSync(path.join(ws, '.vscode'));
  fs.writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'tcpWorkbench.host': '0.0.0.0',
        'tcpWorkbench.fileRoot': outside,
        'tcpWorkbench.fileDeny': [],
        'tcpWorkbench.replyText': 'from the untrusted workspace',
      },
      null,
      2,
    ),
  );
  return ws;
}

/** Runs the integration suite in one VS Code version: { passed, failed, error? }. `trust`: the Workspace Trust run. */
async function runSuite(version, extensionDevelopmentPath, extensionTestsPath, { trust = false } = {}) {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tcp-workbench-${trust ? 'trust' : 'suite'}-${version}-`));
  const resultsFile = path.join(tmp, 'results.json');
  let server;
  let wb;
  let result = { passed: 0, failed: 0 };
  try {
    server = await startCodeServer({ version, tmp, env: { TCP_WORKBENCH_TEST_RESULTS: resultsFile }, workspaceTrust: trust });
    log(`VS Code ${version}: code-server on http://${server.host}${trust ? ' with Workspace Trust on' : ''} (temp ${tmp})`);
    wb = await openWorkbench(server, {
      folder: trust ? untrustedWorkspace(tmp) : freshWorkspace(path.join(tmp, 'workspace')),
      extensionDevelopmentPath,
      extensionTestsPath,
    });
    const outcome = await Promise.race([wb.exit, new Promise((r) => setTimeout(() => r('timeout'), suiteTimeoutS * 1000).unref())]);
    if (outcome === 'timeout' || outcome === 'crash') {
      await reportFailure(
        server,
        wb.page,
        outcome === 'timeout' ? `VS Code ${version}: the suite did not finish within ${suiteTimeoutS} s` : `VS Code ${version}: the workbench page crashed`,
      );
      result.error = outcome;
    }
    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      result = { ...result, passed: r.passed, failed: r.failed };
      if (Number.isFinite(r.activation?.activateMs)) {
        // Read by `npm run bench` (activation time); the last host run wins.
        fs.mkdirSync(INSTALL_DIR, { recursive: true });
        fs.writeFileSync(path.join(INSTALL_DIR, 'activation.json'), JSON.stringify(r.activation));
        log(`VS Code ${version}: activate() took ${r.activation.activateMs.toFixed(1)} ms`);
      }
      for (const t of r.results.filter((x) => x.state === 'failed')) {
        console.error(`[editor] FAILED in ${version}: ${t.title}\n${t.error}`);
      }
      if (r.error) {
        console.error(`[editor] the suite did not load in ${version}: ${r.error}`);
      }
    } else if (!result.error) {
      result.error = 'no results';
      await reportFailure(server, wb.page, `VS Code ${version}: the suite ended (code ${outcome}) without writing results`);
    }
  } catch (e) {
    result.error = e.message;
    console.error(`[editor] VS Code ${version}: ${e.stack || e}`);
    if (server) {
      await reportFailure(server, wb?.page, 'infrastructure error');
    }
  } finally {
    await wb?.close();
    await server?.stop();
  }
  const ok = !result.error && result.failed === 0 && result.passed > 0;
  if (ok && !opts.keep) {
    fs.rmSync(tmp, { recursive: true, force: true });
  } else {
    console.log(`[editor] kept ${tmp} (code-server.log, workbench-logs/, failure-*.png)`);
  }
  log(`VS Code ${version}: ${trust ? 'trust suite' : 'suite'} took ${secs(started)}`);
  return result;
}

function runUiTestsInChild(version, extensionDevelopmentPath, files) {
  const r = spawnSync(process.execPath, [path.join(EDITOR_DIR, 'lib/ui-child.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: {
      ...process.env,
      TCP_WORKBENCH_UI_VSCODE: version,
      TCP_WORKBENCH_EXTENSION_PATH: extensionDevelopmentPath,
      TCP_WORKBENCH_UI_KEEP: opts.keep ? '1' : '',
      TCP_WORKBENCH_UI_FILES: files ? files.join('+') : '',
    },
    timeout: 900_000,
  });
  const out = (r.stdout ?? '').trimEnd();
  const cut = out.lastIndexOf('\n');
  const last = out.slice(cut + 1);
  process.stdout.write(`${out.slice(0, Math.max(cut, 0))}\n`);
  try {
    return JSON.parse(last);
  } catch {
    return { passed: 0, failed: 0, error: `the UI test process ended without results (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})` };
  }
}

const lines = [];
/** `<layer> N s` per layer, printed at the end: what each host and layer costs a CI run. */
const timings = [];
let total = { passed: 0, failed: 0 };
let broken = false;
function record(name, r, since) {
  timings.push(`${name} ${secs(since)}`);
  // A run that broke down (timeout, crash, no results) counts as one failure, so it can never pass quietly.
  const failed = r.failed + (r.error && r.failed === 0 ? 1 : 0);
  const line = `${name}: ${r.passed} passed, ${failed} failed`;
  lines.push(line);
  console.log(line);
  total = { passed: total.passed + r.passed, failed: total.failed + failed };
  if (failed > 0 || r.passed === 0) {
    broken = true;
  }
}

try {
  let phase = Date.now();
  ensureHost(hosts);
  log(`VS Code ${hosts.join(' and ')} ready (${secs(phase)})`);

  phase = Date.now();
  let extensionDevelopmentPath = path.resolve(opts.extensionDevelopmentPath || ROOT);
  if (opts.vsix) {
    extensionDevelopmentPath = installVsix(opts.vsix === true ? undefined : path.resolve(String(opts.vsix)), hosts[0]);
    log(`installed the .vsix with code-server --install-extension into ${extensionDevelopmentPath}`);
  } else if (!opts.extensionDevelopmentPath) {
    build.buildExtension({ production: !opts.dev });
    if (!opts.dev) {
      const staged = stagePackage(path.join(INSTALL_DIR, 'package'));
      extensionDevelopmentPath = staged.dir;
      log(`staged the package (${staged.files.length} files, by ${staged.how}) in ${staged.dir}`);
    }
  }
  const extensionTestsPath = await build.buildSuite(opts.suite ? path.resolve(opts.suite) : undefined);
  // The trust suite is its own folder, so the normal runs never load it. A grep that cannot match it skips it.
  const grep = process.env.TCP_WORKBENCH_TEST_GREP;
  const trustRuns = !opts['no-trust'] && !opts.suite && (!grep || /trust/i.test(grep));
  const trustTestsPath = trustRuns ? await build.buildSuite(path.join(ROOT, 'test/suite-trust'), path.join(ROOT, 'out/test/suite-trust')) : undefined;
  log(`built the extension and the suite (${secs(phase)})`);

  if (!opts['ui-only']) {
    for (const version of hosts) {
      phase = Date.now();
      record(`vscode-${version}`, await runSuite(version, extensionDevelopmentPath, extensionTestsPath), phase);
    }
    for (const version of trustRuns ? hosts : []) {
      phase = Date.now();
      record(`trust-${version}`, await runSuite(version, extensionDevelopmentPath, trustTestsPath, { trust: true }), phase);
    }
  }
  if (!opts['no-ui']) {
    // Mocha loads a test file once per process, so each further VS Code version gets a child process.
    if (uiHosts.length < hosts.length || uiHosts.some((h) => uiFiles.get(h))) {
      const what = (h) => (uiFiles.get(h) ? `${h} (files with ${uiFiles.get(h).join(' or ')})` : h);
      log(`UI tests in VS Code ${uiHosts.map(what).join(' and ') || 'none'} only (--ui-hosts)`);
    }
    for (const [i, version] of uiHosts.entries()) {
      phase = Date.now();
      record(
        `ui-${version}`,
        i === 0
          ? await runUiTests({ version, extensionDevelopmentPath, keep: !!opts.keep, files: uiFiles.get(version) })
          : runUiTestsInChild(version, extensionDevelopmentPath, uiFiles.get(version)),
        phase,
      );
      log(`UI tests in VS Code ${version} took ${secs(phase)}`);
    }
  }
} catch (e) {
  console.error(`[editor] ${e.stack || e}`);
  broken = true;
}

console.log(`[editor] done in ${secs(t0)}${timings.length ? `; ${timings.join(', ')}` : ''}`);
if (lines.length > 1) {
  console.log(lines.join('\n'));
}
console.log(`total: ${total.passed} passed, ${total.failed} failed`);
process.exit(broken || total.passed === 0 ? 1 : 0);
