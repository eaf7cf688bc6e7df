/**
 * The user's Linea INPS requests on the advisor's card, in a real browser
 * (Debian chromium through playwright-core): a worker who already asked the Milano
 * office about a payment starts a chat; the advisor's card lists that request
 * (protocol, subject, sede, status and due time in words), the escalation form
 * warns that one is open and still escalates; a labour consultant's chat about one
 * company lists that company's request and not the other's. Keyboard and axe-core
 * on the card. Screenshots: test/screenshots/requests-*.png. Skips without chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip, serverApi, type Json } from './helpers/browser.ts';
import { marioCard, signInAdvisor } from './helpers/pages.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to/i },
  context: { viewport: { width: 1280, height: 900 } },
  prefix: 'requests-',
});
const { shot, axe } = chromium;

const ctx = { proc: null as ServerProcess | null, base: '', worker: null as unknown as Page, anna: null as unknown as Page, protocol: '' };
const { api, devToken } = serverApi(() => ctx.base);

/** Signs in at /chat/ (development picker) and opens a request over HTTP as that same person, as the chat's own form would. */
async function signInWithRequest(w: Page, profile: { role: string; name: string }, requests: Json[]): Promise<string[]> {
  await w.goto(`${ctx.base}/chat/`);
  await w.getByLabel('Profilo').selectOption(profile.role);
  await w.getByLabel('Provincia').selectOption('MI');
  await w.getByLabel('Nome').fill(profile.name);
  await w.getByRole('button', { name: 'Entra' }).click();
  await w.getByRole('button', { name: 'Avvia la chat' }).waitFor();
  const claims = JSON.parse((await w.evaluate(() => sessionStorage.getItem('infocig.chat.dev'))) ?? 'null') as Json;
  const tok = await devToken(claims);
  const protocols: string[] = [];
  for (const r of requests) {
    const res = await api(tok, 'POST', '/api/v1/tickets', { category: 'payment', body: `${r.subject}: quando arriva?`, ...r });
    assert.is(res.status, 201, JSON.stringify(res.body));
    protocols.push(res.body.protocol);
  }
  return protocols;
}

if (chromiumOrSkip('requests-on-the-card test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('requests', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
    ctx.worker = await chromium.newPage('worker');
    ctx.anna = await chromium.newPage('anna');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('the advisor’s card lists the worker’s open request at the Milano office, with its protocol, subject, status and due time in words', async () => {
    const w = ctx.worker;
    ctx.protocol = (await signInWithRequest(w, { role: 'worker', name: 'Mario Rossi' }, [{ subject: 'Pagamento CIGO di marzo' }]))[0]!;
    await w.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    await signInAdvisor(ctx.anna, ctx.base, 'Anna Rossi', 'adv-anna', true);
    const card = marioCard(ctx.anna);
    await card.waitFor();

    const section = card.locator('details.requests-box');
    await section.locator('summary', { hasText: 'Richieste Linea INPS dell’utente (1)' }).waitFor();
    assert.is(await section.getAttribute('open'), '', 'open: there is something to see');
    const item = section.locator('li.request');
    assert.is(await item.count(), 1);
    const text = (await item.textContent()) ?? '';
    assert.ok(text.startsWith(`${ctx.protocol} – Pagamento CIGO di marzo`), text);
    assert.match(text, /INPS Sede di Milano · Aperta · risposta entro \d{2}\/\d{2}\/\d{4}/);
  });

  test('the escalation form warns in words that a request is open, and the advisor may still escalate', async () => {
    const card = marioCard(ctx.anna);
    // By keyboard: the section folds and unfolds from its summary.
    const summary = card.locator('details.requests-box > summary');
    await summary.focus();
    await ctx.anna.keyboard.press('Enter');
    assert.is(await card.locator('li.request').isVisible(), false, 'folded');
    await ctx.anna.keyboard.press('Enter');
    await card.locator('li.request').waitFor({ state: 'visible' });

    await card.getByText('Passa alla sede (Linea INPS)').click();
    const warning = card.locator('.escalate-form .warn-note');
    await warning.waitFor({ state: 'visible' });
    assert.is(await warning.textContent(), `L’utente ha già una richiesta aperta alla Sede di Milano (protocollo ${ctx.protocol}): valuta di indicarla invece di aprirne un’altra.`);
    const button = card.getByRole('button', { name: 'Apri la richiesta Linea INPS' });
    assert.is(await button.getAttribute('aria-describedby'), await warning.getAttribute('id'), 'the button is described by the warning');
    await shot(ctx.anna, 'card', true);
    assert.equal(await axe(ctx.anna), [], 'no serious axe violations with the list and the warning shown');

    await card.getByLabel('Sintesi per la sede').fill('Chiede del pagamento CIGO di marzo; ha già la richiesta ' + ctx.protocol + ', ma segnala un IBAN cambiato.');
    await button.click();
    await card.locator('.closed-note', { hasText: 'Chat passata a INPS Sede di Milano' }).waitFor();
  });

  test('the list was recorded in the access log, with the worker as owner, before it was shown', async () => {
    const sup = await devToken({ role: 'supervisor', sub: 'sup-1' });
    const rows = await api(sup, 'GET', '/api/v1/access-log?action=ticket.list&actor=adv-anna');
    assert.is(rows.status, 200);
    assert.is(rows.body.total, 1);
    assert.match(rows.body.items[0].ownerId, /^dev-worker-/);
  });

  test('a labour consultant’s chat about one company shows that company’s request, not the other one’s', async () => {
    const c = await chromium.newPage('consultant');
    await signInWithRequest(c, { role: 'intermediary', name: 'Studio Verdi' }, [
      { subject: 'FIS azienda 1234567890', matricola: '1234567890' },
      { subject: 'CIGO azienda 9876543210', matricola: '9876543210' },
    ]);
    await c.getByLabel('Per quale azienda?').selectOption('9876543210');
    await c.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await c.getByRole('button', { name: 'Avvia la chat' }).click();
    const card = ctx.anna.locator('article.chat-card', { has: ctx.anna.getByRole('heading', { name: 'Studio Verdi' }) });
    await card.waitFor();
    await card.locator('details.requests-box > summary', { hasText: '(1)' }).waitFor();
    assert.equal(await card.locator('li.request .request-head').allTextContents(), [(await card.locator('li.request strong').textContent()) + ' – CIGO azienda 9876543210']);
    // The consultant's own page says which of their companies the chat is about, under its topic.
    await c.locator('#chat-company', { hasText: 'Azienda: matricola INPS 9876543210' }).waitFor();
    await shot(c, 'consultant-chat');
    await shot(ctx.anna, 'consultant', true);
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
