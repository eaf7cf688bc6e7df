/**
 * 7. HTTP with autocannon, against bare `node:http` answering a fixed JSON body
 * (bench/baselines/http-hello.ts), both pinned to the server core:
 *   GET  /api/v1/availability?province=MI      (schedule, holidays; no I/O)
 *   POST /api/v1/tickets  with a worker token   (JWT verified, sede chosen, rows written)
 *
 * Fixed autocannon flags: 50 connections, pipelining 1, 5 s (quick) or 15 s (full)
 * per measured run, each preceded by a 1 s (quick) or 3 s (full) warm-up run whose
 * figures are discarded. Two phases, each A B A B with the hello measured beside its
 * route: hello / availability (3 rounds quick, 5 full), then hello / tickets (3 rounds).
 * Availability goes first because the tickets' after-work (notices, the outbox) would
 * still be running on the server's core during it. A ratio is the median over the
 * rounds of route/hello; only 2xx answers count. The CPU time each server process used
 * per answered request over the measured runs is reported beside it: on this shared
 * machine a round's rate swings ±25 %, CPU per request far less.
 */
import { redisPrefix, throwawayDatabase, deleteRedisKeys } from '../lib/env.ts';
import { startInfoCig, type InfoCigNode } from '../lib/infocig.ts';
import { spawnNode, type Proc } from '../lib/proc.ts';
import { alternate, median, pairedRatio, round } from '../lib/stats.ts';
import { atLeast, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';

export const AUTOCANNON_FLAGS = { connections: 50, pipelining: 1 } as const;

interface Run {
  rate: number;
  /** Server process CPU per 2xx answer over the measured run, µs. */
  cpuUs: number;
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
    const availabilityRounds = quick ? 3 : 5;
    const ticketRounds = 3;
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
      const procs = { hello, availability: node.proc, tickets: node.proc };
      const measure = async (name: keyof typeof targets): Promise<Run> => {
        const opts = { ...targets[name], ...AUTOCANNON_FLAGS };
        await autocannon({ ...opts, duration: warmup }); // warm-up, discarded
        const cpu0 = procs[name].cpuMs();
        const r = await autocannon({ ...opts, duration });
        const ok = r['2xx'];
        const cpuUs = ok > 0 ? round(((procs[name].cpuMs() - cpu0) * 1000) / ok, 1) : NaN;
        return { rate: ok / r.duration, cpuUs, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
      };
      const phase = (rounds: number, route: 'availability' | 'tickets') =>
        alternate(rounds, (['hello', route] as const).map((name) => ({ name, run: () => measure(name) })), ctx.log);
      const avRes = await phase(availabilityRounds, 'availability');
      const tkRes = await phase(ticketRounds, 'tickets');
      const av = pairedRatio(avRes.availability!.map((r) => r.rate), avRes.hello!.map((r) => r.rate));
      const tk = pairedRatio(tkRes.tickets!.map((r) => r.rate), tkRes.hello!.map((r) => r.rate));
      const res = { hello: [...avRes.hello!, ...tkRes.hello!], availability: avRes.availability!, tickets: tkRes.tickets! };
      const rate = (k: keyof typeof res) => Math.round(median(res[k].map((r) => r.rate)));
      const cpu = (k: keyof typeof res) => round(median(res[k].map((r) => r.cpuUs)), 1);
      const baseline = `node:http hello ${rate('hello')} req/s`;
      const checks: Check[] = [
        atLeast(`GET /api/v1/availability (${rate('availability')} req/s)`, round(av.ratio, 3), 0.9, '×', baseline),
        atLeast(`POST /api/v1/tickets (${rate('tickets')} req/s)`, round(tk.ratio, 3), 0.4, '×', baseline),
        info('server CPU per availability answer', cpu('availability'), 'µs', `hello ${cpu('hello')} µs`),
        info('server CPU per ticket created', cpu('tickets'), 'µs'),
        info('tickets p99 latency', median(res.tickets.map((r) => r.p99)), 'ms'),
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
