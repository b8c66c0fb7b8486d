// What we ship: `npm run package` builds tcp-workbench.vsix, and this reads the zip itself (central
// directory + inflate, no unzip needed) to check that it holds the bundle, the manifest, the translations
// and the walkthrough, and none of the sources, tests, node_modules or source maps. Set
// TCP_WORKBENCH_VSIX=<file> to check an existing package instead of building one.
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '../../..');
// Most of the package is the README's screenshots (about 1 MiB); the bundle itself is checked below.
const MAX_VSIX_BYTES = 2 * 1024 * 1024;
/** The production bundle's budget, kept beside the build that makes the bundle (bench row 7a reports against it too). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MAX_BUNDLE_BYTES } = require(path.join(ROOT, 'esbuild.js')) as { MAX_BUNDLE_BYTES: number };

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The entries of a zip file from its central directory; throws on anything that is not a plain zip. */
export function readZipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new Error('not a zip file: no end of central directory');
  }
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) {
      throw new Error(`bad central directory header at ${p}`);
    }
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    entries.push({
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export function readZipFile(zip: Buffer, e: ZipEntry): Buffer {
  const p = e.localOffset;
  if (zip.readUInt32LE(p) !== 0x04034b50) {
    throw new Error(`bad local header for ${e.name}`);
  }
  const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
  const raw = zip.subarray(start, start + e.compressedSize);
  const data = e.method === 0 ? raw : e.method === 8 ? zlib.inflateRawSync(raw) : undefined;
  if (!data) {
    throw new Error(`${e.name}: compression method ${e.method} not supported`);
  }
  if (data.length !== e.size) {
    throw new Error(`${e.name}: ${data.length} bytes inflated, ${e.size} expected`);
  }
  return data;
}

describe('the .vsix package', function () {
  this.timeout(240_000);
  let vsix: string;
  let zip: Buffer;
  let entries: ZipEntry[];
  let names: string[];
  const file = (name: string): Buffer => {
    const e = entries.find((x) => x.name === name);
    assert.ok(e, `${name} is not in the package`);
    return readZipFile(zip, e);
  };

  before(() => {
    vsix = process.env.TCP_WORKBENCH_VSIX ?? path.join(ROOT, 'tcp-workbench.vsix');
    if (!process.env.TCP_WORKBENCH_VSIX) {
      // Exactly what a person runs; it leaves tcp-workbench.vsix in the root for the editor tests to install.
      const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8', timeout: 200_000 });
      assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
    }
    zip = fs.readFileSync(vsix);
    entries = readZipEntries(zip);
    names = entries.map((e) => e.name);
    console.log(`      ${path.basename(vsix)}: ${(zip.length / 1024).toFixed(0)} KiB, ${names.length} files`);
  });

  it('the zip reader sees what a broken file is', () => {
    assert.throws(() => readZipEntries(Buffer.from('not a zip, just some text that is long enough')), /not a zip/);
  });

  it(`is smaller than ${MAX_VSIX_BYTES / 1024} KiB`, () => {
    assert.ok(zip.length < MAX_VSIX_BYTES, `${zip.length} bytes`);
    assert.ok(zip.length > 50 * 1024, `${zip.length} bytes is too small to hold the bundle`);
  });

  it('holds no sources, tests, node_modules, source maps or build leftovers', () => {
    const bad = names.filter(
      (n) =>
        /^extension\/(src|test|out|node_modules|scripts|bench|\.vscode-test|\.ci|\.git)\//.test(n) ||
        /\.(ts|map|vsix|tsbuildinfo|cpuprofile)$/.test(n) ||
        /(^|\/)\.[^/]+$/.test(n) ||
        n === 'extension/dist/cli.js',
    );
    assert.deepEqual(bad, []);
    assert.ok(
      names.every((n) => n.startsWith('extension/') || n === '[Content_Types].xml' || n === 'extension.vsixmanifest'),
      names.join('\n'),
    );
  });

  it('holds the bundle, the manifest, both languages, the icon, the licence, the readme and the changelog', () => {
    for (const n of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/package.nls.json',
      'extension/package.nls.zh-cn.json',
      'extension/l10n/bundle.l10n.json',
      'extension/l10n/bundle.l10n.zh-cn.json',
      'extension/media/tcp-workbench.svg',
      'extension/LICENSE.txt',
      'extension/readme.md',
      'extension/changelog.md',
    ]) {
      assert.ok(names.includes(n), `${n} is missing`);
    }
  });

  it('the packaged manifest is the repository one, and every file it names is in the package', () => {
    const shipped = JSON.parse(file('extension/package.json').toString('utf8'));
    const repo = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(shipped.version, repo.version);
    assert.deepEqual(shipped.contributes, repo.contributes);
    const referenced = new Set<string>([shipped.main.replace(/^\.\//, '')]);
    const walk = (v: unknown) => {
      // The language contributions name theirs as ./syntaxes/…, ./snippets/…, ./language-configuration.json.
      if (typeof v === 'string' && /^(\.\/)?((media|dist|docs|syntaxes|snippets)\/.+\.\w+|language-configuration\.json)$/.test(v)) {
        referenced.add(v.replace(/^\.\//, ''));
      } else if (v && typeof v === 'object') {
        Object.values(v).forEach(walk);
      }
    };
    walk(shipped.contributes);
    assert.ok(referenced.size >= 7, [...referenced].join(', '));
    for (const r of referenced) {
      assert.ok(names.includes(`extension/${r}`), `package.json names ${r}, which is not in the package`);
      if (r.endsWith('.md')) {
        assert.ok(names.includes(`extension/${r.replace(/\.md$/, '.nls.zh-cn.md')}`), `no Chinese page for ${r}`);
      }
    }
  });

  it('the translations in the package are the repository ones', () => {
    for (const f of ['package.nls.zh-cn.json', 'l10n/bundle.l10n.zh-cn.json']) {
      assert.deepEqual(JSON.parse(file(`extension/${f}`).toString('utf8')), JSON.parse(fs.readFileSync(path.join(ROOT, f), 'utf8')), f);
    }
  });

  it('every image the README shows is in the package', () => {
    const readme = file('extension/readme.md').toString('utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 4, `only ${images.length} images in the README`);
    for (const img of images) {
      assert.ok(names.includes(`extension/${img}`), `${img} is shown in the README but not packaged`);
    }
  });

  it('the bundle is the production build: minified, no source map, only vscode and Node built-ins required', () => {
    const js = file('extension/dist/extension.js').toString('utf8');
    assert.doesNotMatch(js, /sourceMappingURL/);
    // Minified output has a handful of very long lines (template literals keep their newlines); a readable
    // build of the same code has one line per statement, tens of thousands of them.
    assert.ok(js.split('\n').length < js.length / 2000, `not minified: ${js.split('\n').length} lines in ${js.length} bytes`);
    const required = new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    // A file of the package itself (dist/x509Lib.js, required lazily when a certificate is generated) is no foreign module.
    const own = (m: string) => m.startsWith('./') && names.includes(`extension/dist/${m.slice(2)}`);
    const foreign = [...required].filter((m) => m !== 'vscode' && !builtins.has(m) && !own(m));
    assert.deepEqual(foreign, [], 'the bundle needs modules the package does not contain');
    assert.ok(required.has('./x509Lib.js'), '@peculiar/x509 is bundled into extension.js instead of its lazy file');
    assert.ok(required.has('./re2Lib.js'), 're2js is bundled into extension.js instead of its lazy file');
    assert.ok(required.has('vscode'));
  });

  it(`the bundle stays within ${MAX_BUNDLE_BYTES / 1000} KB`, () => {
    const size = file('extension/dist/extension.js').length;
    assert.ok(size <= MAX_BUNDLE_BYTES, `extension.js is ${size} bytes`);
  });

  it('the production bundle still speaks every encoding offered, with the code pages it keeps (its CLI, built beside)', async function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-pkg-cli-'));
    const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js'), '--production', `--outdir=${dir}`], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
    assert.equal(build.status, 0, build.stderr);
    const cli = path.join(dir, 'cli.js');
    const cases: [string, string, string][] = [
      ['latin1', 'é', 'e9'],
      ['gbk', '中文', 'd6d0cec4'],
      ['gb18030', 'é中', 'a8a6d6d0'],
      ['utf-8', 'é', 'c3a9'],
    ];
    try {
      for (const [encoding, text, hex] of cases) {
        const got = await new Promise<string>((resolve, reject) => {
          const parts: Buffer[] = [];
          const server = net.createServer((s) => {
            s.on('data', (d: Buffer) => parts.push(d));
            s.on('end', () => s.end());
          });
          server.listen(0, '127.0.0.1', () => {
            const port = (server.address() as net.AddressInfo).port;
            execFile(process.execPath, [cli, 'send', `127.0.0.1:${port}`, text, '--encoding', encoding], { timeout: 15000 }, (e, _out, err) => {
              server.close();
              if (e) {
                reject(new Error(`${encoding}: ${e.message} ${err}`));
              } else {
                resolve(Buffer.concat(parts).toString('hex'));
              }
            });
          });
        });
        assert.ok(got.startsWith(hex), `${encoding}: sent ${got}, expected ${hex}…`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the version matches the top entry of CHANGELOG.md', () => {
    const shipped = JSON.parse(file('extension/package.json').toString('utf8'));
    const changelog = file('extension/changelog.md').toString('utf8');
    const top = /^## \[(\d+\.\d+\.\d+)\]/m.exec(changelog)?.[1];
    assert.equal(top, shipped.version);
  });
});
