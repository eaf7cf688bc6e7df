/**
 * 2. Latency at half of scenario 1's maximum rate: open loop (a fixed rate, sent
 * on a 1 ms clock whatever the answers do), on the same two INFO CIG nodes and
 * conversations as scenario 1; end to end = send → delivery to the peer (across
 * nodes, after the commit). The raw ws relay runs at the same rate as a reference.
 * Run alone (--only 2), it sets up its own and measures the maximum first.
 */
import { closedLoop, openLoop, type ChatSystem, type LatencyResult } from '../lib/chat-load.ts';
import { infoCigChat, rawWsChat } from '../lib/chat-systems.ts';
import { alternate, fmt, median, round } from '../lib/stats.ts';
import { atMost, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';
import { CHAT_WINDOW, chatSizes } from './s1-chat-relay.ts';

export const latency: Scenario = {
  id: 'latency',
  number: 2,
  title: 'Latency at half the max rate',
  async run(ctx: BenchContext) {
    const quick = ctx.mode === 'quick';
    const { pairs, warmupMs } = chatSizes(ctx);
    const measureMs = quick ? 4000 : 15_000;
    const rounds = 3;
    const notes: string[] = [];
    let infocig = ctx.shared.get('chat:infocig') as ChatSystem | undefined;
    let raw = ctx.shared.get('chat:raw') as ChatSystem | undefined;
    ctx.shared.delete('chat:infocig');
    ctx.shared.delete('chat:raw');
    try {
      if (!infocig) infocig = await infoCigChat(ctx, pairs, 's2');
      if (!raw) raw = await rawWsChat(pairs);
      let max = ctx.shared.get('chat:maxRate') as number | undefined;
      if (!max) {
        max = (await closedLoop(infocig, { warmupMs, measureMs: quick ? 3000 : 10_000, window: CHAT_WINDOW })).rate;
        notes.push(`maximum measured here (scenario 1 did not run): ${Math.round(max)} msg/s.`);
      }
      const rate = Math.max(10, Math.round(max / 2));
      ctx.log(`  open loop at ${rate} msg/s (half of ${Math.round(max)}), ${pairs * 2} senders`);
      const ic = infocig;
      const rw = raw;
      const res = await alternate<LatencyResult>(
        rounds,
        [
          { name: 'INFO CIG', run: () => openLoop(ic, { rate, warmupMs, measureMs }) },
          { name: 'raw ws', run: () => openLoop(rw, { rate, warmupMs, measureMs }) },
        ],
        ctx.log,
        (x) => `delivery p50 ${fmt(x.delivery.p50)} ms, p99 ${fmt(x.delivery.p99)} ms (${x.delivered}/${x.sent} delivered; server CPU ${Math.round(x.cpu.server * 100)} %)`,
      );
      const r = res['INFO CIG']!;
      const w = res['raw ws']!;
      const m = (xs: LatencyResult[], f: (x: LatencyResult) => number) => round(median(xs.map(f)), 3);
      const p50 = m(r, (x) => x.delivery.p50);
      const p99 = m(r, (x) => x.delivery.p99);
      const checks: Check[] = [
        atMost(`p50 send → delivered to the peer, at ${rate} msg/s`, p50, 2, 'ms', `raw ws at the same rate: ${fmt(m(w, (x) => x.delivery.p50))} ms`),
        atMost(`p99 send → delivered to the peer`, p99, 10, 'ms', `raw ws: ${fmt(m(w, (x) => x.delivery.p99))} ms`),
        // The ack leaves when the commit is done, in the same turn as the publish to the peer's
        // node: delivery minus ack is the fan-out (Redis hop, the other node, its socket).
        info('p50 send → ack (stored)', m(r, (x) => x.ack.p50), 'ms'),
        info('p99 send → ack (stored)', m(r, (x) => x.ack.p99), 'ms'),
        info('p99 from the scheduled send (adds the generator’s timer lag)', m(r, (x) => x.fromSchedule.p99), 'ms'),
      ];
      const lost = r.reduce((s, x) => s + x.lost, 0);
      if (lost) notes.push(`${lost} messages were not delivered within 10 s after a run.`);
      const errors = r.reduce<Record<string, number>>((acc, x) => {
        for (const [k, v] of Object.entries(x.errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {});
      if (Object.keys(errors).length) notes.push(`error frames: ${JSON.stringify(errors)}`);
      return { checks, notes, details: { rate, maxRate: Math.round(max), pairs, measureMs, rounds: res } };
    } finally {
      await infocig?.close().catch(() => {});
      await raw?.close().catch(() => {});
    }
  },
};
