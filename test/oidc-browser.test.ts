/**
 * Production sign-in of the full-page chat, in a real browser: /chat/ opened from
 * the Cassetto previdenziale goes to the identity provider (OpenID Connect,
 * authorization code with PKCE), comes back, and the chat signs in over /ws with
 * the JWT it obtained — verified by the server against the provider's JWKS, with
 * development sign-in off. The provider is a small fake in this process that
 * checks PKCE for real. Skips when /usr/bin/chromium is absent.
 */
import type { Browser, Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromiumInstalled } from './helpers/browser.ts';
import { FAKE_ISSUER, startFakeIdp, type FakeIdp } from './helpers/fake-idp.ts';
import { CHROMIUM, launchChromium, startServerProcess, type ServerProcess } from './helpers/server-process.ts';

const CLIENT_ID = 'infocig-chat';
const T = 20_000;
const GIULIA = {
  sub: 'spid-giulia',
  role: 'worker',
  name: 'Giulia Bianchi',
  province: 'TO',
  'https://attributes.eid.gov.it/fiscal_number': 'TINIT-BNCGLI80A41L219P',
};

let idp: FakeIdp;

/** What the pages logged, navigated to or threw: shown when a wait times out. */
const problems: string[] = [];
const ctx = { proc: null as ServerProcess | null, browser: null as Browser | null };

/** The chat page, recording the `welcome` frames it receives over /ws. */
async function openChat(path: string): Promise<{ page: Page; welcomes: { user: { id: string; name: string; province: string } }[] }> {
  const page = await ctx.browser!.newPage();
  const welcomes: { user: { id: string; name: string; province: string } }[] = [];
  page.on('websocket', (ws) => {
    ws.on('close', () => problems.push('socket closed'));
    ws.on('framereceived', ({ payload }) => {
      problems.push(`received ${String(payload).slice(0, 120)}`);
      const f = JSON.parse(String(payload));
      if (f.type === 'welcome') welcomes.push(f);
    });
  });
  page.on('console', (m) => problems.push(`console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('framenavigated', (f) => f === page.mainFrame() && problems.push(`at ${f.url()}`));
  await page.goto(ctx.proc!.base + path);
  return { page, welcomes };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + T;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the page said:\n${problems.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.before(async () => {
  if (!chromiumInstalled()) return;
  idp = await startFakeIdp(CLIENT_ID, GIULIA);
  ctx.proc = await startServerProcess('oidc', {
    AUTH_DEV: '0',
    SERVICE_HOURS: 'always',
    AUTH_JWKS_URL: `${idp.base}/jwks`,
    AUTH_ISSUER: FAKE_ISSUER,
    AUTH_AUDIENCE: CLIENT_ID,
    AUTH_OIDC_AUTHORIZE_URL: `${idp.base}/authorize`,
    AUTH_OIDC_TOKEN_URL: `${idp.base}/token`,
    AUTH_OIDC_CLIENT_ID: CLIENT_ID,
  });
  ctx.browser = await launchChromium();
});

test.after(async () => {
  await ctx.browser?.close();
  await ctx.proc?.stop();
  await idp?.close();
});

test('the full-page chat opened from the Cassetto signs in at the identity provider with PKCE and connects as that person', async () => {
  if (!ctx.proc) return console.log('# skipped: chromium not found at', CHROMIUM);
  const { page, welcomes } = await openChat('/chat/?entry=cassetto');
  await until(() => welcomes.length > 0, 'welcome');
  assert.equal(welcomes[0]!.user, { id: 'spid-giulia', name: 'Giulia Bianchi', province: 'TO' });
  const url = new URL(page.url());
  assert.is(url.searchParams.get('entry'), 'cassetto', 'the page keeps its own query');
  assert.not.ok(url.searchParams.has('code') || url.searchParams.has('state'), 'the code does not stay in the address bar');
  const exchange = idp.tokenCalls.find((c) => c.grant_type === 'authorization_code');
  assert.ok(exchange?.code_verifier && exchange.code_verifier.length >= 43, 'a PKCE verifier was sent');
  await page.locator('#start-form').waitFor({ state: 'visible', timeout: T });
  await page.close();
});

test('an answer that does not carry the state of this browser\'s request is refused without asking for a token', async () => {
  if (!ctx.proc) return;
  const calls = idp.tokenCalls.length;
  const { page, welcomes } = await openChat('/chat/?code=stolen&state=forged');
  await page.locator('#view-error').waitFor({ state: 'visible', timeout: T });
  assert.match(await page.locator('#error-text').innerText(), /state_mismatch/);
  assert.is(idp.tokenCalls.length, calls, 'the stolen code was never redeemed');
  assert.is(welcomes.length, 0);
  await page.close();
});

test('a refusal at the identity provider is shown with a retry that signs in', async () => {
  if (!ctx.proc) return;
  idp.refusals = 1;
  const { page, welcomes } = await openChat('/chat/?entry=area');
  await page.locator('#view-error').waitFor({ state: 'visible', timeout: T });
  assert.match(await page.locator('#error-text').innerText(), /access_denied/);
  await page.locator('#error-retry').click();
  await until(() => welcomes.length > 0, 'welcome after retry');
  assert.is(welcomes[0]!.user.id, 'spid-giulia');
  await page.close();
});

test('a token about to expire is renewed with the refresh token before the chat uses it', async () => {
  if (!ctx.proc) return;
  idp.lifetime = 45; // inside the page's 60 s renewal margin
  const before = idp.tokenCalls.filter((c) => c.grant_type === 'refresh_token').length;
  const { page, welcomes } = await openChat('/chat/');
  await until(() => welcomes.length > 0, 'welcome');
  const refreshes = idp.tokenCalls.filter((c) => c.grant_type === 'refresh_token');
  assert.is(refreshes.length, before + 1, 'one refresh_token grant');
  assert.is(refreshes.at(-1)!.client_id, CLIENT_ID);
  await page.close();
});

test('the sign-in route tells the page to use the identity provider, and the CSP lets it reach the token endpoint', async () => {
  if (!ctx.proc) return;
  const res = await fetch(`${ctx.proc.base}/api/v1/sign-in`);
  assert.equal(await res.json(), { method: 'oidc', authorizeUrl: `${idp.base}/authorize`, tokenUrl: `${idp.base}/token`, clientId: CLIENT_ID, scope: 'openid profile', token: 'id_token' });
  const page = await fetch(`${ctx.proc.base}/chat/`);
  assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ws: wss: ${idp.base.replace(/\./g, '\\.')}(;|$)`));
  const dev = await fetch(`${ctx.proc.base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.is(dev.status, 404, 'no development sign-in here');
});

test.run();
