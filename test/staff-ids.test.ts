/**
 * Staff pseudonyms (STAFF_ID_KEY, server/staff-ids.ts): an advisor whose provider `sub`
 * is a fiscal number serves a user who never learns it, on every node alike.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eq } from 'drizzle-orm';
import { dashboardAudit } from '../schema/dashboard-tables.ts';
import { advisors, conversations } from '../schema/tables.ts';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { loadConfig } from '../server/config.ts';
import { migrateStaffIds } from '../server/staff-id-migration.ts';
import { staffIdOf, staffPseudonym } from '../server/staff-ids.ts';
import { staffIdsText, startWarnings } from '../server/start-line.ts';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase } from './helpers/db.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

const KEY = 'c0ffee5e2b8f4d6a9e1b7c3d5f0a2e4c6b8d0f1a3c5e7b9d';
const FISCAL_SUB = 'TINIT-RSSMRA80A01H501U';
/** What must never reach a user: the sub, or the fiscal code inside it. */
const SECRET = 'RSSMRA80A01H501U';

const servers: TestServer[] = [];
const sockets: TestSocket[] = [];

test.after.each(async () => {
  for (const s of sockets.splice(0)) s.drop();
  await new Promise((r) => setTimeout(r, 30));
  for (const s of servers.splice(0)) await s.close();
});

async function start(env: Record<string, string> = {}, db?: Awaited<ReturnType<typeof testDatabase>>): Promise<TestServer> {
  const server = await startServer({ env, db });
  servers.push(server);
  return server;
}

/** Signs in keeping every frame's raw text, the welcome included. */
async function signIn(server: TestServer, claims: Record<string, unknown> & { role: string }) {
  const socket = await TestSocket.open(server.wsUrl);
  sockets.push(socket);
  const raw: string[] = [];
  socket.ws.on('message', (data) => raw.push(data.toString()));
  socket.send({ type: 'hello', token: await server.token(claims) });
  const welcome = await socket.next('welcome');
  return { socket, welcome, raw };
}

async function get(server: TestServer, path: string, claims: Record<string, unknown> & { role: string }): Promise<string> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${await server.token(claims)}` } });
  return `${res.status} ${await res.text()}`;
}

async function say(socket: TestSocket, conversationId: string, text: string): Promise<Frame> {
  const ack = await socket.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });
  assert.is(ack.type, 'message.ack', JSON.stringify(ack));
  return ack;
}

async function moveTo(server: TestServer, advisor: string, province: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/dashboard/advisors/${encodeURIComponent(advisor)}/queues`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.token({ role: 'supervisor', sub: 'sup-1' })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provinces: [province], regions: [] }),
  });
}

