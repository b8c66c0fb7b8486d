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
        entryPoints: [...listTs('src/core'), 'src/cli.ts', ...listTs('test/unit')].filter((f) => fs.existsSync(f)),
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
        plugins: [problemMatcher],
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
