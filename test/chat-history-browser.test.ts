/**
 * "Chat precedenti" on the advisor's card, in a real browser (Debian chromium
 * through playwright-core): a worker asks when the CIGO payment comes, Anna answers
 * "wait for the decree" and passes the chat to the sede; the worker comes back and
 * Bruno takes the new chat. His card lists the previous chat, folded (date, topic,
 * outcome, the request's protocol and sede); opening it
 * shows its transcript read-only in a dialog that takes focus, closes with Escape
 * and gives focus back; the list and the read are in the access log. Keyboard and
 * axe-core with the dialog open. Screenshots: test/screenshots/history-*.png.
 * Skips without chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip, serverApi } from './helpers/browser.ts';
import { marioCard, signInAdvisor, workerAsksForChat } from './helpers/pages.ts';
import { threePeople } from './helpers/three-people.ts';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to/i },
  context: { viewport: { width: 1280, height: 900 } },
  prefix: 'history-',
});
const { shot, axe } = chromium;

const ctx = threePeople(chromium, 'history', { SERVICE_HOURS: 'always' }, { first: '', protocol: '' });
const { api, devToken } = serverApi(() => ctx.base);
const QUESTION = 'Buongiorno, quando arriva il pagamento della CIGO di marzo?';
const ANSWER = 'Il pagamento diretto parte dopo il decreto di autorizzazione: attenda il decreto, poi arriva entro 30 giorni.';

if (chromiumOrSkip('previous-chats test')) {
  test.before(ctx.start);
  test.after(ctx.stop);

  test('a first chat has no previous chats; the worker asks about the payment, Anna says to wait for the decree and passes it to the sede', async () => {
    const w = ctx.worker;
    await workerAsksForChat(w, ctx.base);
    await signInAdvisor(ctx.anna, ctx.base, 'Anna Rossi', 'adv-anna', true);
    const card = marioCard(ctx.anna);
    await card.waitFor();
    ctx.first = (await card.getAttribute('data-conversation'))!;
    const section = card.locator('details.history-box');
    await section.locator('summary', { hasText: 'Chat precedenti: nessuna negli ultimi 30 giorni' }).waitFor();
    assert.is(await section.getAttribute('open'), null, 'folded');

    await w.getByLabel('Il tuo messaggio').fill(QUESTION);
    await w.getByLabel('Il tuo messaggio').press('Enter');
    await card.locator('.msg.theirs .msg-text', { hasText: 'quando arriva il pagamento' }).waitFor();
    await card.getByLabel('Risposta a Mario Rossi').fill(ANSWER);
    await card.getByRole('button', { name: 'Invia' }).click();
    await w.locator('.msg.theirs .msg-text', { hasText: 'attenda il decreto' }).waitFor();
    await card.getByText('Passa alla sede (Linea INPS)').click();
    await card.getByLabel('Sintesi per la sede').fill('Chiede del pagamento CIGO di marzo: verificare il decreto.');
    await card.getByRole('button', { name: 'Apri la richiesta Linea INPS' }).click();
    ctx.protocol = ((await card.locator('.closed-note', { hasText: 'Chat passata a INPS Sede di Milano' }).textContent()) ?? '').match(/LINPS-\d{4}-\d{6}/)![0];
    await ctx.anna.getByLabel('Assente').check();
    await w.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
  });

  test('the worker comes back: the new advisor’s card lists the previous chat, folded, with its date, topic, outcome and request', async () => {
    const w = ctx.worker;
    await w.getByRole('button', { name: 'Nuova richiesta' }).click();
    await w.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    await signInAdvisor(ctx.bruno, ctx.base, 'Bruno Verdi', 'adv-bruno', true);
    const card = marioCard(ctx.bruno);
    await card.waitFor();
    const section = card.locator('details.history-box');
    const summary = section.locator('summary');
    await summary.filter({ hasText: 'Chat precedenti (1)' }).waitFor();
    assert.is(await section.getAttribute('open'), null, 'folded by default');
    // By keyboard: the section unfolds from its summary.
    await summary.focus();
    await ctx.bruno.keyboard.press('Enter');
    const item = section.locator('li.previous-chat');
    await item.waitFor({ state: 'visible' });
    const text = (await item.textContent()) ?? '';
    assert.match(text, /^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2} – CIGO – Cassa integrazione ordinaria/);
    assert.ok(text.endsWith(`passata a Linea INPS · richiesta ${ctx.protocol} (Sede di Milano)`), text);
    assert.not.match(text, /decreto/, 'no transcript in the list');
    await shot(ctx.bruno, 'card', true);
  });

  test('opening it shows the transcript read-only in a dialog that takes focus; Escape closes it and focus goes back', async () => {
    const b = ctx.bruno;
    const card = marioCard(b);
    const open = card.locator('button.history-open');
    await open.focus();
    await b.keyboard.press('Enter');
    const dialog = b.getByRole('dialog', { name: /^Chat precedente del \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/ });
    await dialog.waitFor();
    await dialog.locator('.msg.mine .msg-text', { hasText: 'attenda il decreto' }).waitFor();
    assert.equal(await dialog.locator('.msg-text').allTextContents(), [QUESTION, ANSWER]);
    assert.equal(await dialog.locator('.msg-who').allTextContents(), ['Lavoratore', 'Consulente']);
    assert.match((await dialog.locator('.warn-note').textContent()) ?? '', /^Chat precedente, già chiusa: solo lettura\./);
    const facts = (await dialog.locator('dl.ctx').textContent()) ?? '';
    assert.match(facts, /Consulente\s*Anna Rossi/);
    assert.match(facts, new RegExp(`Richiesta Linea INPS\\s*${ctx.protocol}, INPS Sede di Milano`));
    assert.is(await dialog.locator('textarea, input, [contenteditable]').count(), 0, 'nothing to type into');
    assert.is(await b.evaluate(() => document.activeElement?.textContent), 'Chiudi', 'focus on the close button');
    await shot(b, 'dialog');
    assert.equal(await axe(b, 'advisor (previous chat open)'), [], 'no serious axe violations with the dialog open');

    await b.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.is(await b.evaluate(() => document.activeElement?.classList.contains('history-open')), true, 'focus back on the chat opened');
    assert.equal(await axe(b, 'advisor (previous chats listed)'), []);
  });

  test('the list and the transcript read were recorded in the access log, with the worker as owner', async () => {
    const sup = await devToken({ role: 'supervisor', sub: 'sup-1' });
    const list = await api(sup, 'GET', '/api/v1/access-log?action=conversation.list&actor=adv-bruno');
    assert.is(list.body.total, 1);
    assert.match(list.body.items[0].ownerId, /^dev-worker-/);
    assert.equal(list.body.items[0].detail, { results: 1, conversations: ctx.first });
    const read = await api(sup, 'GET', '/api/v1/access-log?action=conversation.read&actor=adv-bruno');
    assert.equal(read.body.items.map((r: { subjectId: string; ownerId: string }) => [r.subjectId, r.ownerId]), [[ctx.first, list.body.items[0].ownerId]]);
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
