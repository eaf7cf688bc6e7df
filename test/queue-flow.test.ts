/** Waiting in line over real sockets: positions, cancel, the grace period, skills. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;
const open: TestSocket[] = [];

test.before(async () => {
  server = await startServer({ userGraceMs: 300 });
});
test.after.each(() => {
  for (const s of open.splice(0)) s.drop();
});
test.after(async () => {
  await server.close();
});

async function worker(sub: string, province: string) {
  const [socket, welcome] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub, province }));
  open.push(socket);
  return { socket, welcome };
}

async function waiting(sub: string, province: string) {
  const w = await worker(sub, province);
  w.socket.send({ type: 'chat.request', topic: 'cigo' });
  const joined = await w.socket.next('queue.joined');
  return { ...w, joined };
}

test('waiting users are told their position, and those behind move up when someone cancels', async () => {
  const a = await waiting('q-a', 'PD');
  const b = await waiting('q-b', 'PD');
  const c = await waiting('q-c', 'PD');
  assert.equal([a.joined.position, b.joined.position, c.joined.position], [1, 2, 3]);
  // Nobody is available for Padova: the wait cannot be estimated, and the frames say so rather than a number.
  assert.equal([a.joined.etaKnown, c.joined.etaKnown], [false, false]);
  assert.ok((c.joined.etaSeconds as number) > (a.joined.etaSeconds as number), 'still numbers, for clients that know only them');
  assert.is((await a.socket.request({ type: 'chat.cancel' })).type, 'ok');
  assert.is((await a.socket.next('queue.left')).reason, 'cancelled');
  assert.is((await b.socket.next('queue.position', (f) => f.position === 1)).position, 1);
  assert.is((await c.socket.next('queue.position', (f) => f.position === 2)).position, 2);
  const again = await a.socket.request({ type: 'chat.cancel' });
  assert.is(again.code, 'not_waiting');
  await b.socket.request({ type: 'chat.cancel' });
  await c.socket.request({ type: 'chat.cancel' });
});

test('a waiting user who reconnects within the grace period keeps their place', async () => {
  const first = await waiting('g-first', 'VE');
  const second = await waiting('g-second', 'VE');
  first.socket.drop();
  await new Promise((r) => setTimeout(r, 100));
  const back = await worker('g-first', 'VE');
  assert.equal(back.welcome.waiting, { province: 'VE', audience: 'worker', topic: 'cigo', position: 1, etaSeconds: (back.welcome.waiting as { etaSeconds: number }).etaSeconds, etaKnown: false });
  await new Promise((r) => setTimeout(r, 400));
  const snapshot = await server.services.state.snapshot();
  assert.equal(snapshot.queues.get('VE:worker')?.map((e) => e.userId), ['g-first', 'g-second'], 'still first after the grace period');
  await back.socket.request({ type: 'chat.cancel' });
  await second.socket.request({ type: 'chat.cancel' });
});

test('a waiting user who does not come back within the grace period leaves the queue, and the next moves up', async () => {
  const gone = await waiting('g-gone', 'VR');
  const next = await waiting('g-next', 'VR');
  gone.socket.drop();
  const moved = await next.socket.next('queue.position', (f) => f.position === 1, 3000);
  assert.is(moved.position, 1);
  const snapshot = await server.services.state.snapshot();
  assert.equal(snapshot.queues.get('VR:worker')?.map((e) => e.userId), ['g-next']);
  await next.socket.request({ type: 'chat.cancel' });
});

test('an advisor from the staff directory gets only users their skills cover', async () => {
  // adv-bianchi is seeded as serving workers in Lombardia only
  const [advisor] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'advisor', sub: 'adv-bianchi', name: 'Marco Bianchi' }));
  open.push(advisor);
  const rome = await waiting('skills-rome', 'RM');
  const bergamo = await waiting('skills-bergamo', 'BG');
  await advisor.request({ type: 'advisor.status', status: 'available' });
  const assigned = await advisor.next('conversation.assigned');
  assert.is((assigned.peer as { id: string }).id, 'skills-bergamo', 'Bergamo is in Lombardia; Rome, though it waited longer, is not');
  await bergamo.socket.next('conversation.assigned');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(rome.socket.all('conversation.assigned').length, 0);
  await advisor.request({ type: 'conversation.close', conversationId: assigned.conversationId });
  await rome.socket.request({ type: 'chat.cancel' });
});

test.run();
