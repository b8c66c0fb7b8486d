// Switching a test workbench to the zh-cn display language (the l10n UI test and the zh-cn screenshot).
// VS Code applies a display language only when a language pack for it is installed, and the real Chinese pack
// comes from the marketplace, which these offline tests cannot reach. So we install a fixture language pack
// with no translations (fixtures/zh-cn-language-pack) through "Extensions: Install from VSIX..." — the way a
// person does, which makes VS Code register it in languagepacks.json — set "locale": "zh-cn" in argv.json as
// "Configure Display Language" does, and reload the window. The workbench stays English; our strings are Chinese.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EDITOR_DIR, ROOT } from './host.mjs';
import { runCommand, waitFor } from './workbench.mjs';

/** Packs the fixture language pack into `dir` with vsce; returns the .vsix path. */
export function packFixture(dir) {
  const out = path.join(dir, 'zh-cn-language-pack.vsix');
  const r = spawnSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: path.join(EDITOR_DIR, 'fixtures/zh-cn-language-pack'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) {
    throw new Error(`packing the fixture language pack failed: ${r.stderr || r.stdout}`);
  }
  return out;
}

/**
 * "Extensions: Install from VSIX...": the web workbench asks with its own file dialog, a quick input that
 * takes a path. It fills in the home folder once it has read it, and may still be reading when we type, so
 * an attempt that installs nothing is made again (three at most).
 */
export async function installFromVsix(page, vsix, installed) {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Extensions: Install from VSIX...');
    const input = page.locator('.quick-input-widget input.input');
    await waitFor(async () => (await input.inputValue().catch(() => '')).startsWith('/'), 'the file dialog to show a folder');
    await page.waitForTimeout(500);
    await input.fill(vsix);
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    try {
      await waitFor(installed, `VS Code to install ${path.basename(vsix)} and register its language`, 20_000);
      return;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (attempt >= 3) {
        throw e;
      }
    }
  }
}

/** Installs the fixture pack into a started workbench (startWorkbench's result), sets zh-cn and reloads. */
export async function switchToZhCn(wb) {
  const page = wb.page;
  const vsix = packFixture(wb.tmp);
  const userData = path.join(wb.tmp, 'user-data');
  const packs = path.join(userData, 'languagepacks.json');
  await installFromVsix(page, vsix, () => fs.existsSync(packs) && 'zh-cn' in JSON.parse(fs.readFileSync(packs, 'utf8')));
  fs.writeFileSync(path.join(userData, 'User', 'argv.json'), JSON.stringify({ locale: 'zh-cn' }));
  await page.reload();
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90_000 });
}
