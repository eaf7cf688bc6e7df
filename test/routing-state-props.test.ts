/**
 * Property tests of the routing state over random sequences of operations:
 * - after every step the invariants of routing/routing-state.ts hold (a user waits
 *   or is in a conversation at most once; no advisor above capacity; no
 *   conversation held twice; every queue FIFO within a priority);
 * - model-based: the Redis state and the in-process state (the model) answer every
 *   operation alike and have equal snapshots after each step (orders normalised);
 * - operations fired concurrently from two Redis clients (two nodes) keep the
 *   invariants.
 * Without Redis the file says so on one `# skipped:` line and checks the in-process
 * state only.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import {
  compareEntries,
  queueKey,
  type AdvisorStatus,
  type QueueEntry,
  type RoutingSnapshot,
  type RoutingState,
} from '../routing/routing-state.ts';
import type { Audience } from '../routing/types.ts';
import { createRedis, waitReady } from '../server/redis-connection.ts';
import { RedisRoutingState, routingStateKeys } from '../server/routing-state-redis.ts';
import { deleteKeys, redisAnswersSync, redisUrl, sampleEntry, sampleProfile, skipLine } from './helpers/routing-state-contract.ts';

const T0 = 1_700_000_000_000;
const USERS = Array.from({ length: 6 }, (_, i) => `u${i}`);
const ADVISORS = ['a0', 'a1', 'a2', 'a3'];
const CAPACITY: Record<string, number> = { a0: 1, a1: 2, a2: 3, a3: 1 };
const QUEUES: [string, Audience][] = [
  ['MI', 'worker'],
  ['RM', 'worker'],
  ['MI', 'employer'],
];

type Op =
  | { kind: 'enqueue'; user: number; queue: number; priority: number; since: number }
  | { kind: 'cancel'; user: number }
  /** `waiting`: the user is the `user`-th waiting one (as the router would pick), else any user. */
  | { kind: 'claim'; user: number; advisor: number; waiting: boolean }
  | { kind: 'release'; conv: number }
  | { kind: 'unclaim'; conv: number }
  | { kind: 'status'; advisor: number; status: AdvisorStatus }
  | { kind: 'upsert'; advisor: number; status: AdvisorStatus; variant: number };

const user = fc.nat(USERS.length - 1);
const adv = fc.nat(ADVISORS.length - 1);
const status = fc.constantFrom<AdvisorStatus>('available', 'available', 'away', 'offline');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('enqueue' as const), user, queue: fc.nat(QUEUES.length - 1), priority: fc.constantFrom(0, 0, 1, 2), since: fc.nat(1_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), user }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('claim' as const), user, advisor: adv, waiting: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), conv: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unclaim' as const), conv: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), advisor: adv, status }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('upsert' as const), advisor: adv, status, variant: fc.nat(2) }) },
);

function profileOf(advisor: number, variant = 0) {
  const id = ADVISORS[advisor]!;
  const skills = [{}, { provinces: ['MI'] }, { audiences: ['employer' as Audience], languages: ['it'] }][variant]!;
  return { ...sampleProfile(id, CAPACITY[id]!, skills), name: `Advisor ${id} v${variant}` };
}

/** What one run remembers: the conversations claimed so far and each user's entry at the claim. */
interface Run {
  claimed: { conversationId: string; entry: QueueEntry }[];
}

async function setup(state: RoutingState): Promise<void> {
  for (let i = 0; i < ADVISORS.length; i++) await state.upsertAdvisor(profileOf(i), 'available', T0);
}

/** Waiting users, queues by key, each in serving order: the same list for equal states. */
function waitingUsers(snap: RoutingSnapshot): string[] {
  return [...snap.queues.keys()].sort().flatMap((k) => snap.queues.get(k)!.map((e) => e.userId));
}

const withoutOrder = (e: QueueEntry | null) => {
  if (!e) return null;
  const { order: _order, ...rest } = e;
  return rest;
};

