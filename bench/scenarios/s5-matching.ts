/**
 * 5. Matching: the routing state's atomic operations, one matching cycle being
 * enqueue (a user asks) → claim (an advisor gets them) → release (the chat ends),
 * on the in-process state and on the Redis state (one Lua script per operation,
 * three round trips per cycle, two clients standing for two nodes), against BullMQ
 * on the same Redis doing add + process of one job (what a team would otherwise
 * reach for), A B A B. The matching policy is not run here: each loop's advisor
 * stands for its proposal (the router runs the policy on a snapshot, then claims).
 *
 * Then the race: many users waiting, two "nodes" claiming every one of them at
 * once for advisors whose seats are fewer than the users; zero double assignments
 * means no user claimed twice and no advisor over capacity.
 */
import { REDIS_URL, redisPrefix, deleteRedisKeys } from '../lib/env.ts';
import { sleep } from '../lib/proc.ts';
import { alternate, measureWindow, median, pairedRatio, round, type Phase } from '../lib/stats.ts';
import { atLeast, atMost, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';
import type { QueueEntry, RoutingState } from '../../routing/routing-state.ts';

interface Run {
  rate: number;
  errors: number;
  /** Share of a core used meanwhile by Redis (INFO cpu) and by this process (the clients). */
  redisCpu?: number;
  clientCpu?: number;
}

/** Redis's own CPU seconds so far (user + sys), from INFO cpu. */
async function redisCpuSeconds(redis: import('ioredis').Redis): Promise<number> {
  const text = await redis.info('cpu');
  const get = (k: string) => Number(text.match(new RegExp(`^${k}:([\\d.]+)`, 'm'))?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

/** Wraps a run with CPU meters for Redis and for this process. */
async function metered(redis: import('ioredis').Redis, run: () => Promise<Run>): Promise<Run> {
  const r0 = await redisCpuSeconds(redis);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await run();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { ...r, redisCpu: round(((await redisCpuSeconds(redis)) - r0) / wall, 2), clientCpu: round((c.user + c.system) / 1e6 / wall, 2) };
}

function entry(userId: string): QueueEntry {
  return {
    userId,
    role: 'worker',
    name: null,
    province: 'MI',
    audience: 'worker',
    topic: 'payment',
    lang: 'it',
    entry: 'other',
    context: {},
    priority: 0,
    since: Date.now(),
  };
}

const skills = { audiences: ['worker' as const], topics: [], languages: [], provinces: [], regions: [] };

async function timedLoops(workers: number, warmupMs: number, measureMs: number, once: (w: number, n: number) => Promise<void>): Promise<Run> {
  const phase: Phase = { running: true, measuring: false };
  let done = 0;
  let errors = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let n = 0; phase.running; n++) {
      // The in-process state resolves in microtasks only: let timers (the end of the run) in.
      if ((n & 31) === 31) await new Promise<void>((r) => setImmediate(r));
      try {
        await once(w, n);
        if (phase.measuring) done++;
      } catch {
        errors++;
        await sleep(2);
      }
    }
  });
  const elapsed = await measureWindow(phase, warmupMs, measureMs);
  await Promise.all(loops);
  return { rate: (done * 1000) / elapsed, errors };
}

let roundTag = 0;

/** One cycle per loop iteration; each worker has an advisor of its own (capacity 1) on its state. */
async function cycles(states: RoutingState[], workers: number, warmupMs: number, measureMs: number): Promise<Run> {
  const tag = `r${++roundTag}`;
  const now = Date.now();
  for (let w = 0; w < workers; w++) {
    await states[w % states.length]!.upsertAdvisor({ id: `adv-${tag}-${w}`, name: null, capacity: 1, skills }, 'available', now);
  }
  return timedLoops(workers, warmupMs, measureMs, async (w, n) => {
    const state = states[w % states.length]!;
    const userId = `usr-${tag}-${w}-${n}`;
    const conv = `conv-${tag}-${w}-${n}`;
    const e = await state.enqueue(entry(userId));
    if (!e.ok) throw new Error(`enqueue: ${e.reason}`);
    const c = await state.claim(userId, `adv-${tag}-${w}`, conv, Date.now());
    if (c !== 'ok') throw new Error(`claim: ${c}`);
    await state.release(conv, Date.now());
  });
}

