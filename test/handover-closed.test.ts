/**
 * A chat waiting in the queue to be handed over (its advisor left) that its user closes, while an
 * advisor's claim of that user is won in between (the close reached the database, not yet the
 * queue): the router finds the chat closed when it stores the hand-over and drops the claim
 * (server/router-service.ts `open`). The advisor's seat is free again, and the user neither gets
 * the closed chat nor waits again to be claimed and refused, over and over. On the in-process
 * state, and on Redis (keys under a random prefix, deleted after) when it answers.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../server/config.ts';
import { queueEntryOf } from '../server/conversation-views.ts';
import { createServices } from '../server/services.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { deleteKeys, redisAnswersSync, redisUrl, sampleProfile } from './helpers/routing-state-contract.ts';

const withRedis = redisAnswersSync(redisUrl);
if (!withRedis) console.log(`# Redis not reachable at ${redisUrl}: handover-closed runs on the in-process state only`);

let db: TestDatabase;
test.before(async () => {
  db = await testDatabase();
});
test.after(async () => {
  await db.cleanup();
});

const states: [string, Record<string, string>][] = [['in-process', {}]];
if (withRedis) states.push(['Redis', { REDIS_URL: redisUrl, REDIS_PREFIX: `test:${randomUUID()}` }]);

for (const [name, env] of states) {
  test(`${name} state: a claim won on a chat its user closed while it waited to be handed over is dropped: the seat is free, the user neither served nor queued again`, async () => {
    const services = await createServices(loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent', ...env }), {
      db, logger: pino({ level: 'silent' }), notices: false, retentionTimer: false, seed: false,
    });
    try {
      const { store, state, router, clock } = services;
      const id = randomUUID();
      const user = `w-closed-${name}`;
      const advisor = `adv-takes-${name}`;
      // The chat its first advisor left: back in the queue, naming no advisor (router-handover.ts `requeue`)…
      await store.createConversation({
        id, userId: user, userRole: 'worker', userName: null, province: 'MI', audience: 'worker', topic: 'payment', entry: 'omnia',
        context: { lang: 'it' }, advisorId: 'adv-left', advisorName: null, openedAt: new Date(clock.now()),
      });
      await store.releaseConversation(id, 'adv-left');
      const waiting = (await store.getConversation(id))!;
      assert.is((await state.enqueue({ ...queueEntryOf(waiting), avoidAdvisor: 'adv-left' })).ok, true);
      // …closed by its user in the database, its entry still in the queue when the next advisor comes.
      await store.closeConversation(id, { outcome: 'closed_by_user', rating: null, closedBy: user, at: new Date(clock.now()) });
      await state.upsertAdvisor(sampleProfile(advisor, 2), 'available', clock.now());

      await router.dispatch();
      await router.idle();
      // A second run finds nothing more to do (a user put back would be claimed and refused again).
      await router.dispatch();
      await router.idle();

      const snapshot = await state.snapshot();
      assert.equal(snapshot.advisors.find((a) => a.id === advisor)?.conversations, [], 'the advisor’s seat is free again');
      assert.is(await state.waitingEntry(user), null, 'the user does not wait again');
      assert.is(await state.conversationOf(user), null, 'nor is the user in a conversation');
      const stored = await store.getConversation(id);
      assert.equal([stored?.status, stored?.advisorId], ['closed', null], 'the closed chat was not handed to anyone');
    } finally {
      await services.close();
      if (env.REDIS_PREFIX) {
        const redis = new Redis(redisUrl);
        await deleteKeys(redis, env.REDIS_PREFIX);
        redis.disconnect();
      }
    }
  });
}

test.run();
