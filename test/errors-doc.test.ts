/** The error registry and docs/errors.md name the same codes with the same statuses. */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, ERRORS, HttpErrors } from '../server/errors.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));

test('every registered error code is documented with its status', () => {
  for (const [code, spec] of Object.entries(ERRORS)) {
    assert.ok(documented.has(code), `${code} is missing from docs/errors.md`);
    assert.is(documented.get(code), spec.status, `${code} has another status in docs/errors.md`);
  }
});

test('the docs list no code the registry does not have', () => {
  for (const code of documented.keys()) assert.ok(Object.hasOwn(ERRORS, code), `${code} is documented but not registered`);
});

test('codes are stable snake_case and an AppError carries code, status and a filled-in message', () => {
  for (const code of Object.keys(ERRORS)) assert.match(code, /^[a-z]+(_[a-z]+)*$/);
  const err = new AppError('unknown_province', 'ZZ');
  assert.equal([err.code, err.statusCode, err.message], ['unknown_province', 400, 'Unknown province code: ZZ']);
  const plain = new AppError('not_found');
  assert.is(plain.message, 'Not found');
  assert.is(new HttpErrors.not_found().statusCode, 404);
});

test.run();
