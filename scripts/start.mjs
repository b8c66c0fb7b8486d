#!/usr/bin/env node
// npm start — try the extension with no VS Code installed: builds it, installs VS Code 1.100.3 (code-server
// from npm, once, into .vscode-test/), installs the extension into it, opens a copy of the sample workspace and
// prints the URL to open in a browser. Ctrl-C stops everything.
//
// Options: --port <n> (default 8080; a free one if taken)  --vscode 1.100.3|1.139.1  --folder <dir>
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import build from '../esbuild.js';
import { EDITOR_DIR, INSTALL_DIR, ensureHost, startCodeServer } from '../test/editor/lib/host.mjs';
import { installStaged, stagePackage } from '../test/editor/lib/package.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const version = opt('vscode', '1.100.3');
const wantedPort = Number(opt('port', 8080));

function portIsFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

try {
  ensureHost([version]);
  build.buildExtension();
  const staged = stagePackage(path.join(INSTALL_DIR, 'package'));

  // The sample workspace is copied once, so what you try (downloads, edits) never touches the repository.
  let folder = opt('folder');
  if (!folder) {
    folder = path.join(INSTALL_DIR, 'sample-workspace');
    if (!fs.existsSync(folder)) {
      fs.cpSync(path.join(EDITOR_DIR, 'sample-workspace'), folder, { recursive: true });
    }
  }
  folder = path.resolve(folder);

  // A lasting profile: layout, settings and the servers you add survive a restart.
  const profile = path.join(INSTALL_DIR, `start-${version}`);
  installStaged(staged.dir, path.join(profile, 'extensions'));
  // A taken port: code-server picks a free one itself (0) and says which.
  const taken = !(await portIsFree(wantedPort));
  const server = await startCodeServer({ version, port: taken ? 0 : wantedPort, tmp: profile });
  if (taken) {
    console.log(`port ${wantedPort} is taken: using ${server.port}`);
  }
  const url = `http://${server.host}/?folder=${encodeURIComponent(folder)}`;
  console.log(`
  TCP Workbench in VS Code ${version} (code-server), workspace ${folder}

      open  ${url}

  Click the TCP Workbench icon in the activity bar, press Start on the Echo Server, then in a terminal:
      nc 127.0.0.1 9007
  Only 127.0.0.1 is served; from another machine use: ssh -L ${server.port}:127.0.0.1:${server.port} <this machine>
  Log: ${server.log}
  Ctrl-C stops everything.
`);
  await server.exited;
  console.error(`code-server exited; see ${server.log}`);
  process.exit(1);
} catch (e) {
  console.error(`npm start: ${e.message}`);
  process.exit(1);
}
