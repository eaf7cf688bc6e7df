/**
 * The dashboard page in a real browser (Debian chromium through playwright-core):
 * a supervisor signs in while users wait in several provinces, sees the sortable
 * table with its heat scale, today's satisfaction, the advisors, the ticket
 * backlog and the charts (satisfaction too: no bar on a day nobody rated),
 * today's departures (the self-served apart) in the figures, the table and a chart,
 * switches a province to ticket only, sees a new arrival without reloading;
 * axe-core finds no serious or critical violation; no CSP violation; 320 px;
 * an office operator sees its sede only. Screenshot: test/screenshots/dashboard.png.
 *
 * The server runs in this process (SERVICE_HOURS=always, throw-away database).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { addDaysYmd } from '../routing/holidays.ts';
import { dashboardDaily, queueDepartures } from '../schema/dashboard-tables.ts';
import { conversations } from '../schema/tables.ts';
import { localDay } from '../server/daily-snapshot.ts';
import type { DashboardService } from '../server/dashboard-service.ts';
import type { Services } from '../server/services.ts';
import { CLIENT_FRAMES } from '../server/ws-frames.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { startServer as startTestServer } from './helpers/server.ts';
import { browserHarness, chromiumOrSkip, holdRequest, reflowProblems } from './helpers/browser.ts';
import { TestSocket } from './helpers/ws-client.ts';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: { viewport: { width: 1280, height: 900 } },
  fullPage: true,
});
const { axe, shot } = chromium;

const ctx = {
  base: '',
  wsUrl: '',
  services: null as unknown as Services,
  dashboard: null as unknown as DashboardService,
  db: null as unknown as TestDatabase,
  close: async () => {},
  page: null as unknown as Page,
  sockets: [] as TestSocket[],
};

async function startServer(): Promise<void> {
  ctx.db = await testDatabase();
  const server = await startTestServer({ db: ctx.db });
  ctx.base = server.url;
  ctx.wsUrl = server.wsUrl;
  ctx.services = server.services;
  ctx.dashboard = server.services.dashboard; // started by createServices
  ctx.close = async () => {
    await server.close();
    await ctx.db.cleanup();
  };
}

async function user(sub: string, province: string, role = 'worker', name = sub): Promise<TestSocket> {
  const token = await ctx.services.dev!.issue({ role, sub, province, name, ...(role !== 'worker' ? { matricola: '1234567890' } : {}) } as never);
  const [s] = await TestSocket.signIn(ctx.wsUrl, token);
  ctx.sockets.push(s);
  return s;
}

async function wait(sub: string, province: string, role = 'worker'): Promise<void> {
  const s = await user(sub, province, role);
  const r = await s.request({ type: 'chat.request', topic: 'cigo', waitAnyway: true });
  assert.is(r.type, 'ok', JSON.stringify(r));
}

/** Users waiting in several provinces, one advisor busy in TO, one away; 30 days of history. */
async function situation(): Promise<void> {
  const advToken = await ctx.services.dev!.issue({ role: 'advisor', sub: 'adv-to', name: 'Tommaso Torinese', skills: ['province:TO'] } as never);
  const [adv] = await TestSocket.signIn(ctx.wsUrl, advToken);
  ctx.sockets.push(adv);
  await adv.request({ type: 'advisor.status', status: 'available' });
  await user('adv-away', 'MI', 'advisor', 'Alba Assente');
  for (const [sub, province, role] of [
    ['w-ge-1', 'GE', 'worker'], ['w-ge-2', 'GE', 'worker'], ['w-ge-3', 'GE', 'worker'],
    ['e-mi-1', 'MI', 'employer'], ['w-mi-2', 'MI', 'worker'], ['w-rm-1', 'RM', 'worker'], ['i-na-1', 'NA', 'intermediary'],
  ] as const) {
    await wait(sub, province, role);
  }
  const t = await user('w-to-1', 'TO');
  await t.request({ type: 'chat.request', topic: 'payment', waitAnyway: true });
  await t.next('conversation.assigned', () => true, 5000);
  // The TO advisor at full capacity, so nobody overflows to them. (No chat is closed here: one
  // closed after a few milliseconds would become the router's whole handling-time sample.)
  for (const sub of ['w-to-2', 'w-to-3']) {
    const u = await user(sub, 'TO');
    await u.request({ type: 'chat.request', topic: 'fis', waitAnyway: true });
    await u.next('conversation.assigned', () => true, 5000);
  }
  for (const [sub, province] of [['w-ticket-mi', 'MI'], ['w-ticket-mi2', 'MI'], ['w-ticket-na', 'NA'], ['w-ticket-to', 'TO']] as const) {
    const token = await ctx.services.dev!.issue({ role: 'worker', sub, province, name: sub } as never);
    const res = await fetch(`${ctx.base}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Pagamento non ricevuto', category: 'payment', body: 'Non ho ricevuto il pagamento di ottobre.' }),
    });
    assert.is(res.status, 201, await res.text());
  }
  // Three who have been waiting a while (queued directly, with an earlier `since`): the heat scale.
  for (const [userId, province, minutes] of [['w-bo-old', 'BO', 20], ['w-fi-old', 'FI', 6], ['w-pa-old', 'PA', 3]] as const) {
    await ctx.services.state.enqueue({
      userId, role: 'worker', name: userId, province, audience: 'worker', topic: 'cigo', lang: 'it', entry: 'omnia', context: {}, priority: 0, since: Date.now() - minutes * 60_000,
    });
  }
  // Three chats rated today (two in MI, one in GE), written as rows: a chat really closed here would
  // become the router's handling-time sample (see above). The unrated one does not count.
  // "Today" is Rome's: in the first minutes after its midnight, half an hour ago was yesterday, and the rows
  // would leave today's figures. Within today, the same order: at most `minutes` ago, and at most
  // minutes/40 of the time since midnight (every offset here is under 40 minutes).
  const rome = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(Date.now());
  const [h, m, sec] = rome.split(':').map(Number) as [number, number, number];
  const sinceMidnight = ((h * 60 + m) * 60 + sec) * 1000;
  const closedAgo = (minutes: number) => new Date(Date.now() - Math.min(minutes * 60_000, (sinceMidnight * minutes) / 40));
  await ctx.db.db.insert(conversations).values(
    ([['r-mi-1', 'MI', 4], ['r-mi-2', 'MI', 4], ['r-ge-1', 'GE', 5], ['r-ge-2', 'GE', null]] as const).map(([id, province, rating], i) => ({
      id, userId: `u-${id}`, userRole: 'worker' as const, province, audience: 'worker' as const, topic: 'cigo' as const, entry: 'omnia' as const,
      advisorId: 'adv-gone', status: 'closed' as const, outcome: 'resolved', rating, openedAt: closedAgo(30 + i), closedAt: closedAgo(10 + i),
    })),
  );
  // Two gave up in GE today, one having found the answer among the tips; two more (MI, NA) written as rows.
  for (const [sub, reason] of [['w-ge-gone', null], ['w-ge-tips', 'self_served']] as const) {
    const s = await user(sub, 'GE');
    await s.request({ type: 'chat.request', topic: 'cigo', waitAnyway: true });
    assert.is((await s.request({ type: 'chat.cancel', ...(reason ? { reason } : {}) })).type, 'ok');
  }
  await ctx.db.db.insert(queueDepartures).values([
    { at: closedAgo(5), province: 'MI', audience: 'employer', topic: 'payment', reason: 'disconnected', waitedMs: 240_000 },
    { at: closedAgo(4), province: 'NA', audience: 'worker', topic: 'cigo', reason: 'timeout', waitedMs: 2_701_000 },
  ]);
  await ctx.services.departures.idle();
  const today = localDay(Date.now());
  const rows = [];
  for (let i = 1; i <= 30; i++) {
    const day = addDaysYmd(today, -i);
    const k = (30 - i) / 30;
    const ratingsCount = i % 7 === 3 ? 0 : 10 + (i % 5) * 3; // every seventh day nobody rated
    rows.push({
      day, scope: 'national' as const, key: 'IT',
      chatsServed: Math.round(120 + 60 * Math.sin(i / 3) + 40 * k), avgWaitSeconds: 90 + 60 * Math.cos(i / 4), p90WaitSeconds: 300,
      escalations: Math.round(8 + 5 * Math.sin(i / 2)), ticketsOpened: 12, ticketsClosed: 10, ticketsOverdue: Math.round(3 * k), backlogEnd: Math.round(40 + 25 * k), takenAt: new Date(),
      ratingsCount, ratingsSum: Math.round(ratingsCount * (4 + 0.5 * Math.sin(i / 4))),
      departures: Math.round(14 + 6 * Math.cos(i / 3)), departuresSelfServed: Math.round(4 + 2 * Math.sin(i / 2)),
    });
  }
  // Two days never taken (a gap in the charts). An upsert: the daily timer's catch-up may have taken yesterday already.
  await ctx.db.db
    .insert(dashboardDaily)
    .values(rows.filter((_, i) => i !== 11 && i !== 12))
    .onConflictDoUpdate({
      target: [dashboardDaily.day, dashboardDaily.scope, dashboardDaily.key],
      set: { chatsServed: sql`excluded.chats_served`, backlogEnd: sql`excluded.backlog_end`, ratingsCount: sql`excluded.ratings_count`, ratingsSum: sql`excluded.ratings_sum`,
        departures: sql`excluded.departures`, departuresSelfServed: sql`excluded.departures_self_served` },
    });
}

async function signIn(page: Page, role: 'supervisor' | 'office', name: string, sede?: string): Promise<void> {
  await page.goto(`${ctx.base}/dashboard/`);
  await page.getByRole('heading', { name: 'Accesso di prova (solo sviluppo)' }).waitFor();
  await page.getByLabel('Profilo').selectOption(role);
  if (sede) await page.getByLabel('Sede', { exact: true }).selectOption(sede);
  await page.getByLabel('Nome').fill(name);
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.getByRole('heading', { name: 'Code per provincia' }).waitFor();
}

const waitingIn = (page: Page, code: string) => page.locator(`#prov-body tr[data-province="${code}"] td`).nth(1);
const satisfactionCard = (page: Page) => page.locator('#kpis .kpi', { hasText: 'Soddisfazione oggi' }).locator('dd');
const departuresCard = (page: Page) => page.locator('#kpis .kpi', { hasText: 'Abbandoni oggi' }).locator('dd');
const departuresIn = (page: Page, code: string) => page.locator(`#prov-body tr[data-province="${code}"] td`).nth(7);

if (chromiumOrSkip()) {
  test.before(async () => {
    try {
      await startServer();
      await situation();
    } catch (err) {
      console.error('could not set the scene:', err); // uvu does not print errors of hooks
      throw err;
    }
    await chromium.launch();
    ctx.page = await chromium.newPage('supervisor');
  });

  test.after(async () => {
    await chromium.close();
    for (const s of ctx.sockets) s.drop();
    await ctx.close();
  });

  test('the sign-in form is accessible', async () => {
    await ctx.page.goto(`${ctx.base}/dashboard/`);
    await ctx.page.getByRole('heading', { name: 'Accesso di prova (solo sviluppo)' }).waitFor();
    assert.equal(await axe(ctx.page), []);
  });

  test('a supervisor sees the waiting users by province with the heat scale, advisors, tickets and 30 days of charts', async () => {
    const page = ctx.page;
    await signIn(page, 'supervisor', 'Sara Bianchi');
    await page.locator('#prov-body tr[data-province="GE"]').waitFor();
    assert.is(await waitingIn(page, 'GE').textContent(), '3');
    assert.is(await waitingIn(page, 'MI').textContent(), '2');
    const rows = await page.locator('#prov-body tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.province));
    assert.equal(rows.slice(0, 3), ['BO', 'FI', 'PA'], `the hottest first: ${rows}`);
    assert.equal(new Set(rows), new Set(['BO', 'FI', 'PA', 'GE', 'MI', 'RM', 'NA']), 'provinces with users waiting (show all is off)');
    const heat = (code: string) => page.locator(`#prov-body tr[data-province="${code}"] .heat`);
    assert.equal([await heat('BO').textContent(), await heat('FI').textContent(), await heat('PA').textContent(), await heat('GE').textContent()], ['Critica', 'Alta', 'Media', 'Bassa']);
    assert.match((await page.locator('#summary').textContent()) ?? '', /^In attesa: 10 · consulenti disponibili: 1 su 2 · chat in corso: 3 · ticket scaduti: \d+/);
    await page.locator('#tickets-body tr', { hasText: 'SEDE-MI' }).waitFor();
    assert.match((await page.locator('#tickets-body tr', { hasText: 'SEDE-MI' }).textContent()) ?? '', /^Milano \(SEDE-MI\)2/);
    await page.locator('#adv-body tr', { hasText: 'Tommaso Torinese' }).waitFor();
    assert.match((await page.locator('#adv-body tr', { hasText: 'Tommaso Torinese' }).textContent()) ?? '', /Disponibile.*3 di 3.*TO/);
    assert.equal(await satisfactionCard(page).allTextContents(), ['4,3 su 5', '3 valutazioni'], '4, 4 and 5 today; not the chat closed unrated');
    // 4 departures over 4 + 7 who asked today (3 chats assigned in TO, 4 written as rows).
    assert.equal(await departuresCard(page).allTextContents(), ['4', 'di cui 1 ha trovato la risposta', '36 % di chi ha chiesto']);
    assert.equal([await departuresIn(page, 'GE').textContent(), await departuresIn(page, 'RM').textContent()], ['2di cui 1 con la risposta', '0']);
    assert.is(await page.locator('#charts figure').count(), 6);
    const departures = page.locator('#charts figure', { has: page.getByText('Abbandoni della coda', { exact: true }) });
    const taken = (await departures.locator('tbody td:nth-child(2)').allTextContents()).filter((c) => c !== 'non rilevato').length;
    assert.ok(taken >= 27, `days taken in the window: ${taken}`);
    assert.is(await departures.locator('rect.bar.part').count(), taken, 'the self-served at the foot of each day taken');
    assert.equal(await departures.locator('thead th').allTextContents(), ['Giorno', 'Valore', 'di cui hanno trovato la risposta']);
    assert.is(await page.locator('#charts svg[role="img"]').first().getAttribute('aria-labelledby'), 'ch-chats-title ch-chats-desc');
    assert.ok((await page.locator('#charts figure').first().locator('rect.bar').count()) >= 28, 'a bar per day taken');
    const rating = page.locator('#charts figure', { has: page.getByText('Soddisfazione media (1–5)', { exact: true }) });
    const cells = await rating.locator('tbody td').allTextContents();
    assert.is(cells[cells.length - 4], 'nessuna valutazione', `three days ago nobody rated: ${cells.slice(-5)}`);
    assert.is(await rating.locator('rect.bar:not(.missing)').count(), cells.filter((c) => /^\d/.test(c)).length, 'a bar for each day with ratings, none for the others');
    assert.ok(cells.filter((c) => c === 'nessuna valutazione').length >= 4);
    await page.getByLabel('Mostra tutte le province').check();
    await page.locator('#prov-body tr[data-province="AO"]').waitFor();
    assert.is(await page.locator('#prov-body tr').count(), 110);
    await page.getByLabel('Mostra tutte le province').uncheck();
    await page.locator('#prov-body tr[data-province="AO"]').waitFor({ state: 'detached' });
  });

  test('the table sorts by a column from the keyboard and says so with aria-sort', async () => {
    const page = ctx.page;
    const header = page.getByRole('button', { name: /^Provincia/ });
    await header.focus();
    await page.keyboard.press('Enter');
    assert.is(await page.locator('#prov-head th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    let rows = await page.locator('#prov-body tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.province));
    assert.equal(rows, ['BO', 'FI', 'GE', 'MI', 'NA', 'PA', 'RM'], 'Bologna … Roma');
    await page.keyboard.press('Enter');
    assert.is(await page.locator('#prov-head th[aria-sort]').getAttribute('aria-sort'), 'descending');
    rows = await page.locator('#prov-body tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.province));
    assert.equal(rows, ['RM', 'PA', 'NA', 'MI', 'GE', 'FI', 'BO']);
    await page.getByRole('button', { name: /^Livello/ }).click();
    assert.is(await page.locator('#prov-head th[aria-sort]').getAttribute('aria-sort'), 'descending', 'numbers sort busiest first');
  });

  test('a new user waiting shows up without reloading the page', async () => {
    await wait('w-mi-3', 'MI');
    await waitingIn(ctx.page, 'MI').filter({ hasText: /^3$/ }).waitFor({ timeout: 8000 });
    // Pushed over /ws once the frames are wired in; until then the page polls.
    const mode = 'dashboard.subscribe' in CLIENT_FRAMES ? 'Aggiornamento in tempo reale.' : 'Aggiornamento ogni 5 secondi.';
    await ctx.page.locator('#mode', { hasText: mode }).waitFor();
  });

  test('the supervisor switches Genova to ticket only: audited, announced, effective on the server', async () => {
    const page = ctx.page;
    const sw = page.getByRole('switch', { name: /Solo richieste Linea INPS per Genova/ });
    await sw.click(); // asks first (dashboard-confirm-browser.test.ts)
    await page.getByRole('group', { name: 'Attivare «Solo ticket» per Genova?' }).getByRole('button', { name: 'Conferma' }).click();
    await page.locator('#announce', { hasText: 'Genova: agli utenti viene proposta una richiesta Linea INPS' }).waitFor();
    assert.ok(ctx.dashboard.isTicketOnly('GE'));
    await page.locator('#audit li', { hasText: 'ha attivato «solo ticket» per GE' }).waitFor();
    await page.waitForTimeout(300);
    assert.is(await sw.isChecked(), true, 'the switch stays on across live updates');
  });

  test('the advisor to move is named with their user code too, so that two namesakes are told apart', async () => {
    const options = await ctx.page.locator('#move-advisor option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
    assert.ok(options.length >= 2, JSON.stringify(options));
    for (const [id, text] of options) assert.ok(text!.startsWith(id === 'adv-to' ? 'Tommaso Torinese – adv-to (' : 'Alba Assente – adv-away ('), text!);
  });

  test('the trail of interventions names the advisor moved as the picker does, name and user code', async () => {
    const page = ctx.page;
    const move = async (provinces: string, where: string) => {
      await page.getByLabel('Consulente', { exact: true }).selectOption('adv-away');
      await page.getByLabel('Province servite').fill(provinces);
      await page.getByRole('button', { name: 'Sposta', exact: true }).click();
      await page.locator('#announce', { hasText: `Alba Assente ora serve: ${where}.` }).waitFor();
    };
    await move('MI', 'MI');
    await page.locator('#audit li', { hasText: 'ha spostato Alba Assente – adv-away: Tutta Italia → MI' }).waitFor();
    await page.locator('#controls').screenshot({ path: `${SHOTS}dashboard-audit-moved.png` });
    await move('', 'Tutta Italia'); // back as she was, for the tests after
  });

  test("the supervisor finds in the access log who opened a person's request, and nothing else of that person", async () => {
    const api = async (claims: Record<string, unknown>, url: string, init: RequestInit = {}) => {
      const token = await ctx.services.dev!.issue(claims as never);
      return fetch(`${ctx.base}${url}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    };
    const worker = { role: 'worker', sub: 'usr-letto', province: 'MI', name: 'Lia Letta' };
    const created = await api(worker, '/api/v1/tickets', { method: 'POST', body: JSON.stringify({ subject: 'Pagamento CIGS', category: 'payment', body: 'Quando?' }) });
    assert.is(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    assert.is((await api(worker, `/api/v1/tickets/${id}`)).status, 200, 'her own read: not in the log');
    assert.is((await api({ role: 'office', sub: 'op-lettore', sede: 'SEDE-MI', name: 'Ugo Lettore' }, `/api/v1/tickets/${id}`)).status, 200);

    const page = ctx.page;
    await page.getByRole('heading', { name: 'Accessi ai dati personali' }).scrollIntoViewIfNeeded();
    await page.getByLabel('Persona (id utente)').fill('usr-letto');
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    await page.locator('#access-count', { hasText: 'Accessi trovati: 1' }).waitFor();
    const rows = page.locator('#access-table tbody tr');
    assert.is(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', new RegExp(`op-lettore · operatore di sede · SEDE-MI.*ha aperto la richiesta.*${id}.*usr-letto`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica CSV per la verifica' }).click()]);
    assert.match(download.suggestedFilename(), /^infocig-accessi-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    assert.is(csv.length, 2, 'a header and the one read');
    assert.match(csv[1]!, new RegExp(`,op-lettore,office,SEDE-MI,ticket\\.read,${id},usr-letto,`));
    await page.getByLabel('Persona (id utente)').fill('nessuno');
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    await page.locator('#access-table tbody', { hasText: 'Nessun accesso registrato con questi filtri.' }).waitFor();
    // A search overtaken by the next one: its slow answer ("nothing") is not drawn under the new filter.
    const held = await holdRequest(page, '/api/v1/access-log');
    await page.getByLabel('Persona (id utente)').fill('nessuno');
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    await page.getByLabel('Persona (id utente)').fill('usr-letto');
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    await page.locator('#access-count', { hasText: 'Accessi trovati: 1' }).waitFor();
    await held.release();
    assert.is(await page.locator('#access-table tbody tr').count(), 1, 'the rows of the search in force');
    assert.match((await page.locator('#access-count').textContent()) ?? '', /Accessi trovati: 1/);
    // The days as an Italian writes them (gg/mm/aaaa, whatever the browser's language); the API gets ISO.
    const today = localDay(Date.now());
    assert.is(await page.locator('#access-from-format').textContent(), 'gg/mm/aaaa');
    await page.getByLabel('Dal giorno', { exact: true }).fill(today.split('-').reverse().join('/'));
    await page.getByLabel('Al giorno', { exact: true }).fill('31/02/2026');
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    await page.locator('#access-error', { hasText: '«Al giorno»: il 31/02/2026 non esiste nel calendario.' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'access-to');
    assert.is(await page.locator('#access-to').getAttribute('aria-invalid'), 'true');
    assert.is(await page.locator('#access-to').inputValue(), '31/02/2026', 'what was typed stays');
    await page.getByLabel('Al giorno', { exact: true }).fill(today.split('-').reverse().join('.'));
    const asked = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/access-log');
    await page.getByRole('button', { name: 'Cerca negli accessi' }).click();
    const sent = new URL((await asked).url()).searchParams;
    assert.equal([sent.get('from'), sent.get('to')], [today, today]);
    await page.locator('#access-count', { hasText: 'Accessi trovati: 1' }).waitFor();
    assert.is(await page.locator('#access-error').textContent(), '');
    assert.is(await page.locator('#access-to').getAttribute('aria-invalid'), null);
    await page.getByLabel('Dal giorno', { exact: true }).fill('');
    await page.getByLabel('Al giorno', { exact: true }).fill('');
  });

  test('the day to record is suggested as yesterday in gg/mm/aaaa; none, or one the calendar lacks, is said on the field', async () => {
    const page = ctx.page;
    const day = page.locator('#snapshot-day'); // by id: its label changes language below
    assert.ok(await page.getByLabel('Giorno da rilevare').isVisible());
    assert.is(await day.inputValue(), addDaysYmd(localDay(Date.now()), -1).split('-').reverse().join('/'));
    assert.is(await page.locator('#snapshot-day-format').textContent(), 'gg/mm/aaaa');
    await day.fill('');
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    await page.locator('#snapshot-error', { hasText: 'Scrivi il giorno da rilevare (gg/mm/aaaa).' }).waitFor();
    assert.is(await page.evaluate(() => document.activeElement?.id), 'snapshot-day');
    await day.fill('30/02/2026');
    await page.getByRole('button', { name: 'Rileva il giorno' }).click();
    await page.locator('#snapshot-error', { hasText: '«Giorno da rilevare»: il 30/02/2026 non esiste nel calendario.' }).waitFor();
    assert.is(await day.getAttribute('aria-invalid'), 'true');
    await page.locator('#snapshot-form').screenshot({ path: `${SHOTS}dashboard-snapshot-bad-day.png` });
    // In English: the format in English, a valid day typed written day first.
    await day.fill('1.2.2026');
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    assert.equal([await page.locator('#snapshot-day-format').textContent(), await day.inputValue()], ['dd/mm/yyyy', '01/02/2026']);
    await page.getByLabel('Language', { exact: true }).selectOption('it');
    await day.fill('');
  });

  test('no serious or critical axe violations; the screenshot', async () => {
    const page = ctx.page;
    assert.equal(await axe(page), []);
    await shot(page, 'dashboard');
  });

  test('in English, and at 320 px without horizontal scrolling; the skip link hidden until focused, with text at 200 % too', async () => {
    const page = ctx.page;
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    await page.getByRole('heading', { name: 'Queues by province' }).waitFor();
    assert.match((await page.locator('#summary').textContent()) ?? '', /^Waiting: 11 · advisors available: 1 of 2 · chats in progress: \d+/);
    await page.getByLabel('Language', { exact: true }).selectOption('it');
    const small = await chromium.newPage('small', { viewport: { width: 320, height: 700 } });
    await small.goto(`${ctx.base}/dashboard/`);
    await small.getByRole('button', { name: 'Entra' }).click();
    await small.locator('#prov-body tr[data-province="GE"]').waitFor();
    await small.locator('#charts figure').first().waitFor();
    await shot(small, 'dashboard-320');
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await small.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && true)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`),
    );
    assert.ok(overflow <= 0, `no horizontal scroll at 320 px (${overflow} px): ${wide.join(', ')}`);
    // With text at 200 % «Vai al contenuto» takes two lines: still wholly above the page until focused.
    await small.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    const skip = small.locator('a.skip-link');
    assert.ok(((await skip.boundingBox())?.y ?? 0) + ((await skip.boundingBox())?.height ?? 0) <= 0, 'the skip link is out of sight');
    await skip.focus();
    assert.ok(((await skip.boundingBox())?.y ?? -1) >= 0, 'focused, it is in sight');
    await small.evaluate(() => (document.documentElement.style.fontSize = ''));
  });

  test('at 320 px with text at 200 % the supervisor\'s page reflows: buttons wrap, the date fields fit, nothing scrolls sideways', async () => {
    const page = await chromium.newPage('320-200', { viewport: { width: 320, height: 700 } });
    await page.goto(`${ctx.base}/dashboard/`);
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.getByRole('button', { name: 'Entra' }).click();
    await page.locator('#prov-body tr[data-province="GE"]').waitFor();
    await page.locator('#charts figure').first().waitFor();
    await page.locator('#move-form').waitFor();
    const controls = ['#signout', '#csv', '#snapshot-day', '#snapshot-form button[type="submit"]', '#ann-from', '#ann-from-time', '#ann-to', '#ann-to-time', '#ann-form button[type="submit"]', '#move-form button[type="submit"]', '#access-from', '#access-to', '#access-form button[type="submit"]', '#access-csv'];
    await shot(page, 'dashboard-320-200');
    for (const part of ['snapshot-form', 'ann-form', 'move-form', 'access-form']) await page.locator(`#${part}`).screenshot({ path: `${SHOTS}dashboard-320-200-${part}.png` });
    assert.equal(await reflowProblems(page, controls), []);
    assert.equal(await axe(page), []);
    await page.close();
  });

  test('an office operator sees its own sede only, without the controls', async () => {
    const page = await chromium.newPage('office');
    await signIn(page, 'office', 'Olga Operatrice', 'SEDE-GE');
    await page.locator('#prov-body tr[data-province="GE"]').waitFor();
    assert.is(await page.locator('#prov-body tr').count(), 1);
    assert.is(await page.locator('#controls').isVisible(), false);
    assert.is(await page.locator('#access').isVisible(), false, 'the access log is for supervisors');
    assert.is(await page.getByRole('switch').count(), 0);
    assert.match((await page.locator('#me').textContent()) ?? '', /SEDE-GE/);
    assert.equal(await satisfactionCard(page).allTextContents(), ['5 su 5', '1 valutazione'], "Genova's rating only");
    assert.equal(await departuresCard(page).allTextContents(), ['2', 'di cui 1 ha trovato la risposta', '50 % di chi ha chiesto'], "Genova's departures only: 2 of 2 + 2 served");
    assert.equal(await axe(page), []);
    await shot(page, 'dashboard-office');
  });

  test('a German reader waiting in Bolzano with nobody available to answer in German is flagged to the sede', async () => {
    await ctx.services.state.enqueue({
      userId: 'w-bz-de', role: 'worker', name: 'Berta', province: 'BZ', audience: 'worker', topic: 'cigo', lang: 'de', entry: 'omnia', context: {}, priority: 0, since: Date.now() - 90_000,
    });
    const page = await chromium.newPage('office-bz');
    try {
      await signIn(page, 'office', 'Bruno Bolzano', 'SEDE-BZ');
      const de = page.locator('#lang-body tr[data-lang="de"]');
      await de.waitFor();
      assert.equal(await de.locator('th, td').allTextContents(), ['Tedesco', '1', '2 min', '0']);
      assert.match((await page.locator('#lang-alert').textContent()) ?? '', /Nessun consulente disponibile parla tedesco/);
      assert.ok(await de.evaluate((tr) => tr.classList.contains('breach')), 'the row is marked');
      assert.equal(await axe(page), []);
      await shot(page, 'dashboard-languages');
    } finally {
      await ctx.services.state.cancel('w-bz-de');
    }
  });

  test('the advisors table gives each name its user code, under it: two namesakes are told apart', async () => {
    const page = ctx.page;
    await user('adv-assente-2', 'MI', 'advisor', 'Alba Assente');
    const rows = page.locator('#adv-body tr', { hasText: 'Alba Assente' });
    await rows.nth(1).waitFor();
    const heads = await rows.locator('th').evaluateAll((ths) => ths.map((th) => [th.childNodes[0]?.textContent, th.querySelector('.sub')?.textContent]));
    assert.equal(heads.sort(), [['Alba Assente', 'adv-assente-2'], ['Alba Assente', 'adv-away']]);
    assert.is(await page.locator('#adv-body tr', { hasText: 'Tommaso Torinese' }).locator('th .sub').textContent(), 'adv-to');
    await page.locator('#adv-table').screenshot({ path: `${SHOTS}dashboard-advisors-namesakes.png` });
    assert.equal(await axe(page), []);
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
