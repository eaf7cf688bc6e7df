/**
 * The walking skeleton's path over real sockets: a worker asks, waits, is matched
 * with an advisor, they write to each other, the chat is closed, the transcript kept.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eq } from 'drizzle-orm';
import { mailbox } from '../schema/attachment-tables.ts';
import { until } from './helpers/processes.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

let server: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  server = await startServer();
});
test.after.each(async () => {
  for (const s of sockets.splice(0)) s.drop();
  // let the server see the closes before the next test
  await new Promise((r) => setTimeout(r, 30));
});
test.after(async () => {
  await server.close();
});

async function signIn(claims: Record<string, unknown> & { role: string }, resume?: { conversationId: string; lastSeq: number }[]) {
  const [socket, welcome] = await TestSocket.signIn(server.wsUrl, await server.token(claims), resume);
  sockets.push(socket);
  return { socket, welcome };
}

/** An available advisor and a worker matched with them. */
async function matchedPair(tag: string, workerClaims: Record<string, unknown> = {}) {
  const advisor = await signIn({ role: 'advisor', sub: `adv-${tag}`, name: 'Giulia Rossi' });
  const status = await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  assert.is(status.type, 'ok');
  const worker = await signIn({ role: 'worker', sub: `worker-${tag}`, name: 'Mario Bianchi', province: 'MI', ...workerClaims });
  worker.socket.send({ type: 'chat.request', topic: 'payment', entry: 'omnia', context: { protocol: 'INPS.2026.0001' } });
  const joined = await worker.socket.next('queue.joined');
  const assignedW = await worker.socket.next('conversation.assigned');
  const assignedA = await advisor.socket.next('conversation.assigned');
  return { advisor: advisor.socket, worker: worker.socket, joined, assignedW, assignedA, conversationId: assignedW.conversationId as string };
}

async function say(socket: TestSocket, conversationId: string, text: string, clientMsgId = randomUUID()): Promise<Frame> {
  const ack = await socket.request({ type: 'message.send', conversationId, clientMsgId, text });
  assert.is(ack.type, 'message.ack', `expected an ack, got ${JSON.stringify(ack)}`);
  return ack;
}

test('a worker waits in the queue of their province and is matched with an available advisor', async () => {
  const { joined, assignedW, assignedA, conversationId } = await matchedPair('match');
  assert.is(joined.position, 1);
  assert.type(joined.etaSeconds, 'number');
  assert.is(assignedW.conversationId, assignedA.conversationId);
  assert.equal(assignedW.peer, { id: 'adv-match', name: 'Giulia Rossi', role: 'advisor' });
  assert.equal(assignedA.peer, { id: 'worker-match', name: 'Mario Bianchi', role: 'worker' });
  assert.is(assignedA.province, 'MI');
  assert.equal(assignedA.context, { protocol: 'INPS.2026.0001', lang: 'it' }, 'the page context, and the language the user writes in');
  assert.ok(conversationId);
});

test('messages are acknowledged after storing and reach both sides with seq 1, 2, 3 in order', async () => {
  const { advisor, worker, conversationId } = await matchedPair('seq');
  const a1 = await say(worker, conversationId, 'Quando arriva il pagamento della CIG di ottobre?');
  const m1 = await advisor.next('message', (f) => f.seq === 1);
  assert.is(a1.seq, 1);
  assert.is(m1.text, 'Quando arriva il pagamento della CIG di ottobre?');
  assert.equal(m1.from, { id: 'worker-seq', role: 'worker' });
  const a2 = await say(advisor, conversationId, 'Il pagamento diretto è disposto entro fine mese.');
  const a3 = await say(worker, conversationId, 'Grazie');
  assert.is(a2.seq, 2);
  assert.is(a3.seq, 3);
  const seen = [(await advisor.next('message', (f) => f.seq === 2)).seq, (await advisor.next('message', (f) => f.seq === 3)).seq];
  assert.equal(seen, [2, 3]);
  // the worker's own socket sees the whole conversation too, in order
  const own = [1, 2, 3].map(async (seq) => (await worker.next('message', (f) => f.seq === seq)).seq);
  assert.equal(await Promise.all(own), [1, 2, 3]);
});

