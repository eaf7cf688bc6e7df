/**
 * Which company a chat or a Linea INPS request is about, in a real browser
 * (Debian chromium through playwright-core), for the two company users:
 * - a labour consultant with two companies must choose one, or "Nessuna in
 *   particolare (domanda generale)", in the chat's start form and in the
 *   request form: left on "Scegli l'azienda…", each form refuses with an
 *   inline error (data-code company_required) and the focus on the field; the
 *   choice goes with chat.request (frames read off the page's WebSocket) and
 *   with the request;
 * - a consultant holding one company is asked the same way (a general question
 *   is one of the choices);
 * - an employer (one company) is not asked: both forms say which company it is,
 *   in Italian and German.
 * axe-core on each form. Screenshots: test/screenshots/chat-company-*.png.
 * Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumOrSkip, reflowProblems, type Json } from './helpers/browser.ts';
import { chatTicketPages, CLOSED } from './helpers/chat-ticket-pages.ts';

/** The companies of the development sign-in (widgets/chat/dev-signin.js). */
const A = '1234567890';
const B = '9876543210';
const OPEN = { open: true, closesAt: '2031-03-03T17:00:00.000Z', province: 'MI' };

const pages = chatTicketPages('chat-company');
const { chromium, newContext, signIn, focusedId } = pages;
const { axe } = chromium;
const shot = (page: Page, name: string) => page.screenshot({ path: `test/screenshots/chat-company-${name}.png`, fullPage: true });

/** The chat.request frames the page sends, as objects. */
function chatRequests(page: Page): Json[] {
  const sent: Json[] = [];
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => {
    const frame = JSON.parse(String(payload));
    if (frame.type === 'chat.request') sent.push(frame);
  }));
  return sent;
}

const options = (page: Page, selector: string) => page.locator(`${selector} option`).evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));

async function fillRequest(page: Page, subject: string): Promise<void> {
  await page.getByLabel('Oggetto', { exact: true }).fill(subject);
  await page.getByLabel('Argomento', { exact: true }).selectOption('payment');
  await page.getByLabel('Testo della richiesta').fill('Il pagamento diretto di febbraio non è ancora arrivato.');
}

