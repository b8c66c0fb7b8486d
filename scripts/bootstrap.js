#!/usr/bin/env node
// Runs before `npm start` and `npm test` (prestart/pretest), so the README's two commands work on a fresh
// clone: installs the npm packages when node_modules is missing or older than package-lock.json, and for the
// tests the Debian peers they talk to (python3, nc, socat) and tshark, which reads the relay's pcap files, when missing. The VS Code hosts and chromium are
// installed by test/editor/setup-host.sh when a command needs them.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const forTests = process.argv.includes('--tests');

function run(cmd, args) {
  console.log(`[bootstrap] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`[bootstrap] ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function mtime(f) {
  try {
    return fs.statSync(f).mtimeMs;
  } catch {
    return undefined;
  }
}

const installed = mtime(path.join(root, 'node_modules', '.package-lock.json'));
const wanted = mtime(path.join(root, 'package-lock.json'));
if (installed === undefined || (wanted !== undefined && wanted > installed)) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

if (forTests) {
  const need = [
    ['python3', 'python3'],
    ['nc', 'netcat-openbsd'],
    ['socat', 'socat'],
    ['tshark', 'tshark'],
  ]
    .filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
    .map(([, pkg]) => pkg);
  if (need.length > 0) {
    if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', ...need]);
    } else {
      console.error(`[bootstrap] the tests need these programs: ${need.join(' ')} — install them (Debian: sudo apt-get install ${need.join(' ')})`);
      process.exit(1);
    }
  }
}
