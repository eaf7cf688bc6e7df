/**
 * uvu 0.5 loses the error of a suite's `before` or `after` hook: its runner's
 * `finally { … return … }` drops the exception, so a file whose set-up failed
 * (a server that did not start, a browser that did not launch) showed
 * "(0 / 8)" and no reason at all. scripts/run-tests.ts preloads this file:
 * the default suite's `before` and `after` hooks print their error, with its
 * stack, before rethrowing it. (`before.each` and `after.each` errors are
 * reported by uvu itself, with the test they belong to.)
 */
import { test } from 'uvu';

type Fn = (context: unknown) => unknown;
type Register = ((fn: Fn) => void) & { each: (fn: Fn) => void };

function loud(register: Register, label: string): Register {
  const wrapped = (fn: Fn) =>
    register(async (context) => {
      try {
        return await fn(context);
      } catch (err) {
        process.stderr.write(`\n# ${label} hook failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        throw err;
      }
    });
  return Object.assign(wrapped, { each: register.each });
}

const hooks = test as unknown as { before: Register; after: Register };
hooks.before = loud(hooks.before, 'before');
hooks.after = loud(hooks.after, 'after');
