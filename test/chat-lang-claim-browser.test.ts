/**
 * Which language the chat speaks when the sign-in token carries a `lang` claim
 * (our identity provider may send one; SPID and CIE do not), in a real browser
 * (Debian chromium through playwright-core), in an Italian browser: ?lang=
 * first, then the host page's language, then the token's claim, then the
 * browser's languages. In the bubble the claim turns the chat, and the bubble's
 * own label, German when the host page names no language, and does nothing when
 * it names one; on the full page ?lang= wins over it; a language the pages do
 * not speak changes nothing; a choice made with the picker stays through a
 * reconnection, which asks for a new token. axe-core on the German views.
 * Screenshots: test/screenshots/langclaim-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: { viewport: { width: 390, height: 800 } },
  prefix: 'langclaim-',
});
const { shot, axe } = chromium;

const ctx = { proc: null as ServerProcess | null, base: '' };

const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);

/**
 * A host page on the server's origin with the bubble: `dataLang` its data-lang (null: none),
 * its token callback mints a token whose `lang` claim is `claim` (null: none).
 */
async function hostPage(c: BrowserContext, dataLang: string | null, claim: string | null): Promise<Page> {
  const claims = JSON.stringify({ role: 'worker', sub: `host-${dataLang}-${claim}`, name: 'Maria Hofer', province: 'BZ', ...(claim ? { lang: claim } : {}) });
  await c.route('**/__test__/host.html', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="it"><head><title>Host</title></head><body><main><h1>OMNIA IS</h1></main>
<script>window.tok = async () => (await (await fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: ${JSON.stringify(claims)} })).json()).token;</script>
<script src="/loader.js" data-token-callback="tok"${dataLang ? ` data-lang="${dataLang}"` : ''}></script></body></html>`,
    }),
  );
  const page = await c.newPage();
  await page.goto(`${ctx.base}/__test__/host.html`);
  return page;
}

/** The full-page chat, signed in (development sign-in, kept in the tab) as a worker of Bolzano whose token says `claim`. */
async function fullPage(c: BrowserContext, claim: string, query = ''): Promise<Page> {
  const choice = JSON.stringify({ role: 'worker', province: 'BZ', name: 'Maria Hofer', sub: `full-${claim}-${query.length}`, lang: claim });
  // Not on the first, blank document of the tab, whose sessionStorage is closed.
  await c.addInitScript(`if (location.protocol.startsWith('http')) sessionStorage.setItem('infocig.chat.dev', ${JSON.stringify(choice)});`);
  const page = await c.newPage();
  await page.goto(`${ctx.base}/chat/${query}`);
  return page;
}

if (chromiumOrSkip('token language test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('langclaim', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('in the bubble of a host page that names no language, a token saying German turns the chat German, and the bubble\'s label with it', async () => {
    const page = await hostPage(await chromium.newContext('host-none'), null, 'de-IT');
    const bubble = page.locator('button.infocig-bubble');
    await bubble.waitFor();
    assert.is(await bubble.getAttribute('aria-label'), 'Apri la chat INFO CIG', 'before sign-in: the browser\'s language');
    await bubble.click();
    const chat = page.frameLocator('iframe.infocig-frame');
    await chat.getByRole('heading', { name: 'Wie können wir Ihnen helfen?' }).waitFor();
    assert.is(await chat.locator('html').getAttribute('lang'), 'de');
    assert.is(await chat.getByLabel('Sprache').inputValue(), 'de');
    await page.waitForFunction(() => document.querySelector('button.infocig-bubble')?.getAttribute('aria-label') === 'Den Chat von INFO CIG minimieren');
    assert.is(await bubble.getAttribute('lang'), 'de');
    assert.is(await page.locator('iframe.infocig-frame').getAttribute('title'), 'Chat von INFO CIG mit der Beratung des NISF/INPS');
    await shot(page, 'bubble-de');
    const frame = page.frames().find((f) => f.url().includes('/chat/'))!;
    assert.equal(await axe(frame, 'bubble in German'), []);
  });

  test('a host page that says Italian keeps the chat Italian whatever the token says', async () => {
    const page = await hostPage(await chromium.newContext('host-it'), 'it', 'de');
    await page.locator('button.infocig-bubble').click();
    const chat = page.frameLocator('iframe.infocig-frame');
    await chat.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await chat.getByText('Servizio aperto.').waitFor(); // signed in: the token has been read
    assert.is(await chat.locator('html').getAttribute('lang'), 'it');
    assert.is(await page.locator('button.infocig-bubble').getAttribute('aria-label'), 'Riduci la chat INFO CIG');
  });

  test('the full page: the token\'s German over the browser\'s Italian; ?lang=en over the token', async () => {
    const de = await fullPage(await chromium.newContext('full-de'), 'de');
    await de.getByRole('heading', { name: 'Wie können wir Ihnen helfen?' }).waitFor();
    assert.is(await htmlLang(de), 'de');
    await shot(de, 'full-de');
    assert.equal(await axe(de, 'full page in German'), []);
    const en = await fullPage(await chromium.newContext('full-en'), 'de', '?lang=en');
    await en.getByRole('heading', { name: 'How can we help?' }).waitFor();
    await en.getByText('The service is open.').waitFor(); // signed in: the token has been read
    assert.is(await htmlLang(en), 'en');
  });

  test('a language the pages do not speak changes nothing: the browser\'s Italian', async () => {
    const page = await fullPage(await chromium.newContext('full-fr'), 'fr');
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await page.getByText('Servizio aperto.').waitFor();
    assert.is(await htmlLang(page), 'it');
  });

  test('chosen with the picker, the language stays through a reconnection, which reads a new token', async () => {
    const page = await fullPage(await chromium.newContext('full-picker'), 'de');
    await page.getByRole('heading', { name: 'Wie können wir Ihnen helfen?' }).waitFor();
    await page.getByLabel('Sprache').selectOption('it');
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    const tokens = page.waitForResponse((r) => r.url().endsWith('/dev/token'));
    // The connection drops; the client reconnects with a fresh token.
    await page.evaluate(() => (window as unknown as { infocigChat: { drop(reason: string): void } }).infocigChat.drop('test'));
    await tokens;
    await page.waitForFunction(() => (window as unknown as { infocigChat: { status: string } }).infocigChat.status === 'open');
    await page.waitForTimeout(300);
    assert.is(await htmlLang(page), 'it');
    assert.ok(await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).isVisible());
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
