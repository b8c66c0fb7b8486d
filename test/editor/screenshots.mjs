#!/usr/bin/env node
// npm run screenshots — drives the extension in VS Code 1.100.3 (code-server + chromium, offline) the way a
// person would and saves docs/images/*.png for the README. Every step waits for what it expects to see, so a
// broken flow stops with an error instead of saving a misleading picture.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import build from '../../esbuild.js';
import { INSTALL_DIR, ROOT, ensureHost } from './lib/host.mjs';
import { switchToZhCn } from './lib/languagePack.mjs';
import { stagePackage } from './lib/package.mjs';
import { untrustedTlsEcho } from './lib/ui.mjs';
import { hoverRow, notification, openViewContainer, pressInline, rowDescription, runCommand, startWorkbench, treeRow, view, waitFor, widenSideBar } from './lib/workbench.mjs';

const version = '1.100.3';
const outDir = path.join(ROOT, 'docs/images');
// The row says the port first (`:PORT · 1 client · echo`); the full address is in its tooltip.
const LISTENING = /^:(\d+) · /;

ensureHost([version]);
build.buildExtension({ production: true });
const staged = stagePackage(path.join(INSTALL_DIR, 'package'));
fs.mkdirSync(outDir, { recursive: true });

const wb = await startWorkbench({
  version,
  installPath: staged.dir,
  width: 1440,
  height: 810,
  // The DOM renderer draws the terminal with the page's fonts (Noto CJK for Chinese, from fonts-noto-cjk).
  settings: { 'tcpWorkbench.echoPort': 0, 'tcpWorkbench.filePort': 0, 'workbench.colorTheme': 'Default Light Modern', 'terminal.integrated.gpuAcceleration': 'off' },
});
const page = wb.page;
const sockets = [];
let untrusted;
let code = 0;

async function shot(name, what) {
  await page.waitForTimeout(600); // let hover, list and notification animations settle
  const file = path.join(outDir, name);
  await page.screenshot({ path: file });
  console.log(`[screenshots] ${path.relative(ROOT, file)}: ${what}`);
}

async function waitListening(row, what) {
  const d = await waitFor(async () => {
    const t = await rowDescription(row);
    return LISTENING.test(t) ? t : undefined;
  }, what);
  return Number(LISTENING.exec(d)[1]);
}

/** Opens a workspace file through Quick Open (the palette without its '>' prefix). */
async function openFile(name) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: name }).first();
  await pick.waitFor({ timeout: 15_000 });
  await pick.click();
  await page.locator('.tabs-container .tab').filter({ hasText: name }).first().waitFor({ timeout: 15_000 });
}

/** Accepts the first entry of an open quick pick whose text contains `text`. */
async function pickEntry(text) {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: text }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

async function dismissNotifications() {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
}

