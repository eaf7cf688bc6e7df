/**
 * One node on the in-process routing state (embedded defaults, no Redis) that is
 * restarted starts with an empty state while chats are still open in the database:
 * before it serves anything, each open chat holds its advisor's seat again and its
 * user is in conversation (server/services.ts, routing-reconcile.ts), so an advisor
 * coming back is not given `capacity` chats on top of the ones still open.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conversations } from '../schema/tables.ts';
import { loadConfig } from '../server/config.ts';
import { createServices, type Services } from '../server/services.ts';
import { sampleEntry, sampleProfile } from './helpers/routing-state-contract.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

let db: TestDatabase;
let services: Services | null = null;

test.before(async () => {
  db = await testDatabase();
});
test.after(async () => {
  await services?.close();
  await db?.cleanup();
});

const row = (id: string, userId: string, advisorId: string, status: 'open' | 'closed') => ({
  id, userId, userRole: 'worker' as const, province: 'MI', audience: 'worker' as const, topic: 'payment' as const, entry: 'omnia' as const, advisorId, status,
  ...(status === 'closed' ? { closedAt: new Date(), outcome: 'resolved' } : {}),
});

test('a restarted node on the in-process state holds the seats of the chats still open before it serves', async () => {
  // What the node left behind: two chats open with one advisor, one closed with another.
  await db.db.insert(conversations).values([
    row('conv-open-1', 'usr-1', 'adv-1', 'open'),
    row('conv-open-2', 'usr-2', 'adv-1', 'open'),
    row('conv-closed', 'usr-3', 'adv-2', 'closed'),
  ]);
  services = await createServices(loadConfig({ AUTH_DEV: '1', LOG_LEVEL: 'silent', SERVICE_HOURS: 'always' }), { db });
  const held = (await services.state.heldConversations()).map((h) => [h.conversationId, h.userId, h.advisorId]).sort();
  assert.equal(held, [['conv-open-1', 'usr-1', 'adv-1'], ['conv-open-2', 'usr-2', 'adv-1']], 'only the open chats');
  const now = services.clock.now();
  const back = await services.state.upsertAdvisor(sampleProfile('adv-1', 2), 'available', now);
  assert.equal([...back.conversations].sort(), ['conv-open-1', 'conv-open-2'], 'the advisor comes back with both seats taken');
  await services.state.enqueue(sampleEntry('usr-9'));
  assert.is(await services.state.claim('usr-9', 'adv-1', 'conv-new', now), 'advisor_full', 'no third chat above capacity 2');
  const again = await services.state.enqueue(sampleEntry('usr-1'));
  assert.equal(again, { ok: false, reason: 'in_conversation', conversationId: 'conv-open-1' }, 'a user in an open chat is not queued again');
});

test.run();
