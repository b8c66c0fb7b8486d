#!/usr/bin/env node
// Regenerates l10n/bundle.l10n.json from every vscode.l10n.t('…') call in src/**/*.ts, so the English
// bundle is a product of the code, never edited by hand. Parsed with the TypeScript compiler (already a
// dev dependency), so escapes and quotes in the strings come out exactly as VS Code will look them up.
//   node scripts/l10n-export.js          write the bundle
//   node scripts/l10n-export.js --check  exit 1 if the bundle is out of date (what the unit test runs)
//   --src DIR, --bundle FILE             other sources / bundle (the unit test checks the checker with them)
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const BUNDLE = path.join(ROOT, 'l10n', 'bundle.l10n.json');

function listTs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      return listTs(p);
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** `vscode.l10n.t` or `l10n.t` (after `import { l10n } from 'vscode'`). */
function isL10nT(expr) {
  if (!ts.isPropertyAccessExpression(expr) || expr.name.text !== 't') {
    return false;
  }
  const obj = expr.expression;
  if (ts.isIdentifier(obj)) {
    return obj.text === 'l10n';
  }
  return ts.isPropertyAccessExpression(obj) && obj.name.text === 'l10n' && ts.isIdentifier(obj.expression) && obj.expression.text === 'vscode';
}

/**
 * Every message passed to vscode.l10n.t in `files`: { messages: Map<message, first "file:line">, errors }.
 * A call whose message is not a plain literal is an error: no tool could put it in the bundle.
 */
function extract(files) {
  const messages = new Map();
  const errors = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node) => {
      if (ts.isCallExpression(node) && isL10nT(node.expression)) {
        const where = `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
        const arg = node.arguments[0];
        if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
          if (!messages.has(arg.text)) {
            messages.set(arg.text, where);
          }
        } else {
          errors.push(`${where}: vscode.l10n.t needs a string literal as its message`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { messages, errors };
}

/** The bundle text for a set of messages: sorted keys, each message its own English text. */
function render(messages) {
  const keys = [...messages].sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, k])), null, 2) + '\n';
}

function sourceFiles(dir = path.join(ROOT, 'src')) {
  return listTs(dir);
}

function option(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? path.resolve(process.argv[i + 1]) : def;
}

module.exports = { extract, render, sourceFiles, BUNDLE, ROOT };

if (require.main === module) {
  const bundle = option('--bundle', BUNDLE);
  const { messages, errors } = extract(sourceFiles(option('--src', undefined)));
  if (errors.length > 0) {
    console.error(errors.join('\n'));
    process.exit(1);
  }
  const want = render(messages.keys());
  const have = fs.existsSync(bundle) ? fs.readFileSync(bundle, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (want !== have) {
      const wantKeys = new Set(messages.keys());
      let haveKeys = new Set();
      try {
        haveKeys = new Set(Object.keys(JSON.parse(have)));
      } catch {
        console.error(`  ${path.relative(ROOT, bundle)} is missing or not JSON`);
      }
      const added = [...wantKeys].filter((k) => !haveKeys.has(k));
      const gone = [...haveKeys].filter((k) => !wantKeys.has(k));
      console.error(`${path.relative(ROOT, bundle)} is out of date: run node scripts/l10n-export.js`);
      for (const k of added) {
        console.error(`  missing: ${JSON.stringify(k)} (${messages.get(k)})`);
      }
      for (const k of gone) {
        console.error(`  no longer in the code: ${JSON.stringify(k)}`);
      }
      process.exit(1);
    }
    console.log(`${path.relative(ROOT, bundle)} is up to date (${messages.size} strings)`);
  } else {
    fs.writeFileSync(bundle, want);
    console.log(`wrote ${path.relative(ROOT, bundle)} (${messages.size} strings)`);
  }
}
