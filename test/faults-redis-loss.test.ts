/**
 * A Redis that restarts EMPTY (no persistence, as in production here), on real server
 * processes: two nodes, a throw-away PostgreSQL database and a private `redis-server`
 * this test kills and starts again. The routing state lived only in Redis; each node
 * notices the lost epoch and rebuilds its part (server/routing-recovery.ts,
 * docs/routing-state.md "Redis restarts without persistence").
 *
 * Needs DATABASE_URL and the `redis-server` executable; what cannot run says so on a
 * `# skipped:` line.
 */
import { and, eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { servingOrder } from '../routing/matching.ts';
import type { RoutingSnapshot } from '../routing/routing-state.ts';
import { conversations } from '../schema/tables.ts';
import type { Side } from './helpers/fault-chat.ts';
import { sleep, until, type NodeProcess } from './helpers/processes.ts';
import { redisLossStage } from './helpers/redis-loss-nodes.ts';

const stage = redisLossStage('the Redis-loss fault test');
const { on, withLogs } = stage.kit;

const waitingOrder = (snap: RoutingSnapshot) => [...snap.queues.values()].flat().sort(servingOrder);
const loads = (snap: RoutingSnapshot) => Object.fromEntries(snap.advisors.map((a) => [a.id, [...a.conversations].sort()]));
const lastPosition = (side: Side) => side.socket.all('queue.position').at(-1)?.position;

async function assignedTo(side: Side): Promise<{ conversationId: string; peer: string }> {
  const f = await side.socket.next('conversation.assigned', undefined, 15_000);
  return { conversationId: f.conversationId as string, peer: (f.peer as { id: string }).id };
}

async function metric(node: NodeProcess, name: string): Promise<number> {
  const { body } = await node.get('/metrics');
  return Number(body.match(new RegExp(`^${name}\\s+(\\S+)`, 'm'))?.[1] ?? NaN);
}

stage.withRedis('Redis restarted empty: the same users wait in the same order with their waits, are told their positions again, seats equal open chats and new matches respect capacity', () =>
  withLogs(async () => {
    const { nodeA, nodeB, nodes, redis, state, database } = stage;
    // Advisor 1 (node A) takes three chats, its capacity; advisor 2 (node B) one, then steps away.
    const adv1 = await on(nodeA, { role: 'advisor', sub: 'adv-1', name: 'Advisor 1' });
    assert.is((await adv1.socket.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
    const held: Record<string, string> = {};
    const chatting: Side[] = [];
    for (const [i, node] of [nodeB, nodeA, nodeB].entries()) {
      const w = await on(node, { role: 'worker', sub: `w-held-${i + 1}`, province: 'TO' });
      w.socket.send({ type: 'chat.request', topic: 'payment' });
      const a = await assignedTo(w);
      assert.is(a.peer, 'adv-1');
      held[w.claims.sub as string] = a.conversationId;
      chatting.push(w);
    }
    const adv2 = await on(nodeB, { role: 'advisor', sub: 'adv-2', name: 'Advisor 2' });
    await adv2.socket.request({ type: 'advisor.status', status: 'available' });
    const w4 = await on(nodeA, { role: 'worker', sub: 'w-held-4', province: 'TO' });
    w4.socket.send({ type: 'chat.request', topic: 'payment' });
    const c4 = await assignedTo(w4);
    assert.is(c4.peer, 'adv-2');
    chatting.push(w4);
    await adv2.socket.request({ type: 'advisor.status', status: 'away' });

    // Four users wait in one line, on both nodes.
    const waiting: Side[] = [];
    for (const [i, node] of [nodeA, nodeB, nodeA, nodeB].entries()) {
      const q = await on(node, { role: 'worker', sub: `w-wait-${i + 1}`, province: 'TO' });
      q.socket.send({ type: 'chat.request', topic: 'cigo' });
      await q.socket.next('queue.joined', undefined, 10_000);
      waiting.push(q);
      await sleep(20); // distinct `since`
    }
    for (const [i, q] of waiting.entries()) await until(() => lastPosition(q) === i + 1, `position ${i + 1} told to w-wait-${i + 1}`, 10_000);
    const before = await state.snapshot();
    const line = waitingOrder(before).map((e) => [e.userId, e.since, e.priority, e.province, e.audience]);
    assert.equal(line.map((l) => l[0]), ['w-wait-1', 'w-wait-2', 'w-wait-3', 'w-wait-4']);
    const loadsBefore = loads(before);
    assert.equal(loadsBefore, { 'adv-1': Object.values(held).sort(), 'adv-2': [c4.conversationId] });
    const positionsBefore = waiting.map((q) => q.socket.all('queue.position').length);

    await redis.kill();
    await sleep(200);
    await redis.start(); // empty: nothing is persisted

    // Each waiting user is told their position again, the same one, without asking.
    for (const [i, q] of waiting.entries()) {
      await until(() => q.socket.all('queue.position').length > positionsBefore[i]! && lastPosition(q) === i + 1, `w-wait-${i + 1} told position ${i + 1} again`, 15_000, 50);
    }
    const after = await state.snapshot();
    assert.ok(after.epoch, 'the state has an epoch again');
    assert.equal(waitingOrder(after).map((e) => [e.userId, e.since, e.priority, e.province, e.audience]), line, 'same users, same order, original since, priority and queue');
    assert.equal(loads(after), loadsBefore, 'each advisor holds the seats of their open chats again');
    assert.equal(Object.fromEntries(after.advisors.map((a) => [a.id, a.status])), { 'adv-1': 'available', 'adv-2': 'away' }, 'advisors registered again with their status');
    for (const w of chatting) assert.is(await state.waitingEntry(w.claims.sub as string), null, `${w.claims.sub} is in a chat, not in line`);
    const again = await chatting[0]!.socket.request({ type: 'chat.request', topic: 'cigo' });
    assert.equal([again.type, again.code], ['error', 'already_in_conversation'], 'a user in an open chat cannot queue again');

    // Advisor 2 comes back: two free seats (capacity 3, one held), so the first two in line, and no more.
    await adv2.socket.request({ type: 'advisor.status', status: 'available' });
    assert.is((await assignedTo(waiting[0]!)).peer, 'adv-2');
    assert.is((await assignedTo(waiting[1]!)).peer, 'adv-2');
    await until(() => lastPosition(waiting[2]!) === 1 && lastPosition(waiting[3]!) === 2, 'the rest of the line moves up', 10_000);
    const full = await state.snapshot();
    assert.equal(full.advisors.map((a) => a.conversations.length), [3, 3], 'nobody above capacity');
    assert.equal(waitingOrder(full).map((e) => e.userId), ['w-wait-3', 'w-wait-4']);

    // A chat of advisor 1 ends: its seat goes to the next in line.
    assert.is((await chatting[0]!.socket.request({ type: 'conversation.close', conversationId: held['w-held-1'] })).type, 'ok');
    assert.is((await assignedTo(waiting[2]!)).peer, 'adv-1');
    await until(() => lastPosition(waiting[3]!) === 1, 'the last one is first now', 10_000);

    // Nobody matched twice: one assignment per user served, one open chat per user in the database.
    for (const side of [...chatting, ...waiting]) {
      assert.is(side.socket.all('conversation.assigned').length, 0, `${side.claims.sub}: no second assignment`);
      const open = await database.db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.userId, side.claims.sub as string), eq(conversations.status, 'open')));
      assert.ok(open.length <= 1, `${side.claims.sub}: ${open.length} open chats`);
    }
    for (const node of nodes) {
      assert.is(await metric(node, 'infocig_routing_state_rebuilds_total'), 1, `node ${node.name} rebuilt once`);
      assert.match(node.output(), /routing state lost \(Redis restarted empty\?\); rebuilt/, `node ${node.name} said so`);
    }
  }),
);

test.run();