test('messages written back to back, without waiting for acks, are stored and delivered in the order sent', async () => {
  const { advisor, worker, conversationId } = await matchedPair('burst');
  const texts = Array.from({ length: 15 }, (_, i) => `n${i}`);
  // The first is sent before the conversation is cached (it is read from the database), the
  // others right behind it; one refused in the middle changes nothing for the rest.
  for (const [i, text] of texts.entries()) {
    worker.send({ type: 'message.send', conversationId, clientMsgId: `burst-${i}`, text, id: `m${i}` });
    if (i === 7) worker.send({ type: 'message.send', conversationId: 'not-mine', clientMsgId: 'burst-x', text: 'x', id: 'bad' });
  }
  const acks = await Promise.all(texts.map((_, i) => worker.next('message.ack', (f) => f.re === `m${i}`)));
  assert.equal(acks.map((a) => a.seq), texts.map((_, i) => i + 1));
  assert.is((await worker.next('error', (f) => f.re === 'bad')).code, 'not_participant');
  const got = await Promise.all(texts.map((_, i) => advisor.next('message', (f) => f.seq === i + 1)));
  assert.equal(got.map((m) => m.text), texts);
});

test('a repeated clientMsgId is stored once and acknowledged with the same seq', async () => {
  const { advisor, worker, conversationId } = await matchedPair('dup');
  const id = randomUUID();
  const first = await say(worker, conversationId, 'una volta sola', id);
  const again = await say(worker, conversationId, 'una volta sola', id);
  assert.is(first.seq, again.seq);
  await say(worker, conversationId, 'dopo');
  await advisor.next('message', (f) => f.seq === 2);
  assert.is(advisor.all('message').filter((f) => f.clientMsgId === id).length + 1, 1 + 1 - 0, 'the advisor took seq 1 once');
  const transcript = await (await fetch(`${server.url}/api/v1/conversations/${conversationId}`, { headers: { authorization: `Bearer ${await server.token({ role: 'worker', sub: 'worker-dup' })}` } })).json();
  assert.equal(transcript.messages.map((m: Frame) => m.seq), [1, 2]);
});

