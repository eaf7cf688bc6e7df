/**
 * Input the fuzz suites (ws-fuzz, http-fuzz) found breaking the server, each shrunk
 * to its smallest form: a frame type nested thousands of arrays deep (the process
 * crashed), U+0000 in any text (PostgreSQL refuses it: 500s, `store_unavailable`, a
 * user stuck at the head of the queue), half an emoji in text that reaches `jsonb`
 * (the same), and a path with a malformed percent-encoding (fastify's own error body).
 * server/input-text.ts says what is refused and what is mended.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { injectedApp, injectForm, type InjectedApp } from './helpers/app.ts';
import { watchProcess } from './helpers/fuzz.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;
let app: InjectedApp;
let watch: ReturnType<typeof watchProcess>;
const sockets: TestSocket[] = [];

test.before(async () => {
  watch = watchProcess();
  server = await startServer();
  app = await injectedApp(new ManualClock(Date.parse('2026-11-23T16:00:00+01:00')));
});
test.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
});
test.after(async () => {
  await app.close();
  await server.close();
  watch.stop();
});

async function signIn(claims: Record<string, unknown> & { role: string }, resume?: { conversationId: string; lastSeq: number }[]) {
  const [socket, welcome] = await TestSocket.signIn(server.wsUrl, await server.token(claims), resume);
  sockets.push(socket);
  return { socket, welcome };
}

/** An available advisor and a worker they are chatting with (the worker's request as given). */
async function matched(tag: string, request: Record<string, unknown> = {}) {
  const advisor = (await signIn({ role: 'advisor', sub: `adv-${tag}`, name: 'Giulia Rossi' })).socket;
  assert.is((await advisor.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  const worker = (await signIn({ role: 'worker', sub: `worker-${tag}`, name: 'Mario Bianchi', province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment', ...request });
  const assigned = await worker.next('conversation.assigned');
  await advisor.request({ type: 'advisor.status', status: 'away' });
  return { advisor, worker, assigned, conversationId: assigned.conversationId as string };
}

const DEEP = `{"type":${'['.repeat(20_000)}${']'.repeat(20_000)},"id":"deep"}`;

test('a frame whose type is an array nested 20,000 deep is refused with unknown_type, before and after sign-in, and the process goes on', async () => {
  const before = await TestSocket.open(server.wsUrl);
  sockets.push(before);
  before.send(DEEP);
  assert.is(await Promise.race([before.closed, new Promise((r) => setTimeout(() => r('still open'), 3000))]), 4401, 'not a hello: closed as any other');
  const { socket } = await signIn({ role: 'worker', sub: 'deep-type' });
  socket.send(DEEP);
  const err = await socket.next('error', (f) => f.re === 'deep');
  assert.is(err.code, 'unknown_type');
  socket.send({ type: 'ping', id: 'after' });
  assert.is((await socket.next('pong', (f) => f.re === 'after')).re, 'after', 'the socket goes on');
  assert.equal(watch.faults, [], 'nothing thrown out of the socket listener');
});

test('U+0000 in a message, its clientMsgId or a conversation id is refused with validation_failed naming the field; nothing is stored and the chat goes on', async () => {
  const { worker, conversationId } = await matched('nul-message');
  const refused = async (frame: Record<string, unknown>, field: string) => {
    const err = await worker.request(frame);
    assert.equal([err.type, err.code], ['error', 'validation_failed'], JSON.stringify(frame));
    assert.match(err.message as string, new RegExp(`^${field} contains a NUL character`));
  };
  await refused({ type: 'message.send', conversationId, clientMsgId: 'm1', text: 'il mio IBAN\u0000' }, 'text');
  await refused({ type: 'message.send', conversationId, clientMsgId: 'm\u0000', text: 'ciao' }, 'clientMsgId');
  await refused({ type: 'typing', conversationId: `${conversationId}\u0000` }, 'conversationId');
  await refused({ type: 'conversation.close', conversationId: '\u0000' }, 'conversationId');
  const ack = await worker.request({ type: 'message.send', conversationId, clientMsgId: 'm2', text: 'ciao' });
  assert.equal([ack.type, ack.seq], ['message.ack', 1], 'the refused ones took no seq');
  assert.equal((await server.services.store.messagesAfter(conversationId, 0, 10)).map((m) => m.text), ['ciao']);
});

test('a chat request with U+0000 in its context or question is refused and nobody is queued; a hello resuming a conversation id with U+0000 closes with 4401', async () => {
  const { socket } = await signIn({ role: 'worker', sub: 'nul-request', province: 'MI' });
  const err = await socket.request({ type: 'chat.request', topic: 'payment', context: { page: 'INPS\u0000' } });
  assert.equal([err.code, err.message], ['validation_failed', 'context/page contains a NUL character (U+0000)']);
  assert.is((await socket.request({ type: 'chat.request', topic: 'payment', text: 'domanda\u0000' })).code, 'validation_failed');
  assert.is((await socket.request({ type: 'chat.cancel' })).code, 'not_waiting', 'not in any queue');
  const resuming = await TestSocket.open(server.wsUrl);
  sockets.push(resuming);
  resuming.send({ type: 'hello', token: await server.token({ role: 'worker', sub: 'nul-resume' }), resume: [{ conversationId: '\u0000', lastSeq: 0 }] });
  assert.is(await resuming.closed, 4401, 'refused like any malformed hello, not 4500 (which asks the client to come back with it)');
});

test('half an emoji in a chat request and in a message becomes U+FFFD: the user is matched, and the message is stored, delivered and replayed alike', async () => {
  const { advisor, worker, assigned, conversationId } = await matched('surrogate', { context: { page: 'avviso \ud83d' }, text: 'domanda \udfff' });
  assert.is((assigned.context as Record<string, string>).page, 'avviso \ufffd');
  const ack = await worker.request({ type: 'message.send', conversationId, clientMsgId: 's1', text: 'grazie \ud83d' });
  assert.is(ack.type, 'message.ack');
  const live = await advisor.next('message', (f) => f.seq === ack.seq);
  const stored = await server.services.store.messagesAfter(conversationId, 0, 10);
  assert.equal(stored.map((m) => m.text), ['domanda \ufffd', 'grazie \ufffd'], 'the question, then the message');
  assert.is(live.text, 'grazie \ufffd', 'delivered as stored');
});

test('U+0000 in a path parameter, a query or a JSON body is refused with 400 validation_failed instead of 500', async () => {
  const worker = await app.token({ role: 'worker', sub: 'http-nul', province: 'MI' });
  const office = await app.token({ role: 'office', sub: 'op-nul', sede: 'SEDE-MI' });
  const ticket = await app.call(worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento', category: 'payment', body: 'Quando?' });
  for (const [tok, method, url, payload] of [
    [worker, 'GET', '/api/v1/conversations/%00/requests', undefined],
    [office, 'GET', '/api/v1/tickets?subject=a%00b', undefined],
    [worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento', category: 'payment', body: 'testo\u0000' }],
    [office, 'POST', `/api/v1/tickets/${ticket.body.id}/notes`, { body: 'nota\u0000' }],
  ] as const) {
    const res = await app.call(tok, method, url, payload);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed'], `${method} ${url}: ${res.raw}`);
    assert.match(res.body.error.message, /NUL character/);
  }
});

test('a NUL byte in a multipart field of a new request is refused with validation_failed, and nothing is stored', async () => {
  const worker = await app.token({ role: 'worker', sub: 'multipart-nul', province: 'MI' });
  const form = new FormData();
  form.append('subject', 'Pagamento');
  form.append('category', 'payment');
  form.append('body', 'testo\u0000');
  const res = await injectForm(app.app, worker, '/api/v1/tickets', form);
  assert.equal([res.statusCode, res.json().error.code, res.json().error.message], [400, 'validation_failed', 'A field is missing or wrong: body contains a NUL character (U+0000)']);
  assert.is((await app.call(worker, 'GET', '/api/v1/tickets')).body.total, 0);
});

test('half an emoji in a request, a transfer reason and an outcome is kept as U+FFFD instead of answering 500', async () => {
  const worker = await app.token({ role: 'worker', sub: 'http-surrogate', province: 'MI' });
  const office = await app.token({ role: 'office', sub: 'op-surrogate', sede: 'SEDE-MI' });
  const created = await app.call(worker, 'POST', '/api/v1/tickets', { subject: 'Pagamento \ud83d', category: 'payment', body: 'Quando \udfff?' });
  assert.is(created.status, 201, created.raw);
  assert.is(created.body.subject, 'Pagamento \ufffd');
  const closed = await app.call(office, 'PATCH', `/api/v1/tickets/${created.body.id}`, { status: 'closed', outcome: 'risolto \ud83d' });
  assert.is(closed.status, 200, closed.raw);
  const other = await app.call(worker, 'POST', '/api/v1/tickets', { subject: 'Altro', category: 'payment', body: 'Testo' });
  const moved = await app.call(office, 'POST', `/api/v1/tickets/${other.body.id}/transfer`, { sede: 'SEDE-RM', reason: 'competenza \ud83d' });
  assert.is(moved.status, 200, moved.raw);
});

test('a path with a malformed percent-encoding is answered 400 bad_request in the registry shape, not fastify’s own', async () => {
  const worker = await app.token({ role: 'worker', sub: 'bad-url' });
  for (const url of ['/api/v1/conversations/%zz/requests', `/api/v1/tickets/%ED%A0%80`, `/api/v1/tickets/${randomUUID()}%`]) {
    const res = await app.call(worker, 'GET', url);
    assert.equal([res.status, Object.keys(res.body), res.body.error?.code], [400, ['error'], 'bad_request'], `${url}: ${res.raw}`);
  }
});

test.run();