/** Applies `op` (step `step`) and returns its result in a comparable form. */
async function apply(state: RoutingState, run: Run, op: Op, step: number, entryAtClaim?: QueueEntry | null): Promise<unknown> {
  const now = T0 + step;
  switch (op.kind) {
    case 'enqueue': {
      const [province, audience] = QUEUES[op.queue]!;
      const r = await state.enqueue(sampleEntry(USERS[op.user]!, { province, audience, role: audience, priority: op.priority, since: op.since }));
      return r.ok ? { ok: true, entry: withoutOrder(r.entry) } : r.reason === 'already_waiting' ? { ...r, entry: withoutOrder(r.entry) } : r;
    }
    case 'cancel':
      return withoutOrder(await state.cancel(USERS[op.user]!));
    case 'claim': {
      const userId = op.waiting ? waitingUsers(await state.snapshot())[op.user] ?? 'nobody' : USERS[op.user]!;
      const entry = entryAtClaim === undefined ? await state.waitingEntry(userId) : entryAtClaim;
      const conversationId = `c${step}`;
      const result = await state.claim(userId, ADVISORS[op.advisor]!, conversationId, now);
      if (result === 'ok' && entry) run.claimed.push({ conversationId, entry });
      return result;
    }
    case 'release': {
      const conversationId = run.claimed[op.conv % (run.claimed.length + 1)]?.conversationId ?? 'c-unknown';
      await state.release(conversationId, now);
      return conversationId;
    }
    case 'unclaim': {
      const claim = run.claimed[op.conv % Math.max(run.claimed.length, 1)];
      if (claim) await state.unclaim(claim.conversationId, claim.entry, now);
      return claim?.conversationId ?? null;
    }
    case 'status':
      return state.setAdvisorStatus(ADVISORS[op.advisor]!, op.status, now);
    case 'upsert':
      return state.upsertAdvisor(profileOf(op.advisor, op.variant), op.status, now);
  }
}

/** Snapshot with queues sorted by key, advisors by id, and orders replaced by their rank. */
function normalise(snap: RoutingSnapshot) {
  const orders = [...snap.queues.values()].flat().map((e) => e.order!).sort((a, b) => a - b);
  const rank = new Map(orders.map((o, i) => [o, i]));
  return {
    queues: [...snap.queues.keys()].sort().map((k) => [k, snap.queues.get(k)!.map((e) => ({ ...e, order: rank.get(e.order!) }))]),
    advisors: [...snap.advisors].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

/** The invariants of routing-state.ts, checked on a snapshot and each user's view. */
async function checkInvariants(state: RoutingState, where: string): Promise<RoutingSnapshot> {
  const [snap, waiting, conversation] = await Promise.all([
    state.snapshot(),
    Promise.all(USERS.map((u) => state.waitingEntry(u))),
    Promise.all(USERS.map((u) => state.conversationOf(u))),
  ]);
  const queued = new Map<string, QueueEntry>();
  const orders = new Set<number>();
  for (const [key, queue] of snap.queues) {
    assert.ok(queue.length > 0, `${where}: empty queue ${key} listed`);
    queue.forEach((e, i) => {
      assert.is(queueKey(e.province, e.audience), key, `${where}: ${e.userId} in the wrong queue`);
      assert.not.ok(queued.has(e.userId), `${where}: ${e.userId} waits twice`);
      queued.set(e.userId, e);
      assert.not.ok(orders.has(e.order!), `${where}: order ${e.order} used twice`);
      orders.add(e.order!);
      if (i > 0) assert.ok(compareEntries(queue[i - 1]!, e) < 0, `${where}: ${key} out of serving order at ${i}`);
    });
  }
  const holder = new Map<string, string>();
  for (const a of snap.advisors) {
    assert.ok(a.conversations.length <= CAPACITY[a.id]!, `${where}: ${a.id} holds ${a.conversations.length} > ${CAPACITY[a.id]}`);
    for (const c of a.conversations) {
      assert.not.ok(holder.has(c), `${where}: ${c} held twice`);
      holder.set(c, a.id);
    }
  }
  const inConversation = new Set<string>();
  USERS.forEach((u, i) => {
    const w = waiting[i];
    const c = conversation[i];
    assert.not.ok(w && c, `${where}: ${u} waits and is in ${c}`);
    assert.equal(w ?? null, queued.get(u) ?? null, `${where}: waitingEntry(${u}) disagrees with the snapshot`);
    if (c) {
      assert.ok(holder.has(c), `${where}: ${u} is in ${c}, which no advisor holds`);
      assert.not.ok(inConversation.has(c), `${where}: ${c} has two users`);
      inConversation.add(c);
    }
  });
  assert.is(inConversation.size, holder.size, `${where}: a held conversation has no user`);
  return snap;
}

const describe = (ops: Op[]) => ops.map((o, i) => `${i}:${JSON.stringify(o)}`).join('\n');

/** Runs `ops` one at a time on `sut`, checking invariants, and when `model` is given comparing with it. */
async function sequential(sut: RoutingState, ops: Op[], model?: RoutingState): Promise<void> {
  const runs: Run[] = [{ claimed: [] }, { claimed: [] }];
  await setup(sut);
  if (model) await setup(model);
  for (let step = 0; step < ops.length; step++) {
    const where = `step ${step} ${JSON.stringify(ops[step])}`;
    const got = await apply(sut, runs[0]!, ops[step]!, step);
    const snap = await checkInvariants(sut, where);
    if (!model) continue;
    const expected = await apply(model, runs[1]!, ops[step]!, step);
    assert.equal(got, expected, `${where}: result differs from the model`);
    assert.equal(normalise(snap), normalise(await model.snapshot()), `${where}: snapshot differs from the model`);
  }
}

/** Runs `ops` in concurrent batches spread over `nodes` (states on one shared store), checking invariants after each batch. */
async function concurrent(nodes: RoutingState[], batches: Op[][]): Promise<void> {
  const run: Run = { claimed: [] };
  await setup(nodes[0]!);
  let step = 0;
  for (const batch of batches) {
    const before = await nodes[0]!.snapshot();
    const entries = new Map([...before.queues.values()].flat().map((e) => [e.userId, e]));
    const waiting = waitingUsers(before);
    await Promise.all(
      batch.map((op) => {
        const at = step++;
        if (op.kind !== 'claim') return apply(nodes[at % nodes.length]!, run, op, at);
        const userId = op.waiting ? waiting[op.user] : USERS[op.user];
        const fixed: Op = { ...op, waiting: false, user: userId ? USERS.indexOf(userId) : op.user };
        return apply(nodes[at % nodes.length]!, run, fixed, at, entries.get(USERS[fixed.user]!) ?? null);
      }),
    );
    await checkInvariants(nodes[0]!, `after batch ending at step ${step}`);
  }
}

const NUM_RUNS = Number(process.env.PROPS_RUNS ?? 100);

const memory = suite('routing state properties: in-process');

memory('invariants hold after every step of random operation sequences', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 40, size: 'max' }), async (ops) => sequential(new MemoryRoutingState(), ops)),
    { numRuns: NUM_RUNS },
  );
});