async function availableAdvisor(server: TestServer, sub: string) {
  const advisor = await signIn(server, { role: 'advisor', sub, name: 'Mario Rossi' });
  assert.is((await advisor.socket.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  return advisor;
}

function refused(env: Record<string, string>): string {
  try {
    loadConfig({ AUTH_DEV: '1', ...env });
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
}

test('a STAFF_ID_KEY too short, too long or with spaces stops the start naming the variable, never quoting the secret', () => {
  for (const bad of ['short-key', 'x'.repeat(513), `${KEY.slice(0, 20)} ${KEY.slice(20)}`, `${KEY}\n`, `${KEY}è`]) {
    const message = refused({ STAFF_ID_KEY: bad });
    assert.match(message, /^Invalid configuration STAFF_ID_KEY: /, JSON.stringify(bad));
    assert.not.ok(message.includes(bad.trim()) || message.includes(KEY.slice(0, 20)), `${JSON.stringify(bad)} is not quoted`);
  }
  assert.is(loadConfig({ AUTH_DEV: '1', STAFF_ID_KEY: KEY }).staffIdKey, KEY);
  assert.is(loadConfig({ AUTH_DEV: '1', STAFF_ID_KEY: '' }).staffIdKey, null);
  assert.is(loadConfig({ AUTH_DEV: '1' }).staffIdKey, null);
});

test('the start line says whether staff ids are pseudonymised, and production without a key warns in the log', () => {
  const prod = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'info-cig' };
  assert.is(staffIdsText(loadConfig({ AUTH_DEV: '1', STAFF_ID_KEY: KEY })), 'pseudonymised');
  assert.match(staffIdsText(loadConfig({ AUTH_DEV: '1' })), /STAFF_ID_KEY unset/);
  assert.equal(startWarnings(loadConfig({ AUTH_DEV: '1' })), [], 'development: no warning');
  assert.equal(startWarnings(loadConfig({ ...prod, STAFF_ID_KEY: KEY })), []);
  const [warning, ...more] = startWarnings(loadConfig(prod));
  assert.match(warning ?? '', /STAFF_ID_KEY is unset/);
  assert.is(more.length, 0);
});

test('with STAFF_ID_KEY, a user served by an advisor whose sub is a fiscal number never receives it, in a frame or an answer', async () => {
  const server = await start({ STAFF_ID_KEY: KEY });
  const advisor = await availableAdvisor(server, FISCAL_SUB);
  const advisorId = (advisor.welcome.user as { id: string }).id;
  assert.is(advisorId, staffPseudonym(KEY, FISCAL_SUB));
  assert.match(advisorId, /^staff-[A-Za-z0-9_-]{22}$/);

  const workerClaims = { role: 'worker', sub: 'worker-pseudo', name: 'Anna Verdi', province: 'MI' };
  const worker = await signIn(server, workerClaims);
  assert.is((worker.welcome.user as { id: string }).id, 'worker-pseudo', 'a user keeps their own id');
  worker.socket.send({ type: 'chat.request', topic: 'payment', entry: 'omnia' });
  const assigned = await worker.socket.next('conversation.assigned');
  const conversationId = assigned.conversationId as string;
  assert.equal(assigned.peer, { id: advisorId, name: 'Mario Rossi', role: 'advisor' });
  assert.is((await advisor.socket.next('conversation.assigned')).conversationId, conversationId);

  // The advisor types, writes, reads; the console knows his own lines by the id his welcome gave him.
  advisor.socket.send({ type: 'typing', conversationId, active: true });
  assert.equal((await worker.socket.next('typing')).from, { id: advisorId, role: 'advisor' });
  await say(worker.socket, conversationId, 'Quando arriva la CIG?');
  await say(advisor.socket, conversationId, 'Entro fine mese.');
  const own = await advisor.socket.next('message', (f) => f.seq === 2);
  assert.is((own.from as { id: string }).id, advisorId, 'the console recognises its own message');
  assert.is(((await worker.socket.next('message', (f) => f.seq === 2)).from as { id: string }).id, advisorId);
  advisor.socket.send({ type: 'read', conversationId, seq: 1 });
  assert.equal((await worker.socket.next('read')).from, { id: advisorId, role: 'advisor' });

  // A second window of the user, mid-chat: its welcome names the open chat and its advisor.
  const again = await signIn(server, workerClaims);
  assert.ok(JSON.stringify(again.welcome).includes(advisorId), 'the welcome names the advisor by his pseudonym');

  // The advisor reads the user's earlier chats (recorded in the user's access log), then closes.
  await get(server, `/api/v1/conversations/${conversationId}/history`, { role: 'advisor', sub: FISCAL_SUB });
  assert.is((await advisor.socket.request({ type: 'conversation.close', conversationId, outcome: 'resolved' })).type, 'ok');
  const closed = await worker.socket.next('conversation.closed');
  assert.is(closed.closedBy, advisorId);
  await again.socket.next('conversation.closed');

  const answers = await Promise.all([
    get(server, `/api/v1/conversations/${conversationId}`, workerClaims),
    get(server, `/api/v1/conversations/${conversationId}/history`, workerClaims),
    get(server, '/api/v1/access-log/mine', workerClaims),
  ]);
  assert.match(answers[0]!, /^200 /);
  assert.ok(answers[0]!.includes(advisorId), 'the transcript names the advisor by his pseudonym');
  const seen = [...worker.raw, ...again.raw, ...answers];
  assert.ok(worker.raw.length > 5, `the user got frames: ${worker.raw.length}`);
  for (const text of seen) assert.not.ok(text.includes(SECRET), `the user received the advisor's sub: ${text}`);
});

test('two nodes with the same STAFF_ID_KEY give an advisor the same id; another key gives another', async () => {
  const [one, two, other] = await Promise.all([start({ STAFF_ID_KEY: KEY }), start({ STAFF_ID_KEY: KEY }), start({ STAFF_ID_KEY: `${KEY}-rotated` })]);
  const ids = [];
  for (const server of [one, two, other]) ids.push(((await signIn(server, { role: 'advisor', sub: FISCAL_SUB })).welcome.user as { id: string }).id);
  assert.is(ids[0], ids[1]);
  assert.is(ids[0], staffPseudonym(KEY, FISCAL_SUB));
  assert.is.not(ids[2], ids[0]);
  for (const role of ['office', 'supervisor']) {
    const { welcome } = await signIn(one, { role, sub: FISCAL_SUB, ...(role === 'office' ? { sede: '1300' } : {}) });
    assert.is((welcome.user as { id: string }).id, ids[0], `${role}: staff too`);
  }
});

test('without STAFF_ID_KEY nothing changes: the advisor’s id is his sub, as the user sees it', async () => {
  const server = await start();
  const advisor = await availableAdvisor(server, FISCAL_SUB);
  assert.is((advisor.welcome.user as { id: string }).id, FISCAL_SUB);
  const worker = await signIn(server, { role: 'worker', sub: 'worker-plain', province: 'MI' });
  worker.socket.send({ type: 'chat.request', topic: 'payment', entry: 'omnia' });
  assert.is(((await worker.socket.next('conversation.assigned')).peer as { id: string }).id, FISCAL_SUB);
});

test('with STAFF_ID_KEY the staff directory is keyed by pseudonym: a supervisor may name an advisor by his sub, and sees and stores the pseudonym only', async () => {
  const server = await start({ STAFF_ID_KEY: KEY });
  const db = server.services.db.db;
  // The demo directory follows the key, so a demo advisor keeps his profile.
  const [rossi] = await db.select().from(advisors).where(eq(advisors.id, staffPseudonym(KEY, 'adv-rossi')));
  assert.is(rossi?.name, 'Giulia Rossi');
  const advisor = await availableAdvisor(server, FISCAL_SUB);
  const advisorId = (advisor.welcome.user as { id: string }).id;
  const res = await moveTo(server, FISCAL_SUB, 'GE');
  const text = await res.text();
  assert.is(res.status, 200, text);
  assert.is(JSON.parse(text).id, advisorId);
  assert.not.ok(text.includes(SECRET));
  const rows = await db.select().from(advisors).where(eq(advisors.id, advisorId));
  assert.equal(rows.map((r) => r.skills.provinces), [['GE']]);
  const trail = await db.select().from(dashboardAudit);
  assert.ok(trail.length > 0 && trail.every((r) => !JSON.stringify(r).includes(SECRET)), 'the audit trail holds the pseudonym only');
  // Signed in again, the advisor gets the directory's row: he now serves Genoa only.
  advisor.socket.drop();
  const back = await signIn(server, { role: 'advisor', sub: FISCAL_SUB });
  assert.is((back.welcome.user as { id: string }).id, advisorId);
  const mine = (await server.services.state.snapshot()).advisors.find((a) => a.id === advisorId);
  assert.equal(mine?.skills.provinces, ['GE']);
});

test('with STAFF_ID_KEY a supervisor finds an operator’s reads in the access log by the provider sub they know, as by the pseudonym; rows from before the key by the sub too', async () => {
  const server = await start({ STAFF_ID_KEY: KEY });
  const operator = { role: 'office', sub: FISCAL_SUB, sede: 'SEDE-MI', name: 'Paolo Bianchi' };
  assert.match(await get(server, '/api/v1/tickets?matricola=1234567890', operator), /^200 /);
  // A row written before the key was set holds the sub itself (the log cannot be rewritten).
  const { access } = server.services;
  await access.record({ ...(await server.services.auth.verify(await server.token(operator))), sub: FISCAL_SUB }, { action: 'ticket.search', subjectId: '0987654321', ownerId: 'matricola:0987654321' });
  const supervisor = { role: 'supervisor', sub: 'sup-audit' };
  const list = async (actor: string) => JSON.parse((await get(server, `/api/v1/access-log?action=ticket.search&actor=${encodeURIComponent(actor)}`, supervisor)).slice(4));
  const pseudonym = staffPseudonym(KEY, FISCAL_SUB);
  const bySub = await list(FISCAL_SUB);
  assert.equal(bySub.items.map((r: { actor: { id: string }; subjectId: string }) => [r.actor.id, r.subjectId]), [[FISCAL_SUB, '0987654321'], [pseudonym, '1234567890']]);
  const byPseudonym = await list(pseudonym);
  assert.equal(byPseudonym.items.map((r: { subjectId: string }) => r.subjectId), ['1234567890'], 'the pseudonym finds its own rows');
  assert.is((await list('op-nobody')).total, 0);
  const csv = await get(server, `/api/v1/access-log.csv?action=ticket.search&actor=${encodeURIComponent(FISCAL_SUB)}`, supervisor);
  assert.match(csv, /^200 /);
  assert.is(csv.split('\r\n').filter((l) => l.includes('1234567890')).length, 1, 'the export takes the sub too');
});

test('turning STAFF_ID_KEY on over existing data: the migration rewrites the staff ids written, so old chats stop naming the sub and the directory still finds the advisor', async () => {
  const db = await testDatabase();
  try {
    const before = await start({}, db);
    const advisor = await availableAdvisor(before, FISCAL_SUB);
    const workerClaims = { role: 'worker', sub: 'worker-old', province: 'MI' };
    const worker = await signIn(before, workerClaims);
    worker.socket.send({ type: 'chat.request', topic: 'payment', entry: 'omnia' });
    const conversationId = (await worker.socket.next('conversation.assigned')).conversationId as string;
    await say(worker.socket, conversationId, 'Domanda');
    await say(advisor.socket, conversationId, 'Risposta');
    assert.is((await advisor.socket.request({ type: 'conversation.close', conversationId, outcome: 'resolved' })).type, 'ok');
    assert.is((await moveTo(before, FISCAL_SUB, 'GE')).status, 200);
    for (const s of sockets.splice(0)) s.drop();
    await before.close();
    servers.splice(0);
    // A chat the router closed because its user left the queue: its closer is 'system', no one's id.
    const store = createSqlChatStore(db.db, { groupCommit: false });
    const left = await store.createConversation(newConversation({ userId: 'worker-gone' }));
    await store.closeConversation(left.id, { outcome: 'left_queue', rating: null, closedBy: 'system', at: new Date() });

    const idOf = staffIdOf(KEY);
    const dry = await migrateStaffIds(db.db, idOf, { dryRun: true });
    assert.ok(dry.staff >= 2, `the advisor and the supervisor: ${dry.staff}`);
    assert.equal(Object.keys(dry.rewritten).sort(), ['advisors.id', 'conversations.advisor_id', 'conversations.closed_by', 'dashboard_audit.actor_id', 'dashboard_audit.target', 'messages.sender_id']);
    assert.is((await db.db.select().from(advisors).where(eq(advisors.id, FISCAL_SUB))).length, 1, 'a dry run changes nothing');
    assert.equal((await migrateStaffIds(db.db, idOf)).rewritten, dry.rewritten);
    assert.equal((await migrateStaffIds(db.db, idOf)).staff, 0, 'a second run finds nothing left');
    const [closer] = await db.db.select({ closedBy: conversations.closedBy }).from(conversations).where(eq(conversations.id, left.id));
    assert.is(closer?.closedBy, 'system', 'a closer that is nobody’s staff id is left as it is');

    const after = await start({ STAFF_ID_KEY: KEY }, db);
    const back = await signIn(after, { role: 'advisor', sub: FISCAL_SUB });
    assert.is((back.welcome.user as { id: string }).id, staffPseudonym(KEY, FISCAL_SUB));
    const transcript = await get(after, `/api/v1/conversations/${conversationId}`, workerClaims);
    assert.match(transcript, /^200 /);
    assert.not.ok(transcript.includes(SECRET), transcript);
    assert.ok(transcript.includes(staffPseudonym(KEY, FISCAL_SUB)));
    const mine = (await after.services.state.snapshot()).advisors.find((a) => a.id === staffPseudonym(KEY, FISCAL_SUB));
    assert.equal(mine?.skills.provinces, ['GE'], 'the directory row moved with him');
  } finally {
    for (const s of sockets.splice(0)) s.drop();
    for (const s of servers.splice(0)) await s.close();
    await db.cleanup();
  }
});

test.run();
