/**
 * Production sign-in of the staff consoles, in a real browser with development
 * sign-in off: the advisor console, the office console and the dashboard go to
 * the identity provider (OpenID Connect, authorization code with PKCE, the fake
 * of test/helpers/fake-idp.ts checking the verifier for real), come back to the
 * same page, and use the JWT for their API calls and /ws. A token whose role
 * does not fit the console is refused with a message and a way out; "Esci"
 * ends the session without signing straight back in; the chat and a console in
 * one tab keep their own sessions. axe-core checks each sign-in state;
 * screenshots go to test/screenshots/staff-oidc-*.png. Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, type Json } from './helpers/browser.ts';
import { FAKE_ISSUER, startFakeIdp, type FakeIdp } from './helpers/fake-idp.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const CLIENT_ID = 'infocig-web';
const WORKER = { sub: 'spid-giulia', role: 'worker', name: 'Giulia Bianchi', province: 'MI' };
const ADVISOR = { sub: 'inps-rossi', role: 'advisor', name: 'Marta Rossi' };
const OFFICE = { sub: 'inps-conti', role: 'office', given_name: 'Laura', family_name: 'Conti', sede: 'SEDE-MI' };
const SUPERVISOR = { sub: 'inps-verdi', role: 'supervisor', name: 'Sara Verdi' };

const chromium = browserHarness({ console: { expected: /^$/ }, prefix: 'staff-oidc-', context: { viewport: { width: 1280, height: 800 } } });
const { axe, shot } = chromium;
const ctx = { proc: null as ServerProcess | null, idp: null as unknown as FakeIdp, tickets: {} as Record<'milano' | 'roma', Json> };

/** A page of its own browser, recording the frames its sockets receive. */
async function open(name: string, path: string): Promise<{ page: Page; frames: Json[]; sockets: () => number }> {
  const page = await chromium.newPage(name);
  const frames: Json[] = [];
  let sockets = 0;
  page.on('websocket', (ws) => {
    sockets++;
    ws.on('framereceived', ({ payload }) => frames.push(JSON.parse(String(payload))));
  });
  await page.goto(ctx.proc!.base + path);
  return { page, frames, sockets: () => sockets };
}

async function frame(frames: Json[], match: (f: Json) => boolean, what: string): Promise<Json> {
  for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const found = frames.find(match);
    if (found) return found;
  }
  throw new Error(`no ${what} frame; received ${frames.map((f) => f.type).join(', ')}`);
}

