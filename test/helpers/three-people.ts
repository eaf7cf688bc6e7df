/**
 * The people of the suites about chats passing between advisors: a worker and two advisors, Anna and Bruno,
 * each at their own computer (a browser context of their own), against one server process started for the
 * suite. A suite says its name, its server's settings and what else it keeps between tests, and hooks
 * `start` and `stop` (test.before, test.after) where it runs. Signing in is the tests' own step (pages.ts:
 * signInAdvisor, workerAsksForChat): when, and who first, is what they are about.
 */
import type { Page } from 'playwright-core';
import type { browserHarness } from './browser.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

type Harness = ReturnType<typeof browserHarness>;

/** Their pages and the server's address, set by start(); `more`: the suite's own state, kept alongside. */
export function threePeople<More extends object = object>(chromium: Harness, name: string, env: Record<string, string>, more?: More) {
  const people = Object.assign({ proc: null as ServerProcess | null, base: '', worker: null as unknown as Page, anna: null as unknown as Page, bruno: null as unknown as Page }, more);
  return Object.assign(people, {
    /** The server, the browser, and a page for each of the three. */
    async start(): Promise<void> {
      people.proc = await startServerProcess(name, env);
      people.base = people.proc.base;
      await chromium.launch();
      people.worker = await chromium.newPage('worker');
      people.anna = await chromium.newPage('anna');
      people.bruno = await chromium.newPage('bruno');
    },
    async stop(): Promise<void> {
      await chromium.close();
      await people.proc?.stop();
    },
  });
}
