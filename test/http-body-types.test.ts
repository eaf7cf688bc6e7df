/**
 * Injection (docs/security.md): a JSON body is checked as written. A number, a boolean or a
 * one-item array where the schema says string, or a string where it says boolean or integer, is
 * refused with validation_failed and nothing is stored, like an operator object; the text parts of
 * a request (query, path) are still read as the schema's types ("true", "2"). Through the app as
 * app.ts builds it (http-validation.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { injectedApp, type InjectedApp } from './helpers/app.ts';

let app: InjectedApp;
let worker: string;
let office: string;
test.before(async () => {
  app = await injectedApp(new ManualClock(Date.parse('2026-11-23T16:00:00+01:00')));
  worker = await app.token({ role: 'worker', sub: 'types-w', name: 'Mario Tipi', province: 'MI', fiscalCode: 'BNCMRA80A01F205X' });
  office = await app.token({ role: 'office', sub: 'types-o', name: 'Laura Tipi', sede: 'SEDE-MI' });
});
test.after(() => app.close());

const valid = { subject: 'Pagamento', category: 'payment', body: 'Quando arriva?' };

test('a request body with a wrong type anywhere is 400 validation_failed and creates nothing, as an operator object is', async () => {
  const wrong: Record<string, unknown>[] = [
    { ...valid, subject: 12345 },
    { ...valid, subject: true },
    { ...valid, subject: ['Pagamento'] },
    { ...valid, body: ['Quando arriva?'] },
    { ...valid, category: ['payment'] },
    { ...valid, subject: { $ne: 1 } },
    { ...valid, follows: ['00000000-0000-4000-8000-000000000000'] },
  ];
  for (const payload of wrong) {
    const res = await app.call(worker, 'POST', '/api/v1/tickets', payload);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed'], JSON.stringify(payload));
  }
  const listed = await app.call(worker, 'GET', '/api/v1/tickets');
  assert.is(listed.body.total, 0, 'nothing was created');
  const created = await app.call(worker, 'POST', '/api/v1/tickets', valid);
  assert.is(created.status, 201, created.raw);
  // A reply, a change of status: the same.
  for (const [method, url, payload] of [
    ['POST', `/api/v1/tickets/${created.body.id}/replies`, { body: 42 }],
    ['POST', `/api/v1/tickets/${created.body.id}/replies`, { body: ['Grazie'] }],
    ['POST', `/api/v1/tickets/${created.body.id}/notes`, { body: false }],
  ] as const) {
    const res = await app.call(method === 'POST' && url.endsWith('notes') ? office : worker, method, url, payload);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed'], `${url} ${JSON.stringify(payload)}`);
  }
  assert.is((await app.call(worker, 'GET', `/api/v1/tickets/${created.body.id}`)).body.replies.length, 1, 'only the first message');
});

test('the query and the path are text on the wire: "true", "2" and a repeated parameter still read as their types; a wrong word is refused', async () => {
  const page = await app.call(worker, 'GET', '/api/v1/tickets?mine=true&page=1&pageSize=2&status=open');
  assert.is(page.status, 200, page.raw);
  assert.equal([page.body.page, page.body.pageSize], [1, 2]);
  const defaults = await app.call(worker, 'GET', '/api/v1/tickets');
  assert.equal([defaults.body.page, defaults.body.pageSize], [1, 20], 'defaults filled in');
  assert.is((await app.call(worker, 'GET', '/api/v1/tickets?mine=yes')).status, 400);
});

test.run();
