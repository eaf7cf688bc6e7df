/**
 * What the browser suites do with Debian's chromium, once: Italian contexts
 * (it-IT, Europe/Rome, one default timeout), axe-core served to the pages,
 * a watcher that collects CSP violations and script errors, screenshots in
 * test/screenshots/, the skip when chromium is absent, and the dev token and
 * JSON calls a suite makes over HTTP next to its pages. Separate from
 * server-process.ts, which starts the server and the browser: this is what a
 * test does with them, and each suite keeps only its own pages and steps.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Frame, Page, Route } from 'playwright-core';
import * as assert from 'uvu/assert';
import { openContexts } from './browser-test.ts';
import { CHROMIUM, launchChromium } from './server-process.ts';

export type Json = Record<string, any>;
type ContextOptions = NonNullable<Parameters<Browser['newContext']>[0]>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(root, 'test', 'screenshots');
const AXE = path.join(root, 'node_modules', 'axe-core', 'axe.min.js');
/** Fulfilled by a route on the page's own origin, so the pages' CSP `script-src 'self'` admits axe-core. */
const AXE_URL_PATH = '/__test__/axe.min.js';
const TIMEOUT = 15_000;

/** The users are in Italy: dates, times and the default language as they see them. */
export const ITALIAN = { locale: 'it-IT', timezoneId: 'Europe/Rome' } as const;

/** Any line naming the policy, and the refusals its directives (script, style, frame, connect) produce. */
export const CSP_REFUSALS = /Content.Security.Policy|Refused to (load|execute|apply|frame|connect)/i;
/** The wider spelling the hand-over and keyboard suites were written with: any "Refused to …" line. */
export const ANY_REFUSAL = /Content.Security.Policy|Refused to/i;

/**
 * Which console lines are problems. They differ by suite because each provokes its own
 * expected errors (a dropped socket, an upload refused on purpose), which the browser logs
 * as errors too; each suite keeps the rule it was written with.
 */
export interface ConsoleRule {
  /** Lines that count whatever their level. Default CSP_REFUSALS. */
  refused?: RegExp;
  /** Errors the suite causes on purpose: not problems. */
  expected: RegExp;
}

export interface HarnessOptions {
  console: ConsoleRule;
  /** Screenshot names start with it: 'keyboard-' writes keyboard-<name>.png. */
  prefix?: string;
  /** Whether shot() takes the whole page when the call does not say. */
  fullPage?: boolean;
  /** What every context of the suite has over the Italian defaults (viewport, downloads). */
  context?: ContextOptions;
  /** axe.run options over violations-only (browser.test checks the chat frame apart: { iframes: false }). */
  axeRun?: Json;
  /** false: no axe route. A route turns on request interception, which turns the browser cache off; a suite without axe keeps it. */
  serveAxe?: boolean;
}

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

/** True when chromium is there; otherwise says the suite is skipped (naming it when `what` is given). */
export function chromiumOrSkip(what?: string): boolean {
  if (chromiumInstalled()) return true;
  console.log(what ? `# skipped: ${CHROMIUM} is not installed (apt-get install chromium); the ${what} needs a real browser` : '# skipped: chromium not installed');
  return false;
}

/** Runs axe-core in a page or frame; returns the serious and critical violations. */
async function runAxe(target: Page | Frame, options: Json): Promise<string[]> {
  await target.addScriptTag({ url: new URL(AXE_URL_PATH, target.url()).href });
  return target.evaluate(async (o) => {
    const w = window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } };
    const r = await w.axe.run(document, { ...o, resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  }, options);
}