async function bullmqRound(prefix: string, workers: number, warmupMs: number, measureMs: number): Promise<Run> {
  const { Queue, Worker } = await import('bullmq');
  const url = new URL(REDIS_URL);
  const connection = { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0), maxRetriesPerRequest: null };
  const name = `match-${++roundTag}`;
  const queue = new Queue(name, { connection, prefix });
  let completed = 0;
  const phase: Phase = { running: true, measuring: false };
  const worker = new Worker(name, async () => {}, { connection, prefix, concurrency: workers });
  worker.on('completed', () => {
    if (phase.measuring) completed++;
  });
  worker.on('error', () => {});
  await worker.waitUntilReady();
  let errors = 0;
  const adders = Array.from({ length: workers }, async (_, w) => {
    for (let n = 0; phase.running; n++) {
      try {
        await queue.add('match', { userId: `usr-${w}-${n}` }, { removeOnComplete: true, removeOnFail: true });
      } catch {
        errors++;
        await sleep(2);
      }
    }
  });
  const elapsed = await measureWindow(phase, warmupMs, measureMs);
  await Promise.all(adders);
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  return { rate: (completed * 1000) / elapsed, errors };
}

/** Two claimers race for every waiting user; seats (advisors × capacity) are half the users. */
async function race(a: RoutingState, b: RoutingState, users: number, concurrency: number): Promise<{ doubleClaims: number; overCapacity: number; claimed: number; seats: number; unclaimedSeats: number }> {
  const tag = `race${++roundTag}`;
  const now = Date.now();
  const advisors = 50;
  const capacity = Math.max(1, Math.floor(users / 2 / advisors));
  const seats = advisors * capacity;
  for (let i = 0; i < advisors; i++) await a.upsertAdvisor({ id: `adv-${tag}-${i}`, name: null, capacity, skills }, 'available', now);
  const ids = Array.from({ length: users }, (_, i) => `usr-${tag}-${i}`);
  for (let i = 0; i < ids.length; i += 200) await Promise.all(ids.slice(i, i + 200).map((id) => a.enqueue(entry(id))));
  const okByUser = new Map<string, number>();
  const okByAdvisor = new Map<string, number>();
  const claimer = async (state: RoutingState, order: string[], offset: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const i = next++;
          if (i >= order.length) return;
          const userId = order[i]!;
          const adv = `adv-${tag}-${(i + offset) % advisors}`;
          const r = await state.claim(userId, adv, `conv-${tag}-${offset}-${i}`, Date.now());
          if (r === 'ok') {
            okByUser.set(userId, (okByUser.get(userId) ?? 0) + 1);
            okByAdvisor.set(adv, (okByAdvisor.get(adv) ?? 0) + 1);
          }
        }
      }),
    );
  };
  await Promise.all([claimer(a, ids, 0), claimer(b, [...ids].reverse(), 7)]);
  const doubleClaims = [...okByUser.values()].filter((n) => n > 1).length;
  const overCapacity = [...okByAdvisor.values()].filter((n) => n > capacity).length;
  const claimed = [...okByUser.values()].reduce((s, n) => s + n, 0);
  // The state's own view must agree: nobody above capacity.
  const snap = await a.snapshot();
  const stateOver = snap.advisors.filter((x) => x.id.startsWith(`adv-${tag}-`) && x.conversations.length > x.capacity).length;
  return { doubleClaims, overCapacity: overCapacity + stateOver, claimed, seats, unclaimedSeats: seats - claimed };
}

