// The manifest's `when` clauses name languages we contribute: a misspelt language id hides a command silently.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
