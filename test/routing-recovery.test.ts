/**
 * The rebuild of a lost routing state (server/routing-recovery.ts) and the periodic
 * reconciliation with the database (server/routing-reconcile.ts), in process: an
 * in-process state that can be "lost" (replaced by an empty one, as a Redis restarted
 * empty), a database stand-in listing the open conversations, and a node's connected
 * people. The same on real processes and a real Redis: test/faults-redis-loss.test.ts.
 */
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import type { HeldConversation, RoutingState } from '../routing/routing-state.ts';
import { tokenDirectory } from '../server/advisor-directory.ts';
import type { Client } from '../server/client.ts';
import type { OpenConversations } from '../server/open-conversations-sql.ts';
import { RoutingReconciler } from '../server/routing-reconcile.ts';
import { RecoveringRoutingState } from '../server/routing-recovery.ts';
import { sampleEntry, sampleProfile } from './helpers/routing-state-contract.ts';

const T0 = 1_700_000_000_000;
const log = pino({ level: 'silent' });

/** An in-process state that `lose()` empties, as a Redis restarted without persistence. */
function losableState(): RoutingState & { lose(): void } {
  let current = new MemoryRoutingState();
  const target = { lose: () => (current = new MemoryRoutingState()) };
  return new Proxy(target, {
    get: (t, key) => (key === 'lose' ? t.lose : (...args: unknown[]) => (current as never as Record<string | symbol, (...a: unknown[]) => unknown>)[key]!(...args)),
  }) as unknown as RoutingState & { lose(): void };
}

/** The database's open conversations; `closedMeanwhile` are open when listed and closed when checked again. */
function openConversations(list: HeldConversation[], closedMeanwhile: string[] = []): OpenConversations & { list: HeldConversation[] } {
  return {
    list,
    async all() {
      return [...this.list];
    },
    async openAmong(ids) {
      return new Set(ids.filter((id) => this.list.some((c) => c.conversationId === id) && !closedMeanwhile.includes(id)));
    },
  };
}

function person(sub: string, role: string): Client {
  const identity = { sub, role, name: sub, province: null, fiscalCode: null, matricola: null, matricole: [], sede: null, skills: [], lang: null, exp: 0 };
  return { userId: sub, identity } as unknown as Client;
}

function node(inner: RoutingState, open: OpenConversations, people: Client[]) {
  const online = new Set(people.map((p) => p.userId));
  const clock = new ManualClock(T0);
  const state = new RecoveringRoutingState(inner, {
    hub: { isOnline: (id) => online.has(id), people: () => people },
    open,
    advisors: tokenDirectory(2),
    clock,
    log,
  });
  return { state, clock };
}

test('a lost state is rebuilt at the next snapshot: seats from the database, advisors and waiting users of this node', async () => {
  const inner = losableState();
  const open = openConversations([]);
  const { state } = node(inner, open, [person('a1', 'advisor'), person('a2', 'advisor'), person('u1', 'worker'), person('u2', 'worker')]);
  let rebuilt = 0;
  state.onRebuilt(() => rebuilt++);
  await state.start();
  await state.upsertAdvisor(sampleProfile('a1', 2), 'available', T0);
  await state.upsertAdvisor(sampleProfile('a2', 2), 'away', T0);
  await state.enqueue(sampleEntry('u0'));
  await state.claim('u0', 'a1', 'c0', T0);
  open.list.push({ conversationId: 'c0', userId: 'u0', advisorId: 'a1' });
  await state.enqueue(sampleEntry('u2', { since: 900 }));
  await state.enqueue(sampleEntry('u1', { since: 500 }));
  await state.snapshot();
  assert.is(rebuilt, 0, 'nothing to rebuild while the epoch is the one known');

  inner.lose();
  const snap = await state.snapshot();
  assert.is(rebuilt, 1);
  assert.equal(snap.epoch, state.epoch);
  assert.equal(snap.queues.get('MI:worker')?.map((e) => [e.userId, e.since]), [['u1', 500], ['u2', 900]]);
  assert.equal(snap.advisors.map((a) => [a.id, a.status, a.conversations]), [['a1', 'available', ['c0']], ['a2', 'away', []]]);
  await state.snapshot();
  assert.is(rebuilt, 1, 'once');
});