export const matching: Scenario = {
  id: 'matching',
  number: 5,
  title: 'Matching (routing state)',
  async run(ctx: BenchContext) {
    const quick = ctx.mode === 'quick';
    const warmupMs = quick ? 500 : 2000;
    const measureMs = quick ? 2500 : 10_000;
    const workers = 32;
    const rounds = 3;
    const raceUsers = quick ? 2000 : 20_000;
    const notes: string[] = [];

    const { MemoryRoutingState } = await import('../../routing/routing-state-memory.ts');
    const { connectRedisRoutingState } = await import('../../server/routing-state-redis.ts');
    let bullmq = true;
    try {
      await import('bullmq');
    } catch {
      bullmq = false;
      notes.push('BullMQ is not installed (npm i -D bullmq): the baseline was skipped, no ratio.');
    }
    const prefix = redisPrefix(ctx.runId, 's5');
    const memory = new MemoryRoutingState();
    const nodeA = await connectRedisRoutingState(REDIS_URL, { prefix: `${prefix}:rs`, name: 'bench-s5-a' });
    const nodeB = await connectRedisRoutingState(REDIS_URL, { prefix: `${prefix}:rs`, name: 'bench-s5-b' });
    const { Redis } = await import('ioredis');
    const probe = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    probe.on('error', () => {});
    try {
      const systems = [
        { name: 'memory state', run: () => cycles([memory], workers, warmupMs, measureMs) },
        { name: 'Redis state', run: () => metered(probe, () => cycles([nodeA, nodeB], workers, warmupMs, measureMs)) },
        ...(bullmq ? [{ name: 'BullMQ', run: () => metered(probe, () => bullmqRound(`${prefix}:bull`, workers, warmupMs, measureMs)) }] : []),
      ];
      ctx.log(`  ${workers} concurrent loops; one cycle = enqueue → claim → release (3 atomic operations)`);
      const res = await alternate(rounds, systems, ctx.log);
      const rate = (k: string) => median(res[k]!.map((r) => r.rate));
      const checks: Check[] = [];
      if (bullmq) {
        const redisVs = pairedRatio(res['Redis state']!.map((r) => r.rate), res.BullMQ!.map((r) => r.rate));
        const memVs = pairedRatio(res['memory state']!.map((r) => r.rate), res.BullMQ!.map((r) => r.rate));
        const base = `BullMQ add+process ${Math.round(rate('BullMQ'))} jobs/s`;
        checks.push(atLeast(`Redis state cycles/s (${Math.round(rate('Redis state'))}/s, two clients)`, round(redisVs.ratio, 3), 2, '×', base));
        checks.push(info(`memory state cycles/s (${Math.round(rate('memory state'))}/s)`, round(memVs.ratio, 1), '×', base));
        const cpu = (k: string, f: 'redisCpu' | 'clientCpu') => Math.round(median(res[k]!.map((r) => r[f] ?? NaN)) * 100);
        // CPU time per cycle (per job): what the rate costs, whatever else the machine was doing.
        const perCycle = (k: string, f: 'redisCpu' | 'clientCpu') => round(median(res[k]!.map((r) => ((r[f] ?? NaN) / r.rate) * 1e6)), 1);
        checks.push(info('Redis CPU during the Redis-state runs', cpu('Redis state', 'redisCpu'), '%', `BullMQ runs: ${cpu('BullMQ', 'redisCpu')} %; clients (this process): ${cpu('Redis state', 'clientCpu')} % / ${cpu('BullMQ', 'clientCpu')} %`));
        checks.push(info('CPU per Redis-state cycle: Redis', perCycle('Redis state', 'redisCpu'), 'µs', `client ${perCycle('Redis state', 'clientCpu')} µs; per BullMQ job: Redis ${perCycle('BullMQ', 'redisCpu')} µs, client ${perCycle('BullMQ', 'clientCpu')} µs`));
      } else {
        checks.push(info('Redis state cycles/s', Math.round(rate('Redis state')), '/s'));
        checks.push(info('memory state cycles/s', Math.round(rate('memory state')), '/s'));
      }
      ctx.log(`  race: ${raceUsers} waiting users, two claimers, seats for half of them`);
      const redisRace = await race(nodeA, nodeB, raceUsers, 64);
      const memRace = await race(memory, memory, Math.min(raceUsers, 5000), 64);
      const doubles = redisRace.doubleClaims + redisRace.overCapacity + memRace.doubleClaims + memRace.overCapacity;
      checks.push(atMost(`double assignments (${raceUsers} users raced by two Redis clients; in-process too)`, doubles, 0, ''));
      if (redisRace.unclaimedSeats !== 0) notes.push(`race: ${redisRace.unclaimedSeats} seats left empty although users were waiting`);
      const errors = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.reduce((s, r) => s + r.errors, 0)]));
      if (Object.values(errors).some((n) => n > 0)) notes.push(`operations that failed (not counted): ${JSON.stringify(errors)}`);
      return { checks, notes, details: { workers, rounds: res, race: { redis: redisRace, memory: memRace }, errors } };
    } finally {
      probe.disconnect();
      await nodeA.close();
      await nodeB.close();
      await deleteRedisKeys(prefix).catch(() => {});
    }
  },
};
