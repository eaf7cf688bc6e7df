/**
 * uvu's `test` for the browser suites, with one addition: when a test fails,
 * every page the suite's harnesses hold is described on stderr (address, the
 * view the page says it shows, its visible headings and alerts) and
 * photographed as test/screenshots/FAILED-<suite>-<n>.png.
 *
 * Why: a browser test that fails once in CI under load (a view hidden when it
 * should show) leaves only "Timeout 15000ms exceeded" in the log, and the run
 * cannot be repeated; what the page showed at that moment is what tells a race
 * from a slow machine. Import `test` from here instead of 'uvu'.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { test as uvuTest, type Callback } from 'uvu';

const SHOTS = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'), 'test', 'screenshots');

/** Contexts open in this process's suites (browserHarness adds and removes them). */
export const openContexts = new Set<BrowserContext>();

/** Waits for nothing the page does: a page that hangs must not hang the report. */
const DESCRIBE_MS = 3000;

/**
 * What the page shows, read in the page. A string: tsx would wrap a function named inside a
 * callback in a helper (`__name`) the page does not have.
 */
const SEEN = `(() => {
  const texts = (sel) => [...document.querySelectorAll(sel)].filter((el) => el.offsetParent !== null).map((el) => el.textContent.trim()).filter(Boolean);
  return { view: document.body?.dataset.view ?? '', headings: texts('h1, h2'), alerts: texts('[role="alert"], [role="status"]') };
})()`;

async function describePages(testName: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60).replace(/^-|-$/g, '');
  let n = 0;
  for (const c of openContexts) {
    for (const page of c.pages()) {
      n += 1;
      const shot = path.join(SHOTS, `FAILED-${slug}-${n}.png`);
      const seen = await Promise.race([
        page.evaluate(SEEN) as Promise<unknown>,
        new Promise<null>((r) => setTimeout(() => r(null), DESCRIBE_MS)),
      ]).catch((e: Error) => ({ error: e.message }));
      await page.screenshot({ path: shot, fullPage: true, timeout: DESCRIBE_MS }).catch(() => {});
      process.stderr.write(`\n[browser at failure of "${testName}"] page ${n} ${page.url()} ${JSON.stringify(seen)} → ${path.relative(process.cwd(), shot)}\n`);
    }
  }
}

function described(name: string, fn: Callback) {
  return async (ctx: Parameters<Callback>[0]) => {
    try {
      await fn(ctx);
    } catch (e) {
      await describePages(name).catch(() => {});
      throw e;
    }
  };
}

export const test = Object.assign((name: string, fn: Callback) => uvuTest(name, described(name, fn)), {
  only: (name: string, fn: Callback) => uvuTest.only(name, described(name, fn)),
  skip: uvuTest.skip,
  before: uvuTest.before,
  after: uvuTest.after,
  run: () => uvuTest.run(),
});
