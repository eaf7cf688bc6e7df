/**
 * Assertions that something is refused with a given AppError code (and, when
 * asked, a message matching `why`): for a promise, and for a call that throws.
 */
import * as assert from 'uvu/assert';
import { AppError } from '../../server/errors.ts';

export async function refused(promise: Promise<unknown>, code: string, why?: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, AppError, `expected an AppError, got ${String(err)}`);
    assert.is((err as AppError).code, code);
    if (why) assert.match((err as AppError).message, why);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

export function refusedSync(fn: () => unknown, code: string, why?: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, AppError);
    assert.is((err as AppError).code, code);
    if (why) assert.match((err as AppError).message, why);
    return;
  }
  assert.unreachable(`expected ${code}`);
}
