/**
 * Ticket creations are group-committed (server/ticket-create-sql.ts) behind a
 * bounded queue: when the database cannot keep up, a creation past the bound is
 * refused at once with a stable, retryable code instead of waiting without end
 * or failing as an internal error; nothing refused was stored.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Db } from '../server/db.ts';
import { AppError } from '../server/errors.ts';
import { installErrorHandling } from '../server/http-errors.ts';
import { sqlTicketCreator } from '../server/ticket-create-sql.ts';
import type { NewTicket } from '../server/ticket-store.ts';

function newTicket(): NewTicket {
  const actor = { id: 'spid-anna', role: 'worker', name: 'Anna' };
  return {
    id: randomUUID(), year: 2026, subject: 'Quando arriva il pagamento?', category: 'payment_timing', origin: 'user',
    userId: actor.id, userRole: 'worker', userName: 'Anna', userFiscalCode: null, matricola: null, province: 'MI', sede: '1300',
    status: 'open', createdBy: actor, createdAt: new Date(), takenBy: null, dueAt: null, conversationId: null,
    firstReply: { author: actor, body: 'Buongiorno' }, auditDetail: {},
    notice: { kind: 'registered', recipientKind: 'user', recipientId: actor.id, payload: {} },
  } as unknown as NewTicket;
}

test('creations beyond what the writers can hold are refused at once with tickets_busy, the others keep waiting for their commit', async () => {
  let statements = 0;
  // A database that never answers: every batch stays in flight, the queues fill up.
  const stalled = { execute: () => (statements++, new Promise(() => {})) } as unknown as Db;
  const create = sqlTicketCreator(stalled, async () => null);
  const outcomes = Array.from({ length: 8000 }, () => create(newTicket()).then(() => 'created', (err: unknown) => err));
  const settled = await Promise.race([Promise.all(outcomes.slice(-500)), new Promise((r) => setTimeout(() => r('still waiting'), 2000))]);
  assert.ok(Array.isArray(settled), 'the last creations were answered at once');
  for (const err of settled as unknown[]) {
    assert.instance(err, AppError);
    assert.is((err as AppError).code, 'tickets_busy');
    assert.is((err as AppError).statusCode, 503);
  }
  const first = await Promise.race([outcomes[0], new Promise((r) => setTimeout(() => r('waiting'), 50))]);
  assert.is(first, 'waiting', 'an accepted creation is answered only by its commit');
  assert.ok(statements >= 1 && statements <= 3, `one batch per writer in flight (${statements})`);
});

test('a 503 answer tells the client when to try again', async () => {
  const app = Fastify();
  installErrorHandling(app);
  app.get('/busy', async () => {
    throw new AppError('tickets_busy');
  });
  const res = await app.inject('/busy');
  assert.is(res.statusCode, 503);
  assert.is(res.headers['retry-after'], '1');
  assert.is(res.json().error.code, 'tickets_busy');
  await app.close();
});

test.run();