function watch(page: Page, name: string, rule: ConsoleRule, problems: string[]): void {
  const refused = rule.refused ?? CSP_REFUSALS;
  page.on('console', (msg) => {
    const text = msg.text();
    if (refused.test(text) || (msg.type() === 'error' && !rule.expected.test(text))) problems.push(`${name}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`${name}: uncaught: ${err.message}`));
}

/** One suite's chromium: launch() in test.before, close() in test.after, `problems` asserted empty last. */
export function browserHarness(opts: HarnessOptions) {
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const axeRuns: { name: string; violations: string[] }[] = [];

  async function newContext(name: string, options: ContextOptions = {}): Promise<BrowserContext> {
    const c = await browser!.newContext({ ...ITALIAN, ...opts.context, ...options });
    c.setDefaultTimeout(TIMEOUT);
    if (opts.serveAxe !== false) await c.route(`**${AXE_URL_PATH}`, (route) => route.fulfill({ path: AXE, contentType: 'application/javascript' }));
    c.on('page', (p) => watch(p, name, opts.console, problems));
    contexts.push(c);
    openContexts.add(c);
    c.on('close', () => openContexts.delete(c));
    return c;
  }

  return {
    problems,
    /** Every axe() of the suite, by name. */
    axeRuns,
    get browser(): Browser {
      return browser!;
    },
    async launch(): Promise<void> {
      mkdirSync(SHOTS, { recursive: true });
      browser = await launchChromium();
    },
    newContext,
    /** A page of its own context: a person at their own computer. */
    newPage: async (name: string, options: ContextOptions = {}): Promise<Page> => (await newContext(name, options)).newPage(),
    async shot(page: Page, name: string, fullPage = opts.fullPage ?? false): Promise<void> {
      await page.screenshot({ path: path.join(SHOTS, `${opts.prefix ?? ''}${name}.png`), fullPage });
    },
    async axe(target: Page | Frame, name = ''): Promise<string[]> {
      const violations = await runAxe(target, opts.axeRun ?? {});
      axeRuns.push({ name, violations });
      return violations;
    },
    async close(): Promise<void> {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close().catch(() => {});
    },
  };
}

/** The server's JSON API as a suite calls it beside its pages: development tokens and bearer requests. */
export function serverApi(base: () => string) {
  return {
    async devToken(claims: Json): Promise<string> {
      const res = await fetch(`${base()}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
      assert.is(res.status, 200);
      return ((await res.json()) as Json).token;
    },
    async api(token: string, method: string, url: string, body?: Json | FormData): Promise<{ status: number; body: Json }> {
      const res = await fetch(`${base()}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: body instanceof FormData ? body : JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Json };
    },
  };
}

/**
 * The first POST to `url` reaches the server, but its answer is cut off (the page sees a
 * network error); later ones go through. Returns the Idempotency-Key of every POST sent,
 * in order, for the retry tests of the request forms.
 */
export async function loseFirstAnswer(page: import('playwright-core').Page, url: string): Promise<(string | undefined)[]> {
  const keys: (string | undefined)[] = [];
  let lost = false;
  await page.route(url, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    if (lost) return route.continue();
    lost = true;
    await route.fetch(); // the server registers it...
    await route.abort('internetdisconnected'); // ...and the page never hears back
  });
  return keys;
}

/**
 * Holds the next request the page makes to `path` until release(), which lets it answer (from the
 * server, or `answer`) and waits until the page's own code has read the answer's body and run what
 * follows it (the harm a late answer could do): a test that waited by the clock instead could pass
 * only because the page had not yet got to the answer. The pages read every answer with
 * `Response.json()`, which is watched here; a page that reloaded meanwhile is waited for by time.
 */
export async function holdRequest(page: Page, path: string, answer = (route: Route) => route.continue()): Promise<{ release(): Promise<void> }> {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const matches = (u: URL) => u.pathname === path;
  await page.evaluate(() => {
    const w = window as unknown as { infocigBodiesRead?: string[] };
    if (w.infocigBodiesRead) return;
    w.infocigBodiesRead = [];
    const json = Response.prototype.json;
    Response.prototype.json = function (this: Response) {
      const read = json.call(this);
      const at = new URL(this.url).pathname;
      void read.then(() => w.infocigBodiesRead!.push(at), () => w.infocigBodiesRead!.push(at));
      return read;
    };
  });
  const before = await page.evaluate((p) => (window as unknown as { infocigBodiesRead: string[] }).infocigBodiesRead.filter((x) => x === p).length, path);
  await page.route(matches, async (route) => {
    await gate;
    await answer(route);
  }, { times: 1 });
  return {
    async release() {
      const answered = page.waitForResponse((r) => matches(new URL(r.url())));
      open();
      await (await answered).finished();
      const read = await page
        .waitForFunction(
          ([p, n]) => ((window as unknown as { infocigBodiesRead?: string[] }).infocigBodiesRead ?? []).filter((x) => x === p).length > n,
          [path, before] as const,
          { timeout: 3000 },
        )
        .then(() => true, () => false);
      // What the page does with the body runs in the microtasks after it, then paints: a task and a frame later it is on screen.
      await page.evaluate((ms) => new Promise((r) => setTimeout(() => requestAnimationFrame(() => setTimeout(r, ms)), 0)), read ? 0 : 150);
    },
  };
}

/**
 * What keeps a page from reflowing into a narrow window (WCAG 1.4.10; the staff consoles at 320 px
 * with text at 200 %): the page scrolling sideways, a box whose content runs out of it (a button
 * label that does not wrap, a date field wider than its column), and each named control not wholly
 * on the screen's width. Empty when the page reflows.
 */
export async function reflowProblems(page: import('playwright-core').Page, controls: readonly string[]): Promise<string[]> {
  // No function named inside the callback: tsx would wrap it in a helper the page does not have.
  return page.evaluate((selectors) => {
    const width = document.documentElement.clientWidth;
    return [
      ...(document.documentElement.scrollWidth > width ? [`the page scrolls sideways (${document.documentElement.scrollWidth} px)`] : []),
      ...[...document.querySelectorAll<HTMLElement>('main *, header *')]
        .filter((el) => el.offsetParent !== null && !el.closest('.sr-only') && getComputedStyle(el).clipPath !== 'inset(50%)')
        // A file field cuts its own "Nessun file selezionato" inside its box; the pages list the files chosen under it.
        .filter((el) => !el.matches('input[type="file"]'))
        .filter((el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && !['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
        .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} runs out of its box: ${el.scrollWidth} > ${el.clientWidth}`),
      ...selectors.flatMap((s) => {
        const box = document.querySelector(s)?.getBoundingClientRect();
        if (!box || box.width === 0) return [`${s} is not shown`];
        return box.left < 0 || box.right > width + 1 ? [`${s} is cut (${Math.round(box.left)}–${Math.round(box.right)} px)`] : [];
      }),
    ];
  }, controls);
}

