// Stages what the .vsix would contain into a folder, so the editor tests load what ships rather than the
// work tree: a file missing from the package (an icon, a bundle, package.nls.json) fails the tests here.
// With @vscode/vsce installed its own `vsce ls` decides; otherwise .vscodeignore is applied here, in the shape
// this project writes it (`**` then `!pattern` lines, later lines win).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './host.mjs';

/** Copies the package's files into `dest`; returns { dir, files, how }. */
export function stagePackage(dest) {
  const vsce = path.join(ROOT, 'node_modules/.bin/vsce');
  let files;
  let how;
  if (fs.existsSync(vsce)) {
    const r = spawnSync(vsce, ['ls'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`vsce ls failed: ${r.stderr || r.stdout}`);
    }
    files = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    how = 'vsce ls';
  } else {
    files = listByVscodeignore();
    how = '.vscodeignore';
  }
  if (!files.includes('package.json')) {
    files.unshift('package.json');
  }
  const main = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).main;
  if (main && !files.includes(path.posix.normalize(main).replace(/^\.\//, ''))) {
    throw new Error(`the package would not contain its main file ${main}: check .vscodeignore`);
  }
  fs.rmSync(dest, { recursive: true, force: true });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dest, f));
  }
  return { dir: dest, files, how };
}

function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:/)?';
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

function listByVscodeignore() {
  const rules = fs
    .readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.startsWith('!') ? { include: true, re: globToRegExp(l.slice(1).replace(/^\//, '')) } : { include: false, re: globToRegExp(l.replace(/^\//, '')) }));
  const skip = new Set(['.git', 'node_modules', '.vscode-test', 'out']);
  const out = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skip.has(p)) {
          walk(p);
        }
        continue;
      }
      let included = true;
      for (const r of rules) {
        if (r.re.test(p)) {
          included = r.include;
        }
      }
      if (included) {
        out.push(p);
      }
    }
  };
  walk('');
  return out.sort();
}

/**
 * Installs a staged package into a VS Code extensions folder the way an installed .vsix lies there
 * (<publisher>.<name>-<version>/); VS Code finds it when it scans the folder. Returns the extension folder.
 */
export function installStaged(stagedDir, extensionsDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(stagedDir, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  fs.mkdirSync(extensionsDir, { recursive: true });
  for (const e of fs.readdirSync(extensionsDir)) {
    if (e.toLowerCase().startsWith(`${id}-`)) {
      fs.rmSync(path.join(extensionsDir, e), { recursive: true, force: true });
    }
  }
  // VS Code's index of installed extensions; without it the folder is scanned afresh.
  fs.rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
  const dest = path.join(extensionsDir, `${id}-${pkg.version}`);
  fs.cpSync(stagedDir, dest, { recursive: true });
  return dest;
}
