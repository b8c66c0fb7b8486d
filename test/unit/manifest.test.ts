// The manifest agrees with the code: `when` clauses name languages we contribute (a misspelt language id hides a
// command silently), and the ids of views and context keys are the ones the code uses.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextKeys, StatusBarIds, StorageKeys, TEST_CONTROLLER_ID, ViewIds } from '../../src/common/ids';

const ROOT = path.resolve(__dirname, '../../..');

describe('the manifest', () => {
  it('every editorLangId / resourceLangId in a when clause is a language the manifest contributes', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const ours = new Set<string>(manifest.contributes.languages.map((l: { id: string }) => l.id));
    const whens = JSON.stringify(manifest.contributes).match(/(editorLangId|resourceLangId) == [\w-]+/g) ?? [];
    assert.ok(whens.length > 0, 'no language clauses found: the check would check nothing');
    const unknown = whens.filter((w) => !ours.has(w.split(' == ')[1]));
    assert.deepStrictEqual(unknown, [], `languages we contribute: ${[...ours].join(', ')}`);
  });
});

describe('the ids of src/common/ids.ts', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  it('every view id is a view the manifest contributes', () => {
    const views = new Set<string>(Object.values<{ id: string }[]>(manifest.contributes.views).flatMap((list) => list.map((v) => v.id)));
    const missing = Object.values(ViewIds).filter((id) => !views.has(id));
    assert.deepStrictEqual(missing, [], `views contributed: ${[...views].join(', ')}`);
  });

  it('every context key is read by a when clause, and every tcpWorkbench key a when clause reads is one of them', () => {
    const text = JSON.stringify(manifest.contributes);
    const read = new Set((text.match(/"when":"[^"]*"/g) ?? []).flatMap((w) => w.match(/tcpWorkbench\.\w+/g) ?? []));
    const ours = new Set<string>([...Object.values(ContextKeys), ...Object.values(ViewIds), TEST_CONTROLLER_ID]);
    assert.deepStrictEqual(
      Object.values(ContextKeys).filter((k) => !read.has(k)),
      [],
      'a context key no when clause reads',
    );
    assert.deepStrictEqual(
      [...read].filter((k) => !ours.has(k)),
      [],
      'a when clause reads a key nothing sets',
    );
  });

  it('one id per thing: no string names two things', () => {
    const all = [...Object.values(ViewIds), ...Object.values(StatusBarIds), ...Object.values(ContextKeys), ...Object.values(StorageKeys), TEST_CONTROLLER_ID];
    const commands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    const twice = all.filter((id, i) => all.indexOf(id) !== i || commands.has(id));
    assert.deepStrictEqual(twice, []);
  });
});