test('a user the database puts in a conversation, or who cancelled here, is not put back in line', async () => {
  const inner = losableState();
  const open = openConversations([]);
  const { state } = node(inner, open, [person('u1', 'worker'), person('u2', 'worker'), person('u3', 'worker')]);
  await state.start();
  for (const u of ['u1', 'u2', 'u3']) await state.enqueue(sampleEntry(u));
  await state.snapshot();
  // u1 was matched by another node just before the loss: this node had not seen it yet.
  open.list.push({ conversationId: 'c1', userId: 'u1', advisorId: 'a9' });
  await state.cancel('u2');
  inner.lose();
  const snap = await state.snapshot();
  assert.equal(snap.queues.get('MI:worker')?.map((e) => e.userId), ['u3']);
  assert.is(await state.conversationOf('u1'), 'c1');
});

test('a user waiting to be handed over goes back only while the database still names the advisor they left', async () => {
  const inner = losableState();
  const open = openConversations([]);
  const { state } = node(inner, open, [person('u1', 'worker'), person('u2', 'worker')]);
  await state.start();
  await state.enqueue(sampleEntry('u1', { conversationId: 'c1', avoidAdvisor: 'a1', priority: 1, since: 100 }));
  await state.enqueue(sampleEntry('u2', { conversationId: 'c2', avoidAdvisor: 'a1', priority: 1, since: 200 }));
  await state.snapshot();
  // c1 still names a1 (waiting for someone else); c2 was taken over by a2 just before the loss.
  open.list.push({ conversationId: 'c1', userId: 'u1', advisorId: 'a1' }, { conversationId: 'c2', userId: 'u2', advisorId: 'a2' });
  inner.lose();
  const snap = await state.snapshot();
  const line = snap.queues.get('MI:worker')!;
  assert.equal(line.map((e) => [e.userId, e.conversationId, e.priority, e.since]), [['u1', 'c1', 1, 100]]);
  assert.is(await state.conversationOf('u1'), null, 'its seat with the advisor who left is not held');
  assert.is(await state.conversationOf('u2'), 'c2', 'held by the advisor who took it over');
});

test('reconciliation releases a seat held for a conversation not open once older than the margin, not before', async () => {
  const state = new MemoryRoutingState();
  const clock = new ManualClock(T0);
  const reconciler = new RoutingReconciler({ state, open: openConversations([]), clock, log, node: 'n1', staleMs: 60_000, turnMs: 1 });
  await state.upsertAdvisor(sampleProfile('a1', 1), 'available', T0);
  await state.enqueue(sampleEntry('u1'));
  await state.claim('u1', 'a1', 'c1', T0); // the node died before storing c1
  clock.set(T0 + 30_000);
  assert.equal(await reconciler.run(), { released: 0, restored: 0 }, 'maybe still being stored');
  clock.set(T0 + 61_000);
  assert.equal(await reconciler.run(), { released: 1, restored: 0 });
  assert.equal((await state.snapshot()).advisors[0]?.conversations, []);
});

test('reconciliation restores open conversations missing from the state, not one waiting for a hand-over or closed meanwhile', async () => {
  const state = new MemoryRoutingState();
  const clock = new ManualClock(T0);
  const open = openConversations(
    [
      { conversationId: 'c1', userId: 'u1', advisorId: 'a1' },
      { conversationId: 'c2', userId: 'u2', advisorId: 'a1' },
      { conversationId: 'c3', userId: 'u3', advisorId: 'a1' },
    ],
    ['c3'],
  );
  const reconciler = new RoutingReconciler({ state, open, clock, log, node: 'n1', turnMs: 1 });
  await state.upsertAdvisor(sampleProfile('a1', 3), 'available', T0);
  await state.enqueue(sampleEntry('u2', { conversationId: 'c2', avoidAdvisor: 'a1', priority: 1 }));
  assert.equal(await reconciler.run(), { released: 0, restored: 1 });
  assert.equal((await state.snapshot()).advisors[0]?.conversations, ['c1']);
  assert.is((await state.waitingEntry('u2'))?.conversationId, 'c2');
});

test('one node at a time reconciles: the others skip while the turn lasts', async () => {
  const state = new MemoryRoutingState();
  const clock = new ManualClock(T0);
  const make = (id: string) => new RoutingReconciler({ state, open: openConversations([]), clock, log, node: id, turnMs: 55_000 });
  assert.ok(await make('n1').run());
  assert.is(await make('n2').run(), null);
  clock.set(T0 + 56_000);
  assert.ok(await make('n2').run());
});

test.run();
