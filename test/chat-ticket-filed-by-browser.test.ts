/**
 * An employer's "Le mie richieste" holds the requests its labour consultant
 * filed about the company too (docs/tickets.md, "Who sees and does what"), in
 * a real browser (Debian chromium through playwright-core): each of those says
 * "Presentata dal tuo intermediario", in the list and in the open request,
 * where the consultant's reply is signed with their name and role instead of
 * "Tu"; "Solo le richieste presentate da te" narrows the list to the
 * employer's own. In German on a phone too. axe-core on each state.
 * Screenshots: test/screenshots/chat-ticket-filed-by-*.png. Skips without
 * /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { chromiumOrSkip } from './helpers/browser.ts';
import { chatTicketPages, CLOSED } from './helpers/chat-ticket-pages.ts';

/** The development sign-in's employer company (widgets/chat/dev-signin.js). */
const A = '1234567890';

const pages = chatTicketPages('chat-ticket-filed-by');
const { chromium, api, devToken, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;
const ctx = { page: null as unknown as Page };

const status = (page: Page) => page.locator('#list-status');
const item = (page: Page, subject: string) => page.locator('#tk-list .tk-item', { hasText: subject });
const tokenOfPage = async (page: Page) => devToken(JSON.parse((await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev')))!));

async function create(tok: string, subject: string, matricola?: string): Promise<void> {
  const res = await api(tok, 'POST', '/api/v1/tickets', { subject, category: 'cigo', body: `${subject}: a che punto è?`, ...(matricola ? { matricola } : {}) });
  assert.is(res.status, 201, JSON.stringify(res.body));
}

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    ctx.page = await (await newContext('employer', { ...CLOSED, audience: 'employer' })).newPage();
  });
  test.after(pages.stop);

  test('an employer reads which requests its consultant filed ("Presentata dal tuo intermediario") and can list only its own', async () => {
    const page = ctx.page;
    await signIn(page, 'employer', 'MI', 'Ditta Verdi');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const consultant = await devToken({ role: 'intermediary', sub: 'cdl-colombo', name: 'Studio Colombo', province: 'MI', matricole: [A, '9876543210'] });
    await create(consultant, 'Cassa integrazione del reparto presse', A);
    await create(await tokenOfPage(page), 'Pagamento diretto di marzo');

    await page.locator('#closed-mine').click();
    await status(page).filter({ hasText: 'Richieste: 2.' }).waitFor();
    assert.is(await item(page, 'reparto presse').locator('.tk-filed-by').textContent(), 'Presentata dal tuo intermediario');
    assert.is(await item(page, 'Pagamento diretto').locator('.tk-filed-by').count(), 0, 'its own request says nothing of the kind');
    const only = page.getByLabel('Solo le richieste presentate da te');
    assert.is(await only.isChecked(), false);
    await shot(page, 'filed-by-list');
    assert.equal(await axe(page), [], 'axe on the employer\'s list');

    await only.check();
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await status(page).filter({ hasText: 'Richieste: 1.' }).waitFor();
    assert.equal(await page.locator('#tk-list .tk-subject').allTextContents(), ['Pagamento diretto di marzo']);
    await shot(page, 'filed-by-list-only-mine');
    await page.getByRole('button', { name: 'Azzera i filtri' }).click();
    await status(page).filter({ hasText: 'Richieste: 2.' }).waitFor();
    assert.is(await only.isChecked(), false);
    assert.is(await focusedId(page), 'lf-clear');
  });

  test('the consultant\'s request, opened, says it too, and its text is signed "Studio Colombo – Intermediario", not "Tu"', async () => {
    const page = ctx.page;
    await item(page, 'reparto presse').click();
    await page.getByRole('heading', { name: 'Cassa integrazione del reparto presse' }).waitFor();
    assert.is(await page.locator('#th-filed-by').textContent(), 'Presentata dal tuo intermediario');
    assert.equal(await page.locator('#th-replies .msg-who').allTextContents(), ['Studio Colombo – Intermediario']);
    await shot(page, 'filed-by-thread');
    assert.equal(await axe(page), [], 'axe on the consultant\'s request');

    await page.getByLabel('Testo della risposta').fill('Confermo quanto scritto dallo studio.');
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#th-replies .msg-who', { hasText: /^Tu$/ }).waitFor();
    assert.equal(await page.locator('#th-replies .msg-who').allTextContents(), ['Studio Colombo – Intermediario', 'Tu']);
  });

  test('(de) on a phone the marks and the filter read in German and fit 320 px', async () => {
    const page = ctx.page;
    await page.setViewportSize({ width: 320, height: 800 });
    await page.locator('#lang').selectOption('de');
    assert.is(await page.locator('#th-filed-by').textContent(), 'Eingereicht von Ihrer Vermittlerin oder Ihrem Vermittler');
    await page.locator('#thread-back').click();
    await status(page).filter({ hasText: 'Anfragen: 2.' }).waitFor();
    assert.is(await item(page, 'reparto presse').locator('.tk-filed-by').textContent(), 'Eingereicht von Ihrer Vermittlerin oder Ihrem Vermittler');
    assert.ok(await page.getByLabel('Nur die von Ihnen eingereichten Anfragen').isVisible());
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.not.ok(wide, 'nothing scrolls sideways');
    await shot(page, 'filed-by-list-de-320');
    assert.equal(await axe(page), [], 'axe in German at 320 px');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
