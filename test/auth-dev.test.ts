/**
 * Development tokens (server/auth-dev.ts, server/dev-token-route.ts): what a
 * token is issued with comes back when it is verified, with generated defaults
 * and bounded lifetimes; the development key set publishes only a public key;
 * POST /dev/token answers a token that verifies, carries a contact for the
 * notices when asked, and refuses unknown roles, extra or bad fields with 400.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { AppError, errorBody } from '../server/errors.ts';
import type { Identity } from '../server/auth.ts';
import { createDevAuth, type DevAuth } from '../server/auth-dev.ts';
import { devTokenRoute } from '../server/dev-token-route.ts';
import { contactFromClaims } from '../server/notice-contacts.ts';
import { now } from './helpers/idp.ts';
import { refused } from './helpers/refused.ts';

let dev: DevAuth;

test.before(async () => {
  dev = await createDevAuth();
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
    assert.equal(contactFromClaims(claims), { email: 'Anna.Verdi@example.it', phone: '+393331234567', lang: null });
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
