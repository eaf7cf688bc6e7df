/**
 * The chat page across a server restart and the browser going offline, in chromium against a real
 * server process (stopped and started again on the same port and data). While a reconnect is due the
 * page says it is reconnecting: "Le mie richieste" read meanwhile said «Connessione assente» for the
 * seconds a restart takes, and sent people away. It comes back without a reload and reads the list
 * again by itself; so does a request's thread. "No connection" is said when the browser is offline (and it reconnects as soon as
 * it is online again) or after many tries in a row failed. No timing is asserted. Screenshots:
 * test/screenshots/chat-reconnect-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
// @ts-expect-error plain browser module, no types
import { DEFAULTS } from '../widgets/lib/chat-connection.js';

const chromium = browserHarness({
  // The page's reconnection attempts while the server is down or the browser offline.
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch/i },
  context: { viewport: { width: 1024, height: 768 } },
  prefix: 'chat-reconnect-',
});
const { shot } = chromium;

const ctx = { proc: null as ServerProcess | null, context: null as unknown as BrowserContext, page: null as unknown as Page };

/**
 * From now on, every text the connection line and the list's lines show, with the client's failed tries
 * in a row at that moment and whether the browser was online, in window.__seen. Source text: tsx would
 * wrap a function in a `__name` helper the page does not have.
 */
const RECORD = `(() => {
  window.__seen = [];
  const c = window.infocigChat;
  const ids = ['conn-text', 'list-status', 'list-error', 'th-reconnecting', 'th-error'];
  const keep = () => {
    for (const id of ids) {
      const el = document.getElementById(id);
      const text = el.textContent.trim();
      if (text && !el.closest('[hidden]')) window.__seen.push({ id, text, failures: c.failures, online: navigator.onLine });
    }
  };
  const watch = new MutationObserver(keep);
  for (const id of ids) watch.observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
  watch.observe(document.getElementById('conn'), { attributes: true, attributeFilter: ['hidden'] });
})()`;
type Seen = { id: string; text: string; failures: number; online: boolean };
const seen = (page: Page): Promise<Seen[]> => page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);
const NO_CONNECTION = /Connessione assente|Disconnesso|collegamento al server si è interrotto/;

if (chromiumOrSkip('reconnect test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('reconnect', { SERVICE_HOURS: 'always' });
    await chromium.launch();
    ctx.context = await chromium.newContext('worker');
    ctx.page = await ctx.context.newPage();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('a worker opens «Le mie richieste»', async () => {
    const w = ctx.page;
    await w.goto(`${ctx.proc!.base}/chat/`);
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await w.locator('#start-mine').click();
    await w.locator('#list-status', { hasText: 'Non hai ancora richieste Linea INPS.' }).waitFor();
    await w.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));
    await w.evaluate(RECORD);
  });

  test('the server restarts: the list read meanwhile says the page is reconnecting, not that there is no connection; back without a reload, the list is read again', async () => {
    const w = ctx.page;
    const restarting = ctx.proc!.restart();
    try {
      await w.locator('#conn-text', { hasText: 'Riconnessione…' }).waitFor({ timeout: 30_000 });
      await w.getByRole('button', { name: 'Aggiorna' }).click();
      await w.locator('#list-status', { hasText: 'Riconnessione in corso: l’elenco si aggiorna da solo appena la pagina è di nuovo collegata.' }).waitFor();
      assert.is(await w.locator('#list-error').textContent(), '', 'no error under the list');
      await shot(w, 'restarting');
    } finally {
      await restarting;
    }
    await w.locator('#conn').waitFor({ state: 'hidden', timeout: 60_000 });
    await w.locator('#list-status', { hasText: 'Non hai ancora richieste Linea INPS.' }).waitFor();
    assert.ok(await w.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage), 'the same page: no reload');
    const early = (await seen(w)).filter((s) => s.online && s.failures < DEFAULTS.lostAfterFailures && NO_CONNECTION.test(s.text));
    assert.equal(early, [], 'nothing said there was no connection while the page was reconnecting');
    await shot(w, 'back');
  });

  test('a request’s thread read during a restart says the page is reconnecting, not that there is no connection, and is read again once connected', async () => {
    const w = ctx.page;
    const made = await w.evaluate(async () => {
      const c = (window as unknown as { infocigChat: { token: string; httpBase: string } }).infocigChat;
      const res = await fetch(new URL('api/v1/tickets', c.httpBase), {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ category: 'cigo', subject: 'CIGO di ottobre', body: 'Non ho ancora ricevuto il pagamento.' }),
      });
      return { status: res.status, body: await res.json() };
    });
    assert.is(made.status, 201, JSON.stringify(made.body));
    await w.getByRole('button', { name: 'Aggiorna' }).click();
    await w.locator(`#tk-list [data-id="${made.body.id}"]`).click();
    await w.getByRole('heading', { name: 'CIGO di ottobre' }).waitFor();
    await w.evaluate(RECORD);
    const restarting = ctx.proc!.restart();
    const line = w.locator('#th-reconnecting');
    try {
      await w.locator('#conn-text', { hasText: 'Riconnessione…' }).waitFor({ timeout: 30_000 });
      await w.locator('#view-thread').getByRole('button', { name: 'Aggiorna' }).click();
      await line.filter({ hasText: 'Riconnessione in corso: la richiesta si aggiorna da sola appena la pagina è di nuovo collegata.' }).waitFor();
      assert.is(await w.locator('#th-error').textContent(), '', 'no error under the thread');
      assert.ok(await w.getByRole('heading', { name: 'CIGO di ottobre' }).isVisible(), 'the thread read before stays');
      await shot(w, 'thread-restarting');
    } finally {
      await restarting;
    }
    await w.locator('#conn').waitFor({ state: 'hidden', timeout: 60_000 });
    // Cleared only by a read that succeeded: the thread was read again by itself.
    await w.waitForFunction(() => document.getElementById('th-reconnecting')!.textContent === '');
    const early = (await seen(w)).filter((s) => s.online && s.failures < DEFAULTS.lostAfterFailures && NO_CONNECTION.test(s.text));
    assert.equal(early, [], 'nothing said there was no connection while the page was reconnecting');
    await shot(w, 'thread-back');
  });

  test('offline, the page says there is no connection and offers to try again; online again, it reconnects by itself', async () => {
    const w = ctx.page;
    await ctx.context.setOffline(true);
    await w.locator('#conn-text', { hasText: 'Connessione assente: la pagina riprova da sola.' }).waitFor();
    assert.ok(await w.getByRole('button', { name: 'Riprova' }).isVisible(), '«Riprova» is offered');
    await shot(w, 'offline');
    await ctx.context.setOffline(false);
    await w.locator('#conn').waitFor({ state: 'hidden', timeout: 30_000 });
    assert.ok(await w.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage), 'the same page: no reload');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
