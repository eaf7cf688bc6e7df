/**
 * "Le mie richieste" across a reload, in a real browser (Debian chromium): a
 * labour consultant who narrowed the list to one company and reloads the page
 * (or reloads while reading one of its requests) is on the list again with the
 * same search, the company still chosen, rather than on the start of the chat
 * with all their companies' requests; going back from the list, the next reload
 * opens the chat as before, and «Esci» forgets the search. Screenshots:
 * test/screenshots/chat-ticket-list-reloaded.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { chromiumOrSkip } from './helpers/browser.ts';
import { chatTicketPages, CLOSED } from './helpers/chat-ticket-pages.ts';

const A = '1234567890';
const B = '9876543210';
const WHO = { role: 'intermediary', province: 'MI', name: 'Studio Colombo', sub: 'dev-intermediary-list-reload', matricole: [A, B] };

const pages = chatTicketPages('chat-ticket-list-reload');
const { chromium, api, devToken, newContext } = pages;
const { shot } = chromium;

if (chromiumOrSkip()) {
  test.before(pages.start);
  test.after(pages.stop);

  test('a consultant who reloads "Le mie richieste" narrowed to one company is on the list again with that company chosen and only its requests; back at the chat, a reload stays there; «Esci» forgets the search', async () => {
    const token = await devToken(WHO);
    for (const [subject, matricola] of [['Pagamento FIS azienda A', A], ['Pagamento FIS azienda B', B]]) {
      const res = await api(token, 'POST', '/api/v1/tickets', { subject, category: 'payment', body: 'Il pagamento non è arrivato.', matricola });
      assert.is(res.status, 201, JSON.stringify(res.body));
    }
    const c = await newContext('consultant', { ...CLOSED, audience: 'intermediary' }, { viewport: { width: 360, height: 640 } });
    await c.addInitScript((who) => {
      if (location.pathname.endsWith('/chat/')) sessionStorage.setItem('infocig.chat.dev', JSON.stringify(who));
    }, WHO);
    const page = await c.newPage();
    await page.goto(`${pages.server.base}/chat/`);
    await page.locator('#closed-mine').click();
    const status = page.locator('#list-status');
    await status.filter({ hasText: 'Richieste: 2.' }).waitFor();
    const company = page.getByLabel('Azienda (matricola)');
    await company.selectOption(B);
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await status.filter({ hasText: 'Richieste: 1.' }).waitFor();

    await page.reload();
    await page.locator('#view-list:not([hidden])').waitFor();
    await status.filter({ hasText: 'Richieste: 1.' }).waitFor();
    assert.is(await company.inputValue(), B, 'the company still chosen');
    assert.equal(await page.locator('#tk-list .tk-subject').allTextContents(), ['Pagamento FIS azienda B'], 'only that company\'s request');
    await shot(page, 'list-reloaded');

    // Reading a request of that company, a reload comes back to the list, still narrowed.
    await page.locator('.tk-item', { hasText: 'Pagamento FIS azienda B' }).click();
    await page.getByRole('heading', { name: 'Pagamento FIS azienda B' }).waitFor();
    await page.reload();
    await page.locator('#view-list:not([hidden])').waitFor();
    await status.filter({ hasText: 'Richieste: 1.' }).waitFor();
    assert.is(await company.inputValue(), B);

    // Back at the chat, a reload opens the chat, as before.
    await page.getByRole('button', { name: 'Indietro' }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.ok(await page.locator('#view-list').isHidden());

    // «Esci» forgets the search: the next sign-in in this tab lists every company's requests.
    await page.getByRole('button', { name: 'Esci', exact: true }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.locator('#closed-mine').click();
    await status.filter({ hasText: 'Richieste: 2.' }).waitFor();
    assert.is(await company.inputValue(), '');
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
