/**
 * Follow-up requests ("richieste collegate", docs/tickets.md) in a real browser
 * (Debian chromium through playwright-core). A worker's request, closed by the
 * Milano office over HTTP, offers "Non è risolto? Scrivi una richiesta
 * collegata" in the chat app's thread; the form names the request, keeps its
 * topic, leaves the text empty; sent, the new request says which one it
 * follows and the closed one lists it, each opening the other, in "Le mie
 * richieste" too. The office console marks the follow-up in the queue, shows
 * "Segue la richiesta n. …" and opens the earlier request from it (a read the
 * access log records), and back. A request the user withdrew offers no
 * follow-up. Once the follow-up is transferred to Roma, Roma's console opens
 * the earlier request read only ("Richiesta della sede di Milano, in sola
 * lettura"), without Milano's notes, and goes back. axe-core on each state;
 * the page logs no CSP violation or script error.
 *
 * Screenshots: test/screenshots/chat-ticket-follow-up-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import type { Page } from 'playwright-core';
import { chromiumOrSkip, reflowProblems, type Json } from './helpers/browser.ts';
import { chatTicketPages } from './helpers/chat-ticket-pages.ts';

const pages = chatTicketPages('chat-ticket-follow-up');
const { chromium, api, devToken, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;

const SUBJECT = 'Pagamento diretto CIGO di aprile';
const ctx = {
  page: null as unknown as Page,
  original: {} as Json,
  followUp: '',
};

const officeToken = () => devToken({ role: 'office', sub: 'op-mi-seguito', name: 'Laura Bianchi', sede: 'SEDE-MI' });
/** The token of the person signed in on the page (the dev sign-in keeps their claims in sessionStorage). */
const tokenOfPage = async (page: Page) => devToken(JSON.parse((await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev')))!));

/** The office console, signed in (development sign-in) as an operator of `sede`, in a context of its own. */
async function officeConsole(contextName: string, sede: string, name: string, code: string) {
  const c = await chromium.newContext(contextName, { viewport: { width: 1366, height: 900 } });
  const page = await c.newPage();
  await signInOffice(page, pages.server.base, sede, name, code);
  return { c, page };
}

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    const c = await newContext('user');
    ctx.page = await c.newPage();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('a request the office closed offers a follow-up in its thread, with until when and where it goes', async () => {
    const page = ctx.page;
    await signIn(page);
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const user = await tokenOfPage(page);
    const made = await api(user, 'POST', '/api/v1/tickets', { subject: SUBJECT, category: 'payment', body: 'Il pagamento di aprile non è arrivato.' });
    assert.is(made.status, 201, JSON.stringify(made.body));
    const closed = await api(await officeToken(), 'PATCH', `/api/v1/tickets/${made.body.id}`, { status: 'closed', outcome: 'Pagamento disposto il 10 maggio' });
    assert.is(closed.status, 200);
    ctx.original = closed.body;

    await page.locator('#closed-mine').click();
    await page.locator('.tk-item', { hasText: ctx.original.protocol }).click();
    await page.getByRole('heading', { name: SUBJECT }).waitFor();
    await page.locator('#th-closed', { hasText: 'Pagamento disposto il 10 maggio' }).waitFor();
    const offer = page.getByRole('button', { name: 'Non è risolto? Scrivi una richiesta collegata' });
    await offer.waitFor();
    assert.match((await page.locator('#th-follow-up-note').textContent()) ?? '', /^Puoi farlo fino al \d\d\/\d\d\/\d{4}.*va a INPS Sede di Milano, che ha chiuso questa/);
    assert.ok(await page.locator('#reply-form').isHidden(), 'no reply to a closed request');
    await shot(page, 'follow-up-closed-thread');
    assert.equal(await axe(page), [], 'axe on the closed thread with the offer');
  });

  test('the follow-up form names the request (editable), keeps its topic, leaves the text empty; sent, it says what it follows', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Non è risolto? Scrivi una richiesta collegata' }).click();
    await page.getByRole('heading', { name: 'Scrivi una richiesta collegata' }).waitFor();
    assert.is(await focusedId(page), 'ticket-title');
    assert.is(await page.getByLabel('Oggetto', { exact: true }).inputValue(), `Seguito della richiesta ${ctx.original.protocol}: ${SUBJECT}`);
    assert.is(await page.getByLabel('Argomento', { exact: true }).inputValue(), 'payment');
    assert.is(await page.getByLabel('Testo della richiesta').inputValue(), '');
    assert.ok(await page.locator('#tk-matricola-box').isHidden());
    assert.match((await page.locator('#ticket-why').textContent()) ?? '', new RegExp(`^Segue la richiesta ${ctx.original.protocol}, chiusa il .*: andrà a INPS Sede di Milano, che l’ha chiusa\\.`));
    await shot(page, 'follow-up-form');
    assert.equal(await axe(page), [], 'axe on the follow-up form');

    // "Indietro" goes back to the closed request; the offer brings the same form again.
    await page.getByRole('button', { name: 'Indietro' }).click();
    await page.getByRole('heading', { name: SUBJECT }).waitFor();
    await page.getByRole('button', { name: 'Non è risolto? Scrivi una richiesta collegata' }).click();
    await page.getByLabel('Testo della richiesta').fill('Il 10 maggio non è arrivato nulla: allego l’estratto conto.');
    await page.getByLabel('Allegati (facoltativi)').setInputFiles({ name: 'estratto.txt', mimeType: 'text/plain', buffer: Buffer.from('Nessun accredito INPS ad aprile e maggio.\n') });
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    const done = (await page.locator('#done-box').textContent()) ?? '';
    assert.match(done, new RegExp(`Collegata alla richiesta${ctx.original.protocol}`));
    assert.match(done, /Assegnata aINPS Sede di Milano/);
    ctx.followUp = done.match(/Numero di protocollo(LINPS-\d{4}-\d{6})/)![1]!;
    assert.is.not(ctx.followUp, ctx.original.protocol);
    await shot(page, 'follow-up-done');
  });

  test('the new request opens its thread with a link to the closed one, which lists it back; the list marks it', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Apri la richiesta' }).click();
    await page.getByRole('heading', { name: `Seguito della richiesta ${ctx.original.protocol}: ${SUBJECT}` }).waitFor();
    await page.locator('.reply', { hasText: 'allego l’estratto conto' }).getByRole('button', { name: /Scarica estratto\.txt/ }).waitFor();
    assert.ok(await page.locator('#th-follow-up').isHidden(), 'nothing to follow up while it is open');
    const back = page.locator('#th-facts').getByRole('button', { name: ctx.original.protocol });
    assert.match((await page.locator('#th-facts').textContent()) ?? '', new RegExp(`Segue la richiesta${ctx.original.protocol}`));
    await shot(page, 'follow-up-new-thread');
    assert.equal(await axe(page), [], 'axe on the follow-up\'s thread');
    await back.click();
    await page.getByRole('heading', { name: SUBJECT, exact: true }).waitFor();
    assert.match((await page.locator('#th-facts').textContent()) ?? '', new RegExp(`Richieste collegate successive${ctx.followUp}`));
    await page.locator('#th-facts').getByRole('button', { name: ctx.followUp }).click();
    await page.getByRole('heading', { name: `Seguito della richiesta ${ctx.original.protocol}: ${SUBJECT}` }).waitFor();

    await page.getByRole('button', { name: 'Le mie richieste' }).click();
    const item = page.locator('.tk-item', { hasText: ctx.followUp });
    await item.waitFor();
    assert.match((await item.locator('.tk-follows').textContent()) ?? '', new RegExp(`Segue la richiesta ${ctx.original.protocol}`));
    await shot(page, 'follow-up-list');
    assert.equal(await axe(page), [], 'axe on the list');
  });

  test('in German the offer and the link read in German, and the thread reflows at 320 px with text at 200 %', async () => {
    const page = ctx.page;
    await page.locator('#lang').selectOption('de');
    await page.locator('.tk-item.is-closed', { hasText: ctx.original.protocol }).click();
    await page.getByRole('button', { name: 'Nicht gelöst? Schreiben Sie eine Folgeanfrage' }).waitFor();
    assert.match((await page.locator('#th-facts').textContent()) ?? '', new RegExp(`Spätere Folgeanfragen${ctx.followUp}`));
    // 320 px with text at 200 % (WCAG 1.4.10): the facts are one column; «Lohnausgleichskasse» and the rest stay on the screen.
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 320, height: 640 });
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    const problems = await reflowProblems(page, ['#th-facts', '#th-follow-up-open', '#thread-back']);
    await shot(page, 'thread-de-320-200');
    await page.evaluate(() => (document.documentElement.style.fontSize = ''));
    await page.setViewportSize(size);
    assert.equal(problems, []);
    await page.locator('#lang').selectOption('it');
  });

  test('the office console marks the follow-up, shows what it follows and opens the earlier request from it, recorded as a read', async () => {
    const { c, page } = await officeConsole('office', 'SEDE-MI', 'Laura Conti', 'op-conti-seguito');
    const item = page.locator('.q-item', { hasText: ctx.followUp });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /Seguito/);
    assert.not.ok((await page.locator('.q-protocol').allTextContents()).includes(ctx.original.protocol), 'the closed one is not in the work queue');
    await item.click();
    const link = page.getByRole('button', { name: `Segue la richiesta n. ${ctx.original.protocol}` });
    await link.waitFor();
    await shot(page, 'follow-up-office');
    assert.equal(await axe(page), [], 'axe on the follow-up in the console');

    await link.click();
    await page.locator('#t-protocol', { hasText: ctx.original.protocol }).waitFor();
    await page.getByRole('heading', { name: SUBJECT, exact: true }).waitFor();
    assert.is(await focusedId(page), 't-title');
    await page.locator('#t-closed', { hasText: 'Pagamento disposto il 10 maggio' }).waitFor();
    assert.ok(await page.locator('#reply-form').isHidden(), 'read only: closed');
    await shot(page, 'follow-up-office-original');
    assert.equal(await axe(page), [], 'axe on the earlier request in the console');

    const sup = await devToken({ role: 'supervisor', sub: 'sup-seguito', name: 'Supervisore' });
    const rows = await api(sup, 'GET', `/api/v1/access-log?action=ticket.read&actor=op-conti-seguito&subject=${ctx.original.id}`);
    assert.is(rows.status, 200, JSON.stringify(rows.body));
    assert.is(rows.body.total, 1, 'the operator\'s read of the earlier request is recorded');

    await page.getByRole('button', { name: `Seguita dalla richiesta n. ${ctx.followUp}` }).click();
    await page.locator('#t-protocol', { hasText: ctx.followUp }).waitFor();
    await c.close();
  });

  test('a request the user withdrew offers no follow-up in its thread: the sede never answered it', async () => {
    const page = ctx.page;
    const user = await tokenOfPage(page);
    const made = await api(user, 'POST', '/api/v1/tickets', { subject: 'Domanda ritirata', category: 'cigo', body: 'Ho risolto da solo.' });
    assert.is(made.status, 201, JSON.stringify(made.body));
    assert.is((await api(user, 'PATCH', `/api/v1/tickets/${made.body.id}`, { status: 'closed' })).status, 200);
    await page.getByRole('button', { name: 'Le mie richieste' }).click();
    await page.locator('.tk-item', { hasText: made.body.protocol }).click();
    await page.getByRole('heading', { name: 'Domanda ritirata' }).waitFor();
    await page.locator('#th-closed', { hasText: 'Ritirata' }).waitFor();
    assert.ok(await page.locator('#th-follow-up').isHidden(), 'no "Non è risolto?" on a withdrawn request');
    await shot(page, 'follow-up-withdrawn');
  });

  test('an office the follow-up was transferred to opens the earlier request read only, as its history, and goes back', async () => {
    const mi = await officeToken();
    const queued = (await api(mi, 'GET', '/api/v1/tickets?pageSize=100')).body.items.find((x: Json) => x.protocol === ctx.followUp);
    assert.ok(queued, 'the follow-up is in Milano\'s queue');
    assert.is((await api(mi, 'POST', `/api/v1/tickets/${queued.id}/notes`, { body: 'Nota riservata di Milano' })).status, 201);
    assert.is((await api(mi, 'POST', `/api/v1/tickets/${ctx.original.id}/notes`, { body: 'Nota riservata sulla prima' })).status, 201);
    const moved = await api(mi, 'POST', `/api/v1/tickets/${queued.id}/transfer`, { sede: 'SEDE-RM', reason: 'Matricola della sede di Roma' });
    assert.is(moved.status, 200, JSON.stringify(moved.body));

    const { c, page } = await officeConsole('office-rm', 'SEDE-RM', 'Paolo Neri', 'op-neri-roma');
    await page.locator('.q-item', { hasText: ctx.followUp }).click();
    await page.getByRole('button', { name: `Segue la richiesta n. ${ctx.original.protocol}` }).click();
    await page.locator('#t-protocol', { hasText: ctx.original.protocol }).waitFor();
    const note = page.getByRole('region', { name: 'Richiesta della sede di Milano, in sola lettura' });
    await note.waitFor();
    assert.match((await note.textContent()) ?? '', new RegExp(`precedente della richiesta n. ${ctx.followUp}, in carico alla tua sede`));
    assert.is(await page.locator('#t-error').textContent(), '', 'no "cannot be opened from here"');
    await page.locator('.reply', { hasText: 'Il pagamento di aprile non è arrivato.' }).waitFor();
    await page.locator('#t-closed', { hasText: 'Pagamento disposto il 10 maggio' }).waitFor();
    for (const hidden of ['#t-actions', '#t-notes-box', '#note-form', '#reply-form', '#transfer-form']) assert.ok(await page.locator(hidden).isHidden(), `${hidden}: read only`);
    assert.not.ok(((await page.locator('#ticket').textContent()) ?? '').includes('Nota riservata'), 'Milano\'s internal notes are not shown');
    await shot(page, 'follow-up-office-history');
    assert.equal(await axe(page), [], 'axe on the read-only history');

    const sup = await devToken({ role: 'supervisor', sub: 'sup-seguito-rm', name: 'Supervisore' });
    const rows = await api(sup, 'GET', `/api/v1/access-log?action=ticket.read&actor=op-neri-roma&subject=${ctx.original.id}`);
    assert.equal(rows.body.items.map((r: Json) => [r.actor.sede, r.detail.followUp]), [['SEDE-RM', queued.id]]);

    await page.getByRole('button', { name: `Torna alla richiesta n. ${ctx.followUp}` }).click();
    await page.locator('#t-protocol', { hasText: ctx.followUp }).waitFor();
    assert.ok(await note.isHidden(), 'its own request: no read-only note');
    assert.ok(await page.locator('#reply-form').isVisible(), 'and its forms back');
    assert.match((await page.locator('#t-notes-box').textContent()) ?? '', /Nota riservata di Milano/, 'a transferred request keeps its notes for the new sede');
    await c.close();

    // The person sees that Roma looked, by name, and why.
    const user = ctx.page;
    await user.getByRole('button', { name: 'Le mie richieste' }).click();
    await user.locator('.tk-item.is-closed', { hasText: ctx.original.protocol }).click();
    await user.getByRole('heading', { name: SUBJECT, exact: true }).waitFor();
    await user.locator('#th-views-title').click();
    await user.locator('#th-views li', { hasText: 'INPS Sede di Roma ha aperto la richiesta per rispondere a una richiesta collegata' }).waitFor();
    await shot(user, 'follow-up-history-views');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