test('closing a chat tells both sides, frees the advisor and keeps the transcript for its participants only', async () => {
  const { advisor, worker, conversationId } = await matchedPair('close');
  await say(worker, conversationId, 'Ho una domanda sul FIS');
  await say(advisor, conversationId, 'Certo, mi dica');
  const closed = await advisor.request({ type: 'conversation.close', conversationId, outcome: 'resolved' });
  assert.is(closed.type, 'ok');
  assert.is((await worker.next('conversation.closed')).outcome, 'resolved');
  assert.is((await advisor.next('conversation.closed')).conversationId, conversationId);
  const late = await worker.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'ancora' });
  assert.is(late.code, 'conversation_closed');

  const get = async (token?: string) => fetch(`${server.url}/api/v1/conversations/${conversationId}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const mine = await get(await server.token({ role: 'worker', sub: 'worker-close' }));
  assert.is(mine.status, 200);
  const body = await mine.json();
  assert.is(body.status, 'closed');
  assert.is(body.outcome, 'resolved');
  assert.equal(body.messages.map((m: Frame) => m.text), ['Ho una domanda sul FIS', 'Certo, mi dica']);
  const stranger = await get(await server.token({ role: 'worker', sub: 'someone-else' }));
  assert.is(stranger.status, 404);
  assert.is((await stranger.json()).error.code, 'not_found');
  const otherAdvisor = await get(await server.token({ role: 'advisor', sub: 'adv-other' }));
  assert.is(otherAdvisor.status, 404);
  const supervisor = await get(await server.token({ role: 'supervisor', sub: 'sup-1' }));
  assert.is(supervisor.status, 200);
  const anonymous = await get();
  assert.is(anonymous.status, 401);
  assert.is((await anonymous.json()).error.code, 'unauthenticated');
});

test('only the participants may write, type or close in a conversation', async () => {
  const { conversationId } = await matchedPair('idor');
  const intruder = await signIn({ role: 'worker', sub: 'intruder', province: 'MI' });
  for (const frame of [
    { type: 'message.send', conversationId, clientMsgId: 'x1', text: 'ciao' },
    { type: 'typing', conversationId },
    { type: 'conversation.close', conversationId },
  ]) {
    const reply = await intruder.socket.request(frame);
    assert.is(reply.type, 'error');
    assert.is(reply.code, 'not_participant');
  }
  const unknown = await intruder.socket.request({ type: 'message.send', conversationId: randomUUID(), clientMsgId: 'x2', text: 'ciao' });
  assert.is(unknown.code, 'not_participant', 'an absent conversation looks the same as someone else’s');
});

test('the outcome of a chat is the advisor’s, from a closed set: nobody claims an escalation that made no request, and a user cannot name one', async () => {
  const { advisor, worker, conversationId } = await matchedPair('outcome');
  for (const outcome of ['escalated', 'left_queue', 'closed_by_user', 'anything_else']) {
    const refused = await advisor.request({ type: 'conversation.close', conversationId, outcome });
    assert.is(refused.code, 'validation_failed', `an advisor claiming ${outcome}`);
  }
  const byUser = await worker.request({ type: 'conversation.close', conversationId, outcome: 'resolved' });
  assert.is(byUser.code, 'forbidden', 'a user naming an outcome');
  assert.is((await server.services.store.getConversation(conversationId))!.status, 'open', 'nothing was closed by the refused frames');
  const closed = await worker.request({ type: 'conversation.close', conversationId });
  assert.is(closed.outcome, 'closed_by_user');
  assert.is((await advisor.next('conversation.closed')).outcome, 'closed_by_user');
});

test('an advisor who is away gets no chats until they become available', async () => {
  const advisor = await signIn({ role: 'advisor', sub: 'adv-away' });
  await advisor.socket.request({ type: 'advisor.status', status: 'away' });
  const worker = await signIn({ role: 'worker', sub: 'worker-away', province: 'RM' });
  worker.socket.send({ type: 'chat.request', topic: 'cigo' });
  await worker.socket.next('queue.joined');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(worker.socket.all('conversation.assigned').length, 0);
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const assigned = await worker.socket.next('conversation.assigned');
  assert.is((assigned.peer as Frame).id, 'adv-away');
});

test('asking twice makes one queue entry, and a user in a conversation cannot queue again', async () => {
  const worker = await signIn({ role: 'worker', sub: 'worker-twice', province: 'TO' });
  worker.socket.send({ type: 'chat.request', topic: 'cigs' });
  worker.socket.send({ type: 'chat.request', topic: 'cigs' });
  const first = await worker.socket.next('queue.joined');
  const second = await worker.socket.next('queue.joined');
  assert.is(first.position, second.position);
  const snapshot = await server.services.state.snapshot();
  assert.is((snapshot.queues.get('TO:worker') ?? []).filter((e) => e.userId === 'worker-twice').length, 1);
  const cancelled = await worker.socket.request({ type: 'chat.cancel' });
  assert.is(cancelled.type, 'ok');

  const { worker: busy } = await matchedPair('busy');
  const again = await busy.request({ type: 'chat.request', topic: 'fis' });
  assert.is(again.code, 'already_in_conversation');
});

test('every tab of a user receives the conversation, and welcome lists it for a new tab', async () => {
  const { advisor, conversationId } = await matchedPair('tabs');
  const tab2 = await signIn({ role: 'worker', sub: 'worker-tabs', province: 'MI' });
  const listed = (tab2.welcome.conversations as Frame[]).map((c) => c.conversationId);
  assert.equal(listed, [conversationId]);
  await say(advisor, conversationId, 'Vede questo messaggio in entrambe le schede?');
  const m = await tab2.socket.next('message');
  assert.is(m.seq, 1);
});

/** A worker who read 'uno' (seq 1) and dropped before 'due' and 'tre' were said. */
async function missedTwo(tag: string) {
  const { advisor, worker, conversationId } = await matchedPair(tag);
  await say(advisor, conversationId, 'uno');
  await worker.next('message', (f) => f.seq === 1);
  worker.drop();
  await say(advisor, conversationId, 'due');
  await say(advisor, conversationId, 'tre');
  return { advisor, conversationId };
}

test('a user who reconnects with resume gets every message after lastSeq, in order, before new ones', async () => {
  const { advisor, conversationId } = await missedTwo('resume');
  const back = await signIn({ role: 'worker', sub: 'worker-resume', province: 'MI' }, [{ conversationId, lastSeq: 1 }]);
  await say(advisor, conversationId, 'quattro');
  const got = [];
  for (let i = 0; i < 3; i++) got.push(await back.socket.next('message'));
  assert.equal(got.map((f) => [f.seq, f.text]), [[2, 'due'], [3, 'tre'], [4, 'quattro']]);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(back.socket.all('message').length, 0, 'nothing delivered twice');
});

test('a user who resumes is replayed what they missed from the database, though nothing new is said to reveal the gap', async () => {
  const { conversationId } = await missedTwo('resume-quiet');
  const back = await signIn({ role: 'worker', sub: 'worker-resume-quiet', province: 'MI' }, [{ conversationId, lastSeq: 1 }]);
  const got = [await back.socket.next('message'), await back.socket.next('message')];
  assert.equal(got.map((f) => [f.seq, f.text]), [[2, 'due'], [3, 'tre']]);
});

test('resuming a conversation that is not yours, or ahead of the server, gets an explicit reset', async () => {
  const { conversationId } = await matchedPair('reset');
  const other = await signIn({ role: 'worker', sub: 'worker-not-mine', province: 'MI' }, [{ conversationId, lastSeq: 0 }]);
  const reset = await other.socket.next('reset');
  assert.is(reset.conversationId, conversationId);
  assert.is(other.socket.all('message').length, 0);
  const mine = await signIn({ role: 'worker', sub: 'worker-reset', province: 'MI' }, [{ conversationId, lastSeq: 99 }]);
  assert.is((await mine.socket.next('reset')).reason, 'ahead_of_server');
});

test('typing and read marks reach the peer', async () => {
  const { advisor, worker, conversationId } = await matchedPair('typing');
  worker.send({ type: 'typing', conversationId, active: true });
  const typing = await advisor.next('typing');
  assert.equal(typing.from, { id: 'worker-typing', role: 'worker' });
  await say(advisor, conversationId, 'ciao');
  worker.send({ type: 'read', conversationId, seq: 1 });
  const read = await advisor.next('read');
  assert.is(read.seq, 1);
});

test('the e-mail in a worker’s chat sign-in reaches the notices: the ticket their chat became is announced to that address', async () => {
  const { advisor, worker, conversationId } = await matchedPair('contact', { email: 'Mario.Bianchi@Example.IT' });
  // Recorded off the sign-in's path: wait for it rather than race it.
  await until(async () => (await server.services.contacts.get('worker-contact'))?.email === 'Mario.Bianchi@example.it', 'contact recorded', 5_000, 20);
  const done = await advisor.request({ type: 'conversation.escalate', conversationId, summary: 'Pagamento non ricevuto' });
  assert.is(done.type, 'ok');
  await worker.next('conversation.closed');
  await server.services.notices.runOnce();
  const rows = await server.services.db.db.select().from(mailbox).where(eq(mailbox.ticketId, done.ticketId as string));
  assert.equal(rows.map((r) => [r.kind, r.channel, r.recipient]), [['registered', 'email', 'Mario.Bianchi@example.it']]);
});

test('a chat asked for in German (chat.request lang) is announced in German once escalated, though the token names no language', async () => {
  const advisor = await signIn({ role: 'advisor', sub: 'adv-lang', name: 'Giulia Rossi' });
  assert.is((await advisor.socket.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  const worker = await signIn({ role: 'worker', sub: 'worker-lang', name: 'Maria Hofer', province: 'BZ', email: 'maria.hofer@example.it' });
  worker.socket.send({ type: 'chat.request', topic: 'payment', entry: 'omnia', lang: 'de' });
  const assigned = await worker.socket.next('conversation.assigned');
  await advisor.socket.next('conversation.assigned');
  await until(async () => (await server.services.contacts.get('worker-lang'))?.lang === 'de', 'language recorded', 5_000, 20);
  const done = await advisor.socket.request({ type: 'conversation.escalate', conversationId: assigned.conversationId, summary: 'Zahlung nicht erhalten' });
  assert.is(done.type, 'ok');
  await server.services.notices.runOnce();
  const rows = await server.services.db.db.select().from(mailbox).where(eq(mailbox.ticketId, done.ticketId as string));
  assert.equal(rows.map((r) => [r.recipient, r.subject.startsWith('INFO CIG – Anfrage ')]), [['maria.hofer@example.it', true]], JSON.stringify(rows.map((r) => r.subject)));
});

test('an advisor escalates a chat to Linea INPS: the user learns the ticket, the Milano office sees it with the transcript, Roma does not', async () => {
  const { advisor, worker, conversationId } = await matchedPair('escalate');
  await say(worker, conversationId, 'Non ho ricevuto la CIG di settembre');
  const done = await advisor.request({ type: 'conversation.escalate', conversationId, summary: 'Pagamento CIG di settembre non ricevuto: verificare il flusso SR41' });
  assert.is(done.type, 'ok');
  const closed = await worker.next('conversation.closed');
  assert.is(closed.outcome, 'escalated');
  assert.is(closed.ticketId, done.ticketId);
  assert.match(closed.protocol as string, /^LINPS-\d{4}-\d{6}$/);
  const asOffice = async (sede: string) =>
    fetch(`${server.url}/api/v1/tickets/${closed.ticketId}`, { headers: { authorization: `Bearer ${await server.token({ role: 'office', sub: `op-${sede}`, sede })}` } });
  const milano = await asOffice('SEDE-MI');
  assert.is(milano.status, 200);
  const ticket = await milano.json();
  assert.is(ticket.sede ?? ticket.ticket?.sede, 'SEDE-MI');
  assert.ok(JSON.stringify(ticket).includes('Non ho ricevuto la CIG di settembre'), 'the transcript travels with the ticket');
  assert.is((await asOffice('SEDE-RM')).status, 404);
  const again = await advisor.request({ type: 'conversation.escalate', conversationId, summary: 'di nuovo' });
  assert.is(again.code, 'conversation_closed');
});

test('an escalation may carry an internal note for the sede: the office reads it as the first note, the user never sees it', async () => {
  const { advisor, worker, conversationId } = await matchedPair('escalate-note');
  const note = 'Utente molto agitato: la matricola potrebbe essere di Torino, verificare prima di rispondere';
  const done = await advisor.request({ type: 'conversation.escalate', conversationId, summary: 'Pagamento di ottobre non ricevuto', note: `  ${note} ` });
  assert.is(done.type, 'ok', JSON.stringify(done));
  await worker.next('conversation.closed');
  const read = async (claims: Record<string, unknown> & { role: string }) =>
    (await fetch(`${server.url}/api/v1/tickets/${done.ticketId}`, { headers: { authorization: `Bearer ${await server.token(claims)}` } })).json();
  const office = await read({ role: 'office', sub: 'op-mi', sede: 'SEDE-MI' });
  assert.equal(office.notes.map((n: { seq: number; author: { id: string; role: string }; body: string }) => [n.seq, n.author.id, n.author.role, n.body]), [[1, 'adv-escalate-note', 'advisor', note]]);
  assert.is(office.replies[0].body, 'Pagamento di ottobre non ricevuto', 'the summary stays the first reply');
  const mine = await read({ role: 'worker', sub: 'worker-escalate-note', province: 'MI' });
  assert.is(mine.replies[0].body, 'Pagamento di ottobre non ricevuto');
  assert.not.ok('notes' in mine, 'no notes for the user');
  assert.not.ok(JSON.stringify(mine).includes('Torino'));
});

test('the question typed while asking opens the conversation as the user’s first message', async () => {
  const advisor = await signIn({ role: 'advisor', sub: 'adv-question' });
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const worker = await signIn({ role: 'worker', sub: 'worker-question', province: 'MI' });
  worker.socket.send({ type: 'chat.request', topic: 'payment', text: '  Quando pagate la CIGO di ottobre?  ' });
  const { conversationId } = await worker.socket.next('conversation.assigned');
  const first = await advisor.socket.next('message', (f) => f.conversationId === conversationId);
  assert.equal([first.seq, first.text, (first.from as Frame).id], [1, 'Quando pagate la CIGO di ottobre?', 'worker-question']);
  assert.is((await worker.socket.next('message')).seq, 1, 'the user sees it in the conversation too');
  const next = await say(worker.socket, conversationId as string, 'e la CIGS?');
  assert.is(next.seq, 2);
});

test('a company user may only give a matricola it holds in its token', async () => {
  const { socket } = await signIn({ role: 'employer', sub: 'emp-1', province: 'MI', matricola: '4900012345' });
  const refused = await socket.request({ type: 'chat.request', topic: 'cigo', context: { matricola: '4900099999' } });
  assert.is(refused.code, 'matricola_not_yours');
  const accepted = await socket.request({ type: 'chat.request', topic: 'cigo', context: { matricola: '4900012345' } });
  assert.is(accepted.type, 'ok');
  await socket.request({ type: 'chat.cancel' });
});

test.run();
