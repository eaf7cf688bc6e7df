import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  base64url,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  createLocalJWKSet,
  decodeJwt,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { AppError, errorBody } from '../server/errors.ts';
import { bearerToken, identityFromClaims, type Authenticator, type Identity } from '../server/auth.ts';
import { createDevAuth, type DevAuth } from '../server/auth-dev.ts';
import { createJwksAuthenticator, createJwtAuthenticator } from '../server/auth-jwks.ts';
import { devTokenRoute } from '../server/dev-token-route.ts';
import { contactFromClaims } from '../server/notice-contacts.ts';

const IDP_ISSUER = 'https://idp.example.test';
const IDP_AUDIENCE = 'info-cig';
const now = () => Math.floor(Date.now() / 1000);

let dev: DevAuth;
let otherDev: DevAuth;
let rsaPrivate: CryptoKey;
let rsaPublicPem: string;
let jwksServer: Server;
let jwksHits = 0;
let attackerServer: Server;
let attackerHits = 0;
let attackerUrl = '';
let attackerPrivate: CryptoKey;
let idp: Authenticator;

function serveJson(body: unknown, onHit: () => void): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    onHit();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/.well-known/jwks.json` });
    });
  });
}

function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An RS256 token from the test identity provider; `claims` overrides, `undefined` deletes. */
function idpToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: IDP_ISSUER,
    aud: IDP_AUDIENCE,
    sub: 'spid-user-1',
    role: 'worker',
    iat: now(),
    exp: now() + 600,
    ...claims,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'RS256', kid: 'idp-1', ...header }).sign(rsaPrivate);
}

async function refused(promise: Promise<unknown>, code: string, why?: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, AppError, `expected an AppError, got ${String(err)}`);
    assert.is((err as AppError).code, code);
    if (why) assert.match((err as AppError).message, why);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

function refusedSync(fn: () => unknown, code: string, why?: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, AppError);
    assert.is((err as AppError).code, code);
    if (why) assert.match((err as AppError).message, why);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

function unsecured(payload: Record<string, unknown>): string {
  const enc = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}

test.before(async () => {
  dev = await createDevAuth();
  otherDev = await createDevAuth();

  const rsa = await generateKeyPair('RS256', { extractable: true });
  rsaPrivate = rsa.privateKey;
  rsaPublicPem = await exportSPKI(rsa.publicKey);
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] };
  const served = await serveJson(jwks, () => void jwksHits++);
  jwksServer = served.server;
  idp = createJwksAuthenticator({ jwksUrl: served.url, issuer: IDP_ISSUER, audience: IDP_AUDIENCE });

  const attacker = await generateKeyPair('RS256');
  attackerPrivate = attacker.privateKey;
  const attackerJwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256' }] };
  const evil = await serveJson(attackerJwks, () => void attackerHits++);
  attackerServer = evil.server;
  attackerUrl = evil.url;
});

test.after(async () => {
  await closeServer(jwksServer);
  await closeServer(attackerServer);
});

// --- development tokens ---------------------------------------------------

test('a development token round-trips every claim it was issued with', async () => {
  const token = await dev.issue({
    role: 'intermediary',
    sub: 'consulente-42',
    name: 'Studio Neri',
    province: 'TO',
    fiscalCode: 'RSSMRA80A01H501U',
    matricola: '1234567890',
    matricole: ['1234567890', '0987654321'],
    sede: '1300',
    skills: ['cigo', 'fis'],
    lang: 'it',
    ttlSeconds: 3600,
  });
  const identity = await dev.authenticator.verify(token);
  assert.equal(identity, {
    sub: 'consulente-42',
    role: 'intermediary',
    name: 'Studio Neri',
    province: 'TO',
    fiscalCode: 'RSSMRA80A01H501U',
    matricola: '1234567890',
    matricole: ['1234567890', '0987654321'],
    sede: '1300',
    skills: ['cigo', 'fis'],
    lang: 'it',
    exp: identity.exp,
  } satisfies Identity);
  assert.ok(Math.abs(identity.exp - (now() + 3600)) <= 2, 'exp follows ttlSeconds');
});

test('a development token gets a generated sub, a demo name and province MI for users', async () => {
  const worker = await dev.authenticator.verify(await dev.issue({ role: 'worker' }));
  assert.match(worker.sub, /^dev-worker-[0-9a-f]+$/);
  assert.type(worker.name, 'string');
  assert.is(worker.province, 'MI');
  assert.equal(worker.skills, []);
  assert.equal(worker.matricole, []);
  assert.ok(Math.abs(worker.exp - (now() + 8 * 3600)) <= 2, 'default ttl is 8 hours');

  const advisor = await dev.authenticator.verify(await dev.issue({ role: 'advisor' }));
  assert.match(advisor.sub, /^dev-advisor-/);
  assert.is(advisor.province, null, 'staff get no default province');
  assert.is.not(advisor.sub, worker.sub);
});

test('a development token longer than 24 hours or shorter than a minute is refused at issue', async () => {
  await refused(dev.issue({ role: 'worker', ttlSeconds: 86_401 }), 'validation_failed');
  await refused(dev.issue({ role: 'worker', ttlSeconds: 59 }), 'validation_failed');
  await refused(dev.issue({ role: 'worker', ttlSeconds: 1.5 }), 'validation_failed');
});

test('the development key set publishes one ES256 public key and no private part', () => {
  const { keys } = dev.jwks();
  assert.is(keys.length, 1);
  assert.is(keys[0]?.alg, 'ES256');
  assert.type(keys[0]?.kid, 'string');
  assert.is((keys[0] as Record<string, unknown>).d, undefined);
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
  await refused(idp.verify(await hs(new TextEncoder().encode(rsaPublicPem), IDP_ISSUER, IDP_AUDIENCE)), 'token_invalid');
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
  const before = jwksHits;
  for (let i = 0; i < 20; i++) await refused(idp.verify(await idpToken({}, { kid: `unknown-${i}` })), 'token_invalid');
  assert.ok(jwksHits - before <= 1, `fetched ${jwksHits - before} times`);
});

// --- claims -----------------------------------------------------------------

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

test('a TINIT- fiscal number from SPID or CIE is normalised to the 16-character code', async () => {
  const spid = await idp.verify(await idpToken({ 'https://attributes.eid.gov.it/fiscal_number': 'TINIT-RSSMRA80A01H501U' }));
  assert.is(spid.fiscalCode, 'RSSMRA80A01H501U');
  const cie = await idp.verify(await idpToken({ fiscalNumber: 'tinit-rssmra80a01h501u' }));
  assert.is(cie.fiscalCode, 'RSSMRA80A01H501U');
  const dev1 = await dev.authenticator.verify(await dev.issue({ role: 'worker', fiscalCode: 'TINIT-RSSMRA80A01H501U' }));
  assert.is(dev1.fiscalCode, 'RSSMRA80A01H501U');
  const snake = identityFromClaims({ sub: 's', exp: now() + 60, role: 'employer', fiscal_number: 'TINIT-12345678901' });
  assert.is(snake.fiscalCode, '12345678901', 'a company fiscal code is 11 digits');
  const omocode = identityFromClaims({ sub: 's', exp: now() + 60, role: 'worker', fiscalCode: 'RSSMRA80A01H50MU' });
  assert.is(omocode.fiscalCode, 'RSSMRA80A01H50MU', 'omocodia letters are accepted');
});

test('a badly shaped fiscal code is refused', async () => {
  for (const fiscalCode of ['RSSMRA80A01H501', 'TINIT-', 'RSSMRA80Z01H501U', '1234567890', 'RSSMRA80A01H501U; DROP', 42]) {
    await refused(idp.verify(await idpToken({ fiscalCode })), 'token_invalid', /fiscal/);
  }
  await refused(idp.verify(await idpToken({ 'https://attributes.eid.gov.it/fiscal_number': 'TINIT-XYZ' })), 'token_invalid');
  await refused(dev.issue({ role: 'worker', fiscalCode: 'NOT-A-CODE' }), 'validation_failed', /fiscal/);
});

test('an office token without sede is refused', async () => {
  await refused(idp.verify(await idpToken({ role: 'office' })), 'token_invalid', /sede/);
  await refused(dev.issue({ role: 'office' }), 'validation_failed', /sede/);
  const office = await idp.verify(await idpToken({ role: 'office', sede: '5100' }));
  assert.is(office.sede, '5100');
});

test('a name is taken from name, or from given_name and family_name', () => {
  const base = { sub: 's', exp: now() + 60, role: 'worker' };
  assert.is(identityFromClaims({ ...base, name: 'Anna Neri' }).name, 'Anna Neri');
  assert.is(identityFromClaims({ ...base, given_name: 'Anna', family_name: 'Neri' }).name, 'Anna Neri');
  assert.is(identityFromClaims(base).name, null);
});

test('matricole come from the matricole array, or from a single matricola', () => {
  const base = { sub: 's', exp: now() + 60, role: 'intermediary' };
  assert.equal(identityFromClaims({ ...base, matricole: ['111', '222', '111'] }).matricole, ['111', '222']);
  assert.equal(identityFromClaims({ ...base, matricola: '333' }).matricole, ['333']);
  refusedSync(() => identityFromClaims({ ...base, matricole: '111' }), 'token_invalid', /matricole/);
});

test('claims of the wrong type, shape or size are refused', () => {
  const base = { sub: 's', exp: now() + 60, role: 'worker' };
  refusedSync(() => identityFromClaims({ ...base, province: 'mi' }), 'token_invalid', /province/);
  refusedSync(() => identityFromClaims({ ...base, province: 'MIL' }), 'token_invalid', /province/);
  refusedSync(() => identityFromClaims({ ...base, name: { $ne: '' } }), 'token_invalid', /name/);
  refusedSync(() => identityFromClaims({ ...base, name: 'x'.repeat(201) }), 'token_invalid', /name/);
  refusedSync(() => identityFromClaims({ ...base, skills: 'cigo' }), 'token_invalid', /skills/);
  refusedSync(() => identityFromClaims({ ...base, skills: [1] }), 'token_invalid', /skills/);
  refusedSync(() => identityFromClaims({ ...base, skills: Array.from({ length: 101 }, (_, i) => `s${i}`) }), 'token_invalid', /skills/);
  refusedSync(() => identityFromClaims({ ...base, lang: 'it; drop' }), 'token_invalid', /lang/);
  refusedSync(() => identityFromClaims({ ...base, exp: '9999999999' as unknown as number }), 'token_invalid', /exp/);
  refusedSync(() => identityFromClaims(JSON.parse('{"__proto__":{"role":"supervisor"},"sub":"s","exp":9999999999}')), 'token_invalid', /role/);
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
  assert.ok(jwksHits >= 1, 'the key set came from the HTTP server');
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

// --- POST /dev/token -------------------------------------------------------------

async function devApp(): Promise<FastifyInstance> {
  const app = Fastify();
  // test-only stand-in for the app-wide error handler
  app.setErrorHandler((err: unknown, _request, reply) => {
    const e = err as { validation?: unknown; message?: string };
    if (e.validation) return reply.status(400).send(errorBody('validation_failed', e.message ?? 'invalid'));
    if (err instanceof AppError) return reply.status(err.statusCode).send(errorBody(err.code, err.message));
    return reply.status(500).send(errorBody('internal', 'Something went wrong on our side'));
  });
  await app.register(devTokenRoute, { dev });
  await app.ready();
  return app;
}

test('POST /dev/token answers 200 with a token that verifies', async () => {
  const app = await devApp();
  try {
    const res = await app.inject({ method: 'POST', url: '/dev/token', payload: { role: 'office', sede: '5100', skills: ['cigs'] } });
    assert.is(res.statusCode, 200, res.body);
    assert.is(res.headers['cache-control'], 'no-store');
    const { token } = res.json() as { token: string };
    const identity = await dev.authenticator.verify(token);
    assert.is(identity.role, 'office');
    assert.is(identity.sede, '5100');
    assert.equal(identity.skills, ['cigs']);
  } finally {
    await app.close();
  }
});

test('POST /dev/token carries a contact for the notices, as the notices keep it (email, phone_number)', async () => {
  const app = await devApp();
  try {
    const res = await app.inject({ method: 'POST', url: '/dev/token', payload: { role: 'worker', email: ' Anna.Verdi@Example.IT', phoneNumber: '+39 333 123-4567' } });
    assert.is(res.statusCode, 200, res.body);
    const claims = decodeJwt((res.json() as { token: string }).token);
    assert.is(claims.email, 'Anna.Verdi@example.it');
    assert.is(claims.phone_number, '+393331234567');
    assert.equal(contactFromClaims(claims), { email: 'Anna.Verdi@example.it', phone: '+393331234567' });
    const plain = decodeJwt(((await app.inject({ method: 'POST', url: '/dev/token', payload: { role: 'worker' } })).json() as { token: string }).token);
    assert.not.ok('email' in plain || 'phone_number' in plain, 'no contact unless asked');
  } finally {
    await app.close();
  }
});

test('POST /dev/token answers 400 validation_failed for an unknown role, an extra property or a bad field', async () => {
  const app = await devApp();
  try {
    const bodies: unknown[] = [
      { role: 'admin' },
      { role: 'worker', isAdmin: true },
      { role: 'worker', constructor: 'x' },
      {},
      { role: 'worker', province: 'milano' },
      { role: 'worker', ttlSeconds: 10 },
      { role: 'worker', ttlSeconds: '3600' },
      { role: 'worker', skills: 'cigo' },
      { role: 'office' }, // no sede: refused by issue()
      { role: 'worker', email: 'non-un-indirizzo' }, // a contact the notices would drop
      { role: 'worker', email: 'a@b' },
      { role: 'worker', phoneNumber: 'chiamami' },
      { role: 'worker', phoneNumber: '12' },
      { role: 'worker', phone_number: '+393331234567' }, // the claim's name is not the request's
    ];
    for (const payload of bodies) {
      const res = await app.inject({ method: 'POST', url: '/dev/token', payload: payload as object });
      assert.is(res.statusCode, 400, `${JSON.stringify(payload)} → ${res.body}`);
      const body = res.json() as { error: { code: string; message: string } };
      assert.is(body.error.code, 'validation_failed');
      assert.type(body.error.message, 'string');
    }
  } finally {
    await app.close();
  }
});

test.run();
