// Runs the UI tests (test/editor/ui/*.test.mjs, mocha + Playwright) in this process and counts the results.
// The test files read which VS Code and which extension folder to use from uiOptions (or the environment when
// run on their own: npx mocha --timeout 120000 test/editor/ui/*.test.mjs).
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import Mocha from 'mocha';
import { EDITOR_DIR, ROOT } from './host.mjs';
import { startWorkbench } from './workbench.mjs';

export const uiOptions = {
  version: process.env.TCP_WORKBENCH_UI_VSCODE || '1.100.3',
  extensionDevelopmentPath: process.env.TCP_WORKBENCH_EXTENSION_PATH || ROOT,
  keep: !!process.env.TCP_WORKBENCH_UI_KEEP,
  /** Only the test files whose name contains one of these (`timeline`, `tls`); undefined: all of them. */
  files: process.env.TCP_WORKBENCH_UI_FILES ? process.env.TCP_WORKBENCH_UI_FILES.split('+') : undefined,
};

/**
 * A plain echo server on 127.0.0.1 written here (a peer the extension does not know), for a relay to
 * point at; `close()` resolves once it has stopped listening.
 */
export async function echoTarget() {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

/** A self-signed certificate for localhost/127.0.0.1 (openssl, CN=untrusted.test) and a TLS echo server using it, in `dir`. */
export async function untrustedTlsEcho(dir) {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30'].concat([
      '-subj',
      '/CN=untrusted.test',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]),
    { cwd: dir, stdio: 'pipe' },
  );
  const cert = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
  const sockets = new Set();
  const server = tls.createServer({ cert, key: fs.readFileSync(path.join(dir, 'k.pem')) }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  server.on('tlsClientError', () => {});
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const fingerprint = new crypto.X509Certificate(cert).fingerprint256;
  return {
    port: server.address().port,
    fingerprint,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((r) => server.close(r));
    },
  };
}

/** Returns { passed, failed, error? }. */
export async function runUiTests({ version, extensionDevelopmentPath, keep, files: only }) {
  Object.assign(uiOptions, { version, extensionDevelopmentPath, keep, files: only });
  const dir = path.join(EDITOR_DIR, 'ui');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs') && (!only || only.some((o) => f.includes(o))))
    .sort();
  if (files.length === 0) {
    return { passed: 0, failed: 0, error: `no UI tests in ${dir}` };
  }
  // TCP_WORKBENCH_TEST_GREP picks UI tests too; a file without a match starts no workbench (mocha skips its hooks).
  const grep = process.env.TCP_WORKBENCH_TEST_GREP || undefined;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 120_000, color: false, grep });
  for (const f of files) {
    mocha.addFile(path.join(dir, f));
  }
  await mocha.loadFilesAsync();
  let passed = 0;
  let failed = 0;
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++); // hooks included: a failed before() fails the run
  });
  return { passed, failed };
}

/**
 * The hooks every UI test file shares: a failed test leaves a screenshot and the logs (wb.fail), and the
 * workbench is closed after the file; its temp folder is kept when anything failed (or with --keep).
 * `getWb` returns the file's workbench (started in its own before hook); `cleanup` runs first in after().
 */
export function workbenchHooks(getWb, cleanup = () => {}) {
  afterEach(async function () {
    const wb = getWb();
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.fail(`UI test failed: ${this.currentTest.fullTitle()}`);
    }
  });
  after(async function () {
    cleanup();
    const wb = getWb();
    await wb?.close();
    if (wb && !uiOptions.keep && this.test.parent.tests.every((t) => t.state === 'passed')) {
      fs.rmSync(wb.tmp, { recursive: true, force: true });
    } else if (wb) {
      console.log(`    kept ${wb.tmp}`);
    }
  });
}

/**
 * The workbench a UI test file starts in its before hook: the VS Code and extension folder of this run,
 * and port 0 for both servers, so parallel runs and busy machines cannot collide. `size` is the window's
 * { width, height } when a test needs a given one. The extension folder is installed (copied into the
 * workbench's extensions folder) rather than loaded for development: VS Code 1.139 takes a development path
 * only with the smoke-test flag, which hides every notification toast (see enableDevelopmentPayload in host.mjs).
 */
export function startUiWorkbench({ settings = {}, ...size } = {}) {
  return startWorkbench({
    ...size,
    version: uiOptions.version,
    installPath: uiOptions.extensionDevelopmentPath,
    settings: { 'tcpWorkbench.echoPort': 0, 'tcpWorkbench.filePort': 0, ...settings },
  });
}
