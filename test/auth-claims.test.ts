/**
 * From a token's claims to an identity (identityFromClaims, server/auth.ts):
 * fiscal codes (TINIT- numbers of SPID and CIE normalised, bad shapes
 * refused), an office's sede, the name, the matricole, and claims of the
 * wrong type, shape or size refused; through the production verifier
 * (test/helpers/idp.ts), the development one and directly.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromClaims } from '../server/auth.ts';
import { createDevAuth, type DevAuth } from '../server/auth-dev.ts';
import { now, testIdp } from './helpers/idp.ts';
import { refused, refusedSync } from './helpers/refused.ts';

let dev: DevAuth;
const idp = testIdp(test);
const idpToken = idp.token;

test.before(async () => {
  dev = await createDevAuth();
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

test('a signed claim PostgreSQL could not store is refused (U+0000) or mended (half an emoji), like frames and bodies', () => {
  const base = { sub: 's', exp: now() + 60, role: 'worker' };
  refusedSync(() => identityFromClaims({ ...base, name: 'Anna\u0000Neri' }), 'token_invalid', /claim name holds U\+0000/);
  refusedSync(() => identityFromClaims({ ...base, matricole: ['1234567890', '12\u0000'] }), 'token_invalid', /matricole/);
  assert.is(identityFromClaims({ ...base, name: 'Anna \ud83d' }).name, 'Anna \ufffd');
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

test.run();
