/**
 * GET /api/v1/sign-in and its `page` query (server/http-sign-in.ts): the chat's
 * answer as before, a staff console's (advisor, office, dashboard) the same
 * identity provider or the development picker, or `none` where the chat would
 * wait for a host page's token; a page the server does not know is a 400 with
 * the stable validation code. On the app as app.ts builds it (app.inject), in
 * three configurations: development sign-in, OpenID Connect, and only JWKS.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { injectedApp, type InjectedApp } from './helpers/app.ts';

const clock = new ManualClock(Date.now());
const JWKS = {
  AUTH_DEV: '0',
  AUTH_JWKS_URL: 'https://idp.example.test/jwks',
  AUTH_ISSUER: 'https://idp.example.test',
  AUTH_AUDIENCE: 'infocig-web',
};
const OIDC = {
  ...JWKS,
  AUTH_OIDC_AUTHORIZE_URL: 'https://idp.example.test/authorize',
  AUTH_OIDC_TOKEN_URL: 'https://idp.example.test/token',
  AUTH_OIDC_CLIENT_ID: 'infocig-web',
};
const apps = {} as Record<'dev' | 'oidc' | 'jwks', InjectedApp>;

test.before(async () => {
  apps.dev = await injectedApp(clock);
  apps.oidc = await injectedApp(clock, OIDC);
  apps.jwks = await injectedApp(clock, JWKS);
});

test.after(async () => {
  for (const app of Object.values(apps)) await app.close();
});

const ask = (app: InjectedApp, query = '') => app.call(null, 'GET', `/api/v1/sign-in${query}`);

test('with OpenID Connect configured, every console is told the same identity provider as the chat', async () => {
  const chat = await ask(apps.oidc);
  assert.is(chat.status, 200);
  assert.equal(chat.body, {
    method: 'oidc',
    authorizeUrl: OIDC.AUTH_OIDC_AUTHORIZE_URL,
    tokenUrl: OIDC.AUTH_OIDC_TOKEN_URL,
    clientId: 'infocig-web',
    scope: 'openid profile',
    token: 'id_token',
  });
  for (const page of ['chat', 'advisor', 'office', 'dashboard']) {
    const res = await ask(apps.oidc, `?page=${page}`);
    assert.is(res.status, 200, page);
    assert.equal(res.body, chat.body, page);
  }
});

test('with development sign-in, the chat and the consoles are told to use the picker', async () => {
  for (const query of ['', '?page=chat', '?page=advisor', '?page=office', '?page=dashboard']) {
    const res = await ask(apps.dev, query);
    assert.equal([res.status, res.body], [200, { method: 'dev' }], query);
  }
});

test('with neither, the chat waits for a host page\'s token and a console is told there is no sign-in', async () => {
  assert.equal((await ask(apps.jwks)).body, { method: 'host' });
  assert.equal((await ask(apps.jwks, '?page=chat')).body, { method: 'host' });
  for (const page of ['advisor', 'office', 'dashboard']) assert.equal((await ask(apps.jwks, `?page=${page}`)).body, { method: 'none' }, page);
});

test('a page the server does not know, or another query parameter, is refused with validation_failed', async () => {
  for (const query of ['?page=admin', '?page=', '?page=ADVISOR', '?page=advisor&page=office', '?lang=it']) {
    const res = await ask(apps.oidc, query);
    assert.is(res.status, 400, query);
    assert.is(res.body.error.code, 'validation_failed', query);
  }
});

test.run();
