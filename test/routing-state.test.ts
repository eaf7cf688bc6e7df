/**
 * The routing-state contract, run against the in-process state and against Redis
 * (a random key prefix per run, deleted at the end), plus what only Redis has:
 * several nodes on one prefix, prefixes that do not see each other, the key
 * layout, and failing fast while disconnected. Without Redis the file says so on
 * one `# skipped:` line and runs the in-process suite only.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import { createRedis, retryDelay, waitReady } from '../server/redis-connection.ts';
import { connectRedisRoutingState, RedisRoutingState, routingStateKeys } from '../server/routing-state-redis.ts';
import {
  deleteKeys,
  redisAnswersSync,
  redisUrl,
  routingStateContract,
  sampleEntry,
  sampleProfile,
  skipLine,
} from './helpers/routing-state-contract.ts';
import { routingStateRestoreContract } from './helpers/routing-state-contract-restore.ts';

const T0 = 1_700_000_000_000;

routingStateContract('routing state contract: in-process', async () => new MemoryRoutingState());
routingStateRestoreContract('routing state contract, recovery: in-process', async () => new MemoryRoutingState());

if (redisAnswersSync(redisUrl, 1_000)) registerRedisSuites();
else console.log(skipLine(redisUrl, 'routing-state contract'));

function registerRedisSuites(): void {
  const runPrefix = `test:${randomUUID()}`;
  const clients: Redis[] = [];
  const client = (name: string) => {
    const c = createRedis(redisUrl, { name: `routing-state-test-${name}` });
    clients.push(c);
    return c;
  };
  const main = client('main');
  let n = 0;

  const redisState = async () => {
    await waitReady(main, 3_000);
    const state = new RedisRoutingState(main, { prefix: `${runPrefix}:${n++}` });
    return Object.assign(state, {
      async dispose() {
        await main.del(...Object.values(routingStateKeys(state.prefix)));
      },
    });
  };
  routingStateContract('routing state contract: Redis', redisState);
  routingStateRestoreContract('routing state contract, recovery: Redis', redisState);

  const test = suite('RedisRoutingState: several nodes, prefixes, connection');
  const nodeB = client('node-b');

  test.before(async () => {
    await Promise.all([waitReady(main, 3_000), waitReady(nodeB, 3_000)]);
  });

  test.after(async () => {
    try {
      if (main.status === 'ready') await deleteKeys(main, `${runPrefix}:`);
    } finally {
      for (const c of clients) await c.quit().catch(() => c.disconnect());
    }
  });

  /** Two states on one prefix through two clients: two nodes. */
  const twoNodes = () => {
    const prefix = `${runPrefix}:${n++}`;
    return [new RedisRoutingState(main, { prefix }), new RedisRoutingState(nodeB, { prefix })] as const;
  };

  test('two nodes on one prefix see one queue: enqueue on A, claim on B', async () => {
    const [a, b] = twoNodes();
    await a.upsertAdvisor(sampleProfile('adv'), 'available', T0);
    assert.ok((await a.enqueue(sampleEntry('u1'))).ok);
    assert.equal((await b.waitingEntry('u1'))?.userId, 'u1');
    assert.is(await b.claim('u1', 'adv', 'c1', T0), 'ok');
    assert.is(await a.conversationOf('u1'), 'c1');
    assert.equal(await a.enqueue(sampleEntry('u1')), { ok: false, reason: 'in_conversation', conversationId: 'c1' });
    await a.release('c1', T0 + 1);
    assert.equal((await b.snapshot()).advisors[0]?.conversations, []);
  });

  test('a simultaneous enqueue of one user on two nodes makes one entry', async () => {
    const [a, b] = twoNodes();
    for (let i = 0; i < 20; i++) {
      const user = `u${i}`;
      const results = await Promise.all([a.enqueue(sampleEntry(user)), b.enqueue(sampleEntry(user))]);
      assert.is(results.filter((r) => r.ok).length, 1, user);
    }
    const queue = (await a.snapshot()).queues.get('MI:worker')!;
    assert.is(queue.length, 20);
    assert.is(new Set(queue.map((e) => e.userId)).size, 20);
    assert.equal(queue.map((e) => e.order), [...queue.map((e) => e.order!)].sort((x, y) => x - y));
  });

  test('concurrent claims from two nodes: one user goes to one advisor, one advisor never exceeds capacity', async () => {
    const [a, b] = twoNodes();
    for (const id of ['x', 'y']) await a.upsertAdvisor(sampleProfile(id, 2), 'available', T0);
    for (let i = 0; i < 10; i++) await a.enqueue(sampleEntry(`u${i}`));
    const claims = [];
    for (let i = 0; i < 10; i++) {
      claims.push(a.claim(`u${i}`, 'x', `ax${i}`, T0), b.claim(`u${i}`, 'x', `bx${i}`, T0));
      claims.push(a.claim(`u${i}`, 'y', `ay${i}`, T0), b.claim(`u${i}`, 'y', `by${i}`, T0));
    }
    const results = await Promise.all(claims);
    assert.is(results.filter((r) => r === 'ok').length, 4);
    const snap = await b.snapshot();
    assert.equal(snap.advisors.map((x) => x.conversations.length), [2, 2]);
    assert.is(snap.queues.get('MI:worker')!.length, 6);
  });

  test('two prefixes on one Redis do not see each other', async () => {
    const [p] = twoNodes();
    const [q] = twoNodes();
    await p.upsertAdvisor(sampleProfile('adv'), 'available', T0);
    await p.enqueue(sampleEntry('u1'));
    assert.is(await q.waitingEntry('u1'), null);
    assert.equal(await q.snapshot(), { queues: new Map(), advisors: [], epoch: null });
    assert.ok((await q.enqueue(sampleEntry('u1'))).ok, 'the same user may wait in the other deployment');
    assert.is(await q.claim('u1', 'adv', 'c1', T0), 'advisor_unavailable');
    assert.is(await p.claim('u1', 'adv', 'c1', T0), 'ok');
    assert.is(await q.conversationOf('u1'), null);
    assert.is((await q.waitingEntry('u1'))?.userId, 'u1');
  });

  test('every key lives under the prefix and carries the one hash tag', async () => {
    const [a] = twoNodes();
    await a.upsertAdvisor(sampleProfile('adv', 1), 'available', T0);
    await a.enqueue(sampleEntry('u1'));
    await a.enqueue(sampleEntry('u2'));
    await a.claim('u1', 'adv', 'c1', T0);
    await a.initEpoch('e1');
    await a.takeReconcileTurn('node-a', 60_000);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await main.scan(cursor, 'MATCH', `${a.prefix}:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const known = new Set(Object.values(routingStateKeys(a.prefix)));
    assert.equal(new Set(keys), known, keys.join(' '));
    for (const key of keys) {
      assert.ok(known.has(key), `unexpected key ${key}`);
      assert.ok(key.startsWith(`${a.prefix}:{rs}:`), key);
      // The prefix has no braces, so the cluster hash tag of every key is "rs".
      assert.is(key.slice(key.indexOf('{') + 1, key.indexOf('}')), 'rs');
    }
  });

  test('arrival orders and priorities stay exact near the top of the score range', async () => {
    const [a] = twoNodes();
    await main.set(routingStateKeys(a.prefix).seq, String(2 ** 40 - 5));
    await a.enqueue(sampleEntry('low', { priority: 0 }));
    await a.enqueue(sampleEntry('top', { priority: 4095 }));
    await a.enqueue(sampleEntry('next', { priority: 4094 }));
    await a.enqueue(sampleEntry('top2', { priority: 4095 }));
    const queue = (await a.snapshot()).queues.get('MI:worker')!;
    assert.equal(queue.map((e) => e.userId), ['top', 'top2', 'next', 'low']);
    assert.equal(queue.map((e) => e.order), [2 ** 40 - 3, 2 ** 40 - 1, 2 ** 40 - 2, 2 ** 40 - 4]);
    try {
      await a.enqueue(sampleEntry('overflow'));
      assert.unreachable('the 2^40th arrival must be refused');
    } catch (err) {
      assert.match(String(err), /order_overflow/);
    }
  });

  test('priorities that cannot be encoded exactly are refused', async () => {
    const [a] = twoNodes();
    for (const priority of [4096, -5000, 0.5, Number.NaN]) {
      try {
        await a.enqueue(sampleEntry('u1', { priority }));
        assert.unreachable(`priority ${priority} accepted`);
      } catch (err) {
        assert.instance(err, RangeError);
      }
    }
    assert.is(await a.waitingEntry('u1'), null);
  });

  test('the scripts still run after Redis forgot them (SCRIPT FLUSH): EVALSHA falls back to EVAL', async () => {
    const [a, b] = twoNodes();
    await a.upsertAdvisor(sampleProfile('adv'), 'available', T0);
    await main.script('FLUSH');
    const entry = await a.enqueue(sampleEntry('u1'));
    assert.ok(entry.ok && entry.entry.order === 1, JSON.stringify(entry));
    assert.is(await b.claim('u1', 'adv', 'c1', T0), 'ok');
    await main.script('FLUSH');
    await Promise.all([a.release('c1', T0 + 1), b.release('c1', T0 + 1)]);
    assert.equal((await b.snapshot()).advisors.map((x) => x.conversations), [[]]);
  });

  test('a claim sent again after a lost reply answers ok and changes nothing', async () => {
    const [a, b] = twoNodes();
    await a.upsertAdvisor(sampleProfile('adv', 3), 'available', T0);
    await a.enqueue(sampleEntry('u1'));
    await a.enqueue(sampleEntry('u2'));
    assert.is(await a.claim('u1', 'adv', 'c1', T0), 'ok');
    const before = await a.snapshot();
    assert.is(await b.claim('u1', 'adv', 'c1', T0 + 5), 'ok');
    assert.equal(await a.snapshot(), before);
    try {
      await a.claim('u2', 'adv', 'c1', T0);
      assert.unreachable('a conversation id held by another claim must be refused');
    } catch (err) {
      assert.match(String(err), /already held/);
    }
    assert.is((await a.waitingEntry('u2'))?.userId, 'u2');
  });

  test('close quits the client only when the state owns it', async () => {
    const owned = client('owned');
    await waitReady(owned, 3_000);
    await new RedisRoutingState(main, { prefix: `${runPrefix}:x` }).close();
    assert.is(main.status, 'ready');
    await new RedisRoutingState(owned, { prefix: `${runPrefix}:x`, ownsClient: true }).close();
    assert.is(owned.status, 'end');
  });

  test('without a connection, operations fail at once instead of queueing', async () => {
    const down = createRedis('redis://127.0.0.1:1', { name: 'routing-state-test-down', connectTimeoutMs: 200 });
    try {
      const state = new RedisRoutingState(down, { prefix: `${runPrefix}:down`, ownsClient: true });
      const started = Date.now();
      for (const op of [() => state.enqueue(sampleEntry('u1')), () => state.snapshot(), () => state.ping(), () => state.claim('u1', 'a', 'c', T0)]) {
        try {
          await op();
          assert.unreachable('an operation succeeded without Redis');
        } catch (err) {
          assert.match(String(err), /writeable|ECONNREFUSED|Connection is closed/i);
        }
      }
      assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
      try {
        await waitReady(down, 300);
        assert.unreachable('waitReady resolved without Redis');
      } catch (err) {
        assert.match(String(err), /not ready after 300 ms/);
      }
      let attempts = 0;
      down.on('connecting', () => attempts++);
      await state.close();
      await new Promise((r) => setTimeout(r, 700));
      assert.is(attempts, 0, 'closed: no more reconnect attempts');
    } finally {
      down.disconnect();
    }
  });

  test('connectRedisRoutingState gives a ready state that owns its client, or rejects in time', async () => {
    const state = await connectRedisRoutingState(redisUrl, { prefix: `${runPrefix}:connect`, name: 'routing-state-test-connect' });
    try {
      await state.ping();
      assert.ok((await state.enqueue(sampleEntry('u1'))).ok);
      await state.cancel('u1');
    } finally {
      await state.close();
    }
    const started = Date.now();
    try {
      await connectRedisRoutingState('redis://127.0.0.1:1', { prefix: 'never', readyTimeoutMs: 300 });
      assert.unreachable('connected to nothing');
    } catch (err) {
      assert.match(String(err), /not ready after 300 ms/);
    }
    assert.ok(Date.now() - started < 1_000);
  });

  test('reconnect backoff grows, stays capped near 2 s and never gives up', () => {
    const delays = Array.from({ length: 50 }, (_, i) => retryDelay(i + 1));
    assert.ok(delays.every((d) => typeof d === 'number' && d >= 50 && d < 2_100), delays.join(','));
    assert.ok(delays[0]! < 150);
    assert.ok(delays[49]! >= 2_000);
  });

  test.run();
}
