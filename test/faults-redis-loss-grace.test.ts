/**
 * A Redis restarted EMPTY while an advisor closes their laptop: their socket closes
 * while Redis is down, so the node cannot take them offline and no grace starts; the
 * rebuild then restores their seats (faults-redis-loss.test.ts). Without a grace from
 * that moment their chats stayed open, unanswered, for ever. Two real nodes on a
 * throw-away PostgreSQL database and a private `redis-server`, graces shortened by
 * ROUTING_CONFIG; one node, the one that restored the seats, hands the chats back.
 *
 * Needs DATABASE_URL and the `redis-server` executable; what cannot run says so on a
 * `# skipped:` line.
 */
import { eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conversations } from '../schema/tables.ts';
import { sleep, until } from './helpers/processes.ts';
import { redisLossStage } from './helpers/redis-loss-nodes.ts';
import { chatWith, handedBack, shortGraces } from './helpers/restored-seats.ts';

const ADVISOR_GRACE_S = 6;
// Info lines say which node restored the seats and handed the chats back.
const stage = redisLossStage('the restored-seat grace test', () => ({ ROUTING_CONFIG: shortGraces(ADVISOR_GRACE_S, 2), LOG_LEVEL: 'info' }));
const { on, withLogs } = stage.kit;

/** Lines of every node's output that mention both strings. */
const linesWith = (a: string, b: string) => stage.nodes.flatMap((n) => n.output().split('\n').filter((l) => l.includes(a) && l.includes(b)).map((l) => `${n.name}: ${l}`));

async function statusOf(conversationId: string) {
  const [row] = await stage.database.db.select({ status: conversations.status, outcome: conversations.outcome }).from(conversations).where(eq(conversations.id, conversationId));
  return row;
}

stage.withRedis('Redis restarted empty while advisors left: one node hands their chats back to the queue after the grace, the advisor still connected keeps theirs', () =>
  withLogs(async () => {
    const { nodeA, nodeB, redis, state } = stage;
    const stay = await chatWith(on, nodeA, nodeB, 'adv-stay', 'w-stay');
    const gone = await chatWith(on, nodeB, nodeA, 'adv-gone', 'w-gone');
    const both = await chatWith(on, nodeA, nodeB, 'adv-gone-2', 'w-both-gone');

    await redis.kill();
    // Laptops closed during the outage: the nodes cannot take the advisors offline nor start a grace.
    for (const side of [gone.advisor, both.advisor, both.worker]) side.socket.drop();
    await sleep(300);
    await redis.start(); // empty

    const joined = await gone.worker.socket.next('queue.joined', handedBack(gone.conversationId), (ADVISOR_GRACE_S + 20) * 1000);
    assert.is(joined.position, 1, 'the user is told, at the head of the queue');
    const entry = await state.waitingEntry('w-gone');
    assert.is(entry?.conversationId, gone.conversationId, 'waiting with the chat and its history');
    assert.ok((entry?.priority ?? 0) >= 1, 'with the priority of a chat handed on');
    assert.is(entry?.avoidAdvisor, 'adv-gone');

    // The user gone as well: handed back, then not back within the user grace, the chat is closed.
    await until(async () => (await statusOf(both.conversationId))?.outcome === 'left_queue', 'the chat of w-both-gone closed as left_queue', 20_000, 200);
    assert.is((await statusOf(both.conversationId))?.status, 'closed');

    // By now every grace started at the rebuild is over.
    const adv = (await state.snapshot()).advisors.find((a) => a.id === 'adv-stay');
    assert.equal(adv?.conversations, [stay.conversationId], 'the advisor connected throughout still holds their chat');
    assert.is(stay.advisor.socket.all('conversation.released').length, 0);
    assert.is(stay.worker.socket.all('queue.joined').length, 0);
    assert.is((await statusOf(stay.conversationId))?.status, 'open');

    // One node acted: the one whose restore got the seats back.
    assert.is(linesWith('"advisorId":"adv-gone"', 'seats restored for an advisor who is not connected').length, 1, 'one grace for adv-gone over both nodes');
    assert.is(linesWith(gone.conversationId, 'advisor did not come back').length, 1, 'handed back once');
    assert.equal(gone.worker.socket.all('queue.joined'), [], 'the user was told once');
  }),
);

test.run();
