// The CLI as an npm package: bundles src/cli.ts alone (minified, no runtime dependencies) into dist-cli/,
// writes its package.json (name, version and licence from the root manifest, which stays the extension's),
// README (docs/ci.md) and LICENSE there, and runs `npm pack` → tcp-workbench-<version>.tgz in the root.
// `npm run package` runs it after the .vsix; `node scripts/pack-cli.mjs [--out DIR]` on its own.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAGE = path.join(ROOT, 'dist-cli');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : ROOT;

const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
fs.rmSync(STAGE, { recursive: true, force: true });
const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), 'cli'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  process.exit(build.status ?? 1);
}
const manifest = {
  name: root.name,
  version: root.version,
  description: 'TCP Workbench headless: run .tcp conversation tests in CI, serve echo/file/mock/relay servers, and give agents TCP tools over MCP.',
  license: root.license,
  keywords: ['tcp', 'socket', 'testing', 'mock', 'netcat', 'junit', 'mcp'],
  bin: { 'tcp-workbench': 'cli.js' },
  main: 'cli.js',
  files: ['cli.js', 'README.md', 'LICENSE'],
  engines: { node: '>=20' },
};
fs.writeFileSync(path.join(STAGE, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
fs.copyFileSync(path.join(ROOT, 'docs/ci.md'), path.join(STAGE, 'README.md'));
fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(STAGE, 'LICENSE'));
fs.chmodSync(path.join(STAGE, 'cli.js'), 0o755);
fs.mkdirSync(out, { recursive: true });
const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: STAGE, encoding: 'utf8' }).trim().split('\n').pop();
const tgz = path.join(out, name);
console.log(
  `${path.relative(process.cwd(), tgz) || tgz}: ${(fs.statSync(tgz).size / 1024).toFixed(0)} KiB (cli.js ${(fs.statSync(path.join(STAGE, 'cli.js')).size / 1024).toFixed(0)} KiB)`,
);
