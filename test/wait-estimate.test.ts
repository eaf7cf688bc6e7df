/**
 * How honest is the wait we announce? A simulated afternoon (seeded, so the figures
 * are repeatable): users arrive at random, advisors take them with the real matching
 * policy, chats last a random time. Each user's announced wait at joining is compared
 * with the wait they really had. The figures are printed; docs/routing.md quotes them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandlingStats, waitInfos } from '../routing/eta.ts';
import { longestWaitingLowestLoad, type MatchContext } from '../routing/matching.ts';
import { regionOf } from '../routing/provinces.ts';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import type { QueueEntry } from '../routing/routing-state.ts';

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  announced: number;
  naive: number;
  actual: number;
}

async function simulate(seed: number, o: { advisors: number; capacity: number; meanHandle: number; load: number; hours: number }) {
  const rnd = mulberry32(seed);
  const exp = (mean: number) => -Math.log(1 - rnd()) * mean;
  const state = new MemoryRoutingState();
  const stats = new HandlingStats(50, 300);
  const ctx: MatchContext = { now: 0, regionOf };
  for (let i = 0; i < o.advisors; i++) {
    await state.upsertAdvisor({ id: `a${i}`, name: null, capacity: o.capacity, skills: { audiences: [], topics: [], languages: [], provinces: [], regions: [] } }, 'available', 0);
  }
  const arrivalsPerSecond = (o.load * o.advisors * o.capacity) / o.meanHandle;
  const joined = new Map<string, { at: number; announced: number; naive: number }>();
  const ending: { at: number; conversationId: string; started: number }[] = [];
  const outcomes: Outcome[] = [];
  let n = 0;
  for (let t = 0; t < o.hours * 3600; t++) {
    ctx.now = t * 1000;
    for (let i = ending.length - 1; i >= 0; i--) {
      const e = ending[i]!;
      if (e.at > t) continue;
      await state.release(e.conversationId, t * 1000);
      stats.add(e.at - e.started);
      ending.splice(i, 1);
    }
    if (rnd() < arrivalsPerSecond) {
      const userId = `u${n++}`;
      const entry: QueueEntry = { userId, role: 'worker', name: null, province: 'MI', audience: 'worker', topic: 'payment', lang: 'it', entry: 'omnia', context: {}, priority: 0, since: t * 1000 };
      await state.enqueue(entry);
      const info = waitInfos(await state.snapshot(), ctx, stats.mean()).get(userId)!;
      joined.set(userId, { at: t, announced: info.etaSeconds!, naive: info.position * stats.mean() });
    }
    for (const p of longestWaitingLowestLoad(await state.snapshot(), ctx)) {
      const conversationId = `c-${p.userId}`;
      if ((await state.claim(p.userId, p.advisorId, conversationId, t * 1000)) !== 'ok') continue;
      const j = joined.get(p.userId)!;
      outcomes.push({ announced: j.announced, naive: j.naive, actual: t - j.at });
      ending.push({ at: t + Math.max(30, Math.round(exp(o.meanHandle))), conversationId, started: t });
    }
  }
  const mae = (k: 'announced' | 'naive') => outcomes.reduce((s, x) => s + Math.abs(x[k] - x.actual), 0) / outcomes.length;
  const bias = outcomes.reduce((s, x) => s + (x.announced - x.actual), 0) / outcomes.length;
  const meanWait = outcomes.reduce((s, x) => s + x.actual, 0) / outcomes.length;
  const waited = outcomes.filter((x) => x.actual >= 60);
  const within = (f: number) => waited.filter((x) => Math.abs(x.announced - x.actual) <= f * x.actual).length / Math.max(1, waited.length);
  return { users: outcomes.length, meanWait, mae: mae('announced'), naiveMae: mae('naive'), bias, within50: within(0.5) };
}

test('the announced wait tracks the real wait in a busy simulated afternoon, and beats position × handling time', async () => {
  const r = await simulate(20261123, { advisors: 6, capacity: 3, meanHandle: 300, load: 0.95, hours: 3 });
  console.log(
    `# wait estimate, 6 advisors × 3 seats, load 0.95, 3 h, ${r.users} users: mean wait ${r.meanWait.toFixed(0)} s, ` +
      `mean absolute error ${r.mae.toFixed(0)} s (position × handling time: ${r.naiveMae.toFixed(0)} s), bias ${r.bias.toFixed(0)} s, ` +
      `${(r.within50 * 100).toFixed(0)}% of waits over a minute announced within ±50%`,
  );
  assert.ok(r.users > 500, 'enough users to judge');
  assert.ok(r.mae < r.naiveMae / 2, `our error ${r.mae.toFixed(0)} s should be under half the naive ${r.naiveMae.toFixed(0)} s`);
  assert.ok(r.mae < Math.max(60, r.meanWait * 0.6), `error ${r.mae.toFixed(0)} s against a mean wait of ${r.meanWait.toFixed(0)} s`);
});

test('with spare seats the announced wait is zero and so is the real one', async () => {
  const r = await simulate(7, { advisors: 6, capacity: 3, meanHandle: 300, load: 0.3, hours: 1 });
  assert.ok(r.meanWait < 5, `mean wait ${r.meanWait}`);
  assert.ok(r.mae < 10, `error ${r.mae}`);
});

test.run();
