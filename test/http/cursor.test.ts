// A hand-made cursor for a bigint key (account blocks) is refused before it reaches the database when it could not
// be one of its 64-bit integers: 400 naming `cursor`, never a driver error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../../src/http/errors.js';
import { bigintCursor } from '../../src/http/routes/registry.js';

describe('bigint cursors', () => {
  it('takes up to 18 digits and refuses longer or non-digit keys naming cursor', () => {
    assert.equal(bigintCursor(undefined), undefined);
    assert.equal(bigintCursor(['999999999999999999']), 999_999_999_999_999_999n);
    for (const bad of ['9223372036854775808', '1'.repeat(30), '-1', '1e3', '']) {
      assert.throws(() => bigintCursor([bad]), (e: unknown) => e instanceof HttpError && e.statusCode === 400 && e.field === 'cursor', bad);
    }
  });
});
