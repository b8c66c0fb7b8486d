// Builds what the editor tests load: the extension bundle (dist/extension.js, through the project's esbuild.js)
// and the integration suite (test/suite/*.ts -> out/test/suite/*.js). The suite runner bundles mocha, so the
// extension host needs nothing from node_modules; `vscode` stays external (the host provides it).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './host.mjs';

const esbuild = createRequire(path.join(ROOT, 'package.json'))('esbuild');

export const SUITE_SRC = path.join(ROOT, 'test/suite');
export const SUITE_OUT = path.join(ROOT, 'out/test/suite');

/** `production`: minified, no source maps — the bundle a .vsix ships. */
export function buildExtension({ production = false } = {}) {
  if (!fs.existsSync(path.join(ROOT, 'src/extension.ts'))) {
    throw new Error('src/extension.ts does not exist yet: nothing to load into VS Code');
  }
  const r = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), ...(production ? ['--production'] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error(`node esbuild.js failed (exit ${r.status})`);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) {
    throw new Error('node esbuild.js did not write dist/extension.js');
  }
}

/** Bundles test/suite/index.ts and every test/suite/*.test.ts; returns the path to load as extensionTestsPath. */
export async function buildSuite(src = SUITE_SRC, out = SUITE_OUT) {
  const entries = fs.readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => path.join(src, f));
  if (!entries.some((f) => path.basename(f) === 'index.ts')) {
    throw new Error(`${src}/index.ts is missing`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    nodePaths: [path.join(ROOT, 'node_modules')],
    logLevel: 'warning',
    // mocha's parallel mode (unused here) resolves worker files at run time
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return path.join(out, 'index');
}
