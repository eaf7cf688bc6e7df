/**
 * Handing a chat on, in a real browser (Debian chromium through playwright-core),
 * as the people who do it every afternoon: a worker in the full-page chat, two
 * advisors in their consoles. A transfer to an advisor who is away is refused in
 * plain words; to an available one the chat moves with its history and the user
 * is told who took it; a transfer back to the queue reaches the next free
 * advisor, whose old card comes back to life; an escalation needs a summary and
 * becomes a Linea INPS request for the Milano office, with the transcript, whose
 * protocol number, sede and due time both the advisor and the user see, and the
 * user can open it from the chat. axe-core on the console with the forms open.
 * Screenshots: test/screenshots/handover-*.png. Skips without /usr/bin/chromium.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = path.join(root, 'test', 'screenshots');
const AXE = path.join(root, 'node_modules', 'axe-core', 'axe.min.js');
const AXE_URL_PATH = '/__test__/axe.min.js';
const QUESTION = 'Il pagamento della CIGO di marzo non è ancora arrivato.';
const SUMMARY = 'Pagamento CIGO di marzo non arrivato: verificare in sede l’IBAN indicato nella domanda.';

const ctx = {
  proc: null as ServerProcess | null,
  base: '',
  browser: null as Browser | null,
  contexts: [] as BrowserContext[],
  worker: null as unknown as Page,
  anna: null as unknown as Page,
  bruno: null as unknown as Page,
  problems: [] as string[],
  ticketId: '',
};

async function page(name: string): Promise<Page> {
  const c = await ctx.browser!.newContext({ locale: 'it-IT', timezoneId: 'Europe/Rome', viewport: { width: 1280, height: 900 } });
  c.setDefaultTimeout(15_000);
  await c.route(`**${AXE_URL_PATH}`, (route) => route.fulfill({ path: AXE, contentType: 'application/javascript' }));
  ctx.contexts.push(c);
  const p = await c.newPage();
  p.on('console', (msg) => {
    const text = msg.text();
    if (/Content.Security.Policy|Refused to/i.test(text) || (msg.type() === 'error' && !/WebSocket connection to/i.test(text))) ctx.problems.push(`${name}: ${text}`);
  });
  p.on('pageerror', (err) => ctx.problems.push(`${name}: uncaught ${err.message}`));
  return p;
}

async function signInAdvisor(p: Page, name: string, sub: string, available: boolean): Promise<void> {
  await p.goto(`${ctx.base}/advisor/`);
  await p.getByLabel('Nome').fill(name);
  await p.getByLabel('Codice utente').fill(sub);
  await p.getByRole('button', { name: 'Entra' }).click();
  await p.getByRole('heading', { name: 'Chat assegnate' }).waitFor();
  if (available) await p.getByLabel('Disponibile').check();
}

const card = (p: Page) => p.locator('article.chat-card', { has: p.getByRole('heading', { name: 'Mario Rossi' }) });
const note = (p: Page) => card(p).locator('.closed-note');
const talkingTo = (name: string) => ctx.worker.getByRole('heading', { name: `Stai parlando con ${name}` });

async function axe(p: Page): Promise<string[]> {
  await p.addScriptTag({ url: new URL(AXE_URL_PATH, ctx.base).href });
  return p.evaluate(async () => {
    const w = window as unknown as { axe: { run(d: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function api(pathname: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(pathname, ctx.base), { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

async function devToken(claims: Record<string, unknown>): Promise<string> {
  const res = await fetch(new URL('/dev/token', ctx.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
  return ((await res.json()) as { token: string }).token;
}

if (!existsSync(CHROMIUM)) {
  console.log(`# skipped: ${CHROMIUM} is not installed (apt-get install chromium); the hand-over test needs a real browser`);
} else {
  test.before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ctx.proc = await startServerProcess('handover', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    ctx.browser = await launchChromium();
    ctx.worker = await page('worker');
    ctx.anna = await page('anna');
    ctx.bruno = await page('bruno');
  });

  test.after(async () => {
    for (const c of ctx.contexts) await c.close().catch(() => {});
    await ctx.browser?.close().catch(() => {});
    await ctx.proc?.stop();
  });

  test('a worker in Milano reaches advisor Anna, whose card offers both hand-overs with every field labelled', async () => {
    const w = ctx.worker;
    await w.goto(`${ctx.base}/chat/`);
    await w.getByLabel('Provincia').selectOption('MI');
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByLabel('CIGO – Cassa integrazione ordinaria').check();
    await w.getByRole('button', { name: 'Avvia la chat' }).click();
    await w.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
    await signInAdvisor(ctx.anna, 'Anna Rossi', 'adv-anna', true);
    await card(ctx.anna).waitFor();
    await talkingTo('Anna Rossi').waitFor();
    await w.getByLabel('Il tuo messaggio').fill(QUESTION);
    await w.getByLabel('Il tuo messaggio').press('Enter');
    await card(ctx.anna).locator('.msg.theirs .msg-text', { hasText: QUESTION }).waitFor();

    const c = card(ctx.anna);
    await c.getByText('Passa alla sede (Linea INPS)').click();
    await c.getByText('Trasferisci a un altro consulente').click();
    await c.getByLabel('Sintesi per la sede').waitFor();
    await c.getByLabel('A chi passarla').waitFor();
    await ctx.anna.screenshot({ path: path.join(SHOTS, 'handover-forms.png'), fullPage: true });
    assert.equal(await axe(ctx.anna), [], 'no serious axe violations with both forms open');
  });

  test('the transfer list offers only colleagues available with a free seat; one who goes away meanwhile is refused in plain words; then the chat moves with its history', async () => {
    await signInAdvisor(ctx.bruno, 'Bruno Verdi', 'adv-bruno', false);
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

  test('a transfer back to the queue: the worker waits, told why; the next free advisor gets it, Anna’s card coming back to life with its log', async () => {
    await ctx.anna.getByLabel('Assente').check();
    await ctx.anna.waitForTimeout(300);
    const b = card(ctx.bruno);
    await b.getByText('Trasferisci a un altro consulente').click();
    await b.getByRole('button', { name: 'Trasferisci', exact: true }).click();
    await note(ctx.bruno).filter({ hasText: 'Chat rimessa in coda per un altro consulente.' }).waitFor();
    await ctx.worker.locator('#queue-handover', { hasText: 'Ti stiamo passando a un altro consulente' }).waitFor();
    await ctx.worker.locator('#queue-status').filter({ hasText: 'Sei il primo in coda' }).waitFor();
    await ctx.worker.screenshot({ path: path.join(SHOTS, 'handover-worker-queue.png') });

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

  test('an escalation needs a summary; with one, Anna and the worker see the request’s protocol, sede and due time, the worker opens it, the office has the transcript', async () => {
    const a = card(ctx.anna);
    if (!(await a.getByLabel('Sintesi per la sede').isVisible())) await a.getByText('Passa alla sede (Linea INPS)').click();
    await a.getByRole('button', { name: 'Apri la richiesta Linea INPS' }).click();
    await ctx.anna.waitForTimeout(300);
    assert.is(await a.locator('.composer').isVisible(), true, 'an empty summary sends nothing');
    await a.getByLabel('Sintesi per la sede').fill(SUMMARY);
    await a.getByRole('button', { name: 'Apri la richiesta Linea INPS' }).click();
    const text = note(ctx.anna).filter({ hasText: 'Chat passata a INPS Sede di Milano' });
    await text.waitFor();
    const said = (await text.textContent()) ?? '';
    const m = said.match(/richiesta (LINPS-\d{4}-\d{6})\. Risposta prevista entro \d{2}\/\d{2}\/\d{4}/);
    assert.ok(m, said);
    await ctx.anna.screenshot({ path: path.join(SHOTS, 'handover-escalated.png'), fullPage: true });

    const w = ctx.worker;
    await w.locator('#ended-text', { hasText: `Il consulente ha passato la tua domanda a INPS Sede di Milano: è la richiesta Linea INPS ${m![1]}.` }).waitFor();
    assert.match((await w.locator('#ended-ticket').textContent()) ?? '', /^Ti risponderà per iscritto entro \d{2}\/\d{2}\/\d{4}/);
    await w.screenshot({ path: path.join(SHOTS, 'handover-worker-ended.png') });
    await w.getByRole('button', { name: 'Vedi la richiesta' }).click();
    await w.locator('#view-thread', { hasText: m![1] }).waitFor({ state: 'visible' });
    await w.locator('#view-thread', { hasText: SUMMARY }).waitFor();
    await w.screenshot({ path: path.join(SHOTS, 'handover-worker-thread.png') });

    const office = await devToken({ role: 'office', sub: 'op-mi', sede: 'SEDE-MI' });
    const list = await api(`/api/v1/tickets?status=open&subject=${encodeURIComponent('Pagamento CIGO di marzo')}`, office);
    assert.is(list.status, 200);
    const found = list.body.items.find((t: { protocol: string }) => t.protocol === m![1]);
    assert.ok(found, `the Milano office lists ${m![1]}`);
    ctx.ticketId = found.id;
    const detail = await api(`/api/v1/tickets/${found.id}`, office);
    assert.is(detail.body.origin, 'escalation');
    assert.is(detail.body.replies[0].body, SUMMARY, 'the summary is the first reply');
    const transcript = detail.body.transcript.map((x: { text: string }) => x.text);
    assert.ok(transcript.includes(QUESTION) && transcript.some((x: string) => x.startsWith('Eccomi di nuovo')), 'the whole chat goes with it, across both advisors');
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(ctx.problems, []);
  });
}

test.run();
