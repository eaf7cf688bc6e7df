/**
 * "Le mie richieste" and a request's thread update live (widgets/chat/ticket-live.js,
 * docs/tickets.md "Live updates"), in a real browser (Debian chromium through
 * playwright-core) against a real server process: the Milano office answers and
 * takes the request in charge over the API, and the worker's open page shows it
 * without "Aggiorna", says it once in the polite live region, keeps the focus on
 * the row, and in the thread keeps the reply being typed. Screenshots:
 * test/screenshots/chat-ticket-live-*.png. Skips without /usr/bin/chromium.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { chromiumOrSkip } from './helpers/browser.ts';
import { chatTicketPages } from './helpers/chat-ticket-pages.ts';

const pages = chatTicketPages('chat-ticket-live');
const { chromium, api, devToken, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;
const ctx = { page: null as unknown as Page, id: '', protocol: '' };

const officeToken = () => devToken({ role: 'office', sub: 'op-mi-live', name: 'Laura Bianchi', sede: 'SEDE-MI' });
const tokenOfPage = async (page: Page) => devToken(JSON.parse((await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev')))!));

async function office(method: 'POST' | 'PATCH', path: string, body: object): Promise<void> {
  const res = await api(await officeToken(), method, `/api/v1/tickets/${ctx.id}${path}`, body);
  assert.ok(res.status < 300, JSON.stringify(res.body));
}

/** Empties the live region, so what is said next is read on its own. */
const quiet = (page: Page) => page.evaluate(() => (document.querySelector('#announce')!.textContent = ''));
/** What the live region says once it says something. */
async function said(page: Page): Promise<string> {
  await page.waitForFunction(() => document.querySelector('#announce')!.textContent !== '');
  return (await page.locator('#announce').textContent()) ?? '';
}

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    ctx.page = await (await newContext('worker')).newPage();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('with "Le mie richieste" open, the sede\'s answer and its taking the request in charge show on the row without "Aggiorna", each said once, the focus left on the row', async () => {
    const page = ctx.page;
    await signIn(page, 'worker', 'MI', 'Mario Rossi');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const res = await api(await tokenOfPage(page), 'POST', '/api/v1/tickets', { subject: 'Pagamento diretto di marzo', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
    assert.is(res.status, 201, JSON.stringify(res.body));
    ctx.id = res.body.id;
    ctx.protocol = res.body.protocol;
    await page.locator('#closed-mine').click();
    const row = page.locator(`#tk-list [data-id="${ctx.id}"]`);
    await row.locator('.tk-meta', { hasText: 'Risposta entro' }).waitFor();
    await row.focus();
    await quiet(page);

    await office('POST', '/replies', { body: 'Il pagamento è stato disposto il 12 marzo.' });
    await row.locator('.tk-answered', { hasText: 'La sede ha risposto il' }).waitFor();
    assert.is(await said(page), `La sede ha risposto alla richiesta ${ctx.protocol}.`);
    assert.is(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id), ctx.id, 'the focus stays on the request');
    await shot(page, 'live-list-answered');

    await quiet(page);
    await office('PATCH', '', { status: 'in_progress' });
    await row.locator('.badge', { hasText: 'In lavorazione' }).waitFor();
    assert.is(await said(page), `La richiesta ${ctx.protocol} ora è: In lavorazione.`);
    assert.equal(await axe(page), [], 'axe on the list updated live');
  });

  test('with the request\'s thread open, the sede\'s next reply appears while a half-typed reply stays, with the focus, and is said once', async () => {
    const page = ctx.page;
    await page.locator(`#tk-list [data-id="${ctx.id}"]`).click();
    await page.locator('#th-replies .from-office').first().waitFor();
    const typing = page.getByLabel('Testo della risposta');
    await typing.fill('Allego il cedolino di feb');
    await typing.focus();
    await quiet(page);

    await office('POST', '/replies', { body: 'Ci serve anche il modello SR41 firmato.' });
    await page.locator('#th-replies .from-office', { hasText: 'modello SR41' }).waitFor();
    assert.is(await said(page), `La sede ha risposto alla richiesta ${ctx.protocol}.`);
    assert.is(await typing.inputValue(), 'Allego il cedolino di feb', 'the reply being typed is kept');
    assert.is(await focusedId(page), 'rp-body', 'and so is the focus');
    assert.is(await page.locator('#th-replies .reply').count(), 3, 'the first message and the two answers, each once');
    await shot(page, 'live-thread-answered');
    assert.equal(await axe(page), [], 'axe on the thread updated live');
  });
}

test.run();
