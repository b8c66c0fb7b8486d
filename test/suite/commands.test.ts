// The manifest and the code agree on the commands: every contributed command is registered, and every
// registered tcpWorkbench.* command is contributed (so none is missing from the palette or the menus).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO, api } from './helpers';

describe('Commands (manifest against the extension host)', () => {
  it('every manifest command is registered and every registered tcpWorkbench.* command is in the manifest', async () => {
    await api();
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
    };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    // VS Code adds `<view id>.focus`, `.open`, `.removeView`… for each contributed view: those are its own.
    const views = Object.values(manifest.contributes.views).flatMap((vs) => vs.map((v) => `${v.id}.`));
    assert.ok(views.length >= 2, JSON.stringify(views));
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('tcpWorkbench.') && !views.some((v) => c.startsWith(v))).sort();
    assert.ok(contributed.length > 20, `only ${contributed.length} commands in package.json`);
    assert.deepStrictEqual(
      contributed.filter((c) => !registered.includes(c)),
      [],
      'contributed but not registered',
    );
    assert.deepStrictEqual(
      registered.filter((c) => !contributed.includes(c)),
      [],
      'registered but not contributed',
    );
  });
});
