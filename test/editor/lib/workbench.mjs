// Drives the VS Code workbench like a person does — activity bar, tree rows, inline buttons, the command
// palette, notifications — for the UI tests, the screenshots and `npm start`. Selectors are VS Code's own
// DOM classes and ARIA labels, stable across 1.100 and 1.139.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EDITOR_DIR, openWorkbench, reportFailure, startCodeServer } from './host.mjs';
import { installStaged } from './package.mjs';

export const VIEW_CONTAINER_TITLE = 'TCP Workbench';

/**
 * Starts code-server and chromium on a copy of the sample workspace with the extension loaded (for development
 * from `extensionDevelopmentPath`, or installed from the staged package `installPath`), and waits until the
 * workbench has rendered. Returns { server, page, workspace, close(), fail(why) }.
 */
export async function startWorkbench({ version, extensionDevelopmentPath, installPath, width = 1280, height = 800, port, settings = {}, quiet = true }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tcp-workbench-ui-${version}-`));
  const workspace = path.join(tmp, 'sample-workspace');
  fs.cpSync(path.join(EDITOR_DIR, 'sample-workspace'), workspace, { recursive: true });
  const server = await startCodeServer({ version, tmp, port, settings });
  let wb;
  try {
    if (installPath) {
      // Installed like a .vsix rather than loaded for development (no "[Extension Development Host]").
      installStaged(installPath, path.join(tmp, 'extensions'));
    }
    wb = await openWorkbench(server, { folder: workspace, extensionDevelopmentPath, width, height, quiet });
    await wb.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90_000 });
  } catch (e) {
    await reportFailure(server, wb?.page, `the workbench did not render: ${e.message}`);
    await wb?.close();
    await server.stop();
    throw e;
  }
  return {
    server,
    page: wb.page,
    workspace,
    tmp,
    fail: (why) => reportFailure(server, wb.page, why),
    close: async () => {
      await wb.close();
      await server.stop();
    },
  };
}

/** Clicks our view container in the activity bar (if it is not open already) and waits for its views. */
export async function openViewContainer(page, title = VIEW_CONTAINER_TITLE) {
  const item = page.locator(`.part.activitybar .action-item a[aria-label^="${title}"]`).first();
  await item.waitFor({ timeout: 60_000 });
  const sideBarTitle = page.locator('.part.sidebar .composite.title h2');
  if (!(await sideBarTitle.textContent().catch(() => ''))?.toUpperCase().includes(title.toUpperCase())) {
    await item.click();
  }
  await page.locator('.part.sidebar .composite.title').getByText(title, { exact: false }).first().waitFor({ timeout: 30_000 });
}

/** The pane (view) with this name in the side bar, e.g. "Servers"; expanded if it was collapsed. */
export async function view(page, name) {
  const header = page
    .locator('.part.sidebar .pane-header')
    .filter({ has: page.locator('h3.title', { hasText: new RegExp(`^${escapeRe(name)}$`, 'i') }) })
    .first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') {
    await header.click();
  }
  return header.locator('xpath=..');
}

/** A tree row whose label is `label` (exact), inside `scope` (a view or the page). */
export function treeRow(scope, label) {
  return scope
    .locator('.monaco-list-row')
    .filter({
      has: scope.page().locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }),
    })
    .first();
}

/** The description (grey text after the label) of a tree row. */
export async function rowDescription(row) {
  return (
    (await row
      .locator('.label-description')
      .first()
      .textContent({ timeout: 5_000 })
      .catch(() => '')) ?? ''
  );
}

/** Makes the side bar wider by dragging its edge (descriptions are cut at the default width). */
export async function widenSideBar(page, by = 200) {
  const box = await page.locator('.part.sidebar').boundingBox();
  const x = box.x + box.width - 1;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by, y, { steps: 10 });
  await page.mouse.up();
}

/**
 * Shows a tree row's tooltip the way a mouse does (moving onto it); returns the hover's locator. Retried,
 * because a view that redraws (client ages tick) closes an open hover.
 */
export async function hoverRow(page, row, text) {
  const hover = page.locator('.monaco-hover').filter({ hasText: text }).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(700, 700);
    await page.waitForTimeout(300);
    const box = await row.boundingBox();
    await page.mouse.move(box.x + 60, box.y + box.height / 2, { steps: 5 });
    try {
      await hover.waitFor({ timeout: 4_000 });
      return hover;
    } catch (e) {
      if (attempt >= 5) {
        throw e;
      }
    }
  }
}

/** Presses an inline action button (shown on hover) of a tree row, found by its title, e.g. "Start". */
export async function pressInline(row, title) {
  await row.hover();
  const button = row.locator(`.actions .action-label[aria-label^="${title}"]`).first();
  await button.waitFor({ timeout: 10_000 });
  await button.click();
}

/**
 * Runs a command from the command palette by its title ("TCP: Stop All Servers"). The palette is opened
 * again until it offers the command (within `timeout`): on a loaded 2-core machine a freshly installed
 * extension's commands take a while to show, and a palette opened too early can keep a stale list.
 */
export async function runCommand(page, title, timeout = 60_000) {
  const pick = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({
      has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(title)}$`) }),
    })
    .first();
  await openUntilOffered(page, 'F1', `>${title}`, pick, timeout, `the command palette never offered "${title}"`);
  await pick.click();
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => {});
}