memory('invariants hold after concurrent batches of random operations', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 8, size: 'max' }), { maxLength: 6, size: 'max' }), async (batches) => {
      await concurrent([new MemoryRoutingState()], batches);
    }),
    { numRuns: NUM_RUNS / 2 },
  );
});

memory.run();

if (redisAnswersSync(redisUrl, 1_000)) registerRedisSuite();
else console.log(skipLine(redisUrl, 'routing-state properties'));

function registerRedisSuite(): void {
  const runPrefix = `test:${randomUUID()}`;
  const clients: Redis[] = [createRedis(redisUrl, { name: 'routing-state-props-a' }), createRedis(redisUrl, { name: 'routing-state-props-b' })];
  const [a, b] = clients as [Redis, Redis];
  let n = 0;

  /** A fresh prefix, and its keys deleted when `body` ends. */
  const withPrefix = async (body: (prefix: string) => Promise<void>) => {
    const prefix = `${runPrefix}:${n++}`;
    try {
      await body(prefix);
    } finally {
      await a.del(...Object.values(routingStateKeys(prefix)));
    }
  };

  const redis = suite('routing state properties: Redis');

  redis.before(async () => {
    await Promise.all(clients.map((c) => waitReady(c, 3_000)));
  });

  redis.after(async () => {
    try {
      if (a.status === 'ready') await deleteKeys(a, `${runPrefix}:`);
    } finally {
      for (const c of clients) await c.quit().catch(() => c.disconnect());
    }
  });

  redis('Redis answers like the in-process model and keeps the invariants after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40, size: 'max' }), (ops) =>
        withPrefix(async (prefix) => {
          try {
            await sequential(new RedisRoutingState(a, { prefix }), ops, new MemoryRoutingState());
          } catch (err) {
            (err as Error).message += `\nops:\n${describe(ops)}`;
            throw err;
          }
        }),
      ),
      { numRuns: NUM_RUNS },
    );
  });

  redis('invariants hold when two nodes fire random operations concurrently', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 8, size: 'max' }), { maxLength: 6, size: 'max' }), (batches) =>
        withPrefix((prefix) => concurrent([new RedisRoutingState(a, { prefix }), new RedisRoutingState(b, { prefix })], batches)),
      ),
      { numRuns: NUM_RUNS / 2 },
    );
  });

  redis.run();
}

