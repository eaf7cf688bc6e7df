/**
 * Linea INPS requests from the chat app's closed view, in a real browser
 * (Debian chromium through playwright-core): the request form, a request with
 * a PNG sent as multipart and its protocol number, sede and due time; "Le mie
 * richieste" and the thread with its files; a reply of the Milano office (over
 * HTTP) seen after a refresh, and the user's answer; a request the office
 * closes meanwhile; a disguised file refused with the typed text kept (in the
 * page and by the server); a matricola that is not the user's; a keyboard-only
 * pass; a request whose answer is lost sent again as the same request (Idempotency-Key); axe-core.
 *
 * The server runs on the real calendar; "closed" is made deterministic by
 * answering GET /api/v1/availability in the page (test/helpers/chat-ticket-pages.ts).
 * Screenshots: test/screenshots/chat-ticket-*.png. Skips without /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import { chromiumOrSkip, loseFirstAnswer, type Json } from './helpers/browser.ts';
import { chatTicketPages, CLOSED, PNG } from './helpers/chat-ticket-pages.ts';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';

const PDF = Buffer.from('%PDF-1.4\n% risposta della sede\n%%EOF\n');

const pages = chatTicketPages('chat-ticket');
const { chromium, api, devToken, newContext, signIn, focusedId } = pages;
const { shot, axe } = chromium;

const ctx = {
  page: null as unknown as Page,
  protocol: '',
  ticketId: '',
  subject: 'Pagamento diretto CIGO di febbraio',
};

const officeToken = () => devToken({ role: 'office', sub: 'op-mi-bianchi', name: 'Laura Bianchi', sede: 'SEDE-MI' });

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
    const c = await newContext('user');
    ctx.page = await c.newPage();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('the closed view says why and offers the Linea INPS request form, every field labelled', async () => {
    const page = ctx.page;
    await signIn(page);
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    assert.match((await page.locator('#closed-reason').textContent()) ?? '', /dal lunedì al venerdì/);
    for (const field of ['Oggetto', 'Argomento', 'Testo della richiesta', 'Allegati (facoltativi)']) assert.ok(await page.getByLabel(field, { exact: true }).isVisible(), field);
    assert.is((await page.locator('label.file-button[for="tk-files"]').textContent())?.trim(), 'Scegli i file', 'the picker\'s button in the page\'s language');
    assert.is(await page.locator('#tk-matricola').isVisible(), false, 'no matricola for a worker');
    const topics = await page.locator('#tk-topic option').allTextContents();
    assert.equal(topics.slice(1), ['CIGO – Cassa integrazione ordinaria', 'CIGS – Cassa integrazione straordinaria', 'FIS / assegno di integrazione salariale', 'Fondi di solidarietà', 'Tempi di pagamento', 'Altro']);
    await page.getByRole('button', { name: 'Le mie richieste' }).waitFor();
    await shot(page, 'closed');
    assert.equal(await axe(page), [], 'axe on the closed view with the form');
  });

  test('a request with a PNG attachment is registered: protocol number, sede and due time in a live region', async () => {
    const page = ctx.page;
    // Sending without a text names what is missing, and keeps the focus on it.
    await page.getByLabel('Oggetto', { exact: true }).fill(ctx.subject);
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.locator('#tk-error', { hasText: 'Scegli un argomento.' }).waitFor();
    assert.is(await focusedId(page), 'tk-topic');
    await page.getByLabel('Argomento', { exact: true }).selectOption('payment');
    await page.getByLabel('Testo della richiesta').fill('Buongiorno, il pagamento diretto di febbraio non è ancora arrivato. Allego il cedolino.');
    await page.getByLabel('Allegati (facoltativi)').setInputFiles({ name: 'cedolino.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('#tk-chosen li', { hasText: 'cedolino.png (' }).waitFor();
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    const box = page.locator('#done-box');
    assert.is(await box.getAttribute('role'), 'status');
    assert.is(await box.getAttribute('aria-live'), 'polite');
    const text = (await box.textContent()) ?? '';
    const m = text.match(/LINPS-\d{4}-\d{6}/);
    assert.ok(m, `a protocol number: ${text}`);
    ctx.protocol = m![0];
    assert.match(text, /Assegnata aINPS Sede di Milano/, 'the office by its name');
    // Opened on a working day the deadline has an hour; opened on a closed day it is the end of a working day.
    assert.match(text, /Risposta della sede entro(lunedì|martedì|mercoledì|giovedì|venerdì) \d+ \S+( alle \d\d:\d\d|, fine giornata)/);
    assert.not.match(text, /alle 00:00/, 'a midnight deadline reads as the end of the day before');
    assert.is(await focusedId(page), 'done-title', 'the focus moves to the confirmation');
    // The form is empty again for a next request.
    assert.is(await page.locator('#tk-subject').inputValue(), '');
    await shot(page, 'done');
    assert.equal(await axe(page), [], 'axe on the confirmation');
  });

  test('"Le mie richieste" lists it; its thread, announced as one message (in the singular), shows the request and the file, which downloads', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Le mie richieste' }).click();
    const item = page.locator('.tk-item', { hasText: ctx.protocol });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /Aperta/);
    assert.match((await item.textContent()) ?? '', new RegExp(ctx.subject));
    assert.match((await item.textContent()) ?? '', /Risposta entro \d\d\/\d\d\/\d{4}/);
    await page.locator('#list-status', { hasText: 'Richieste: 1.' }).waitFor();
    await shot(page, 'list');
    assert.equal(await axe(page), [], 'axe on the list');
    await item.click();
    await page.getByRole('heading', { name: ctx.subject }).waitFor();
    assert.is(await focusedId(page), 'thread-title');
    await page.locator('.reply', { hasText: 'non è ancora arrivato' }).waitFor();
    await page.locator('#announce', { hasText: `Richiesta ${ctx.protocol}: 1 messaggio.` }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Scarica cedolino\.png/ }).click()]);
    assert.is(download.suggestedFilename(), 'cedolino.png');
    assert.ok(readFileSync(await download.path()).equals(PNG), 'the same bytes come back');
  });

  test('the Milano office replies over HTTP; the user refreshes the thread, sees it and answers', async () => {
    const page = ctx.page;
    const office = await officeToken();
    const list = await api(office, 'GET', '/api/v1/tickets?pageSize=100');
    const ticket = (list.body.items as Json[]).find((t) => t.protocol === ctx.protocol);
    assert.ok(ticket, 'the request is in SEDE-MI');
    ctx.ticketId = ticket!.id;
    const form = new FormData();
    form.append('body', 'Gentile utente, il pagamento è in lavorazione: alleghiamo il prospetto.');
    form.append('files', new Blob([PDF], { type: 'application/pdf' }), 'prospetto.pdf');
    const reply = await api(office, 'POST', `/api/v1/tickets/${ctx.ticketId}/replies`, form);
    assert.is(reply.status, 201, JSON.stringify(reply.body));

    await page.getByRole('button', { name: 'Aggiorna' }).click();
    const answer = page.locator('.reply.from-office', { hasText: 'il pagamento è in lavorazione' });
    await answer.waitFor();
    assert.match((await answer.textContent()) ?? '', /Laura Bianchi – Sede INPS/);
    const order = await page.locator('#th-replies > li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.seq));
    assert.equal(order, ['1', '2'], 'replies in order');
    const [download] = await Promise.all([page.waitForEvent('download'), answer.getByRole('button', { name: /Scarica prospetto\.pdf/ }).click()]);
    assert.ok(readFileSync(await download.path()).equals(PDF));

    await page.getByLabel('Testo della risposta').fill('Grazie, allego la ricevuta della banca.');
    await page.locator('#rp-files').setInputFiles({ name: 'ricevuta.txt', mimeType: 'text/plain', buffer: Buffer.from('Bonifico non ricevuto al 10 marzo.\n') });
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('.reply.from-user', { hasText: 'allego la ricevuta' }).waitFor();
    await page.locator('#announce', { hasText: 'Risposta inviata.' }).waitFor();
    assert.is(await page.locator('#rp-body').inputValue(), '');
    const seen = await api(office, 'GET', `/api/v1/tickets/${ctx.ticketId}`);
    assert.is(seen.body.replies.length, 3);
    assert.is(seen.body.replies[2].attachments[0].filename, 'ricevuta.txt');
    // That read by the office is in the access log, and the user sees it: the office, not the employee.
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    const views = page.locator('#th-views-box');
    await views.locator('summary', { hasText: 'Chi ha consultato la richiesta (1)' }).click();
    assert.match((await page.locator('#th-views li').first().textContent()) ?? '', /^\d\d\/\d\d\/\d{4}, \d\d:\d\d: INPS Sede di Milano ha aperto la richiesta$/);
    assert.not.match((await views.textContent()) ?? '', /Bianchi|op-mi/);
    await shot(page, 'thread');
    assert.equal(await axe(page), [], 'axe on the thread');
  });

  test('once the office has answered, the thread and "Le mie richieste" say that it answered and when, no longer that an answer is due', async () => {
    const page = ctx.page;
    const facts = page.locator('#th-facts');
    await facts.filter({ hasText: /Prima risposta della sede\s*\d\d\/\d\d\/\d{4}, \d\d:\d\d/ }).waitFor();
    assert.not.match((await facts.textContent()) ?? '', /Risposta della sede entro/);
    await page.getByRole('button', { name: 'Le mie richieste' }).click();
    const item = page.locator('.tk-item', { hasText: ctx.protocol });
    await item.locator('.tk-answered').filter({ hasText: /^La sede ha risposto il \d\d\/\d\d\/\d{4}, \d\d:\d\d$/ }).waitFor();
    assert.not.match((await item.textContent()) ?? '', /Risposta entro/);
    await shot(page, 'list-answered');
    assert.equal(await axe(page), [], 'axe on the list with an answered request');
    await item.click();
    await page.getByLabel('Testo della risposta').waitFor();
  });

  test('when the office closes the request meanwhile, a reply is refused in plain words, the text stays and the outcome shows', async () => {
    const page = ctx.page;
    const reply = page.getByLabel('Testo della risposta');
    await reply.fill('Un’ultima domanda sul prospetto.');
    const office = await officeToken();
    assert.is((await api(office, 'PATCH', `/api/v1/tickets/${ctx.ticketId}`, { status: 'in_progress' })).status, 200);
    assert.is((await api(office, 'PATCH', `/api/v1/tickets/${ctx.ticketId}`, { status: 'closed', outcome: 'Pratica definita' })).status, 200);
    await page.getByRole('button', { name: 'Invia la risposta' }).click();
    await page.locator('#rp-error', { hasText: 'La richiesta è stata chiusa nel frattempo' }).waitFor();
    await page.locator('#th-status', { hasText: 'Chiusa' }).waitFor();
    assert.match((await page.locator('#th-closed').textContent()) ?? '', /^Richiesta chiusa il \d\d\/\d\d\/\d{4}, \d\d:\d\d\. Esito: Pratica definita\.$/);
    assert.is(await reply.inputValue(), 'Un’ultima domanda sul prospetto.', 'the refused text is still there');
    // Once cleared, a closed request shows no reply form.
    await reply.fill('');
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    await page.locator('#reply-form').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Le mie richieste' }).click();
    await page.locator('.tk-item', { hasText: ctx.protocol }).filter({ hasText: /Chiusa.*Chiusa il/ }).waitFor();
    await shot(page, 'closed-list');
    await page.locator('.tk-item', { hasText: ctx.protocol }).click();
    await page.locator('#th-closed').waitFor();
  });

  test('a disguised file (text named .pdf) is refused with a clear message, and what was typed stays; of four files the refused one is taken away alone', async () => {
    const page = ctx.page;
    await page.getByRole('button', { name: 'Le mie richieste' }).click();
    await page.getByRole('button', { name: 'Indietro' }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const subject = page.getByLabel('Oggetto', { exact: true });
    const body = page.getByLabel('Testo della richiesta');
    await subject.fill('Modulo SR41');
    await page.getByLabel('Argomento', { exact: true }).selectOption('cigo');
    await body.fill('Allego il modulo SR41 compilato.');
    const files = page.getByLabel('Allegati (facoltativi)');
    await files.setInputFiles({ name: 'SR41.pdf', mimeType: 'application/pdf', buffer: Buffer.from('questo non è un PDF, è testo\n') });
    const error = page.locator('#tk-error');
    await error.filter({ hasText: '«SR41.pdf» non è un vero file PDF' }).waitFor();
    assert.is(await files.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await error.filter({ hasText: 'non è un vero file PDF' }).waitFor();
    assert.is(await focusedId(page), 'tk-files');
    await shot(page, 'refused');

    // Text that passes the page's check but not the server's (markup): the server's code in plain words, naming
    // the file (someone's input: shown as text, markup and all, and cut short).
    const name = `<img src=x onerror=alert(1)>nota-${'molto-lunga-'.repeat(8)}.txt`;
    await files.setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from('<html><body><script>alert(1)</script></body></html>') });
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await error.filter({ hasText: 'Il file «<img src=x onerror=alert(1)>nota-molto-lunga-' }).waitFor();
    assert.ok((await error.textContent())?.startsWith(`Il file «${name.slice(0, 59)}…» è stato rifiutato: il suo contenuto non è un PDF`), 'the name cut to 60 characters');
    assert.is(await error.locator('img').count(), 0, 'the name is text, not markup');
    await shot(page, 'refused-by-server');
    assert.match((await error.textContent()) ?? '', /Quello che hai scritto è rimasto nel modulo\./);
    assert.is(await error.getAttribute('role'), 'alert');
    assert.is(await subject.inputValue(), 'Modulo SR41');
    assert.is(await body.inputValue(), 'Allego il modulo SR41 compilato.');
    assert.is(await page.locator('#tk-topic').inputValue(), 'cigo');
    await page.locator('#tk-chosen li', { hasText: 'nota-molto-lunga-' }).waitFor();
    const office = await officeToken();
    const list = await api(office, 'GET', '/api/v1/tickets?pageSize=100');
    assert.is(list.body.total, 1, 'nothing was stored');
    assert.equal(await axe(page), [], 'axe with the error shown');
    await page.getByRole('button', { name: 'Togli gli allegati' }).click();
    assert.is(await focusedId(page), 'tk-files');
    // Four files, one of them refused: "Togli" takes that one away alone, by keyboard; the other three stay and go.
    const txt = (n: string) => ({ name: `${n}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`${n}\n`) });
    await files.setInputFiles([txt('busta-paga'), { name: 'SR41.pdf', mimeType: 'application/pdf', buffer: Buffer.from('testo\n') }, txt('iban'), txt('delega')]);
    await error.filter({ hasText: 'Puoi allegare al massimo 3 file: ne hai scelti 4. Togli quelli in più con «Togli». «SR41.pdf» non è un vero file PDF' }).waitFor();
    await page.getByRole('button', { name: 'Togli «SR41.pdf»' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#tk-chosen li').nth(3).waitFor({ state: 'detached' });
    assert.equal(await page.locator('#tk-chosen li span').allTextContents(), ['busta-paga.txt (11 B)', 'iban.txt (5 B)', 'delega.txt (7 B)']);
    assert.is(await error.textContent(), '');
    assert.is(await files.getAttribute('aria-invalid'), null);
    assert.is(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Togli «iban.txt»', 'the focus on the next file');
    await shot(page, 'one-removed');
    assert.equal(await axe(page), [], 'axe with the chosen files');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    const sent = (await api(office, 'GET', '/api/v1/tickets?pageSize=100')).body.items.find((t: Json) => t.subject === 'Modulo SR41');
    const stored = await api(office, 'GET', `/api/v1/tickets/${sent.id}`);
    assert.equal(stored.body.replies[0].attachments.map((a: Json) => a.filename), ['busta-paga.txt', 'iban.txt', 'delega.txt']);
  });

  test('a consultant whose companies changed since the page loaded is told so in plain words, on the company field; the text stays', async () => {
    const c = await newContext('consultant-revoked', { ...CLOSED, audience: 'intermediary' });
    const page = await c.newPage();
    await signIn(page, 'intermediary', 'MI', 'Studio Verdi');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.getByLabel('Oggetto', { exact: true }).fill('Autorizzazione CIGO');
    await page.getByLabel('Argomento', { exact: true }).selectOption('cigo');
    await page.getByLabel('Testo della richiesta').fill('A che punto è l’autorizzazione?');
    await page.getByLabel('Per quale azienda è la richiesta?').selectOption('9876543210');
    // As if the mandate for that company had ended since the page loaded: the server refuses the matricola.
    await page.route('**/api/v1/tickets', (route) =>
      route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), matricola: '5555555555' }) }), { times: 1 });
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.locator('#tk-error', { hasText: 'Non risulti abilitato a operare per questa azienda' }).waitFor();
    assert.is(await focusedId(page), 'tk-matricola');
    assert.is(await page.getByLabel('Testo della richiesta').inputValue(), 'A che punto è l’autorizzazione?');
    await c.close();
  });

  test('keyboard only: Tab, typing, Space on the file input and Enter send a request, with visible focus', async () => {
    const c = await newContext('keyboard');
    const page = await c.newPage();
    await signIn(page, 'worker', 'MI', 'Anna Neri');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.locator('#closed-mine').focus();
    const visibleFocus = () =>
      page.evaluate(() => {
        const focused = document.activeElement as HTMLElement;
        // The file input is out of sight: its focus shows on the label drawn as its button.
        const el = focused.matches('input[type="file"]') ? (focused.nextElementSibling as HTMLElement) : focused;
        const s = getComputedStyle(el);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
      });
    const stops: string[] = [];
    const tab = async () => {
      await page.keyboard.press('Tab');
      stops.push(await focusedId(page));
      assert.ok(await visibleFocus(), `visible focus on #${stops.at(-1)}`);
    };
    await tab();
    await page.keyboard.type('Richiesta da tastiera');
    await tab();
    await page.keyboard.press('ArrowDown'); // the first topic
    await tab();
    await page.keyboard.type('Scritta senza mouse.');
    await tab();
    const chooserShown = page.waitForEvent('filechooser');
    // Playwright turns file-chooser interception on asynchronously: one round trip to the
    // page first, or under load the key press can open the (headless, silent) native dialog.
    await page.evaluate(() => 0);
    await page.keyboard.press('Space');
    const chooser = await chooserShown;
    await chooser.setFiles({ name: 'scansione.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('#tk-chosen li', { hasText: 'scansione.png' }).waitFor();
    await tab();
    await tab();
    await tab();
    assert.equal(stops, ['tk-subject', 'tk-topic', 'tk-body', 'tk-files', 'tk-remove-0', 'tk-clear', 'tk-send']);
    assert.is(await page.locator('#tk-topic').inputValue(), 'cigo');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    assert.is(await focusedId(page), 'done-title');
    await page.keyboard.press('Tab');
    assert.is(await focusedId(page), 'done-open');
    await page.keyboard.press('Space');
    await page.getByRole('heading', { name: 'Richiesta da tastiera' }).waitFor();
    assert.is(await focusedId(page), 'thread-title');
    await page.locator('.reply', { hasText: 'Scritta senza mouse.' }).waitFor();
    await shot(page, 'keyboard');
    await c.close();
  });

  test('the answer lost on the way back: sending again gets the same request (one Idempotency-Key), not a second one', async () => {
    const c = await newContext('retry');
    const page = await c.newPage();
    await signIn(page, 'worker', 'MI', 'Carla Gialli');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const subject = 'Richiesta inviata con la rete che cade';
    await page.getByLabel('Oggetto', { exact: true }).fill(subject);
    await page.getByLabel('Argomento', { exact: true }).selectOption('fis');
    await page.getByLabel('Testo della richiesta').fill('Il primo invio arriva, la risposta si perde.');
    const keys = await loseFirstAnswer(page, '**/api/v1/tickets');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.locator('#tk-error', { hasText: 'Connessione assente' }).waitFor();
    assert.is(await page.getByLabel('Oggetto', { exact: true }).inputValue(), subject, 'the text stays');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    const protocol = ((await page.locator('#done-box').textContent()) ?? '').match(/LINPS-\d{4}-\d{6}/)?.[0];
    assert.is(keys.length, 2);
    assert.match(keys[0] ?? '', /^[0-9a-f]{32}$/);
    assert.is(keys[1], keys[0], 'the retry sends the same key');
    const list = await api(await officeToken(), 'GET', `/api/v1/tickets?subject=${encodeURIComponent(subject)}`);
    assert.equal((list.body.items as Json[]).map((t) => t.protocol), [protocol], 'one request, the one shown');
    await shot(page, 'retry-done');
    await c.close();
  });

  test('a request being written survives a reload (or a new sign-in at the identity provider): subject, topic and text are back; once sent, the form is empty again', async () => {
    const page = await (await newContext('draft')).newPage();
    await signIn(page, 'worker', 'MI', 'Lucia Ferri');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const subject = page.getByLabel('Oggetto', { exact: true });
    const topic = page.getByLabel('Argomento', { exact: true });
    const body = page.getByLabel('Testo della richiesta');
    await subject.fill('Assegno di integrazione salariale di ottobre');
    await topic.selectOption('fis');
    await body.fill('Il datore di lavoro dice di aver inviato i dati a novembre, ma il pagamento non è arrivato.');
    await page.reload();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.is(await subject.inputValue(), 'Assegno di integrazione salariale di ottobre');
    assert.is(await topic.inputValue(), 'fis');
    assert.is(await body.inputValue(), 'Il datore di lavoro dice di aver inviato i dati a novembre, ma il pagamento non è arrivato.');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.equal([await subject.inputValue(), await topic.inputValue(), await body.inputValue()], ['', '', '']);
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
