// A `.tcp` block's timeline in the editor: a run through the Testing view records each block's
// conversation, Show Timeline (on the test item's context menu, or `{ script, line }`) opens the last
// run's in the timeline webview, and its export holds the lanes, the byte counts and the failed step.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, Api, api, cleanup, logSince, must, run, scratchFolder, waitFor } from './helpers';

interface Json {
  lanes: string[];
  events: { kind: string; from?: number; to?: number; size?: number; lane?: number; text?: string }[];
}

describe('Script timelines (Show Timeline of a .tcp block in the Testing view)', () => {
  let a: Api;
  let dir: string;

  before(async () => {
    a = await api();
  });

  beforeEach(() => {
    dir = scratchFolder('script-timeline');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.stopAll();
    cleanup(dir);
  });

  it('the test items of the scripts controller offer Show Timeline in their context menu', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const items = pkg.contributes.menus['testing/item/context'] ?? [];
    assert.deepStrictEqual(
      items.map((m) => [m.command, m.when]),
      [['tcpWorkbench.showTimeline', 'controllerId == tcpWorkbench.scripts']],
    );
  });

  it('opens the last run of a block: a lane for its connection, each send and recv with its size, the failed step marked', async () => {
    const file = path.join(dir, 'tl.tcp');
    const lines = ['### mock', 'listen 127.0.0.1:0', 'on "HI\\n" send "HELLO\\n"', '', '### fails', 'connect {{listen.port}}', 'send "HI\\n"', 'expect "HELLX\\n"', ''];
    fs.writeFileSync(file, lines.join('\n'));
    const script = vscode.Uri.file(file).toString();
    const mark = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.showTimeline', { script, line: 6 }), undefined, 'no timeline before a run');
    assert.match(logSince(a, mark), /This block has no timeline yet: run it first/);

    const r = await must('tcpWorkbench.runScript', { uri: script, line: 6 });
    assert.deepStrictEqual([r.passed, r.failed], [0, 1]);
    const shown = await must('tcpWorkbench.showTimeline', { script, line: 6 });
    assert.match(shown.title, /tl\.tcp — fails/);
    assert.ok(shown.events >= 4, `events: ${shown.events}`);
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await waitFor(() => labels().some((l) => l.includes('tl.tcp — fails')), `the timeline webview to open (tabs: ${labels().join(', ')})`);

    const out = path.join(dir, 'tl.json');
    await must('tcpWorkbench.exportTimeline', { script, line: 7, format: 'json', path: out });
    const j = JSON.parse(fs.readFileSync(out, 'utf8')) as Json;
    assert.strictEqual(j.lanes.length, 2);
    assert.strictEqual(j.lanes[0], 'script');
    assert.match(j.lanes[1], /^127\.0\.0\.1:\d+$/);
    assert.deepStrictEqual(
      j.events.filter((e) => e.kind === 'write').map((e) => [e.from, e.to, e.size]),
      [[0, 1, 3]],
    );
    const read = j.events.filter((e) => e.kind === 'read' && e.from === 1 && e.to === 0).reduce((n, e) => n + (e.size ?? 0), 0);
    assert.strictEqual(read, 'HELLO\n'.length);
    const failed = j.events.find((e) => e.kind === 'action' && e.text?.startsWith('✗'));
    assert.ok(failed, JSON.stringify(j.events));
    assert.match(failed.text ?? '', /line 8 expect: expected "HELLX\\n" got "HELLO\\n"/);

    // A file's item names no single block.
    const mark2 = a.logLines().length;
    assert.strictEqual(await run('tcpWorkbench.showTimeline', { script }), undefined);
    assert.match(logSince(a, mark2), /Choose a block of the file/);
  });
});