/**
 * Words of the visible `selector` elements that run over two lines, as "tag: Anmel|den". With `marks`, a
 * bracket or a stop cut from its word counts too ("(Matrikelnummer|)"); a break after a hyphen, a dash or a slash does not.
 */
export const splitWords = (page: Page, selector: string, { marks = false } = {}): Promise<string[]> =>
  page.evaluate(([sel, anyMark]) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      if (el.closest('[hidden]') || el.offsetParent === null) continue;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        const range = document.createRange();
        let lastTop = -1;
        for (let i = 0; i < text.length; i++) {
          range.setStart(n, i);
          range.setEnd(n, i + 1);
          // The last box: a letter just after a break at a soft hyphen also gets an empty-ish box at the end of the line before.
          const r = [...range.getClientRects()].filter((b) => b.width > 0).pop();
          if (!r) continue;
          const [a, b] = [text.charAt(i - 1), text.charAt(i)];
          // No helper function here: tsx would wrap it in `__name`, which the page does not have.
          const joined = anyMark ? /\S/u.test(a) && /\S/u.test(b) && !/[-–/]/u.test(a) : /\p{L}/u.test(a) && /\p{L}/u.test(b);
          if (lastTop >= 0 && r.top > lastTop + 2 && joined) out.push(`${el.tagName.toLowerCase()}: ${text.slice(0, i)}|${text.slice(i)}`);
          lastTop = r.top;
        }
      }
    }
    return out;
  }, [selector, marks] as const);

/**
 * Where `phrase` (a button's name quoted in a sentence, or the button's own label) runs over two lines in the
 * visible `selector` elements, as "p: „Im Chat | bleiben“". A no-break space in the text counts as a space.
 */
export const splitPhrases = (page: Page, selector: string, phrase: string): Promise<string[]> =>
  page.evaluate(([sel, words]) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      if (el.closest('[hidden]') || el.offsetParent === null) continue;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = (n.textContent ?? '').replace(/\u00a0/g, ' ');
        for (let at = text.indexOf(words); at >= 0; at = text.indexOf(words, at + 1)) {
          const range = document.createRange();
          const tops = new Set<number>();
          for (let i = at; i < at + words.length; i++) {
            if (text.charAt(i) === ' ') continue;
            range.setStart(n, i);
            range.setEnd(n, i + 1);
            const r = [...range.getClientRects()].filter((b) => b.width > 0).pop();
            if (r) tops.add(Math.round(r.top));
          }
          if (tops.size > 1) out.push(`${el.tagName.toLowerCase()}#${el.id}: ${words} over ${tops.size} lines`);
        }
      }
    }
    return out;
  }, [selector, phrase] as const);

/** The page's language chosen while a modal dialog covers the language control (#lang): as the control's own change would. */
export const chooseLangBehindDialog = (page: Page, code: string): Promise<void> =>
  page.evaluate((c) => {
    const lang = document.querySelector<HTMLSelectElement>('#lang')!;
    lang.value = c;
    lang.dispatchEvent(new Event('change'));
  }, code);
