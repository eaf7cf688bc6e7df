/**
 * Handing a chat on, in a real browser (Debian chromium through playwright-core),
 * as the people who do it every afternoon: a worker in the full-page chat, two
 * advisors in their consoles. The transfer form lists only colleagues available
 * with a free seat; one who goes away meanwhile is refused in plain words and the
 * list refreshed; to an available one the chat moves with its history and the
 * user is told who took it (what the first advisor wrote is named «Collega» in the
 * colleague's card and not after the new advisor in the user's chat); a transfer back to the queue reaches the next free
 * advisor, whose old card comes back to life; an escalation needs a summary and
 * becomes a Linea INPS request for the Milano office, with the transcript, whose
 * protocol number, sede and due time both the advisor and the user see, and the
 * user can open it from the chat. axe-core on the console with the forms open.
 * Screenshots: test/screenshots/handover-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { threePeople } from './helpers/three-people.ts';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to/i },
  context: { viewport: { width: 1280, height: 900 } },
  prefix: 'handover-',
});
const { shot, axe } = chromium;
const QUESTION = 'Il pagamento della CIGO di marzo non è ancora arrivato.';
const SUMMARY = 'Pagamento CIGO di marzo non arrivato: verificare in sede l’IBAN indicato nella domanda.';
const ANNA_REPLY = 'Buongiorno, verifico subito la sua domanda.';
const BRUNO_REPLY = 'Sono Bruno, ho letto la conversazione.';
const SEDE_NOTE = 'Lavoratore già seguito dalla sede di Bergamo: sentire il collega prima di rispondere';

const ctx = threePeople(chromium, 'handover', { SERVICE_HOURS: 'always' }, { ticketId: '' });
const { api, devToken } = serverApi(() => ctx.base);

const card = marioCard;
const note = (p: Page) => card(p).locator('.closed-note');
const talkingTo = (name: string) => ctx.worker.getByRole('heading', { name: `Stai parlando con ${name}` });

if (chromiumOrSkip('hand-over test')) {
  test.before(ctx.start);
  test.after(ctx.stop);

  test('a worker in Milano reaches advisor Anna, whose card offers both hand-overs with every field labelled', async () => {
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
    await signInAdvisor(ctx.anna, ctx.base, 'Anna Rossi', 'adv-anna', true);
    await card(ctx.anna).waitFor();
    await talkingTo('Anna Rossi').waitFor();
    await w.getByLabel('Il tuo messaggio').fill(QUESTION);
    await w.getByLabel('Il tuo messaggio').press('Enter');
    await card(ctx.anna).locator('.msg.theirs .msg-text', { hasText: QUESTION }).waitFor();
    await card(ctx.anna).getByLabel('Risposta a Mario Rossi').fill(ANNA_REPLY);
    await card(ctx.anna).getByLabel('Risposta a Mario Rossi').press('Enter');
    await w.locator('.msg-text', { hasText: ANNA_REPLY }).waitFor();

    const c = card(ctx.anna);
    await c.getByText('Passa alla sede (Linea INPS)').click();
    await c.getByText('Trasferisci a un altro consulente').click();
    await c.getByLabel('Sintesi per la sede').waitFor();
    await c.getByLabel('A chi passarla').waitFor();
    await shot(ctx.anna, 'forms', true);
    assert.equal(await axe(ctx.anna), [], 'no serious axe violations with both forms open');
  });

  test('the transfer list offers only colleagues available with a free seat; one who goes away meanwhile is refused in plain words; then the chat moves with its history', async () => {
    await signInAdvisor(ctx.bruno, ctx.base, 'Bruno Verdi', 'adv-bruno', false);
    const c = card(ctx.anna);
    const select = c.getByLabel('A chi passarla');
    const reopen = async () => {
      const summary = c.getByText('Trasferisci a un altro consulente');
      if (await select.isVisible()) await summary.click();
      await summary.click();
    };
    const offered = () => select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await reopen();
    await c.getByText('Nessun collega è disponibile con un posto libero in questo momento.').waitFor();
    assert.equal(await offered(), [''], 'Bruno is away: only the queue is offered');

    await ctx.bruno.getByLabel('Disponibile').check();
    await ctx.bruno.locator('#load', { hasText: 'Chat aperte: 0 su' }).waitFor();
    await reopen();
    await select.locator('option[value="adv-bruno"]').waitFor({ state: 'attached' });
    assert.is(await select.locator('optgroup[label="Colleghi adatti a questa chat"] option[value="adv-bruno"]').textContent(), 'Bruno Verdi (adv-bruno) · chat 0 su 3');
    await select.selectOption('adv-bruno');

    await ctx.bruno.getByLabel('Assente').check();
    await ctx.anna.waitForTimeout(400);
    await c.getByRole('button', { name: 'Trasferisci', exact: true }).click();
    await c.locator('.transfer-form [role="alert"]', { hasText: 'Quel collega non può più prendere la chat' }).waitFor();
    assert.is(await c.locator('.composer').isVisible(), true, 'the chat is still Anna’s');
    await ctx.anna.waitForTimeout(300);
    assert.equal(await offered(), [''], 'the list was refreshed without him');

    await ctx.bruno.getByLabel('Disponibile').check();
    await ctx.anna.waitForTimeout(400);
    await reopen();
    await select.locator('option[value="adv-bruno"]').waitFor({ state: 'attached' });
    await select.selectOption('adv-bruno');
    await c.getByRole('button', { name: 'Trasferisci', exact: true }).click();
    await note(ctx.anna).filter({ hasText: 'Chat trasferita a Bruno Verdi (adv-bruno).' }).waitFor();
    assert.is(await c.locator('.composer').isVisible(), false, 'Anna can no longer write in it');
    await card(ctx.bruno).locator('.msg.theirs .msg-text', { hasText: QUESTION }).waitFor();
    await talkingTo('Bruno Verdi').waitFor();
    assert.is(await ctx.worker.locator('.msg-text', { hasText: QUESTION }).count(), 1, 'the worker keeps the conversation, once');
  });

  test('after the hand-over nobody is named for what Anna wrote but Anna: Bruno’s card puts it under «Collega», not the worker’s name; the worker, reloading, under «Consulente INPS», not Bruno’s', async () => {
    const b = card(ctx.bruno);
    const annaInBruno = b.locator('.msg', { hasText: ANNA_REPLY });
    await annaInBruno.waitFor();
    assert.is(await annaInBruno.locator('.msg-who').textContent(), 'Collega');
    assert.is(await b.locator('.msg', { hasText: QUESTION }).locator('.msg-who').textContent(), 'Mario Rossi');

    const w = ctx.worker;
    await w.reload();
    await talkingTo('Bruno Verdi').waitFor();
    const annaInChat = w.locator('#log .msg', { hasText: ANNA_REPLY });
    await annaInChat.waitFor();
    assert.is(await annaInChat.locator('.msg-who').textContent(), 'Consulente INPS');
    await b.getByLabel('Risposta a Mario Rossi').fill(BRUNO_REPLY);
    await b.getByLabel('Risposta a Mario Rossi').press('Enter');
    const brunoInChat = w.locator('#log .msg', { hasText: BRUNO_REPLY });
    await brunoInChat.waitFor();
    assert.is(await brunoInChat.locator('.msg-who').textContent(), 'Bruno Verdi');
    await shot(ctx.bruno, 'colleague-message', true);
  });

  test('a transfer back to the queue: the worker waits, told why; the next free advisor gets it, Anna’s card coming back to life with its log', async () => {
    await ctx.anna.getByLabel('Assente').check();
    await ctx.anna.waitForTimeout(300);
    const b = card(ctx.bruno);
    await b.getByText('Trasferisci a un altro consulente').click();
    await b.getByRole('button', { name: 'Trasferisci', exact: true }).click();
    await note(ctx.bruno).filter({ hasText: 'Chat rimessa in coda per un altro consulente.' }).waitFor();
    await ctx.worker.locator('#queue-handover', { hasText: 'Ti stiamo passando a un altro consulente' }).waitFor();
    await ctx.worker.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
    await shot(ctx.worker, 'worker-queue');

    await ctx.anna.getByLabel('Disponibile').check();
    const a = card(ctx.anna);
    await a.locator('.composer').waitFor({ state: 'visible' });
    assert.is((await note(ctx.anna).textContent()) ?? '', '', 'the old note is gone');
    assert.is(await a.locator('.msg-text', { hasText: QUESTION }).count(), 1, 'the log is there, once');
    await talkingTo('Anna Rossi').waitFor();
    await a.getByLabel('Risposta a Mario Rossi').fill('Eccomi di nuovo, controllo la sua domanda.');
    await a.getByLabel('Risposta a Mario Rossi').press('Enter');
    await ctx.worker.locator('.msg-text', { hasText: 'Eccomi di nuovo' }).waitFor();
  });

  test('an escalation needs a summary; with one, Anna (her focus kept in the card) and the worker see the request’s protocol, sede and due time, the worker opens it, the office has the transcript', async () => {
    const a = card(ctx.anna);
    if (!(await a.getByLabel('Sintesi per la sede').isVisible())) await a.getByText('Passa alla sede (Linea INPS)').click();
    await a.getByRole('button', { name: 'Apri la richiesta Linea INPS' }).click();
    await ctx.anna.waitForTimeout(300);
    assert.is(await a.locator('.composer').isVisible(), true, 'an empty summary sends nothing');
    await a.getByLabel('Sintesi per la sede').fill(SUMMARY);
    await a.getByLabel('Nota interna per la sede (facoltativa)').fill(SEDE_NOTE);
    await a.getByRole('button', { name: 'Apri la richiesta Linea INPS' }).click();
    const text = note(ctx.anna).filter({ hasText: 'Chat passata a INPS Sede di Milano' });
    await text.waitFor();
    // The form is gone: the focus stays in the card, on what is left to do there, not dropped to the page.
    assert.is(await ctx.anna.evaluate(() => document.activeElement?.textContent), 'Rimuovi dalla vista');
    const said = (await text.textContent()) ?? '';
    const m = said.match(/richiesta (LINPS-\d{4}-\d{6})\. Risposta prevista entro \d{2}\/\d{2}\/\d{4}/);
    assert.ok(m, said);
    await shot(ctx.anna, 'escalated', true);

    const w = ctx.worker;
    await w.locator('#ended-text', { hasText: `Il consulente ha passato la tua domanda a INPS Sede di Milano: è la richiesta Linea INPS ${m![1]}.` }).waitFor();
    assert.match((await w.locator('#ended-ticket').textContent()) ?? '', /^Ti risponderà per iscritto entro \d{2}\/\d{2}\/\d{4}/);
    await shot(w, 'worker-ended');
    await w.getByRole('button', { name: 'Vedi la richiesta' }).click();
    await w.locator('#view-thread', { hasText: m![1] }).waitFor({ state: 'visible' });
    await w.locator('#view-thread', { hasText: SUMMARY }).waitFor();
    assert.not.ok(((await w.locator('#view-thread').textContent()) ?? '').includes(SEDE_NOTE), 'the sede’s note is not in the worker’s view');
    await shot(w, 'worker-thread');

    const office = await devToken({ role: 'office', sub: 'op-mi', sede: 'SEDE-MI' });
    const list = await api(office, 'GET', `/api/v1/tickets?status=open&subject=${encodeURIComponent('Pagamento CIGO di marzo')}`);
    assert.is(list.status, 200);
    const found = list.body.items.find((t: { protocol: string }) => t.protocol === m![1]);
    assert.ok(found, `the Milano office lists ${m![1]}`);
    ctx.ticketId = found.id;
    const detail = await api(office, 'GET', `/api/v1/tickets/${found.id}`);
    assert.is(detail.body.origin, 'escalation');
    assert.is(detail.body.replies[0].body, SUMMARY, 'the summary is the first reply');
    assert.equal(detail.body.notes.map((n: { body: string }) => n.body), [SEDE_NOTE], 'the advisor’s note is the sede’s first internal note');
    const transcript = detail.body.transcript.map((x: { text: string }) => x.text);
    assert.ok(transcript.includes(QUESTION) && transcript.some((x: string) => x.startsWith('Eccomi di nuovo')), 'the whole chat goes with it, across both advisors');
  });

  test('a labour consultant acting for two companies says which one the chat is about, and the advisor’s card shows its matricola', async () => {
    await ctx.bruno.getByLabel('Assente').check(); // so that Anna gets it
    await ctx.anna.locator('#load', { hasText: 'Chat aperte: 0 su 3' }).waitFor();
    const c = await chromium.newPage('consultant');
    await c.goto(`${ctx.base}/chat/`);
    await c.getByLabel('Profilo').selectOption('intermediary');
    await c.getByLabel('Provincia').selectOption('MI');
    await c.getByLabel('Nome').fill('Studio Verdi');
    await c.getByRole('button', { name: 'Entra' }).click();
    const company = c.getByLabel('Per quale azienda?');
    await company.waitFor();
    assert.equal(await company.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['', '1234567890', '9876543210', 'none']);
    await company.selectOption('9876543210');
    await c.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await c.getByRole('button', { name: 'Avvia la chat' }).click();
    const card = ctx.anna.locator('article.chat-card', { has: ctx.anna.getByRole('heading', { name: 'Studio Verdi' }) });
    await card.waitFor();
    const facts = (await card.locator('dl.ctx').textContent()) ?? '';
    assert.ok(facts.includes('Intermediario') && facts.includes('9876543210'), facts);
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
