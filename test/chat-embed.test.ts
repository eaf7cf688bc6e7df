/**
 * What a host page may pass into the embedded chat (widgets/chat/embed.js):
 * only the known context keys, as short strings; anything else is dropped.
 * The postMessage origin checks themselves run in the browser suites.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error a plain browser module, no types
import { cleanContext } from '../widgets/chat/embed.js';

test('the context keeps protocol, matricola and step as trimmed strings, and nothing else', () => {
  const raw = JSON.parse('{"protocol":" INPS.IS.2025.0004711 ","matricola":1234567890,"step":"2","token":"eyJ…","__proto__":{"admin":true},"constructor":"x"}');
  const clean = cleanContext(raw);
  assert.equal(clean, { protocol: 'INPS.IS.2025.0004711', matricola: '1234567890', step: '2' });
  assert.is(Object.getPrototypeOf(clean), Object.prototype);
  assert.is((clean as { admin?: unknown }).admin, undefined);
});

test('values that are not short strings or numbers are dropped or cut to 200 characters', () => {
  assert.equal(cleanContext({ protocol: { $ne: '' }, matricola: ['1'], step: null }), {});
  assert.equal(cleanContext({ protocol: '   ' }), {}, 'blank after trimming');
  assert.is(cleanContext({ protocol: 'x'.repeat(500) }).protocol.length, 200);
  for (const bad of [null, undefined, 'protocol', 42, []]) assert.equal(cleanContext(bad), {}, String(bad));
});

test.run();
