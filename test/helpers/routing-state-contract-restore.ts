/**
 * The part of the routing-state contract that serves recovery (docs/routing-state.md,
 * "Redis restarts without persistence"): the epoch a lost state is noticed by,
 * `restoreHeld`, `heldConversations` and the reconciliation turn. Run against each
 * implementation like the main contract (routing-state-contract.ts), which is long
 * enough on its own.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RoutingState } from '../../routing/routing-state.ts';
import { sampleEntry, sampleProfile, stateTest, type DisposableState } from './routing-state-contract.ts';

const T0 = 1_700_000_000_000;

export function routingStateRestoreContract(name: string, make: () => Promise<DisposableState>): void {
  const test = suite(name);

  const it = stateTest(test, make);

  const advisor = async (s: RoutingState, id: string) => (await s.snapshot()).advisors.find((a) => a.id === id);
  const held = (conversationId: string, userId: string, advisorId: string) => ({ conversationId, userId, advisorId });

  it('a fresh state has no epoch; initEpoch sets one once and every snapshot carries it', async (s) => {
    assert.is((await s.snapshot()).epoch, null);
    assert.equal(await s.initEpoch('e1'), { epoch: 'e1', created: true });
    assert.equal(await s.initEpoch('e2'), { epoch: 'e1', created: false }, 'a second node adopts the epoch in force');
    assert.is((await s.snapshot()).epoch, 'e1');
  });

  it('restoreHeld gives each conversation back to its advisor: load counted, user in conversation, not enqueued again', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 3), 'available', T0);
    assert.equal(await s.restoreHeld([held('c1', 'u1', 'a1'), held('c2', 'u2', 'a1')], T0 + 5), ['restored', 'restored']);
    assert.equal((await advisor(s, 'a1'))?.conversations, ['c1', 'c2']);
    assert.is(await s.conversationOf('u1'), 'c1');
    assert.equal(await s.enqueue(sampleEntry('u2')), { ok: false, reason: 'in_conversation', conversationId: 'c2' });
    assert.equal(await s.restoreHeld([held('c1', 'u1', 'a1')], T0 + 6), ['held'], 'idempotent');
    assert.equal((await advisor(s, 'a1'))?.conversations, ['c1', 'c2']);
  });

  it('restoreHeld does not check capacity, and a full advisor then takes no claim until seats free up', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 1), 'available', T0);
    assert.equal(await s.restoreHeld([held('c1', 'u1', 'a1'), held('c2', 'u2', 'a1')], T0), ['restored', 'restored']);
    await s.enqueue(sampleEntry('u3'));
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'advisor_full');
    await s.release('c1', T0);
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'advisor_full', 'one seat above capacity still held');
    await s.release('c2', T0);
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'ok');
  });

  it('seats restored for an advisor not registered yet count once they register', async (s) => {
    assert.equal(await s.restoreHeld([held('c1', 'u1', 'a1')], T0), ['restored']);
    assert.is(await advisor(s, 'a1'), undefined, 'not listed before registering');
    const registered = await s.upsertAdvisor(sampleProfile('a1', 2), 'available', T0 + 1);
    assert.equal(registered.conversations, ['c1']);
    await s.enqueue(sampleEntry('u2'));
    await s.enqueue(sampleEntry('u3'));
    assert.is(await s.claim('u2', 'a1', 'c2', T0), 'ok');
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'advisor_full');
  });

  it('restoreHeld takes a user waiting with a fresh request out of the queue: they are in that conversation', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    await s.enqueue(sampleEntry('u2'));
    assert.equal(await s.restoreHeld([held('c1', 'u1', 'a1')], T0), ['restored']);
    assert.is(await s.waitingEntry('u1'), null);
    assert.equal((await s.snapshot()).queues.get('MI:worker')?.map((e) => e.userId), ['u2']);
    assert.is(await s.conversationOf('u1'), 'c1');
  });

  it('restoreHeld leaves a user waiting to be handed over with that conversation where they are', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.enqueue(sampleEntry('u1', { conversationId: 'c1', priority: 1, avoidAdvisor: 'a1' }));
    assert.equal(await s.restoreHeld([held('c1', 'u1', 'a1')], T0), ['waiting']);
    assert.is((await s.waitingEntry('u1'))?.conversationId, 'c1');
    assert.is(await s.conversationOf('u1'), null);
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
  });

  it('restoreHeld changes nothing on a conflict: held by someone else, or the user in or waiting with another conversation', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.upsertAdvisor(sampleProfile('a2'), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'ok');
    await s.enqueue(sampleEntry('u3', { conversationId: 'c9', priority: 1 }));
    const results = await s.restoreHeld([held('c1', 'u1', 'a2'), held('c1', 'u2', 'a1'), held('c2', 'u1', 'a2'), held('c3', 'u3', 'a2')], T0);
    assert.equal(results, ['conflict', 'conflict', 'conflict', 'conflict']);
    assert.equal((await advisor(s, 'a1'))?.conversations, ['c1']);
    assert.equal((await advisor(s, 'a2'))?.conversations, []);
    assert.is(await s.conversationOf('u1'), 'c1');
    assert.is((await s.waitingEntry('u3'))?.conversationId, 'c9');
  });

  it('a restored conversation is released and unclaimed like a claimed one', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.restoreHeld([held('c1', 'u1', 'a1'), held('c2', 'u2', 'a1')], T0);
    await s.release('c1', T0 + 1);
    assert.is(await s.conversationOf('u1'), null);
    await s.unclaim('c2', sampleEntry('u2', { conversationId: 'c2', since: 500 }), T0 + 2);
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
    const back = await s.waitingEntry('u2');
    assert.equal([back?.conversationId, back?.priority, back?.since], ['c2', 1, 500]);
  });

  it('heldConversations lists what is held, with since when: claims and restores, not what was released', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    await s.claim('u1', 'a1', 'c1', T0 + 1);
    await s.restoreHeld([held('c2', 'u2', 'a1'), held('c3', 'u3', 'a9')], T0 + 2);
    await s.enqueue(sampleEntry('u4'));
    await s.claim('u4', 'a1', 'c4', T0 + 3);
    await s.release('c4', T0 + 4);
    const byId = (list: { conversationId: string }[]) => [...list].sort((a, b) => a.conversationId.localeCompare(b.conversationId));
    assert.equal(byId(await s.heldConversations()), [
      { conversationId: 'c1', userId: 'u1', advisorId: 'a1', since: T0 + 1 },
      { conversationId: 'c2', userId: 'u2', advisorId: 'a1', since: T0 + 2 },
      { conversationId: 'c3', userId: 'u3', advisorId: 'a9', since: T0 + 2 },
    ]);
  });

  it('the reconciliation turn goes to one holder at a time', async (s) => {
    assert.is(await s.takeReconcileTurn('node-a', 60_000, T0), true);
    assert.is(await s.takeReconcileTurn('node-b', 60_000, T0 + 1), false);
    assert.is(await s.takeReconcileTurn('node-a', 60_000, T0 + 2), false, 'not taken twice either');
  });

  test.run();
}
