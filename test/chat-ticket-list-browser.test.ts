/**
 * "Le mie richieste" for someone acting for several companies, in a real
 * browser (Debian chromium through playwright-core): a labour consultant with
 * two matricole sees which company each request is about, pages past the
 * first 20 with "Mostra altre", narrows the list by company, status,
 * subject and the days the requests were sent, and is told when nothing
 * matches; the same page in German on a
 * phone's width; a worker's list (no company field, the search only once
 * there is something to search). axe-core on each state.
 *
 * The requests are made over HTTP: the consultant's own, a company's employer's,
 * and the Milano office's requests to a matricola (interlocuzioni: offices have
 * no daily limit). One company nobody here holds has a request too, which never
 * shows. Screenshots: test/screenshots/chat-ticket-list-*.png. Skips without
 * /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { chromiumOrSkip, holdRequest as hold, type Json } from './helpers/browser.ts';
import { chatTicketPages, CLOSED } from './helpers/chat-ticket-pages.ts';

/** The companies of the development sign-in's intermediary (widgets/chat/dev-signin.js). */
const A = '1234567890';
const B = '9876543210';
const STRANGER = '5555555555';

const pages = chatTicketPages('chat-ticket-list');
const { chromium, api, devToken, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;
const ctx = { page: null as unknown as Page };

const officeToken = () => devToken({ role: 'office', sub: 'op-mi-list', name: 'Laura Bianchi', sede: 'SEDE-MI' });
/** The token of the person signed in on the page (the dev sign-in keeps their claims in sessionStorage). */
const tokenOfPage = async (page: Page) => devToken(JSON.parse((await page.evaluate(() => sessionStorage.getItem('infocig.chat.dev')))!));

async function create(tok: string, body: Json): Promise<string> {
  const res = await api(tok, 'POST', '/api/v1/tickets', { category: 'cigo', body: 'Testo della richiesta.', ...body });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

const items = (page: Page) => page.locator('#tk-list .tk-item');
/** The view on screen (chat.js marks it on <body>). */
const viewShown = (page: Page) => page.evaluate(() => document.body.dataset.view ?? '');

const status = (page: Page) => page.locator('#list-status');
const subjects = async (page: Page) => (await page.locator('#tk-list .tk-subject').allTextContents()).sort();

async function search(page: Page, fields: { company?: string; status?: string; subject?: string }, expect: string): Promise<void> {
  if (fields.company !== undefined) await page.getByLabel('Azienda (matricola)').selectOption(fields.company);
  if (fields.status !== undefined) await page.getByLabel('Stato', { exact: true }).selectOption(fields.status);
  if (fields.subject !== undefined) await page.getByLabel('Cerca nell’oggetto').fill(fields.subject);
  await page.getByRole('button', { name: 'Cerca', exact: true }).click();
  await status(page).filter({ hasText: expect }).waitFor();
  await page.locator('#tk-list[aria-busy]').waitFor({ state: 'detached' });
}

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    const c = await newContext('intermediary', { ...CLOSED, audience: 'intermediary' });
    ctx.page = await c.newPage();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('a consultant is offered its companies to choose from in the request form; sees the 20 latest requests, each naming its company, and "Mostra altre" brings the other 4', async () => {
    const page = ctx.page;
    await signIn(page, 'intermediary', 'MI', 'Studio Colombo');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    // The request form below offers the consultant's companies to choose from (or none in particular).
    const held = await page.getByLabel('Per quale azienda è la richiesta?').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.equal(held, ['', A, B, 'none']);
    const office = await officeToken();
    for (let i = 1; i <= 20; i++) await create(office, { subject: `Documentazione CIGO n. ${i}`, to: { matricola: A } });
    for (let i = 1; i <= 2; i++) await create(office, { subject: `Richiesta integrazione documenti ${i}`, to: { matricola: B } });
    await create(await devToken({ role: 'employer', sub: 'emp-stranger', province: 'MI', matricola: STRANGER }), { subject: 'Documentazione di una ditta estranea' });
    await create(await devToken({ role: 'employer', sub: 'emp-b', province: 'MI', matricola: B }), { subject: 'Conguaglio FIS reparto B' });
    await create(await tokenOfPage(page), { subject: 'Delega dello studio' });

    await page.locator('#closed-mine').click();
    await status(page).filter({ hasText: 'Sono mostrate le 20 aggiornate più di recente su 24.' }).waitFor();
    assert.is(await items(page).count(), 20);
    // the last change first: the consultant's own request, then the employer's (the office's own are in its charge already)
    assert.match((await items(page).nth(0).textContent()) ?? '', /Delega dello studio/);
    assert.is(await items(page).nth(0).locator('.tk-company').count(), 0, 'no company for a request of the consultant\'s own');
    const second = items(page).nth(1);
    assert.match((await second.textContent()) ?? '', /Conguaglio FIS reparto B/);
    assert.is(await second.locator('.tk-company').textContent(), `Matricola ${B}`);
    assert.is(await items(page).filter({ hasText: 'Documentazione CIGO n. 20' }).locator('.tk-company').textContent(), `Matricola ${A}`);
    assert.is(await items(page).filter({ hasText: 'ditta estranea' }).count(), 0);
    assert.equal(await page.locator('#lf-company option').allTextContents(), ['Tutte le aziende', A, B]);
    assert.equal(await page.locator('#lf-status option').allTextContents(), ['Tutti gli stati', 'Aperte', 'In lavorazione', 'Chiuse']);
    await shot(page, 'list-consultant');
    assert.equal(await axe(page), [], 'axe on the list with its search');

    await page.getByRole('button', { name: 'Mostra altre' }).click();
    await status(page).filter({ hasText: 'Richieste: 24.' }).waitFor();
    assert.is(await items(page).count(), 24);
    assert.is(new Set(await page.locator('#tk-list .tk-subject').allTextContents()).size, 24, 'each request once');
    assert.ok(await page.getByRole('button', { name: 'Mostra altre' }).isHidden(), 'nothing more to show');
    const focused = await page.evaluate(() => [...document.querySelectorAll('#tk-list button')].indexOf(document.activeElement as HTMLButtonElement));
    assert.is(focused, 20, 'the focus on the first of the new ones');
  });

  test('the consultant narrows the list to one company, then by status and subject; nothing matching says so', async () => {
    const page = ctx.page;
    await search(page, { company: B }, 'Richieste: 3.');
    assert.equal(await subjects(page), ['Conguaglio FIS reparto B', 'Richiesta integrazione documenti 1', 'Richiesta integrazione documenti 2']);
    assert.equal([...new Set(await page.locator('#tk-list .tk-company').allTextContents())], [`Matricola ${B}`]);
    await search(page, { status: 'open' }, 'Richieste: 1.');
    assert.equal(await subjects(page), ['Conguaglio FIS reparto B']);
    await search(page, { status: 'in_progress' }, 'Richieste: 2.');
    assert.equal(await subjects(page), ['Richiesta integrazione documenti 1', 'Richiesta integrazione documenti 2']);
    await search(page, { status: 'closed' }, 'Nessuna richiesta per questi filtri.');
    assert.is(await items(page).count(), 0);
    assert.ok(await page.locator('#list-filters').isVisible(), 'the search stays, to change it');
    await shot(page, 'list-no-match');
    assert.equal(await axe(page), [], 'axe with nothing matching');

    await search(page, { company: '', status: '', subject: 'integrazione' }, 'Richieste: 2.');
    assert.equal(await subjects(page), ['Richiesta integrazione documenti 1', 'Richiesta integrazione documenti 2']);
    await search(page, { company: A, subject: 'cigo' }, 'Richieste: 20.');
    assert.ok(await page.getByRole('button', { name: 'Mostra altre' }).isHidden());

    // A request opened and left: back in the list the search is still the one in force.
    await items(page).filter({ hasText: 'Documentazione CIGO n. 7' }).click();
    await page.getByRole('heading', { name: 'Documentazione CIGO n. 7' }).waitFor();
    await page.locator('#thread-back').click();
    await status(page).filter({ hasText: 'Richieste: 20.' }).waitFor();
    assert.is(await page.locator('#lf-company').inputValue(), A);

    await page.getByRole('button', { name: 'Azzera i filtri' }).click();
    await status(page).filter({ hasText: 'Sono mostrate le 20 aggiornate più di recente su 24.' }).waitFor();
    assert.equal([await page.locator('#lf-company').inputValue(), await page.locator('#lf-subject').inputValue()], ['', '']);
  });

  test('the consultant narrows the list by the day the requests were sent, each naming its day; days the wrong way round say so instead of "nothing found"', async () => {
    const page = ctx.page;
    // The server counts days in Rome; every request here was sent today.
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(Date.now() + offset * 86_400_000);
    const [today, tomorrow] = [day(0), day(1)];
    const dates = page.getByRole('group', { name: 'Data della richiesta' });
    const [y, m, d] = today.split('-');
    // Typed as Italians write it (day first, whatever the browser's language), and pasted as ISO: both read.
    await dates.getByLabel('dal', { exact: true }).fill(`${Number(d)}/${Number(m)}/${y}`);
    await dates.getByLabel('al', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await status(page).filter({ hasText: 'Sono mostrate le 20 aggiornate più di recente su 24.' }).waitFor();
    assert.match((await items(page).nth(0).locator('.tk-meta').textContent()) ?? '', new RegExp(`Inviata il ${d}/${m}/${y}`));
    assert.equal([await page.locator('#lf-from').inputValue(), await page.locator('#lf-to').inputValue()], [`${d}/${m}/${y}`, `${d}/${m}/${y}`], 'both shown as understood, gg/mm/aaaa');
    const [ty, tm, td] = tomorrow.split('-');
    await dates.getByLabel('dal', { exact: true }).fill(`${td}/${tm}/${ty}`);
    await dates.getByLabel('al', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await status(page).filter({ hasText: 'Nessuna richiesta per questi filtri.' }).waitFor();
    await dates.getByLabel('al', { exact: true }).fill(`${d}/${m}/${y}`);
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'La data «dal» è successiva alla data «al»: correggi una delle due.' }).waitFor();
    assert.is(await focusedId(page), 'lf-from');
    assert.is(await page.locator('#lf-from').getAttribute('aria-invalid'), 'true', 'an empty aria-invalid would count as false');
    await shot(page, 'list-dates-wrong-way');
    assert.equal(await axe(page), [], 'axe with the dates refused');
    await page.getByRole('button', { name: 'Azzera i filtri' }).click();
    await status(page).filter({ hasText: 'Sono mostrate le 20 aggiornate più di recente su 24.' }).waitFor();
    assert.is(await page.locator('#lf-error').textContent(), '');
    assert.equal([await page.locator('#lf-from').inputValue(), await page.locator('#lf-to').inputValue()], ['', '']);
  });

  test('an answer that arrives after the user moved on does not pull them back: a request left before it loads, the first of two chosen quickly, the service\'s state after "Indietro" then a request', async () => {
    const page = ctx.page;
    const idOf = (subject: string) => items(page).filter({ hasText: subject }).getAttribute('data-id') as Promise<string>;
    const [slow, fast] = [await idOf('Documentazione CIGO n. 6'), await idOf('Documentazione CIGO n. 8')];
    // n. 6 chosen on a slow line, n. 8 just after: n. 6's answer, arriving last, does not replace n. 8.
    let held = await hold(page, `/api/v1/tickets/${slow}`);
    await items(page).filter({ hasText: 'Documentazione CIGO n. 6' }).click();
    await items(page).filter({ hasText: 'Documentazione CIGO n. 8' }).click();
    await page.getByRole('heading', { name: 'Documentazione CIGO n. 8' }).waitFor();
    await held.release();
    assert.is(await page.locator('#thread-title').textContent(), 'Documentazione CIGO n. 8');
    assert.is(await viewShown(page), 'thread');

    // "Aggiorna" on a slow line, then "Le mie richieste" before it answers: the list stays.
    held = await hold(page, `/api/v1/tickets/${fast}`);
    await page.locator('#thread-refresh').click();
    await page.locator('#thread-back').click();
    await status(page).filter({ hasText: 'Sono mostrate le 20 aggiornate più di recente su 24.' }).waitFor();
    await held.release();
    assert.is(await viewShown(page), 'list', 'the late answer leaves the list on screen');
    assert.ok(await status(page).isVisible());

    // "Indietro" from the list on a slow line, then a request after all: the service's late answer ("closed") does not cover it.
    held = await hold(page, '/api/v1/availability', (route) => route.fulfill({ json: CLOSED }));
    await page.locator('#list-back').click();
    await items(page).filter({ hasText: 'Documentazione CIGO n. 8' }).click();
    await page.getByRole('heading', { name: 'Documentazione CIGO n. 8' }).waitFor();
    await held.release();
    assert.is(await viewShown(page), 'thread', 'the late availability leaves the request on screen');
    await page.locator('#thread-back').click();
    await status(page).filter({ hasText: 'Sono mostrate le 20 aggiornate più di recente su 24.' }).waitFor();
  });

  test('in German on a phone (390 px) the search and the companies read in German and nothing overflows', async () => {
    const page = ctx.page;
    await page.setViewportSize({ width: 390, height: 860 });
    await page.locator('#lang').selectOption('de');
    await page.getByRole('search', { name: 'Anfragen durchsuchen' }).waitFor();
    for (const field of ['Betrieb (Matrikelnummer)', 'Status', 'Im Betreff suchen']) assert.ok(await page.getByLabel(field, { exact: true }).isVisible(), field);
    assert.equal(await page.locator('#lf-status option').allTextContents(), ['Alle Status', 'Offen', 'In Bearbeitung', 'Abgeschlossen']);
    assert.is(await status(page).textContent(), 'Angezeigt werden die 20 zuletzt aktualisierten von 24.');
    assert.is(await items(page).nth(1).locator('.tk-company').textContent(), `Matrikelnummer ${B}`);
    await page.getByRole('button', { name: 'Weitere anzeigen' }).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.not.ok(wide, 'the page does not scroll sideways');
    await shot(page, 'list-de-390');
    await shot(page, 'list-de-390-top', false);
    assert.equal(await axe(page), [], 'axe in German');
    // 320 px with text at 200 % (WCAG 1.4.10): the two date fields fit, the year in them whole.
    await page.setViewportSize({ width: 320, height: 860 });
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.getByLabel('vom', { exact: true }).fill('1.12.2026');
    await page.getByLabel('bis', { exact: true }).fill('31.11.2026');
    await page.getByRole('button', { name: 'Suchen', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '„bis“: Den 31.11.2026 gibt es im Kalender nicht. Bitte prüfen Sie Tag und Monat.' }).waitFor();
    assert.is(await focusedId(page), 'lf-to');
    assert.is(await page.locator('#lf-from').inputValue(), '01.12.2026', 'the day understood, in German');
    assert.is(await page.locator('#lf-to').inputValue(), '31.11.2026', 'what was typed stays');
    const reflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      screen: document.documentElement.clientWidth,
      right: Math.max(...['lf-from', 'lf-to', 'lf-to-format'].map((id) => document.getElementById(id)!.getBoundingClientRect().right)),
    }));
    assert.ok(reflow.page <= reflow.screen && reflow.right <= 320, `the dates and their format fit 320 px at 200 % (${JSON.stringify(reflow)})`);
    assert.is(await page.locator('#lf-from-format').textContent(), 'TT.MM.JJJJ');
    await shot(page, 'list-de-320-200', false);
    assert.equal(await axe(page), [], 'axe in German at 320 px, a date refused');
    // A language change writes the day typed in the new language's way; the one that is no day stays as typed.
    await page.locator('#lang').selectOption('it');
    assert.equal([await page.locator('#lf-from').inputValue(), await page.locator('#lf-to').inputValue()], ['01/12/2026', '31.11.2026']);
    assert.is(await page.locator('#lf-from-format').textContent(), 'gg/mm/aaaa');
    await page.locator('#lang').selectOption('de');
    await page.locator('#lf-from').fill('');
    await page.locator('#lf-to').fill('');
    await page.evaluate(() => (document.documentElement.style.fontSize = ''));
    await page.setViewportSize({ width: 390, height: 860 });
    await page.getByLabel('Status', { exact: true }).selectOption('closed');
    await page.getByRole('button', { name: 'Suchen', exact: true }).click();
    await status(page).filter({ hasText: 'Keine Anfragen für diese Filter.' }).waitFor();
    await page.getByRole('button', { name: 'Filter zurücksetzen' }).click();
    await status(page).filter({ hasText: 'Angezeigt werden die 20 zuletzt aktualisierten von 24.' }).waitFor();
    await page.locator('#lang').selectOption('it');
  });

  test('a worker: no requests, no search; with two, the search has status and subject but no company, and no "Mostra altre"', async () => {
    const c = await newContext('worker');
    const page = await c.newPage();
    await signIn(page, 'worker', 'MI', 'Anna Neri');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.locator('#closed-mine').click();
    await status(page).filter({ hasText: 'Non hai ancora richieste Linea INPS.' }).waitFor();
    assert.ok(await page.locator('#list-filters').isHidden(), 'nothing to search yet');

    const worker = await tokenOfPage(page);
    await create(worker, { subject: 'Pagamento diretto di marzo' });
    const closed = await create(worker, { subject: 'Pagamento diretto di febbraio' });
    const office = await officeToken();
    assert.is((await api(office, 'PATCH', `/api/v1/tickets/${closed}`, { status: 'closed', outcome: 'Pagato' })).status, 200);
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    await status(page).filter({ hasText: 'Richieste: 2.' }).waitFor();
    assert.ok(await page.locator('#list-filters').isVisible());
    assert.ok(await page.locator('#lf-company').isHidden(), 'no company for a worker');
    assert.ok(await page.getByRole('button', { name: 'Mostra altre' }).isHidden());
    assert.is(await page.locator('#tk-list .tk-company').count(), 0);
    await search(page, { status: 'closed' }, 'Richieste: 1.');
    assert.equal(await subjects(page), ['Pagamento diretto di febbraio']);
    await search(page, { status: '', subject: 'aprile' }, 'Nessuna richiesta per questi filtri.');
    await shot(page, 'list-worker');
    assert.equal(await axe(page), [], 'axe on the worker\'s list');
    await page.getByRole('button', { name: 'Azzera i filtri' }).click();
    await status(page).filter({ hasText: 'Richieste: 2.' }).waitFor();
    assert.is(await focusedId(page), 'lf-clear');
    await c.close();
  });

  test('a consultant\'s request for one of its companies names that company (its matricola) in the confirmation, not only in the list', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Nuova richiesta Linea INPS' }).click();
    await page.getByLabel('Oggetto', { exact: true }).fill('Cassa integrazione del reparto B');
    await page.getByLabel('Argomento', { exact: true }).selectOption('cigo');
    await page.getByLabel('Testo della richiesta').fill('Chiediamo lo stato della domanda del reparto B.');
    await page.getByLabel('Per quale azienda è la richiesta?').selectOption(B);
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    const facts = await page.locator('#done-box dl > div').evaluateAll((divs) => divs.map((d) => `${d.querySelector('dt')?.textContent}: ${d.querySelector('dd')?.textContent}`));
    assert.ok(facts.includes(`Matricola: ${B}`), facts.join(' | '));
    await shot(page, 'done-consultant');
    assert.equal(await axe(page), [], 'axe on the consultant\'s confirmation');
  });

  test('in a browser set to American English the Italian page asks for gg/mm/aaaa, reads 1/12 as 1 December, sends ISO, and says which date does not exist', async () => {
    const c = await newContext('en-us', CLOSED, { locale: 'en-US' });
    const page = await c.newPage();
    // The page's language is the embedding site's (?lang=it), not the browser's.
    await page.goto(`${pages.server.base}/chat/?lang=it`);
    await page.getByLabel('Profilo').selectOption('worker');
    await page.getByLabel('Provincia').selectOption('MI');
    await page.getByLabel('Nome').fill('Giulia Verdi');
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.is(await page.evaluate(() => navigator.language), 'en-US');
    await create(await tokenOfPage(page), { subject: 'Anticipo della cassa integrazione' });
    await page.locator('#closed-mine').click();
    await status(page).filter({ hasText: 'Richieste: 1.' }).waitFor();

    const from = page.getByRole('textbox', { name: 'dal', exact: true });
    const to = page.getByRole('textbox', { name: 'al', exact: true });
    assert.equal([await from.getAttribute('type'), await from.getAttribute('inputmode')], ['text', 'numeric']);
    const described = await from.evaluate((el) => el.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent).join('|'));
    assert.is(described, 'gg/mm/aaaa|', 'the format is shown and read with the field');
    assert.ok(await page.locator('#lf-from-format').isVisible());

    // Today and tomorrow (Rome) the Italian way, unpadded and with dots: the request sent today is found, and the API gets ISO.
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(Date.now() + offset * 86_400_000);
    const [today, tomorrow] = [day(0), day(1)];
    const italian = (iso: string, sep = '/') => iso.split('-').reverse().map(Number).join(sep);
    await from.fill(italian(today));
    await to.fill(italian(tomorrow, '.'));
    const asked = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/tickets' && new URL(r.url()).searchParams.has('from'));
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    const sent = new URL((await asked).url()).searchParams;
    assert.equal([sent.get('from'), sent.get('to')], [today, tomorrow]);
    await status(page).filter({ hasText: 'Richieste: 1.' }).waitFor();
    assert.is(await from.inputValue(), today.split('-').reverse().join('/'), 'shown as understood: gg/mm/aaaa');
    await shot(page, 'list-en-us-browser');

    // A day the calendar lacks: said on its field, nothing asked, the text kept.
    let asks = 0;
    page.on('request', (r) => void (new URL(r.url()).pathname === '/api/v1/tickets' && asks++));
    await to.fill('31/02/2026');
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '«al»: il 31/02/2026 non esiste nel calendario. Controlla il giorno e il mese.' }).waitFor();
    assert.is(await focusedId(page), 'lf-to');
    assert.equal([await to.getAttribute('aria-invalid'), await from.getAttribute('aria-invalid')], ['true', null]);
    assert.is(await to.inputValue(), '31/02/2026');
    assert.is(asks, 0, 'no search with a day that does not exist');
    await shot(page, 'list-date-nonexistent');
    assert.equal(await axe(page), [], 'axe with a date refused');

    await to.fill('domani');
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '«al»: scrivi la data come gg/mm/aaaa, giorno prima del mese, per esempio 25/03/2026.' }).waitFor();
    assert.is(await to.inputValue(), 'domani');

    // In English: the day typed written again day first, the format said in English.
    await page.locator('#lang').selectOption('en');
    assert.is(await page.locator('#lf-from-format').textContent(), 'dd/mm/yyyy');
    assert.is(await page.getByRole('textbox', { name: 'from', exact: true }).inputValue(), today.split('-').reverse().join('/'));
    await page.getByRole('textbox', { name: 'to', exact: true }).fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await status(page).filter({ hasText: 'Requests: 1.' }).waitFor();
    assert.is(await page.locator('#lf-error').textContent(), '');
    assert.is(await page.locator('#lf-to').getAttribute('aria-invalid'), null);

    // 320 px with text at 200 %: the fields, their format and the error fit.
    await page.locator('#lf-to').fill('32/01/2026');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '“to”: 32/01/2026 is not a day of the calendar.' }).waitFor();
    await page.setViewportSize({ width: 320, height: 900 });
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.not.ok(wide, 'nothing scrolls sideways');
    await page.locator('#lf-error').scrollIntoViewIfNeeded();
    await shot(page, 'list-date-en-320-200', false);
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
