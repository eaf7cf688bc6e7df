/**
 * Live updates of a user's Linea INPS requests (server/ticket-push.ts,
 * docs/tickets.md "Live updates"): real servers, real sockets, the office
 * acting over HTTP. With REDIS_URL the user is connected to another node than
 * the one the office writes to (the push crosses the fan-out); without it, one
 * node. On PGlite, or PostgreSQL when DATABASE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { deleteKeys } from './helpers/routing-state-contract.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

const redisUrl = process.env.REDIS_URL;
const kind = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'}${redisUrl ? ', two nodes over redis' : ''}`;
const prefix = `test:${randomUUID()}`;
const SECRET = 'Il pagamento è stato disposto il 12 marzo';

let db: TestDatabase;
/** Where the office writes. */
let office: TestServer;
/** Where the users are connected (another node with Redis). */
let users: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  db = await testDatabase();
  const env: Record<string, string> = redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : {};
  office = await startServer({ env, db });
  users = redisUrl ? await startServer({ env, db }) : office;
});
test.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
});
test.after(async () => {
  await office.close();
  if (users !== office) await users.close();
  await db.cleanup();
  if (redisUrl) {
    const redis = new Redis(redisUrl);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
});

const worker = (sub: string) => users.token({ role: 'worker', sub, province: 'MI', name: 'Mario Bianchi' });
const operator = () => office.token({ role: 'office', sub: 'op-mi', sede: 'SEDE-MI', name: 'Laura Conti' });

async function call(node: TestServer, token: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${node.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, any>;
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function connected(token: string): Promise<TestSocket> {
  const [socket] = await TestSocket.signIn(users.wsUrl, token);
  sockets.push(socket);
  return socket;
}

const pushes = (s: TestSocket) => s.frames.filter((f) => f.type === 'ticket.updated');
/** A ping answered: the frames this node sent the socket before it are in (pushes of one event go out together). */
async function settled(s: TestSocket) {
  const id = randomUUID();
  s.send({ type: 'ping', id });
  await s.nextWhere((f) => f.type === 'pong' && f.re === id, 'pong');
}

test(`an office reply reaches every socket of the request's owner as ticket.updated, without its text; an internal note reaches none, another user gets nothing (${kind})`, async () => {
  const mario = await worker('w-push');
  const request = await call(users, mario, 'POST', '/api/v1/tickets', { subject: 'Pagamento diretto CIGO', category: 'payment', body: 'Non ho ricevuto il pagamento.' });
  const [tab, phone, other] = await Promise.all([connected(mario), connected(mario), connected(await worker('w-other'))]);
  const op = await operator();

  await call(office, op, 'POST', `/api/v1/tickets/${request.id}/notes`, { body: 'Sollecitato l’ufficio prestazioni.' });
  const reply = await call(office, op, 'POST', `/api/v1/tickets/${request.id}/replies`, { body: SECRET });

  for (const s of [tab, phone]) {
    const f = await s.next('ticket.updated');
    assert.equal(f, {
      type: 'ticket.updated',
      ticketId: request.id,
      protocol: request.protocol,
      status: 'open',
      respondedAt: reply.at,
      updatedAt: reply.at,
      reason: 'reply',
      by: 'office',
    });
    assert.not.ok(JSON.stringify(f).includes('pagamento'), 'the frame says that there is news, not the news');
    await settled(s);
    assert.is(pushes(s).length, 0, 'one push for the reply, none for the note');
  }
  await settled(other);
  assert.is(pushes(other).length, 0, 'another user hears nothing of it');
});

test(`taking in charge, a transfer, closing and the owner's own reply each push ticket.updated with their reason (${kind})`, async () => {
  const mario = await worker('w-push-status');
  const request = await call(users, mario, 'POST', '/api/v1/tickets', { subject: 'Anticipo CIGS', category: 'payment', body: 'Quando arriva?' });
  const socket = await connected(mario);
  const op = await operator();

  await call(office, op, 'PATCH', `/api/v1/tickets/${request.id}`, { status: 'in_progress' });
  assert.equal(pick(await socket.next('ticket.updated')), { status: 'in_progress', reason: 'status', by: 'office', respondedAt: null });

  await call(users, mario, 'POST', `/api/v1/tickets/${request.id}/replies`, { body: 'Allego il cedolino.' });
  assert.equal(pick(await socket.next('ticket.updated')), { status: 'in_progress', reason: 'reply', by: 'user', respondedAt: null });

  await call(office, op, 'POST', `/api/v1/tickets/${request.id}/transfer`, { sede: 'SEDE-RM', reason: 'Matricola di Roma' });
  assert.equal(pick(await socket.next('ticket.updated')), { status: 'open', reason: 'transfer', by: 'office', respondedAt: null });

  const rome = await office.token({ role: 'office', sub: 'op-rm', sede: 'SEDE-RM', name: 'Paolo Neri' });
  await call(office, rome, 'PATCH', `/api/v1/tickets/${request.id}`, { status: 'closed', outcome: 'Pagamento disposto' });
  assert.equal(pick(await socket.next('ticket.updated')), { status: 'closed', reason: 'status', by: 'office', respondedAt: null });
});

const company = '4455667788';
const otherCompany = '9988776655';
const employer = (sub: string, matricola: string) => users.token({ role: 'employer', sub, province: 'MI', name: 'Ditta Rossi Srl', matricola });
const consultant = (sub: string, matricole: string[]) => users.token({ role: 'intermediary', sub, province: 'MI', name: 'Studio Verdi', matricole });

test(`a company's request also pushes to those who see it through its matricola, on any node: its employer and another consultant holding it, the owner once though holding it too; not a consultant without it, the employer of another matricola or a worker of the company; never for a note (${kind})`, async () => {
  const owner = await consultant('i-owner', [company, otherCompany]);
  const request = await call(users, owner, 'POST', '/api/v1/tickets', { subject: 'CIGO marzo, ditta Rossi', category: 'cigo', body: 'Domanda respinta.', matricola: company });
  const [ownerTab, boss, colleague, stranger, otherBoss, employee] = await Promise.all([
    connected(owner),
    connected(await employer('e-rossi', company)),
    connected(await consultant('i-colleague', [otherCompany, company])),
    connected(await consultant('i-stranger', [otherCompany])),
    connected(await employer('e-other', otherCompany)),
    connected(await users.token({ role: 'worker', sub: 'w-rossi', province: 'MI', name: 'Gino Neri', matricola: company })),
  ]);
  const op = await operator();

  await call(office, op, 'POST', `/api/v1/tickets/${request.id}/notes`, { body: 'Verificare la matricola.' });
  const reply = await call(office, op, 'POST', `/api/v1/tickets/${request.id}/replies`, { body: SECRET });

  for (const s of [ownerTab, boss, colleague]) {
    const f = await s.next('ticket.updated');
    assert.equal(f, { type: 'ticket.updated', ticketId: request.id, protocol: request.protocol, status: 'open', respondedAt: reply.at, updatedAt: reply.at, reason: 'reply', by: 'office' });
    await settled(s);
    assert.is(pushes(s).length, 0, 'once: none for the note, no second copy for an owner who holds the matricola');
  }
  for (const s of [stranger, otherBoss, employee]) {
    await settled(s);
    assert.is(pushes(s).length, 0, 'nothing for whoever may not read the request');
  }
});

test(`a request an office wrote to a matricola alone pushes to the company's employer, on any node (${kind})`, async () => {
  const op = await operator();
  const request = await call(office, op, 'POST', '/api/v1/tickets', { subject: 'Documentazione mancante', category: 'cigo', body: 'Inviare il modello SR41.', to: { matricola: company } });
  const boss = await connected(await employer('e-rossi-alone', company));
  await call(office, op, 'PATCH', `/api/v1/tickets/${request.id}`, { status: 'closed', outcome: 'Documentazione ricevuta' });
  assert.equal(pick(await boss.next('ticket.updated')), { status: 'closed', reason: 'status', by: 'office', respondedAt: null });
});

function pick(f: Frame) {
  return { status: f.status, reason: f.reason, by: f.by, respondedAt: f.respondedAt };
}

test.run();
