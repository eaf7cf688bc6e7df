/**
 * 7. HTTP with autocannon, against bare `node:http` answering a fixed JSON body
 * (bench/baselines/http-hello.ts), both pinned to the server core:
 *   GET  /api/v1/availability?province=MI      (schedule, holidays; no I/O)
 *   POST /api/v1/tickets  with a worker token   (JWT verified, sede chosen, rows written)
 *
 * Fixed autocannon flags: 50 connections, pipelining 1, 5 s (quick) or 15 s (full)
 * per measured run, each preceded by a 1 s (quick) or 3 s (full) warm-up run whose
 * figures are discarded. hello, availability, tickets, then again, three rounds; a
 * ratio is the median over the rounds of route/hello. Only 2xx answers count.
 */
import { redisPrefix, throwawayDatabase, deleteRedisKeys } from '../lib/env.ts';
import { startInfoCig, type InfoCigNode } from '../lib/infocig.ts';
import { spawnNode, type Proc } from '../lib/proc.ts';
import { alternate, median, pairedRatio, round } from '../lib/stats.ts';
import { atLeast, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';

export const AUTOCANNON_FLAGS = { connections: 50, pipelining: 1 } as const;

interface Run {
  rate: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export const http: Scenario = {
  id: 'http',
  number: 7,
  title: 'HTTP (autocannon)',
  async run(ctx: BenchContext) {
    const quick = ctx.mode === 'quick';
    const duration = quick ? 5 : 15;
    const warmup = quick ? 1 : 3;
    const rounds = 3;
    const { default: autocannon } = await import('autocannon');

    const db = await throwawayDatabase('s7');
    const prefix = redisPrefix(ctx.runId, 's7');
    let node: InfoCigNode | null = null;
    let hello: Proc | null = null;
    try {
      hello = spawnNode({ name: 'http-hello', script: 'bench/baselines/http-hello.ts' });
      node = await startInfoCig({ name: 'infocig-http', databaseUrl: db.url, redisPrefix: prefix, profile: ctx.profile });
      const helloUrl = (await hello.waitFor(/http-hello listening on (http:\/\/\S+)/))[1]!;
      const token = await node.token({ role: 'worker', sub: 'usr-bench-http', province: 'MI', name: 'Mario Rossi' });
      const ticketBody = JSON.stringify({ subject: 'Pagamento CIGO di marzo', category: 'payment', body: 'Non ho ricevuto il pagamento della CIGO di marzo.' });
      const targets = {
        hello: { url: `${helloUrl}/` },
        availability: { url: `${node.url}/api/v1/availability?province=MI` },
        tickets: {
          url: `${node.url}/api/v1/tickets`,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: ticketBody,
        },
      } as const;
      const measure = async (name: keyof typeof targets): Promise<Run> => {
        const opts = { ...targets[name], ...AUTOCANNON_FLAGS };
        await autocannon({ ...opts, duration: warmup }); // warm-up, discarded
        const r = await autocannon({ ...opts, duration });
        const ok = r['2xx'];
        return { rate: ok / r.duration, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
      };
      const res = await alternate(
        rounds,
        (['hello', 'availability', 'tickets'] as const).map((name) => ({ name, run: () => measure(name) })),
        ctx.log,
      );
      const h = res.hello!.map((r) => r.rate);
      const av = pairedRatio(res.availability!.map((r) => r.rate), h);
      const tk = pairedRatio(res.tickets!.map((r) => r.rate), h);
      const rate = (k: string) => Math.round(median(res[k]!.map((r) => r.rate)));
      const baseline = `node:http hello ${rate('hello')} req/s`;
      const checks: Check[] = [
        atLeast(`GET /api/v1/availability (${rate('availability')} req/s)`, round(av.ratio, 3), 0.9, '×', baseline),
        atLeast(`POST /api/v1/tickets (${rate('tickets')} req/s)`, round(tk.ratio, 3), 0.4, '×', baseline),
        info('tickets p99 latency', median(res.tickets!.map((r) => r.p99)), 'ms'),
      ];
      const non2xx = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.reduce((s, r) => s + r.non2xx + r.errors, 0)]));
      const notes: string[] = [];
      if (Object.values(non2xx).some((n) => n > 0)) notes.push(`non-2xx answers or errors (not counted): ${JSON.stringify(non2xx)}`);
      return {
        checks,
        notes,
        details: { flags: { ...AUTOCANNON_FLAGS, duration, warmup }, ratios: { availability: av.ratios, tickets: tk.ratios }, rounds: res, non2xx },
      };
    } finally {
      await node?.stop();
      await hello?.stop();
      await db.drop();
      await deleteRedisKeys(prefix).catch(() => {});
    }
  },
};
