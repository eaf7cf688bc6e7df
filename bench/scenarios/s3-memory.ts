/**
 * 3. Memory per idle signed-in connection, INFO CIG (one node, PostgreSQL +
 * Redis) against the raw ws relay, A B A B, each trial on a fresh server process:
 * 100 warm-up connections, forced GC (through the inspector), memory; then N
 * more signed-in connections (INFO CIG: hello with a token, welcome; raw ws:
 * hello, welcome), forced GC, memory. Per connection = the difference ÷ N.
 * Then growth: the last INFO CIG trial keeps its connections idle for 1 min
 * (quick) or 10 min (full), sampling memory after a forced GC every 5 s (the
 * 25 s heartbeat pings go on meanwhile).
 */
import { ChatSocket } from '../lib/chat-socket.ts';
import { redisPrefix, throwawayDatabase, deleteRedisKeys } from '../lib/env.ts';
import { mapLimit, startInfoCig, type InfoCigNode } from '../lib/infocig.ts';
import { Inspector, type MemoryUsage } from '../lib/inspector.ts';
import { sleep, spawnNode, type Proc } from '../lib/proc.ts';
import { alternate, median, pairedRatio, round } from '../lib/stats.ts';
import { atMost, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';

interface Trial {
  perConnRss: number;
  perConnHeap: number;
  perConnExternal: number;
  before: MemoryUsage;
  after: MemoryUsage;
  opened: number;
  openMs: number;
}

const WARM = 100;

interface Growth {
  samples: { t: number; rss: number; heapUsed: number; external: number }[];
  rssPct: number;
  /** JS heap + external memory after a forced GC: what a leak would grow. */
  livePct: number;
  held: number;
}

async function measureTrial(
  inspector: Inspector,
  n: number,
  open: (i: number) => Promise<ChatSocket>,
  sockets: ChatSocket[],
): Promise<Trial> {
  await mapLimit(Array.from({ length: WARM }, (_, i) => i), 50, async (i) => sockets.push(await open(i)));
  await sleep(1000);
  const before = await inspector.settledMemory();
  const t0 = Date.now();
  await mapLimit(Array.from({ length: n }, (_, i) => WARM + i), 100, async (i) => sockets.push(await open(i)));
  const openMs = Date.now() - t0;
  for (const s of sockets) {
    s.keep = false;
    s.frames.length = 0;
  }
  await sleep(2000);
  const after = await inspector.settledMemory();
  return {
    perConnRss: (after.rss - before.rss) / n,
    perConnHeap: (after.heapUsed - before.heapUsed) / n,
    perConnExternal: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / n,
    before,
    after,
    opened: n,
    openMs,
  };
}

export const memory: Scenario = {
  id: 'memory',
  number: 3,
  title: 'Memory per idle connection',
  async run(ctx: BenchContext) {
    const quick = ctx.mode === 'quick';
    const n = quick ? 2000 : 10_000;
    const growthMs = quick ? 60_000 : 600_000;
    const rounds = 3;
    const notes: string[] = [];
    const db = await throwawayDatabase('s3');
    const prefix = redisPrefix(ctx.runId, 's3');
    let trial = 0;
    const kept: { growth: Growth | null } = { growth: null };
    try {
      const runInfoCig = async (round: number): Promise<Trial> => {
        const sockets: ChatSocket[] = [];
        let node: InfoCigNode | null = null;
        let inspector: Inspector | null = null;
        try {
          node = await startInfoCig({ name: `infocig-mem-${++trial}`, databaseUrl: db.url, redisPrefix: `${prefix}-${trial}`, inspect: true });
          inspector = await Inspector.attach(node.proc);
          const claims = Array.from({ length: WARM + n }, (_, i) => ({ role: 'worker', sub: `usr-mem-${trial}-${i}`, province: 'MI', name: `Lavoratore ${i}` }));
          const tokens = await node.tokens(claims, 32);
          const wsUrl = node.wsUrl;
          const r = await measureTrial(inspector, n, async (i) => (await ChatSocket.signIn(wsUrl, claims[i]!.sub, { token: tokens[i] }))[0], sockets);
          if (round === rounds - 1) {
            ctx.log(`    holding ${sockets.length} idle connections for ${growthMs / 1000} s`);
            const samples: { t: number; rss: number; heapUsed: number; external: number }[] = [];
            await sleep(5000); // let the allocator hand back what the sign-ins left
            const t0 = Date.now();
            for (;;) {
              const m = await inspector.settledMemory();
              samples.push({ t: Math.round((Date.now() - t0) / 1000), rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers });
              if (Date.now() - t0 >= growthMs) break;
              await sleep(Math.min(5000, growthMs - (Date.now() - t0)));
            }
            const first = samples[0]!;
            const last = samples[samples.length - 1]!;
            kept.growth = {
              samples,
              rssPct: ((last.rss - first.rss) / first.rss) * 100,
              livePct: ((last.heapUsed + last.external - first.heapUsed - first.external) / (first.heapUsed + first.external)) * 100,
              held: sockets.filter((s) => s.open).length,
            };
          }
          return r;
        } finally {
          inspector?.close();
          for (const s of sockets) s.terminate();
          await node?.stop();
        }
      };
      const runRaw = async (): Promise<Trial> => {
        const sockets: ChatSocket[] = [];
        let proc: Proc | null = null;
        let inspector: Inspector | null = null;
        try {
          proc = spawnNode({ name: 'ws-relay-mem', script: 'bench/baselines/ws-relay.ts', nodeFlags: ['--inspect=127.0.0.1:0'] });
          const url = (await proc.waitFor(/ws-relay listening on (ws:\/\/\S+)/))[1]!;
          inspector = await Inspector.attach(proc);
          return await measureTrial(inspector, n, async (i) => (await ChatSocket.signIn(url, `u${i}`, { user: `u${i}`, conversations: [`conv-${i}`] }))[0], sockets);
        } finally {
          inspector?.close();
          for (const s of sockets) s.terminate();
          await proc?.stop();
        }
      };
      ctx.log(`  ${n} idle signed-in connections per trial, memory after forced GC`);
      const res = await alternate<Trial>(
        rounds,
        [
          { name: 'INFO CIG', run: runInfoCig },
          { name: 'raw ws', run: runRaw },
        ],
        ctx.log,
        (t) => `${(t.perConnRss / 1024).toFixed(1)} KiB RSS, ${(t.perConnHeap / 1024).toFixed(1)} KiB heap per connection (${t.opened} opened in ${(t.openMs / 1000).toFixed(1)} s)`,
      );
      const ic = res['INFO CIG']!;
      const rw = res['raw ws']!;
      const kib = (xs: Trial[], f: (t: Trial) => number) => round(median(xs.map(f)) / 1024, 2);
      const ratio = pairedRatio(ic.map((t) => t.perConnRss), rw.map((t) => t.perConnRss));
      const checks: Check[] = [
        atMost('RSS per idle signed-in connection', kib(ic, (t) => t.perConnRss), 16, 'KiB', `raw ws ${kib(rw, (t) => t.perConnRss)} KiB`),
        atMost('vs raw ws (RSS per connection)', round(ratio.ratio, 3), 1.5, '×', `raw ws ${kib(rw, (t) => t.perConnRss)} KiB`),
        info('JS heap per connection', kib(ic, (t) => t.perConnHeap), 'KiB', `raw ws ${kib(rw, (t) => t.perConnHeap)} KiB`),
      ];
      const g = kept.growth;
      if (g) {
        checks.push(atMost(`growth of live memory (heap + external, after GC) over ${growthMs / 60_000} min idle, ${g.held} connections`, round(g.livePct, 2), 2, '%'));
        checks.push(info(`RSS change over the same ${growthMs / 60_000} min`, round(g.rssPct, 2), '%'));
        if (quick) notes.push('growth over 1 minute in quick mode; the target is for 10 minutes (--full).');
      }
      return { checks, notes, details: { connections: n, trials: res, ratios: ratio.ratios, growth: g } };
    } finally {
      await db.drop();
      await deleteRedisKeys(prefix).catch(() => {});
    }
  },
};
