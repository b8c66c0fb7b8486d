// Builds the extension and the CLI into dist/ (bundled), and with --tests transpiles the core, the CLI
// and the unit tests into out/ for plain-Node mocha. --watch rebuilds on change; --production minifies.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** Prints errors in the shape VS Code's esbuild problem matcher reads. */
const problemMatcher = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) {
          console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * iconv-lite's code tables for encodings we do not offer (Japanese, Korean, Big5) are most of its size;
 * it requires each lazily when that encoding is first used, so they become a module that throws.
 * checkEncoding() in src/core/codec.ts only lets utf-8, gbk, gb18030, latin1 and hex through.
 */
const UNUSED_ICONV_TABLES = /[\\/]tables[\\/](shiftjis|eucjp|cp949|cp950|big5-added)\.json$/;
const dropUnusedIconvTables = {
  name: 'drop-unused-iconv-tables',
  setup(build) {
    build.onResolve({ filter: UNUSED_ICONV_TABLES }, (a) => ({ path: a.path, namespace: 'iconv-unused' }));
    build.onLoad({ filter: /.*/, namespace: 'iconv-unused' }, (a) => ({
      contents: `throw new Error('iconv-lite table ${a.path} is not bundled');`,
      loader: 'js',
    }));
  },
};

function listTs(dir) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      return listTs(p);
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

async function main() {
  const options = tests
    ? {
        // One output file per source file, so mocha loads test/unit/*.test.js and stack traces stay readable.
        entryPoints: [...listTs('src/core'), ...listTs('src/cli'), 'src/cli.ts', ...listTs('test/unit')].filter((f) => fs.existsSync(f)),
        outdir: 'out',
        outbase: '.',
        bundle: false,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcemap: 'inline',
        logLevel: 'warning',
      }
    : {
        entryPoints: { extension: 'src/extension.ts', cli: 'src/cli.ts' },
        outdir: 'dist',
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        minify: production,
        sourcemap: !production,
        sourcesContent: false,
        external: ['vscode'],
        logLevel: 'warning',
        plugins: [dropUnusedIconvTables, problemMatcher],
      };
  if (!tests) {
    options.entryPoints = Object.fromEntries(Object.entries(options.entryPoints).filter(([, f]) => fs.existsSync(f)));
  }
  const ctx = await esbuild.context(options);
  if (watch) {
    await ctx.watch();
  } else {
    await ctx.rebuild();
    await ctx.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
