/**
 * A reply whose answer is lost on the way back, sent again, in a real browser (Debian chromium
 * through playwright-core): the server stores the first POST and the page never hears back
 * (loseFirstAnswer), shows "Connessione assente" and keeps the text; sent again with the same
 * Idempotency-Key, the reply is in the thread once. In the chat app's request thread (a user's
 * reply; the same text sent after that success is a new reply with a new key) and in the office
 * console (the sede's reply, and an internal note). axe-core finds nothing serious on the thread
 * after the retry. A reply half written in the chat app survives a reload. Screenshots: test/screenshots/chat-ticket-reply-retry-*.png. Skips without
 * /usr/bin/chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { signInOffice } from './helpers/pages.ts';
import { chromiumOrSkip, loseFirstAnswer, type Json } from './helpers/browser.ts';
import { chatTicketPages } from './helpers/chat-ticket-pages.ts';

const pages = chatTicketPages('reply-retry');
const { chromium, api, devToken, newContext, signIn } = pages;
const { shot, axe } = chromium;

const ctx = { protocol: '', ticketId: '', subject: 'Risposta inviata con la rete che cade' };
const officeToken = () => devToken({ role: 'office', sub: 'op-api', sede: 'SEDE-MI' });
const REPLIES = '**/api/v1/tickets/*/replies';

/** The replies with this text, as the server has them. */
async function stored(text: string): Promise<number> {
  const detail = await api(await officeToken(), 'GET', `/api/v1/tickets/${ctx.ticketId}`);
  return (detail.body.replies as Json[]).filter((r) => r.body === text).length;
}

/** Sends with the form's button, the first answer cut off (screenshot `shotName` then); then again. The keys both POSTs carried. */
async function sendTwice(page: Page, url: string, send: () => Promise<void>, error: string, after: () => Promise<void>, shotName: string): Promise<(string | undefined)[]> {
  const keys = await loseFirstAnswer(page, url);
  try {
    await send();
    await page.locator(error, { hasText: 'Connessione assente' }).waitFor();
    await shot(page, shotName);
    await send();
    await after();
  } finally {
    await page.unroute(url);
  }
  return keys;
}