if (chromiumOrSkip()) {
  test.before(pages.start);
  test.after(pages.stop);

  test('a consultant starting a chat must say which company it is about: left on "Scegli l’azienda…" the form refuses; the choice, or none in particular, goes with the chat', async () => {
    const c = await newContext('consultant-open', { ...OPEN, audience: 'intermediary' });
    const page = await c.newPage();
    const sent = chatRequests(page);
    await signIn(page, 'intermediary', 'MI', 'Studio Colombo');
    const company = page.getByLabel('Per quale azienda?');
    await company.waitFor();
    assert.equal(await options(page, '#company'), [['', 'Scegli l’azienda…'], [A, A], [B, B], ['none', 'Nessuna in particolare (domanda generale)']]);
    assert.is(await company.inputValue(), '', 'no company chosen for them');
    await page.getByLabel('Tempi di pagamento').check();
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    const error = page.locator('#start-error');
    await error.filter({ hasText: 'Scegli l’azienda di cui si tratta, oppure «Nessuna in particolare» per una domanda generale.' }).waitFor();
    assert.is(await error.getAttribute('data-code'), 'company_required');
    assert.is(await focusedId(page), 'company');
    assert.is(await company.getAttribute('aria-invalid'), 'true');
    assert.equal(sent, [], 'nothing asked of the server');
    await shot(page, 'start-refused');
    assert.equal(await axe(page), [], 'axe on the refused start form');

    await company.selectOption('none');
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.waitForFunction(() => document.body.dataset.view !== 'start');
    assert.is(sent.length, 1);
    assert.is(sent[0]!.context?.matricola, undefined, 'a general question names no company');
    await c.close();
  });

  test('a consultant leaving a request must say which company it is about; the one chosen is on the confirmation, none in particular leaves it out', async () => {
    const c = await newContext('consultant-closed', { ...CLOSED, audience: 'intermediary' });
    const page = await c.newPage();
    await signIn(page, 'intermediary', 'MI', 'Studio Colombo');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    const company = page.getByLabel('Per quale azienda è la richiesta?');
    assert.equal(await options(page, '#tk-matricola'), [['', 'Scegli l’azienda…'], [A, A], [B, B], ['none', 'Nessuna in particolare (domanda generale)']]);
    await fillRequest(page, 'Pagamento diretto di febbraio');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    const error = page.locator('#tk-error');
    await error.filter({ hasText: 'Scegli l’azienda di cui si tratta' }).waitFor();
    assert.is(await error.getAttribute('data-code'), 'company_required');
    assert.is(await focusedId(page), 'tk-matricola');
    assert.is(await company.getAttribute('aria-invalid'), 'true');
    await shot(page, 'request-refused');
    assert.equal(await axe(page), [], 'axe on the refused request form');

    await company.selectOption(B);
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    assert.match((await page.locator('#done-box').textContent()) ?? '', `Matricola${B}`);

    await page.getByRole('button', { name: 'Indietro' }).click();
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.is(await company.inputValue(), '', 'the next request asks again');
    await fillRequest(page, 'Domanda generale sul FIS');
    await company.selectOption('none');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    assert.not.match((await page.locator('#done-box').textContent()) ?? '', 'Matricola');
    await c.close();
  });

  for (const [lang, yours] of [['it', `Riguarda la tua azienda, matricola INPS ${A}.`], ['de', `Es geht um Ihren Betrieb, NISF/INPS-Matrikelnummer ${A}.`]] as const) {
    test(`(${lang}) an employer is not asked which company: the start form and the request form say it is theirs, by its matricola`, async () => {
      const open = await newContext(`employer-open-${lang}`, { ...OPEN, audience: 'employer' });
      let page = await open.newPage();
      await signIn(page, 'employer', 'MI', 'Ditta Verdi');
      await page.locator('#view-start:not([hidden])').waitFor();
      if (lang === 'de') await page.locator('#lang').selectOption('de');
      await page.locator('#company-known', { hasText: yours }).waitFor();
      assert.ok(await page.locator('#company-field').isHidden(), 'no question');
      await shot(page, `employer-start-${lang}`);
      await open.close();

      const closed = await newContext(`employer-closed-${lang}`, { ...CLOSED, audience: 'employer' });
      page = await closed.newPage();
      await signIn(page, 'employer', 'MI', 'Ditta Verdi');
      await page.locator('#view-closed:not([hidden])').waitFor();
      if (lang === 'de') await page.locator('#lang').selectOption('de');
      await page.locator('#tk-company-known', { hasText: yours }).waitFor();
      assert.ok(await page.locator('#tk-matricola-box').isHidden(), 'no field to fill');
      await shot(page, `employer-request-${lang}`);
      assert.equal(await axe(page), [], 'axe on the employer\'s request form');
      await closed.close();
    });
  }

  test('a consultant who reloads the start form finds the company, the topic and the question as they left them, and the chat goes under that company; "Esci" forgets them', async () => {
    const c = await newContext('consultant-reload', { ...OPEN, audience: 'intermediary' });
    const page = await c.newPage();
    const sent = chatRequests(page);
    await signIn(page, 'intermediary', 'MI', 'Studio Colombo');
    const company = page.getByLabel('Per quale azienda?');
    await company.selectOption(B);
    await page.getByLabel('Tempi di pagamento').check();
    await page.getByLabel('La tua domanda (facoltativa)').fill('Quando arriva il pagamento diretto di febbraio?');
    await page.reload();
    await page.locator('#view-start:not([hidden])').waitFor();
    assert.is(await company.inputValue(), B, 'the company chosen before the reload');
    assert.ok(await page.getByLabel('Tempi di pagamento').isChecked(), 'the topic chosen before the reload');
    assert.is(await page.getByLabel('La tua domanda (facoltativa)').inputValue(), 'Quando arriva il pagamento diretto di febbraio?');
    await shot(page, 'start-reloaded');
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.waitForFunction(() => document.body.dataset.view !== 'start');
    assert.is(sent.length, 1);
    assert.is(sent[0]!.context?.matricola, B, 'the chat is about the company chosen before the reload');
    // The server (real calendar) may say it is closed: then the question went into the request form, and «Esci»
    // first says that request would be lost (chat-signout-phone-browser); open, nothing is open yet and it leaves at once.
    await page.getByRole('button', { name: 'Esci', exact: true }).click();
    const leave = page.getByRole('button', { name: 'Esci senza inviare' });
    if (await leave.isVisible()) await leave.click();
    await signIn(page, 'intermediary', 'MI', 'Studio Bianchi');
    await page.locator('#view-start:not([hidden])').waitFor();
    assert.is(await company.inputValue(), '', 'the next person signing in to this tab is asked afresh');
    await c.close();
  });

  test('a consultant holding one company is asked too, so a general question can be sent: "Scegli l’azienda…" first and refused if left, in the chat and in the request form', async () => {
    // The development sign-in's saved choice, with one company (its form always gives a consultant two); a
    // consultant of their own for each context, as the first one's chat is still waiting.
    const oneCompany = (c: BrowserContext, sub: string) => c.addInitScript((who) => {
      if (location.pathname.endsWith('/chat/')) sessionStorage.setItem('infocig.chat.dev', JSON.stringify({ role: 'intermediary', province: 'MI', name: 'Studio Neri', sub: who, matricole: ['1234567890'] }));
    }, sub);
    const one = [['', 'Scegli l’azienda…'], [A, A], ['none', 'Nessuna in particolare (domanda generale)']];
    const open = await newContext('consultant-one', { ...OPEN, audience: 'intermediary' });
    await oneCompany(open, 'dev-intermediary-one');
    let page = await open.newPage();
    const sent = chatRequests(page);
    await page.goto(`${pages.server.base}/chat/`);
    const company = page.getByLabel('Per quale azienda?');
    await company.waitFor();
    assert.equal(await options(page, '#company'), one);
    assert.is(await company.inputValue(), '', 'not their one company by default: that would file every general question under it');
    assert.ok(await page.locator('#company-known').isHidden(), 'no "Riguarda l’azienda…" beside the question');
    await page.getByLabel('Tempi di pagamento').check();
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.locator('#start-error[data-code="company_required"]').waitFor();
    assert.is(await focusedId(page), 'company');
    assert.equal(sent, [], 'nothing asked of the server');
    await company.selectOption('none');
    await page.getByRole('button', { name: 'Avvia la chat' }).click();
    await page.waitForFunction(() => document.body.dataset.view !== 'start');
    assert.is(sent.length, 1);
    assert.is(sent[0]!.context?.matricola, undefined, 'a general question names no company');
    await open.close();

    const closed = await newContext('consultant-one-closed', { ...CLOSED, audience: 'intermediary' });
    await oneCompany(closed, 'dev-intermediary-one-closed');
    page = await closed.newPage();
    await page.goto(`${pages.server.base}/chat/`);
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    assert.equal(await options(page, '#tk-matricola'), one);
    assert.ok(await page.locator('#tk-company-known').isHidden());
    await fillRequest(page, 'Domanda generale sul FIS');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.locator('#tk-error[data-code="company_required"]').waitFor();
    assert.is(await focusedId(page), 'tk-matricola');
    await shot(page, 'one-company-request-refused');
    assert.equal(await axe(page), [], 'axe on the one-company consultant\'s refused request form');
    await page.getByLabel('Per quale azienda è la richiesta?').selectOption('none');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    assert.not.match((await page.locator('#done-box').textContent()) ?? '', 'Matricola', 'a general request, about no company');
    await closed.close();
  });

  test('(de) on a phone, text at 200 %: the consultant\'s refused start form and request form reflow, in German', async () => {
    const c = await newContext('consultant-de-320', { ...OPEN, audience: 'intermediary' }, { viewport: { width: 320, height: 700 } });
    const page = await c.newPage();
    await signIn(page, 'intermediary', 'BZ', 'Studio Gruber');
    await page.locator('#view-start:not([hidden])').waitFor();
    await page.locator('#lang').selectOption('de');
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.getByLabel('Auszahlungszeiten').check();
    await page.getByRole('button', { name: 'Chat starten' }).click();
    await page.locator('#start-error', { hasText: 'Bitte wählen Sie den Betrieb, um den es geht, oder „Um keinen bestimmten“ für eine allgemeine Frage.' }).waitFor();
    assert.equal(await options(page, '#company'), [['', 'Betrieb auswählen …'], [A, A], [B, B], ['none', 'Um keinen bestimmten (allgemeine Frage)']]);
    assert.equal(await reflowProblems(page, ['#company', '#start-error']), []);
    await shot(page, 'start-refused-de-320');
    assert.equal(await axe(page), [], 'axe on the German start form');
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