async function ticket(person: typeof WORKER, subject: string): Promise<Json> {
  const res = await fetch(`${ctx.proc!.base}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await ctx.idp.token(person)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject, category: 'cigo', body: 'La domanda risulta ancora in istruttoria.' }),
  });
  assert.is(res.status, 201);
  return res.json() as Promise<Json>;
}

const panel = (page: Page, state: string) => page.locator(`#staff-auth[data-state="${state}"]`);

if (chromiumOrSkip('staff consoles\' sign-in')) {
  test.before(async () => {
    ctx.idp = await startFakeIdp(CLIENT_ID, ADVISOR);
    ctx.proc = await startServerProcess('staff-oidc', {
      AUTH_DEV: '0',
      SERVICE_HOURS: 'always',
      AUTH_JWKS_URL: `${ctx.idp.base}/jwks`,
      AUTH_ISSUER: FAKE_ISSUER,
      AUTH_AUDIENCE: CLIENT_ID,
      AUTH_OIDC_AUTHORIZE_URL: `${ctx.idp.base}/authorize`,
      AUTH_OIDC_TOKEN_URL: `${ctx.idp.base}/token`,
      AUTH_OIDC_CLIENT_ID: CLIENT_ID,
    });
    await chromium.launch();
    ctx.tickets.milano = await ticket(WORKER, 'Domanda CIGO ferma a Milano');
    ctx.tickets.roma = await ticket({ ...WORKER, sub: 'spid-marco', province: 'RM' }, 'Richiesta per la sede di Roma');
    assert.equal([ctx.tickets.milano.sede, ctx.tickets.roma.sede], ['SEDE-MI', 'SEDE-RM']);
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
    await ctx.idp?.close();
  });

  test('every console page may reach the token endpoint\'s origin and no other', async () => {
    for (const path of ['/advisor/', '/office/', '/dashboard/']) {
      const csp = (await fetch(ctx.proc!.base + path)).headers.get('content-security-policy') ?? '';
      assert.ok(csp.split('; ').includes(`connect-src 'self' ws: wss: ${ctx.idp.base}`), `${path}: ${csp}`);
    }
  });

  test('an advisor signs in to the advisor console at the identity provider with PKCE, and goes available over /ws', async () => {
    ctx.idp.person = ADVISOR;
    const { page, frames } = await open('advisor', '/advisor/?lang=it');
    await page.locator('#board').waitFor();
    await page.locator('#me', { hasText: 'Marta Rossi (inps-rossi)' }).waitFor();
    const url = new URL(page.url());
    assert.is(url.pathname + url.search, '/advisor/?lang=it', 'back on the same page, its query kept, no code left');
    assert.is(ctx.idp.authorizations.at(-1)!.get('redirect_uri'), `${ctx.proc!.base}/advisor/`);
    assert.ok((ctx.idp.tokenCalls.at(-1)!.code_verifier ?? '').length >= 43, 'a PKCE verifier was sent');
    await frame(frames, (f) => f.type === 'welcome' && f.user?.id === 'inps-rossi', 'welcome');
    await page.getByLabel('Disponibile').check();
    await frame(frames, (f) => f.type === 'advisor.status' && f.status === 'available', 'advisor available');
    assert.ok(await page.locator('#signout').isVisible());
    assert.equal(await axe(page, 'advisor signed in'), []);
    await shot(page, 'advisor-signed-in');
    await page.close();
  });

  test('a worker\'s token opening the advisor console gets a clear refusal, no socket, and a way out', async () => {
    ctx.idp.person = WORKER;
    const { page, sockets } = await open('advisor-worker', '/advisor/');
    await panel(page, 'refused').waitFor();
    assert.is(await page.locator('#staff-auth-title').textContent(), 'Account non abilitato');
    assert.is(await page.locator('#staff-auth-text').textContent(), 'Questo account non è abilitato alla console consulente.');
    assert.match((await page.locator('#staff-auth .note').textContent()) ?? '', /Giulia Bianchi \(profilo: Lavoratore\)/);
    assert.ok(await page.locator('#board').isHidden());
    assert.ok(await page.locator('#signin').isHidden(), 'no development picker');
    assert.equal(await axe(page, 'advisor refused'), []);
    await shot(page, 'advisor-refused');
    await page.getByLabel('Lingua').selectOption('en');
    await page.locator('#staff-auth-text', { hasText: 'This account is not enabled for the advisor console.' }).waitFor();
    await page.getByLabel('Language').selectOption('it');
    assert.is(sockets(), 0, 'the console never opened /ws');
    await page.getByRole('button', { name: 'Esci' }).click();
    await panel(page, 'out').waitFor();
    await page.close();
  });

  test('an office token that names no sede is refused by the office console with what to ask for', async () => {
    ctx.idp.person = { sub: 'inps-senza-sede', role: 'office', name: 'Paolo Sala' };
    const { page } = await open('office-no-sede', '/office/');
    await panel(page, 'refused').waitFor();
    assert.is(await page.locator('#staff-auth-text').textContent(), 'Questo account non è abilitato alla console delle sedi territoriali.');
    assert.is((await page.locator('#staff-auth .note').textContent())?.trim(), 'L’account di sede non indica la sede territoriale: chiedi al tuo referente di completarlo.');
    assert.ok(await page.locator('#board').isHidden(), 'no queue of an unknown sede');
    assert.equal(await axe(page, 'office without sede'), []);
    await page.close();
  });

  test('an advisor\'s token opening the dashboard is refused', async () => {
    ctx.idp.person = ADVISOR;
    const { page } = await open('dashboard-advisor', '/dashboard/');
    await panel(page, 'refused').waitFor();
    assert.is(await page.locator('#staff-auth-text').textContent(), 'Questo account non è abilitato al cruscotto del servizio.');
    assert.ok(await page.locator('#board').isHidden());
    await shot(page, 'dashboard-refused');
    await page.close();
  });

  test('"Esci" ends the session: a reload stays signed out, and "Accedi" signs in again', async () => {
    ctx.idp.person = ADVISOR;
    const { page } = await open('advisor-signout', '/advisor/');
    await page.locator('#board').waitFor();
    await page.getByRole('button', { name: 'Esci' }).click();
    await panel(page, 'out').waitFor();
    assert.is(await page.locator('#staff-auth-title').textContent(), 'Sei uscito');
    assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('.oidc.'))), []);
    const asked = ctx.idp.authorizations.length;
    await page.reload();
    await panel(page, 'out').waitFor();
    assert.is(ctx.idp.authorizations.length, asked, 'no new sign-in without asking');
    assert.ok(await page.locator('#board').isHidden());
    assert.equal(await axe(page, 'advisor signed out'), []);
    await shot(page, 'advisor-signed-out');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#board').waitFor();
    assert.is(ctx.idp.authorizations.length, asked + 1);
    await page.close();
  });

  test('an office operator signs in to the office console and sees their sede\'s requests only, the token renewed before it expires', async () => {
    ctx.idp.person = OFFICE;
    ctx.idp.lifetime = 45; // inside the page's 60 s renewal margin
    const refreshes = ctx.idp.tokenCalls.filter((c) => c.grant_type === 'refresh_token').length;
    const { page } = await open('office', '/office/');
    await page.locator('#me', { hasText: 'Laura Conti · SEDE-MI (Milano)' }).waitFor();
    await page.locator('.q-item', { hasText: ctx.tickets.milano!.protocol }).waitFor();
    assert.not.ok(((await page.locator('#queue').textContent()) ?? '').includes(ctx.tickets.roma!.protocol));
    assert.is(ctx.idp.tokenCalls.filter((c) => c.grant_type === 'refresh_token').length, refreshes + 1, 'renewed with the refresh token');
    assert.ok(await page.locator('#compose-open').isVisible());
    assert.ok(await page.locator('#f-sede-field').isHidden(), 'an office sees its own sede only: no sede filter');
    assert.is(await page.locator('#queue-title').textContent(), 'Richieste della sede');
    await shot(page, 'office-signed-in');
    await page.close();
  });

  test('a supervisor in the office console reads every sede\'s requests, without the sede\'s actions', async () => {
    ctx.idp.person = SUPERVISOR;
    const { page } = await open('office-supervisor', '/office/');
    await page.locator('#me', { hasText: 'Sara Verdi · Supervisore (sola lettura)' }).waitFor();
    await page.locator('.q-item', { hasText: ctx.tickets.roma!.protocol }).waitFor();
    await page.locator('.q-item', { hasText: ctx.tickets.milano!.protocol }).click();
    await page.locator('#t-title', { hasText: 'Domanda CIGO ferma a Milano' }).waitFor();
    assert.ok(await page.locator('#reply-form').isHidden(), 'no reply');
    assert.ok(await page.locator('#transfer-form').isHidden(), 'no transfer');
    assert.ok(await page.locator('#compose-open').isHidden(), 'no new message');
    assert.is(await page.locator('#queue-title').textContent(), 'Richieste di tutte le sedi');
    assert.match((await page.locator('.q-item', { hasText: ctx.tickets.roma!.protocol }).locator('.q-meta').textContent()) ?? '', /^INPS Sede di Roma · /, 'each request says whose sede it is');
    // One sede at a time, from the offices' directory.
    await page.getByLabel('Sede', { exact: true }).selectOption('SEDE-RM');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.locator('.q-item', { hasText: ctx.tickets.milano!.protocol }).waitFor({ state: 'detached' });
    assert.ok(await page.locator('.q-item', { hasText: ctx.tickets.roma!.protocol }).isVisible(), 'Roma\'s request stays');
    assert.equal(await axe(page, 'office supervisor'), []);
    await shot(page, 'office-supervisor', true);
    await page.close();
  });

  test('a supervisor opens the dashboard and sees the service live', async () => {
    ctx.idp.person = SUPERVISOR;
    const { page, frames } = await open('dashboard', '/dashboard/');
    await page.locator('#me', { hasText: 'Sara Verdi · supervisore' }).waitFor();
    await page.locator('#mode', { hasText: 'Aggiornamento in tempo reale.' }).waitFor();
    await frame(frames, (f) => f.type === 'dashboard.update', 'dashboard.update');
    assert.ok(await page.locator('#controls').isVisible(), 'the supervisor\'s controls');
    await page.close();
  });

  test('a refusal at the identity provider is shown on the console with a retry that signs in', async () => {
    ctx.idp.person = SUPERVISOR;
    ctx.idp.refusals = 1;
    const { page } = await open('dashboard-denied', '/dashboard/');
    await panel(page, 'failed').waitFor();
    assert.match((await page.locator('#staff-auth-text').textContent()) ?? '', /access_denied/);
    await shot(page, 'dashboard-failed');
    await page.getByRole('button', { name: 'Riprova' }).click();
    await page.locator('#board').waitFor();
    await page.close();
  });

  test('the chat and a console in one tab keep their own sessions', async () => {
    ctx.idp.person = WORKER;
    const { page, frames } = await open('chat-then-advisor', '/chat/');
    await frame(frames, (f) => f.type === 'welcome' && f.user?.id === 'spid-giulia', 'the worker\'s welcome');
    ctx.idp.person = ADVISOR;
    const asked = ctx.idp.authorizations.length;
    await page.goto(`${ctx.proc!.base}/advisor/`);
    await frame(frames, (f) => f.type === 'welcome' && f.user?.id === 'inps-rossi', 'the advisor\'s welcome');
    assert.is(ctx.idp.authorizations.length, asked + 1, 'the console signed in on its own');
    frames.length = 0;
    await page.goto(`${ctx.proc!.base}/chat/`);
    await frame(frames, (f) => f.type === 'welcome', 'the chat\'s welcome');
    assert.is(frames.find((f) => f.type === 'welcome')!.user.id, 'spid-giulia', 'still the worker in the chat');
    assert.is(ctx.idp.authorizations.length, asked + 1);
    await page.close();
  });

  test('a console on a server without staff sign-in says so instead of showing a broken page', async () => {
    for (const [path, name] of [['/advisor/', 'advisor'], ['/office/', 'office'], ['/dashboard/', 'dashboard']] as const) {
      const page = await chromium.newPage(`${name}-none`);
      // What this server answers with neither OIDC nor AUTH_DEV (sign-in-route.test.ts checks it).
      await page.route((url) => url.pathname === '/api/v1/sign-in', (route) => route.fulfill({ json: { method: 'none' } }));
      await page.goto(ctx.proc!.base + path);
      await panel(page, 'none').waitFor();
      assert.is(await page.locator('#staff-auth-title').textContent(), 'Accesso non disponibile');
      assert.ok(await page.locator('#signin').isHidden() && (await page.locator('#board').isHidden()), name);
      assert.equal(await axe(page, `${name} none`), []);
      await shot(page, `${name}-none`);
      await page.close();
    }
  });

  test('no page logged a CSP violation or a script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
