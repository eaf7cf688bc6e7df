/**
 * `advisor.queue` over real sockets: an advisor is told how many users wait whom they
 * could serve (their skills, whatever their status or free seats) and since how long,
 * right after their hello and a status change, and when a user starts or stops waiting;
 * on one node (the in-process state, or Redis with REDIS_URL) and across two on Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { deleteKeys, redisAnswersSync, redisUrl, skipLine } from './helpers/routing-state-contract.ts';
import { ManualClock, startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

const prefix = `test:${randomUUID()}`;
const withRedis = redisAnswersSync(redisUrl);
if (!withRedis) console.log(skipLine(redisUrl, 'the two-node advisor.queue test'));
const redisEnv = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
const clock = new ManualClock(Date.parse('2026-12-07T09:00:00Z'));
let server: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  // One seat each, so one chat fills an advisor; on Redis when the suite is run against it.
  server = await startServer({ clock, routing: { defaultCapacity: 1 }, env: process.env.REDIS_URL ? redisEnv : {} });
});
test.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
});
test.after(async () => {
  await server.close();
  if (withRedis) await forgetKeys(prefix);
});

async function forgetKeys(under: string) {
  const redis = new Redis(redisUrl);
  await deleteKeys(redis, under);
  redis.disconnect();
}

async function on(node: TestServer, claims: Record<string, unknown> & { role: string }) {
  const [socket, welcome] = await TestSocket.signIn(node.wsUrl, await node.token(claims));
  sockets.push(socket);
  return { socket, welcome };
}

async function asks(node: TestServer, sub: string, role: string, topic: string, province = 'MI') {
  const user = await on(node, { role, sub, province });
  user.socket.send({ type: 'chat.request', topic });
  return user;
}

const counts = (f: Frame) => ({ waiting: f.waiting, longestWaitSeconds: f.longestWaitSeconds });

test('an advisor at capacity is told how many wait for them and since when, and a user outside their skills is not counted', async () => {
  const advisor = await on(server, { role: 'advisor', sub: 'adv-queue-1', name: 'Irene Sala', skills: ['worker', 'cigo'] });
  assert.equal(counts(await advisor.socket.next('advisor.queue')), { waiting: 0, longestWaitSeconds: null }, 'told right after the hello');
  await advisor.socket.request({ type: 'advisor.status', status: 'available' });
  const served = await asks(server, 'w-queue-served', 'worker', 'cigo');
  await served.socket.next('conversation.assigned');
  await advisor.socket.next('conversation.assigned');

  // Full now: a worker about cigo waits for them; an employer and a worker about fis wait for someone else.
  await (await asks(server, 'e-queue-other', 'employer', 'cigo')).socket.next('queue.joined');
  await (await asks(server, 'w-queue-fis', 'worker', 'fis')).socket.next('queue.joined');
  const waiting = await asks(server, 'w-queue-waits', 'worker', 'cigo');
  await waiting.socket.next('queue.joined');
  const told = await advisor.socket.next('advisor.queue', (f) => f.waiting === 1, 4000);
  assert.equal(counts(told), { waiting: 1, longestWaitSeconds: 0 });
  assert.equal(Object.keys(told).sort(), ['longestWaitSeconds', 'type', 'waiting'], 'counts and seconds, nothing of the users');

  clock.advance(100_000);
  await advisor.socket.request({ type: 'advisor.status', status: 'away' });
  assert.equal(counts(await advisor.socket.next('advisor.queue', (f) => f.waiting === 1 && f.longestWaitSeconds !== 0)), { waiting: 1, longestWaitSeconds: 100 }, 'told again with the new status');

  await waiting.socket.request({ type: 'chat.cancel' });
  assert.equal(counts(await advisor.socket.next('advisor.queue', (f) => f.waiting === 0, 4000)), { waiting: 0, longestWaitSeconds: null });
});

(withRedis ? test : test.skip)('an advisor on one node is told of a user who starts and stops waiting on the other (Redis)', async () => {
  const db: TestDatabase = await testDatabase();
  const env = { ...redisEnv, REDIS_PREFIX: `${prefix}:2n` };
  const a = await startServer({ env, db });
  const b = await startServer({ env, db });
  try {
    const advisor = await on(b, { role: 'advisor', sub: 'adv-queue-2n', skills: ['worker'] });
    assert.equal(counts(await advisor.socket.next('advisor.queue')), { waiting: 0, longestWaitSeconds: null });
    // Away: nobody is served, and the console says how many wait all the same.
    const worker = await asks(a, 'w-queue-2n', 'worker', 'payment', 'TO');
    await worker.socket.next('queue.joined');
    await (await asks(a, 'i-queue-2n', 'intermediary', 'payment', 'TO')).socket.next('queue.joined');
    assert.is((await advisor.socket.next('advisor.queue', (f) => f.waiting !== 0, 4000)).waiting, 1);
    await worker.socket.request({ type: 'chat.cancel' });
    assert.is((await advisor.socket.next('advisor.queue', (f) => f.waiting === 0, 4000)).waiting, 0);
  } finally {
    for (const s of sockets.splice(0)) s.drop();
    await a.close();
    await b.close();
    await db.cleanup();
    await forgetKeys(`${prefix}:2n`);
  }
});

test.run();