try {
  // 1. Echo server with clients: one plain socket from here (like nc), one session from the editor.
  await openViewContainer(page);
  await widenSideBar(page, 200);
  const servers = await view(page, 'Servers');
  const echo = treeRow(servers, 'Echo Server');
  await echo.waitFor({ timeout: 30_000 });
  await pressInline(echo, 'Start');
  const echoPort = await waitListening(echo, 'the Echo Server to listen');
  const nc = net.connect({ host: '127.0.0.1', port: echoPort });
  sockets.push(nc);
  await new Promise((resolve, reject) => nc.once('connect', resolve).once('error', reject));
  nc.write('hello from a terminal client\n');

  await runCommand(page, 'TCP: Connect to Server…');
  await pickEntry(`127.0.0.1:${echoPort}`);
  const connections = await view(page, 'Connections');
  await connections.locator('.monaco-list-row').first().waitFor({ timeout: 15_000 });
  await waitFor(async () => (await rowDescription(echo)).includes('2 clients'), 'the Echo Server to count 2 clients');
  await runCommand(page, 'View: Close All Editors'); // Connect opened the session's traffic beside
  if ((await echo.getAttribute('aria-expanded')) === 'false') {
    await echo.locator('.monaco-tl-twistie').click();
  }
  await openFile('messages.txt');
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+A');
  await runCommand(page, 'TCP: Send Selection');
  await dismissNotifications();
  await page.locator('.editor-instance .view-lines').first().click();
  await shot('echo-server-clients.png', 'an Echo Server with two clients, a session in Connections, messages.txt sent');

  // 2. The traffic log: what each side sent and received, with times and directions.
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'TCP: Show Traffic Log');
  await waitFor(
    async () => (await page.locator('.editor-instance .view-lines').first().textContent())?.replace(/\u00a0/g, ' ').includes('PING 3'),
    'the traffic log to show the lines of messages.txt',
  );
  await shot('traffic-log.png', 'the traffic log');

  // 3. A file server and the folder it serves (its tooltip names the root).
  const file = treeRow(servers, 'File Server');
  await pressInline(file, 'Start');
  await waitListening(file, 'the File Server to listen');
  await hoverRow(page, file, 'Root');
  await shot('file-server.png', 'a running File Server with the folder it serves');
  await page.mouse.move(900, 600);

  // 4. Download File…: the server's listing to pick from, then the finished download.
  await runCommand(page, 'TCP: Download File…');
  await pickEntry('File Server');
  await pickEntry('public/');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'data.bin' }).first().waitFor({ timeout: 15_000 });
  await shot('download-pick.png', "picking a file from the file server's listing");
  await pickEntry('data.bin');
  await notification(page, 'Downloaded data.bin');
  // The progress notification closes once the download's promise settles.
  await page
    .locator('.notifications-toasts .notification-toast')
    .filter({ hasText: 'Downloading' })
    .first()
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => console.warn('[screenshots] the "Downloading…" progress notification is still open 10 s after the download ended'));
  await shot('download-done.png', 'a finished download with its notification');

  // 5. A conversation file run from its CodeLens: both blocks pass against the file's own mock.
  await dismissNotifications();
  await runCommand(page, 'View: Close All Editors');
  await openFile('hello.tcp');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  const runAll = editor.locator('.codelens-decoration a', { hasText: /^▶ Run all$/ }).first();
  await runAll.waitFor({ timeout: 60_000 });
  await runAll.click();
  const passed = editor.locator('.codicon-testing-passed-icon');
  await waitFor(async () => (await passed.count()) >= 2, 'both blocks of hello.tcp to pass', 30_000);
  await shot('script-run.png', 'hello.tcp after ▶ Run all: its mock and two passing blocks');

  // 6. The session as a chat client in a terminal, and its traffic as hex with the decoded text beside it.
  await dismissNotifications();
  await runCommand(page, 'View: Close All Editors');
  const session = connections.locator('.monaco-list-row').first();
  await pressInline(session, 'Open Terminal');
  const screen = page.locator('.terminal-wrapper.active .xterm-rows, .terminal .xterm-rows').first();
  await waitFor(async () => (await screen.textContent())?.includes('Connected to'), 'the session terminal to greet');
  await page.locator('.terminal-wrapper.active .xterm, .terminal .xterm').first().click();
  await page.keyboard.type('hello 你好');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await screen.textContent())?.split('hello 你好').length === 3, 'the echo in the terminal');
  await runCommand(page, 'TCP: Traffic Layout…');
  await pickEntry('Text and Hex');
  await waitFor(
    async () => (await page.locator('.editor-instance .view-lines').first().textContent())?.replace(/\u00a0/g, ' ').includes('|hello 你好.|'),
    'the session traffic as hex with its text',
  );
  await shot('hex-terminal.png', 'a session in a terminal and its traffic as hex with the decoded text beside it');

  // 7. The same in Chinese (our strings; the fixture language pack leaves VS Code's own English).
  await wb.page.keyboard.press('Escape');
  for (const s of sockets.splice(0)) {
    s.destroy();
  }
  await switchToZhCn(wb);
  await runCommand(page, 'View: Hide Panel').catch(() => {}); // the reload brings back the terminal panel, empty
  await openViewContainer(page);
  const serversZh = await view(page, '服务器');
  const echoZh = treeRow(serversZh, '回显服务器');
  await echoZh.waitFor({ timeout: 30_000 });
  await pressInline(echoZh, '启动');
  const zhPort = await waitListening(echoZh, 'the Echo Server to listen (zh-cn)');
  const zh = net.connect({ host: '127.0.0.1', port: zhPort });
  sockets.push(zh);
  await new Promise((resolve, reject) => zh.once('connect', resolve).once('error', reject));
  zh.write('你好，回显服务器\n');
  await waitFor(async () => (await rowDescription(echoZh)).includes('1 个客户端'), 'the Echo Server to count 1 client (zh-cn)');
  await runCommand(page, 'TCP: 显示流量日志');
  await waitFor(
    async () => (await page.locator('.editor-instance .view-lines').first().textContent())?.includes('你好，回显服务器'),
    'the traffic log to show the Chinese line',
  );
  await hoverRow(page, echoZh, '正在监听');
  await shot('zh-cn.png', 'the Servers view, its tooltip and the traffic log in Chinese');

  // 8. A timeline in Chinese: three sends merged into one recv (粘包) with its note, then an abort with reset.
  await page.mouse.move(900, 600);
  await runCommand(page, 'TCP: 连接到服务器…');
  const zhInput = page.locator('.quick-input-widget input.input');
  await zhInput.waitFor({ timeout: 10_000 });
  await zhInput.fill(`127.0.0.1:${zhPort}`);
  await pickEntry(`127.0.0.1:${zhPort}`);
  await treeRow(await view(page, '连接'), `127.0.0.1:${zhPort}`).waitFor({ timeout: 20_000 });
  await runCommand(page, 'TCP: 显示时间线');
  const timeline = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  await timeline.locator('svg.tcp-timeline').waitFor({ timeout: 20_000 });
  await timeline.locator('#text').fill('ab;');
  await timeline.locator('#pieces').fill('3');
  await timeline.locator('button[data-action="together"]').click();
  await waitFor(async () => (await timeline.locator('svg .note').allTextContents()).some((t) => t.includes('3')), 'the merged-read note (zh-cn)');
  await timeline.locator('button[data-action="reset"]').click();
  await timeline.locator('g.mark.rst').first().waitFor({ timeout: 20_000 });
  // The session's traffic opened beside the timeline on the send (the reply on screen): give the drawing the room.
  await runCommand(page, 'View: Close Editors in Other Groups');
  await shot('timeline-zh-cn.png', 'a timeline in Chinese: three sends merged into one recv, then an abort with reset');

  // 9. TLS in Chinese: a server whose self-signed certificate nobody trusts. The prompt says why, with the
  // subject, issuer, validity and SHA-256 fingerprint; 显示证书链 opens the chain, 仍然连接 connects (a lock row).
  untrusted = await untrustedTlsEcho(fs.mkdtempSync(path.join(wb.tmp, 'untrusted-')));
  const tlsAddress = `127.0.0.1:${untrusted.port}`;
  await runCommand(page, 'View: Close All Editors');
  await dismissNotifications();
  await runCommand(page, 'TCP: 连接到服务器…');
  await zhInput.waitFor({ timeout: 10_000 });
  await zhInput.fill(`tls://${tlsAddress}`);
  await pickEntry(`tls://${tlsAddress}`);
  const untrustedPrompt = () => notification(page, `${tlsAddress} 的证书不受信任`);
  let prompt = await untrustedPrompt();
  await waitFor(async () => {
    const t = await prompt.innerText();
    return t.includes('自签名') && t.includes('主题：CN=untrusted.test') && t.includes(untrusted.fingerprint) && t.includes('仍然连接') && t.includes('显示证书链');
  }, 'the prompt to say why, the subject, the fingerprint and both buttons in Chinese');
  await page.mouse.move(900, 300);
  await shot('tls-untrusted-zh-cn.png', 'an untrusted certificate in Chinese: why, subject, issuer, validity, SHA-256, 仍然连接 / 显示证书链');
  await prompt.locator('.monaco-button', { hasText: '显示证书链' }).click();
  const chainText = page.locator('.editor-instance .view-lines').first();
  await waitFor(async () => (await chainText.textContent())?.includes('备用名称'), 'the chain document in Chinese');
  prompt = await untrustedPrompt(); // asked again beside the document
  await prompt.locator('.monaco-button', { hasText: '仍然连接' }).click();
  const tlsRow = treeRow(await view(page, '连接'), tlsAddress);
  await tlsRow.locator('.codicon-lock').waitFor({ timeout: 20_000 });
  // Connect opened the session's traffic beside the chain: give the chain document the whole editor, and the
  // room of the minimap and of some side bar, so its lines (the fingerprint's) show whole.
  await page
    .locator('.tabs-container .tab')
    .filter({ hasText: `${tlsAddress.replace(':', '_')} 的证书链` })
    .first()
    .click();
  await runCommand(page, 'View: Close Editors in Other Groups');
  await runCommand(page, 'View: Toggle Minimap');
  await widenSideBar(page, -140);
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+End'); // the cursor on the empty last line: no word highlighted
  await page.mouse.move(900, 700);
  await shot('tls-chain-zh-cn.png', 'the certificate chain in Chinese beside a TLS session row with its lock');
} catch (e) {
  code = 1;
  console.error(`[screenshots] ${e.stack || e}`);
  await wb.fail('a screenshot step failed');
} finally {
  for (const s of sockets) {
    s.destroy();
  }
  await untrusted?.close();
  await wb.close();
  if (code === 0) {
    fs.rmSync(wb.tmp, { recursive: true, force: true });
  }
}
process.exit(code);