if (chromiumOrSkip()) {
  test.before(async () => {
    await pages.start();
  });

  test.after(async () => {
    await pages.stop();
  });

  test('the chat app: a reply sent again after its answer was lost is in the thread once; the same text sent after that is a new reply; a reply half written survives a reload', async () => {
    const c = await newContext('reply-retry');
    const page = await c.newPage();
    await signIn(page, 'worker', 'MI', 'Carla Gialli');
    await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
    await page.getByLabel('Oggetto', { exact: true }).fill(ctx.subject);
    await page.getByLabel('Argomento', { exact: true }).selectOption('payment');
    await page.getByLabel('Testo della richiesta').fill('Il pagamento di marzo non è arrivato.');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.getByRole('heading', { name: 'Richiesta registrata' }).waitFor();
    ctx.protocol = ((await page.locator('#done-box').textContent()) ?? '').match(/LINPS-\d{4}-\d{6}/)![0];
    await page.locator('#done-open').click();
    await page.getByRole('heading', { name: ctx.subject }).waitFor();
    const list = await api(await officeToken(), 'GET', `/api/v1/tickets?subject=${encodeURIComponent(ctx.subject)}`);
    ctx.ticketId = (list.body.items as Json[])[0]!.id;

    const text = 'Aggiungo: il datore di lavoro dice di aver inviato il flusso.';
    await page.getByLabel('Testo della risposta').fill(text);
    const send = () => page.locator('#rp-send').click();
    const keys = await sendTwice(page, REPLIES, send, '#rp-error', async () => {
      await page.locator('#th-replies .reply', { hasText: text }).waitFor();
      // The reply can be in the thread before the resend is answered: the first try was stored, and
      // its live update (ticket.updated) reads the thread again. The form empties when the resend is.
      await page.waitForFunction(() => !(document.querySelector('#rp-body') as HTMLTextAreaElement).value, null, { timeout: 15_000 }).catch(() => {});
    }, 'reply-retry-chat-lost');
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), '', 'the form is empty once sent');
    assert.is(keys.length, 2);
    assert.match(keys[0] ?? '', /^[0-9a-f]{32}$/);
    assert.is(keys[1], keys[0], 'the resend carries the same key');
    assert.is(await page.locator('#th-replies .reply', { hasText: text }).count(), 1, 'once in the thread');
    assert.is(await stored(text), 1, 'once on the server');
    await shot(page, 'reply-retry-chat');
    assert.equal(await axe(page), [], 'axe on the thread after the retry');

    // After a success the next message is a new one, even with the same words.
    const later: (string | undefined)[] = [];
    await page.route(REPLIES, (route) => {
      later.push(route.request().headers()['idempotency-key']);
      return route.continue();
    });
    await page.getByLabel('Testo della risposta').fill(text);
    await send();
    await page.locator('#th-replies .reply', { hasText: text }).nth(1).waitFor();
    assert.is(later.length, 1);
    assert.is.not(later[0], keys[0], 'a new key after the success');
    assert.is(await stored(text), 2);
    await page.unroute(REPLIES);

    // A reply half written survives a reload: opened again, the request has it in its box; sent, it is gone.
    const draft = 'Ho chiesto al datore di lavoro la ricevuta del flusso UniEmens';
    await page.getByLabel('Testo della risposta').pressSequentially(draft, { delay: 5 });
    await page.reload();
    // A reload among the requests opens «Le mie richieste» again (the list keeps its place in the tab).
    await page.getByRole('heading', { name: 'Le mie richieste' }).waitFor();
    await page.locator('#tk-list button.tk-item', { hasText: ctx.subject }).click();
    await page.getByRole('heading', { name: ctx.subject }).waitFor();
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), draft);
    await send();
    await page.locator('#th-replies .reply', { hasText: draft }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Le mie richieste' }).waitFor();
    await page.locator('#tk-list button.tk-item', { hasText: ctx.subject }).click();
    await page.getByRole('heading', { name: ctx.subject }).waitFor();
    assert.is(await page.getByLabel('Testo della risposta').inputValue(), '', 'sent: not offered again');
    await c.close();
  });

  test('the office console: the sede\'s reply and an internal note, each sent again after a lost answer, are written once', async () => {
    const c = await chromium.newContext('reply-retry-office');
    const page = await c.newPage();
    await signInOffice(page, pages.server.base, 'SEDE-MI', 'Laura Conti', 'op-conti');
    await page.locator('.q-item', { hasText: ctx.protocol }).click();
    await page.locator('#t-protocol', { hasText: ctx.protocol }).waitFor();

    const text = 'Gentile utente, abbiamo sollecitato il flusso all’azienda.';
    await page.getByLabel('Testo della risposta').fill(text);
    const replyKeys = await sendTwice(page, REPLIES, () => page.getByRole('button', { name: 'Invia la risposta' }).click(), '#reply-error', async () => {
      await page.locator('#announce', { hasText: 'Risposta inviata.' }).waitFor();
    }, 'reply-retry-office-lost');
    assert.equal([replyKeys.length, replyKeys[1]], [2, replyKeys[0]], 'the same key twice');
    await page.locator('#t-thread li.reply', { hasText: text }).waitFor();
    assert.is(await page.locator('#t-thread li.reply', { hasText: text }).count(), 1, 'once in the thread');
    assert.is(await stored(text), 1, 'once on the server: the user is written to once');

    const note = 'Sollecito inviato all’azienda via PEC.';
    await page.getByLabel('Nuova nota per i colleghi').fill(note);
    const NOTES = '**/api/v1/tickets/*/notes';
    const noteKeys = await sendTwice(page, NOTES, () => page.getByRole('button', { name: 'Aggiungi la nota interna' }).click(), '#note-error', async () => {
      await page.locator('#t-notes .note-item', { hasText: note }).waitFor();
    }, 'reply-retry-note-lost');
    assert.equal([noteKeys.length, noteKeys[1]], [2, noteKeys[0]]);
    assert.is(await page.locator('#t-notes .note-item', { hasText: note }).count(), 1);
    const detail = await api(await officeToken(), 'GET', `/api/v1/tickets/${ctx.ticketId}`);
    assert.is((detail.body.notes as Json[]).filter((n) => n.body === note).length, 1);
    await shot(page, 'reply-retry-office');
    assert.equal(await axe(page), [], 'axe on the console after the retries');
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
