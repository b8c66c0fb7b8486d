// The highlighting grammar keeps up with the parser: every step word the parser knows is coloured as a
// keyword, and every step that takes a connection colours the name before it (`alice reset`).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_STEPS } from '../../../src/core/script/steps';
import { CONNECTION_STEPS } from '../../../src/core/script/groups';

interface Pattern {
  match?: string;
  name?: string;
  captures?: Record<string, { name: string }>;
}

const GRAMMAR = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../syntaxes/tcp.tmLanguage.json'), 'utf8')) as {
  repository: Record<string, { patterns: Pattern[] }>;
};

/** The scope the grammar's keyword patterns give the first word of `line`, or undefined. */
function keywordScope(line: string): string | undefined {
  for (const p of GRAMMAR.repository.keyword.patterns) {
    const m = p.match ? new RegExp(p.match).exec(line) : null;
    if (m && m.index === 0) {
      return p.name ?? p.captures?.['1']?.name;
    }
  }
  return undefined;
}

describe('the .tcp grammar', () => {
  it('colours every step word of the parser as a keyword', () => {
    const samples: Record<string, string> = { nodelay: 'nodelay on', 'any order': 'any order' };
    const missing = CLIENT_STEPS.filter((w) => !/^keyword\./.test(keywordScope(samples[w] ?? w) ?? ''));
    assert.deepEqual(missing, []);
  });

  it('colours the provoke modifiers and nodelay off', () => {
    assert.equal(keywordScope('pieces'), 'storage.modifier.tcp');
    assert.equal(keywordScope('gap'), 'storage.modifier.tcp');
    const p = GRAMMAR.repository.keyword.patterns.find((x) => x.match?.includes('nodelay'));
    assert.equal(new RegExp(p?.match ?? '$^').exec('nodelay off')?.[2], 'off');
  });

  it('colours the connection name before every step that takes one', () => {
    const named = GRAMMAR.repository.connectionName.patterns[1];
    const missing = [...CONNECTION_STEPS].filter((s) => new RegExp(named.match ?? '$^').exec(`alice ${s}`)?.[1] !== 'alice');
    assert.deepEqual(missing, []);
    assert.equal(new RegExp(named.match ?? '').exec('reset send'), null, 'a step word is no connection name');
  });
});
