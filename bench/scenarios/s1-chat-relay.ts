/**
 * 1. Chat relay, 1:1: the highest rate of messages delivered to the peer, with
 * every message stored before its ack, on two INFO CIG nodes joined by Redis
 * (users on one node, advisors on the other), against a raw `ws` relay (one
 * process, nothing stored) and a Socket.IO relay with its Redis adapter (two
 * processes, nothing stored). Closed loop: each participant keeps CHAT_WINDOW
 * messages in flight. Rounds alternate INFO CIG, raw ws, Socket.IO (then in
 * reverse order).
 */
import { closedLoop, type ChatSystem, type ThroughputResult } from '../lib/chat-load.ts';
import { infoCigChat, rawWsChat, socketIoAvailable, socketIoChat } from '../lib/chat-systems.ts';
import { alternate, fmt, median, pairedRatio, round } from '../lib/stats.ts';
import { atLeast, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';

/**
 * Messages each participant keeps in flight. A maximum is only a maximum if the
 * system is saturated: with 4, INFO CIG's nodes sat at 75–81 % of their core,
 * every message waiting for its durable commit (Little's law: more in flight is
 * needed to fill a pipeline with a commit in it), while the raw relay was already
 * limited by the load core (86–89 %). Measured A B B A on a quiet machine
 * (2026-12-07, `--full --only 1`): 4 → 0.43× / 0.47× raw ws, 16 → 0.56× / 0.57×.
 * But 16 is past INFO CIG's admission bound: 500 participants × 16 = 8,000
 * messages in flight per node, and a node's group commit refuses what would
 * queue beyond 5,120 (`maxQueued`, 20 batches of 256) with a retryable
 * `store_unavailable`; the full run at 16 saw 14,209 refused. 8 is the deepest
 * window within it (4,000 per node), so every message sent is stored and
 * delivered. Every system gets the same window. BENCH_CHAT_WINDOW overrides it.
 */
export const CHAT_WINDOW = chatWindow(process.env.BENCH_CHAT_WINDOW);

function chatWindow(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 8;
  if (!/^[1-9][0-9]{0,2}$/.test(raw)) throw new Error(`BENCH_CHAT_WINDOW must be a whole number from 1 to 999, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function chatSizes(ctx: BenchContext) {
  const quick = ctx.mode === 'quick';
  return { pairs: quick ? 100 : 500, warmupMs: quick ? 1000 : 3000, measureMs: quick ? 3000 : 10_000 };
}

/** Keeps a system for scenario 2 when it runs later; otherwise closes it. */
function handOver(ctx: BenchContext, key: string, sys: ChatSystem): Promise<void> | void {
  if (ctx.selected.includes('latency')) {
    ctx.shared.set(key, sys);
    ctx.atEnd.push(async () => {
      if (ctx.shared.get(key) === sys) {
        ctx.shared.delete(key);
        await sys.close();
      }
    });
    return;
  }
  return sys.close();
}

export const chatRelay: Scenario = {
  id: 'chat-relay',
  number: 1,
  title: 'Chat relay 1:1',
  async run(ctx: BenchContext) {
    const { pairs, warmupMs, measureMs } = chatSizes(ctx);
    const rounds = 3;
    const notes: string[] = [];
    const systems: ChatSystem[] = [];
    let kept = false;
    try {
      ctx.log(`  setting up ${pairs} conversations (${pairs * 2} sockets) on each system`);
      let t = Date.now();
      const infocig = await infoCigChat(ctx, pairs, 's1');
      systems.push(infocig);
      ctx.log(`    INFO CIG: two nodes, ${pairs} users matched with ${pairs} advisors in ${Date.now() - t} ms`);
      t = Date.now();
      const raw = await rawWsChat(pairs);
      systems.push(raw);
      let sio: ChatSystem | null = null;
      if (await socketIoAvailable()) {
        sio = await socketIoChat(ctx, pairs);
        systems.push(sio);
      } else {
        notes.push('Socket.IO is not installed (npm i -D socket.io socket.io-client @socket.io/redis-adapter): that baseline was skipped.');
      }
      ctx.log(`    baselines ready in ${Date.now() - t} ms`);
      // One short run per system first, discarded: JIT, pools and connections warm before round 1.
      for (const sys of systems) await closedLoop(sys, { warmupMs: 500, measureMs: 1000, window: CHAT_WINDOW });
      const run = (sys: ChatSystem) => () => closedLoop(sys, { warmupMs, measureMs, window: CHAT_WINDOW });
      const res = await alternate<ThroughputResult>(
        rounds,
        systems.map((s) => ({ name: s.name, run: run(s) })),
        ctx.log,
        (r) => `${fmt(r.rate)} msg/s (server CPU ${Math.round(r.cpu.server * 100)} %, load ${Math.round(r.cpu.load * 100)} %)`,
      );
      const ic = res['INFO CIG']!;
      const rate = (k: string) => Math.round(median(res[k]!.map((r) => r.rate)));
      const checks: Check[] = [];
      const vsRaw = pairedRatio(ic.map((r) => r.rate), res['raw ws']!.map((r) => r.rate));
      checks.push(atLeast(`INFO CIG ${rate('INFO CIG')} msg/s vs raw ws`, round(vsRaw.ratio, 3), 0.5, '×', `raw ws relay ${rate('raw ws')} msg/s`));
      if (sio) {
        const vsSio = pairedRatio(ic.map((r) => r.rate), res['Socket.IO']!.map((r) => r.rate));
        checks.push(atLeast(`INFO CIG vs Socket.IO + Redis adapter`, round(vsSio.ratio, 3), 1.5, '×', `Socket.IO ${rate('Socket.IO')} msg/s`));
      }
      checks.push(info('INFO CIG server CPU during the runs (two nodes, one core)', round(median(ic.map((r) => r.cpu.server)) * 100, 0), '%'));
      // CPU per message does not depend on how long commits wait (the shared PostgreSQL): it
      // says what the nodes themselves cost, next to what the baselines cost for the same work.
      const perMessage = (k: string) => round(median(res[k]!.map((r) => (r.cpu.server * 1e6) / r.rate)), 1);
      const others = [`raw ws ${perMessage('raw ws')} µs`, ...(sio ? [`Socket.IO ${perMessage('Socket.IO')} µs`] : [])].join(', ');
      checks.push(info('INFO CIG server CPU per delivered message (both nodes)', perMessage('INFO CIG'), 'µs', others));
      const lost = ic.reduce((s, r) => s + r.lost, 0);
      const errors = ic.reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {});
      if (lost) notes.push(`${lost} INFO CIG messages were not delivered within 10 s of the end of a run.`);
      if (Object.keys(errors).length) notes.push(`INFO CIG error frames during the runs: ${JSON.stringify(errors)}`);
      ctx.shared.set('chat:maxRate', median(ic.map((r) => r.rate)));
      await handOver(ctx, 'chat:infocig', infocig);
      await handOver(ctx, 'chat:raw', raw);
      kept = true;
      if (sio) await sio.close();
      return {
        checks,
        notes,
        details: {
          pairs,
          window: CHAT_WINDOW,
          warmupMs,
          measureMs,
          ratios: { raw: vsRaw.ratios, ...(sio ? { socketio: pairedRatio(ic.map((r) => r.rate), res['Socket.IO']!.map((r) => r.rate)).ratios } : {}) },
          rounds: res,
        },
      };
    } finally {
      if (!kept) for (const s of systems) await s.close().catch(() => {});
    }
  },
};
