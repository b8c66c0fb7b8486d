// Error codes are one typed union (src/core/errors.ts): a misspelled code is a compile error where an
// error is thrown and in the extension's message tables. The @ts-expect-error lines below are the test:
// `npm run typecheck` (which covers the tests) fails when one of them compiles.
import * as assert from 'node:assert/strict';
import type { Sentences } from '../../src/common/featureMessages';
import { ErrorCode, WorkbenchError } from '../../src/core/errors';
import { refusal } from '../../src/core/refusals';

describe('error and refusal codes', () => {
  it('take only the codes of the union', () => {
    const ok: ErrorCode = 'connect.refused';
    assert.equal(new WorkbenchError(ok, 'refused').code, 'connect.refused');
    // @ts-expect-error a misspelled code
    assert.equal(new WorkbenchError('conect.refused', 'refused').code, 'conect.refused');
    // @ts-expect-error a code of a kind that does not exist
    const typo: ErrorCode = 'address.noPrt';
    assert.equal(typo, 'address.noPrt');
    const table: Sentences = {
      'connect.refused': () => 'refused',
      // @ts-expect-error a misspelled key of a message table
      'conect.timeout': () => 'timeout',
    };
    assert.equal(Object.keys(table).length, 2);
    // @ts-expect-error a misspelled refusal code
    assert.throws(() => refusal('refusal.emptyNam'));
    assert.equal(refusal('refusal.connectionLimit', { max: 3 }).reason, 'connection limit reached (3)');
  });
});