/**
 * Answers an open quick input (input box) with `text` and Enter. With `prompt`, first waits until the box shows
 * that prompt: one input box follows another in the same widget, so without it an answer can land in the box
 * that is just closing.
 */
export async function answerInput(page, text, prompt) {
  const input = page.locator('.quick-input-widget input.input');
  if (prompt) {
    await page.locator('.quick-input-widget').filter({ hasText: prompt }).first().waitFor({ timeout: 10_000 });
  }
  await input.waitFor({ timeout: 10_000 });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/** Clicks Add Server… in the Servers view's title bar (the view container is open); returns the view. */
export async function openAddServer(page) {
  const servers = await view(page, 'Servers');
  const header = servers.locator('.pane-header').first();
  await header.hover();
  await header.locator('.actions .action-label[aria-label^="Add Server"]').first().click();
  return servers;
}

/** Accepts the item labelled exactly `label` in the open quick pick. */
export async function choose(page, label) {
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }) })
    .first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/**
 * Answers the save dialog (in the browser, VS Code's simple dialog: a path box) with `dest` once its box shows
 * a name ending in `suffix`; waits until the file is there. The dialog checks a typed path before it takes it:
 * OK (or Enter) again until the file exists.
 */
export async function saveAs(page, dest, suffix) {
  const input = page.locator('.quick-input-widget input.input');
  await waitFor(async () => (await input.inputValue().catch(() => '')).endsWith(suffix), `the save dialog with a ${suffix} name`);
  await input.fill(dest);
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first();
  for (let i = 0; i < 5 && !fs.existsSync(dest); i++) {
    await page.waitForTimeout(500);
    if (await ok.isVisible().catch(() => false)) {
      await ok.click().catch(() => undefined);
    } else if (await input.isVisible().catch(() => false)) {
      await page.keyboard.press('Enter');
    }
    await waitFor(() => fs.existsSync(dest), `${dest} to be saved`, 4_000).catch(() => undefined);
  }
  await waitFor(() => fs.existsSync(dest), `${dest} to be saved`);
}

/**
 * Right-clicks `row` and runs the menu item `label` (a RegExp or text), until the quick input opens (3 tries):
 * a menu item runs on a mouse up that follows its own mouse down, and a busy workbench can drop one of the two.
 */
export async function runFromContextMenu(page, row, label) {
  for (let i = 0; i < 3; i++) {
    await row.click({ button: 'right' });
    const item = page.locator('.context-view .action-menu-item').filter({ hasText: label }).first();
    const shown = await item.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (shown) {
      await item.hover();
      await item.click({ delay: 150 });
      const opened = await page
        .locator('.quick-input-widget')
        .waitFor({ state: 'visible', timeout: 5_000 })
        .then(
          () => true,
          () => false,
        );
      if (opened) {
        return;
      }
    }
    await page.keyboard.press('Escape');
  }
  throw new Error(`the context menu item ${label} of the row never opened its quick input`);
}

/** Waits for a notification toast containing `text`; returns its locator. */
export async function notification(page, text, timeout = 30_000) {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
  await toast.waitFor({ timeout });
  return toast;
}

/** Polls fn() until it returns a truthy value or `timeout` ms pass; returns the value or throws `what`. */
export async function waitFor(fn, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Opens a workspace file with Quick Open (Ctrl+P). A file written a moment ago may not be in the file search yet,
 * and Quick Open keeps the answer it gave: so close it and ask again until the file is offered.
 */
export async function quickOpenFile(page, name, timeout = 60_000) {
  const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: name }).first();
  await openUntilOffered(page, 'Control+P', name, pick, timeout, `Quick Open never offered ${name}`);
  await pick.click();
  await page.locator('.editor-instance .monaco-editor').first().waitFor({ timeout: 20_000 });
}

/**
 * Opens a quick input with `key`, types `text` and waits for `pick`; it closes and opens it again until
 * `pick` shows (within `timeout`), since a quick input opened too early can keep a stale list.
 */
async function openUntilOffered(page, key, text, pick, timeout, what) {
  const input = page.locator('.quick-input-widget input.input');
  const deadline = Date.now() + timeout;
  for (;;) {
    await page
      .locator('.monaco-workbench')
      .click({ position: { x: 5, y: 5 }, force: true })
      .catch(() => {});
    await page.keyboard.press(key);
    await input.waitFor({ timeout: 10_000 });
    await input.fill(text);
    try {
      await pick.waitFor({ timeout: 10_000 });
      return;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`${what}: ${e.message}`);
      }
    }
  }
}
