/**
 * 8. Reconnect storm: two INFO CIG nodes; N clients in N/2 conversations, every
 * user on node A and every advisor on node B, both sides writing. Node A is
 * killed (SIGKILL) under load: its N/2 users reconnect to node B the way the
 * widget does (exponential backoff from 500 ms with full jitter), say hello with
 * `resume: [{conversationId, lastSeq}]`, and send again every message not yet
 * acknowledged, with the same clientMsgId. Advisors keep writing meanwhile.
 *
 * Resumed = welcome from node B. Without loss = at the end, every message
 * acknowledged is in the database once, every message in the database reached
 * both participants once and in order (seq 1, 2, 3 … with no gap), and no
 * message is left unacknowledged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ChatSocket, type Frame } from '../lib/chat-socket.ts';
import { TEXT } from '../lib/chat-load.ts';
import { pairUp } from '../lib/chat-systems.ts';
import { redisPrefix, throwawayDatabase, deleteRedisKeys } from '../lib/env.ts';
import { startInfoCig, type InfoCigNode } from '../lib/infocig.ts';
import { Inspector } from '../lib/inspector.ts';
import { BENCH, sleep } from '../lib/proc.ts';
import { fmt, Histogram, round } from '../lib/stats.ts';
import { atLeast, atMost, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';

class Participant {
  socket: ChatSocket | null = null;
  lastSeq = 0;
  duplicates = 0;
  gaps = 0;
  sent = 0;
  readonly pending = new Map<string, number>();
  readonly acked = new Set<string>();
  resumedAt: number | null = null;
  attempts = 0;
  stopped = false;
  errors = 0;

  constructor(
    readonly sub: string,
    readonly conversationId: string,
  ) {}

  attach(socket: ChatSocket): void {
    this.socket = socket;
    socket.keep = false;
    socket.frames.length = 0;
    socket.onFrame = (f) => this.frame(f);
  }

  frame(f: Frame): void {
    if (f.type === 'message' && f.conversationId === this.conversationId) {
      const seq = f.seq as number;
      if (seq === this.lastSeq + 1) this.lastSeq = seq;
      else if (seq <= this.lastSeq) this.duplicates++;
      else {
        this.gaps++;
        this.lastSeq = seq;
      }
    } else if (f.type === 'message.ack') {
      const id = f.clientMsgId as string;
      if (this.pending.delete(id)) this.acked.add(id);
    } else if (f.type === 'error') {
      this.errors++;
    }
  }

  write(): void {
    const id = `${this.sub}.${this.sent++}`;
    this.pending.set(id, Date.now());
    if (this.socket?.open) this.socket.sendMessage(this.conversationId, id, TEXT);
  }

  resendPending(): void {
    for (const id of this.pending.keys()) this.socket?.sendMessage(this.conversationId, id, TEXT);
  }
}

export const reconnect: Scenario = {
  id: 'reconnect',
  number: 8,
  title: 'Reconnect storm',
  async run(ctx: BenchContext) {
    const quick = ctx.mode === 'quick';
    const clients = quick ? 500 : 5000;
    const pairs = clients / 2;
    const rate = quick ? 200 : 500; // messages per second, all clients together
    const beforeMs = quick ? 3000 : 10_000;
    const afterMs = quick ? 8000 : 20_000;
    const notes: string[] = [];
    if (quick) notes.push(`quick mode: ${clients} clients; --full: 5,000.`);
    const db = await throwawayDatabase('s8');
    const prefix = redisPrefix(ctx.runId, 's8');
    const nodes: InfoCigNode[] = [];
    const sockets: ChatSocket[] = [];
    const users: Participant[] = [];
    const advisors: Participant[] = [];
    let ticker: NodeJS.Timeout | null = null;
    try {
      const common = { databaseUrl: db.url, redisPrefix: prefix, profile: ctx.profile };
      const a = await startInfoCig({ name: 'infocig-storm-a', ...common });
      nodes.push(a);
      // With --profile, node B is profiled over the storm only (through the inspector), not its set-up.
      const b = await startInfoCig({ name: 'infocig-storm-b', ...common, profile: false, inspect: ctx.profile });
      nodes.push(b);
      ctx.log(`  ${pairs} users on node A, ${pairs} advisors on node B`);
      const t = Date.now();
      const senders = await pairUp(a, b, pairs, 's8', sockets);
      const setupMs = Date.now() - t;
      ctx.log(`    matched in ${(setupMs / 1000).toFixed(1)} s`);
      // pairUp gives [user, advisor] per conversation.
      for (let i = 0; i < senders.length; i += 2) {
        const u = senders[i]!;
        const adv = senders[i + 1]!;
        const pu = new Participant((u.conn as ChatSocket).who, u.conversationId);
        const pa = new Participant((adv.conn as ChatSocket).who, adv.conversationId);
        pu.attach(u.conn as ChatSocket);
        pa.attach(adv.conn as ChatSocket);
        users.push(pu);
        advisors.push(pa);
      }
      const userTokensB = await b.tokens(users.map((u) => ({ role: 'worker', sub: u.sub, province: 'MI', name: 'Lavoratore' })), 32);
      const tokenB = new Map(users.map((u, i) => [u.sub, userTokensB[i]!]));

      // Traffic: `rate` messages per second, round-robin over everyone connected.
      const everyone = users.flatMap((u, i) => [u, advisors[i]!]);
      let cursor = 0;
      const tickMs = 10;
      let carry = 0;
      ticker = setInterval(() => {
        carry += (rate * tickMs) / 1000;
        for (; carry >= 1; carry--) {
          for (let tries = 0; tries < everyone.length; tries++) {
            const p = everyone[cursor++ % everyone.length]!;
            if (p.socket?.open) {
              p.write();
              break;
            }
          }
        }
      }, tickMs);

      await sleep(beforeMs);
      const inspector = ctx.profile ? await Inspector.attach(b.proc) : null;
      await inspector?.startProfile();
      ctx.log(`  killing node A under ${clients} clients (${rate} msg/s)`);
      const killedAt = Date.now();
      const reconnectTo = (u: Participant) => {
        const attempt = async () => {
          if (u.stopped) return;
          try {
            const s = await ChatSocket.open(b.wsUrl, u.sub);
            sockets.push(s);
            u.attach(s);
            s.send({ type: 'hello', token: tokenB.get(u.sub), resume: [{ conversationId: u.conversationId, lastSeq: u.lastSeq }] });
            await Promise.race([
              s.next('welcome', 30_000),
              s.closed.then((code): Frame => {
                throw new Error(`closed ${code}`);
              }),
            ]);
            u.resumedAt ??= Date.now();
            u.resendPending();
            void s.closed.then(() => {
              if (!u.stopped) reconnectTo(u);
            });
          } catch {
            schedule();
          }
        };
        const schedule = () => {
          const cap = Math.min(15_000, 500 * 2 ** u.attempts);
          u.attempts = Math.min(u.attempts + 1, 20);
          setTimeout(() => void attempt(), Math.random() * cap);
        };
        schedule();
      };
      for (const u of users) void u.socket!.closed.then(() => reconnectTo(u));
      await nodes[0]!.proc.kill();
      await sleep(afterMs);
      if (inspector) {
        const dir = path.join(BENCH, 'results', 'prof', 'storm-node-b');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `storm.${Date.now()}.0.001.cpuprofile`);
        writeFileSync(file, JSON.stringify(await inspector.stopProfile()));
        inspector.close();
        ctx.log(`    node B's profile over the storm: ${path.relative(process.cwd(), file)}`);
      }
      clearInterval(ticker);
      ticker = null;
      // Let the last acks and deliveries arrive; resend what is still pending once more.
      await sleep(2000);
      for (const p of everyone) if (p.pending.size && p.socket?.open) p.resendPending();
      await sleep(3000);
      for (const u of users) u.stopped = true;

      const resumeHist = new Histogram();
      let resumed = 0;
      let within3s = 0;
      for (const u of users) {
        if (u.resumedAt === null) continue;
        resumed++;
        const ms = u.resumedAt - killedAt;
        resumeHist.record(ms * 1000);
        if (ms <= 3000) within3s++;
      }
      const resumeMs = resumeHist.summaryMs();
      resumeHist.destroy();

      // The database is the truth: compare it with what each side acknowledged and received.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const rows = (await client.query<{ c: string; n: number; top: number; ids: string[] }>(
        'SELECT conversation_id AS c, count(*)::int AS n, max(seq)::int AS top, array_agg(client_msg_id) AS ids FROM messages GROUP BY conversation_id',
      )).rows;
      await client.end();
      const byConv = new Map(rows.map((r) => [r.c, r]));
      let ackedMissing = 0;
      let notReceived = 0;
      let unacked = 0;
      let gaps = 0;
      let duplicates = 0;
      let stored = 0;
      for (let i = 0; i < users.length; i++) {
        const u = users[i]!;
        const adv = advisors[i]!;
        const row = byConv.get(u.conversationId);
        const ids = new Set(row?.ids ?? []);
        stored += row?.n ?? 0;
        if (row && row.top !== row.n) gaps += row.top - row.n;
        for (const p of [u, adv]) {
          for (const id of p.acked) if (!ids.has(id)) ackedMissing++;
          unacked += p.pending.size;
          gaps += p.gaps;
          duplicates += p.duplicates;
          if ((row?.top ?? 0) > p.lastSeq) notReceived += (row?.top ?? 0) - p.lastSeq;
        }
      }
      const lost = ackedMissing + notReceived + unacked + gaps;
      const pct = (x: number) => round((x / users.length) * 100, 2);
      const checks: Check[] = [
        atLeast(`clients of the killed node resumed on the other (${users.length})`, pct(resumed), 100, '%'),
        atLeast('resumed within 3 s of the kill', pct(within3s), 95, '%'),
        atMost(`messages lost (of ${stored} stored)`, lost, 0, ''),
        info('time to resume, p50 / p99', resumeMs.p50, 'ms', `p99 ${fmt(resumeMs.p99)} ms, max ${fmt(resumeMs.max)} ms`),
        info(`setup: conversations matched per second (sign-in, chat.request, match; ${pairs} advisors online)`, round((pairs * 1000) / setupMs, 1), '/s'),
      ];
      if (duplicates) notes.push(`${duplicates} messages reached a client twice (the client drops them by seq; not a loss).`);
      if (lost) notes.push(`loss detail: ${JSON.stringify({ ackedMissing, notReceived, unacked, gaps })}`);
      return {
        checks,
        notes,
        details: { clients, rate, setupMs, beforeMs, afterMs, resumed, within3s, resumeMs, stored, ackedMissing, notReceived, unacked, gaps, duplicates },
      };
    } finally {
      if (ticker) clearInterval(ticker);
      for (const u of users) u.stopped = true;
      for (const s of sockets) s.terminate();
      for (const n of nodes) await n.proc.stop();
      await db.drop();
      await deleteRedisKeys(prefix).catch(() => {});
    }
  },
};
