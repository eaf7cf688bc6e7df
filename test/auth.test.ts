/**
 * Verifying tokens (server/auth.ts, server/auth-jwks.ts, server/auth-dev.ts):
 * what is refused — expired, another issuer or audience, no sub, exp or role,
 * alg none, HS256 (also keyed with the public key), another key, garbage, a
 * key named or embedded by the token itself — and what is accepted, by the
 * development verifier and the production one over a JWKS served on a local
 * port (test/helpers/idp.ts); the key-set fetch cooldown; remembered tokens
 * that expire or lose their key; the Authorization header.
 */
import type { Server } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { base64url, createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { bearerToken } from '../server/auth.ts';
import { createDevAuth, type DevAuth } from '../server/auth-dev.ts';
import { createJwksAuthenticator, createJwtAuthenticator } from '../server/auth-jwks.ts';
import { closeServer, IDP_AUDIENCE, IDP_ISSUER, now, serveJson, testIdp } from './helpers/idp.ts';
import { refused } from './helpers/refused.ts';

let dev: DevAuth;
let otherDev: DevAuth;
let attackerServer: Server;
let attackerHits = 0;
let attackerUrl = '';
let attackerPrivate: CryptoKey;
const idp = testIdp(test);
const idpToken = idp.token;

function unsecured(payload: Record<string, unknown>): string {
  const enc = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}

test.before(async () => {
  dev = await createDevAuth();
  otherDev = await createDevAuth();

  const attacker = await generateKeyPair('RS256');
  attackerPrivate = attacker.privateKey;
  const attackerJwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256' }] };
  const evil = await serveJson(attackerJwks, () => void attackerHits++);
  attackerServer = evil.server;
  attackerUrl = evil.url;
});

test.after(async () => {
  await closeServer(attackerServer);
});

// --- refusals ---------------------------------------------------------------

test('an expired token is refused as token_expired', async () => {
  await refused(idp.verify(await idpToken({ iat: now() - 7200, exp: now() - 3600 })), 'token_expired');
});

test('a token just past its exp is still accepted within the 30 second clock tolerance', async () => {
  const identity = await idp.verify(await idpToken({ exp: now() - 5 }));
  assert.is(identity.sub, 'spid-user-1');
});

test('a token for another issuer is refused', async () => {
  await refused(idp.verify(await idpToken({ iss: 'https://evil.example.test' })), 'token_invalid', /iss/);
  await refused(idp.verify(await idpToken({ iss: undefined })), 'token_invalid', /iss/);
});

test('a token for another audience is refused', async () => {
  await refused(idp.verify(await idpToken({ aud: 'another-service' })), 'token_invalid', /aud/);
  await refused(idp.verify(await idpToken({ aud: undefined })), 'token_invalid', /aud/);
});

test('a token without sub is refused', async () => {
  await refused(idp.verify(await idpToken({ sub: undefined })), 'token_invalid', /sub/);
  await refused(idp.verify(await idpToken({ sub: '   ' })), 'token_invalid', /sub/);
});

test('a token without exp is refused', async () => {
  await refused(idp.verify(await idpToken({ exp: undefined })), 'token_invalid', /exp/);
});

test('a token with an unknown or missing role is refused', async () => {
  await refused(idp.verify(await idpToken({ role: 'admin' })), 'token_invalid', /role/);
  await refused(idp.verify(await idpToken({ role: '__proto__' })), 'token_invalid', /role/);
  await refused(idp.verify(await idpToken({ role: undefined })), 'token_invalid', /role/);
  await refused(idp.verify(await idpToken({ role: ['worker'] })), 'token_invalid', /role/);
});

test('an unsigned alg:none token is refused', async () => {
  const payload = { iss: IDP_ISSUER, aud: IDP_AUDIENCE, sub: 'x', role: 'supervisor', exp: now() + 600 };
  await refused(idp.verify(unsecured(payload)), 'token_invalid');
  await refused(dev.authenticator.verify(unsecured({ ...payload, iss: 'info-cig-dev', aud: 'info-cig' })), 'token_invalid');
});

test('an HS256 token signed with a shared secret is refused, even one keyed with the public key', async () => {
  const claims = { role: 'supervisor', sub: 'x' };
  const secret = new TextEncoder().encode('a-very-long-shared-secret-of-at-least-32-bytes');
  const hs = (key: Uint8Array, iss: string, aud: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).setIssuer(iss).setAudience(aud).setExpirationTime('10m').sign(key);
  await refused(idp.verify(await hs(secret, IDP_ISSUER, IDP_AUDIENCE)), 'token_invalid', /algorithm/);
  await refused(dev.authenticator.verify(await hs(secret, 'info-cig-dev', 'info-cig')), 'token_invalid', /algorithm/);
  // RS/HS confusion: the public key as an HMAC secret
  await refused(idp.verify(await hs(new TextEncoder().encode(idp.publicPem), IDP_ISSUER, IDP_AUDIENCE)), 'token_invalid');
});

test('a token signed by another key is refused', async () => {
  // another instance: a key id nobody published
  await refused(dev.authenticator.verify(await otherDev.issue({ role: 'supervisor' })), 'token_invalid');
  // the published key id, a different key
  const forger = await generateKeyPair('ES256');
  const kid = dev.jwks().keys[0]?.kid;
  const forged = await new SignJWT({ role: 'supervisor' })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer('info-cig-dev')
    .setAudience('info-cig')
    .setSubject('forged')
    .setExpirationTime('1h')
    .sign(forger.privateKey);
  await refused(dev.authenticator.verify(forged), 'token_invalid', /signature/);
  // a development token presented to the production verifier
  await refused(idp.verify(await dev.issue({ role: 'worker' })), 'token_invalid');
});

test('garbage instead of a token is refused as token_invalid', async () => {
  const garbage = ['', 'abc', 'a.b.c', '..', 'Bearer x', 'e30.e30.', `${base64url.encode('{"alg":"ES256"}')}.bm90IGpzb24.c2ln`, 'x'.repeat(20_000)];
  for (const token of garbage) {
    await refused(dev.authenticator.verify(token), 'token_invalid');
    await refused(idp.verify(token), 'token_invalid');
  }
  await refused(dev.authenticator.verify(undefined as unknown as string), 'token_invalid');
});

test('a token naming its own key URL (jku) or embedding its own key is not trusted and triggers no fetch', async () => {
  const evil = await new SignJWT({ role: 'supervisor' })
    .setProtectedHeader({ alg: 'RS256', kid: 'evil', jku: attackerUrl })
    .setIssuer(IDP_ISSUER)
    .setAudience(IDP_AUDIENCE)
    .setSubject('attacker')
    .setExpirationTime('10m')
    .sign(attackerPrivate);
  await refused(idp.verify(evil), 'token_invalid');
  assert.is(attackerHits, 0);
});

test('a burst of tokens with unknown key ids fetches the key set at most once more (cooldown)', async () => {
  await idp.verify(await idpToken()); // key set cached
  const before = idp.hits;
  for (let i = 0; i < 20; i++) await refused(idp.verify(await idpToken({}, { kid: `unknown-${i}` })), 'token_invalid');
  assert.ok(idp.hits - before <= 1, `fetched ${idp.hits - before} times`);
});

// --- remembered tokens --------------------------------------------------------

/** A key set of one fresh ES256 key under kid `k1`, and a signer for it. */
async function localKeys() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const set = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
  const sign = (exp: number) =>
    new SignJWT({ role: 'worker' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('iss').setAudience('aud').setSubject('u-cache').setExpirationTime(exp).sign(pair.privateKey);
  return { set, sign };
}

const cacheRules = { issuer: 'iss', audience: 'aud', algorithms: ['ES256' as const], clockToleranceSeconds: 30 };

test('a remembered token is refused once past its exp and tolerance, as if it had never been verified', async () => {
  const { set, sign } = await localKeys();
  let ms = Date.parse('2026-11-23T10:00:00Z');
  const auth = createJwtAuthenticator(set, cacheRules, { now: () => ms });
  const token = await sign(ms / 1000 + 60);
  assert.is((await auth.verify(token)).sub, 'u-cache');
  assert.is((await auth.verify(token)).sub, 'u-cache', 'again, from memory');
  ms += 75_000; // past exp, within the tolerance: checked afresh, still accepted
  assert.is((await auth.verify(token)).sub, 'u-cache');
  ms += 60_000;
  await refused(auth.verify(token), 'token_expired');
});

test('a remembered token is refused once its key leaves the key set (rotation)', async () => {
  const old = await localKeys();
  const rotated = await localKeys(); // the same kid, another key
  let keys = old.set;
  const auth = createJwtAuthenticator((header, token) => keys(header, token), cacheRules);
  const token = await old.sign(Math.floor(Date.now() / 1000) + 600);
  assert.is((await auth.verify(token)).sub, 'u-cache');
  keys = rotated.set;
  await refused(auth.verify(token), 'token_invalid');
  assert.is((await auth.verify(await rotated.sign(Math.floor(Date.now() / 1000) + 600))).sub, 'u-cache', 'tokens of the new key verify');
});

test('what a verifier answers cannot be changed by its caller for the next one', async () => {
  const { set, sign } = await localKeys();
  const auth = createJwtAuthenticator(set, cacheRules);
  const token = await sign(Math.floor(Date.now() / 1000) + 600);
  const first = await auth.verify(token);
  first.role = 'supervisor';
  assert.is((await auth.verify(token)).role, 'worker');
});

test('the production verifier refuses to be configured with HS256 or none', () => {
  for (const alg of ['HS256', 'none'] as const) {
    assert.throws(() =>
      createJwksAuthenticator({ jwksUrl: 'https://idp.example.test/jwks', issuer: IDP_ISSUER, audience: IDP_AUDIENCE, algorithms: [alg as 'RS256'] }),
    );
  }
});

// --- production verifier ------------------------------------------------------

test('the JWKS verifier accepts an RS256 token with the right issuer and audience', async () => {
  const identity = await idp.verify(await idpToken({ role: 'employer', name: 'Ditta Rossi', matricola: '4912345678', province: 'RM' }));
  assert.is(identity.sub, 'spid-user-1');
  assert.is(identity.role, 'employer');
  assert.is(identity.matricola, '4912345678');
  assert.equal(identity.matricole, ['4912345678']);
  assert.is(identity.province, 'RM');
  assert.ok(idp.hits >= 1, 'the key set came from the HTTP server');
});

test('the JWKS verifier refuses a token for another audience', async () => {
  await refused(idp.verify(await idpToken({ aud: 'other-app' })), 'token_invalid', /aud/);
});

// --- bearer header --------------------------------------------------------------

test('a bearer token is read from the Authorization header, scheme in any case', () => {
  assert.is(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
  assert.is(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
  assert.is(bearerToken('BEARER   abc-_.def'), 'abc-_.def');
  assert.is(bearerToken(undefined), null);
  assert.is(bearerToken(''), null);
  assert.is(bearerToken('Bearer'), null);
  assert.is(bearerToken('Bearer '), null);
  assert.is(bearerToken('Basic dXNlcjpwYXNz'), null);
  assert.is(bearerToken('Bearer a b'), null);
});

test.run();
