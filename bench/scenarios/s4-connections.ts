/**
 * 4. Connections held by one node: one INFO CIG node (PostgreSQL + Redis) on the
 * server core; helper processes on the load core (bench/lib/conn-worker.ts, up to
 * 9,000 sockets each, spread over 127.0.0.2…17) open signed-in connections
 * (token, hello, welcome), hold them idle, then ping every one: held = answered.
 * Full mode asks for 20,000, or as many as the per-process descriptor limit lets
 * the server hold (the limit less the server's own descriptors, counted in
 * /proc/<pid>/fd once it is up, less room for its database pool to grow); quick
 * mode for 5,000.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { redisPrefix, throwawayDatabase, deleteRedisKeys } from '../lib/env.ts';
import { startInfoCig, type InfoCigNode } from '../lib/infocig.ts';
import { sleep, spawnNode, type Proc } from '../lib/proc.ts';
import { round } from '../lib/stats.ts';
import { atLeast, info, type BenchContext, type Check, type Scenario } from '../lib/types.ts';

const PER_WORKER = 9000;

/** The hard RLIMIT_NOFILE of processes started from here (node raises its soft limit to it). */
export function descriptorLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : Infinity;
}

/** Descriptors a process holds now (sockets, pipes, epoll, eventfd, files…). */
function descriptorsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/**
 * What the server may open beyond what it holds when idle, while the connections sign in:
 * its PostgreSQL pool (10 at most, some of them already open) may grow. Seen: +1.
 */
const DESCRIPTOR_HEADROOM = 10;

interface Worker {
  proc: Proc;
  call<T>(msg: object, reply: string, timeoutMs: number): Promise<T>;
}

function startWorker(i: number): Worker {
  const proc = spawnNode({ name: `conn-worker-${i}`, script: 'bench/lib/conn-worker.ts', cpu: null, ipc: true });
  const inbox: { op: string; [k: string]: unknown }[] = [];
  const waiters: { op: string; resolve: (m: unknown) => void; reject: (e: Error) => void }[] = [];
  proc.child.on('message', (m: { op: string; message?: string }) => {
    if (m.op === 'error') {
      for (const w of waiters.splice(0)) w.reject(new Error(`conn-worker-${i}: ${m.message}`));
      return;
    }
    const at = waiters.findIndex((w) => w.op === m.op);
    if (at >= 0) waiters.splice(at, 1)[0]!.resolve(m);
    else inbox.push(m);
  });
  return {
    proc,
    call<T>(msg: object, reply: string, timeoutMs: number): Promise<T> {
      const got = inbox.findIndex((m) => m.op === reply);
      if (got >= 0 && reply === 'ready') return Promise.resolve(inbox.splice(got, 1)[0] as T);
      if (Object.keys(msg).length) proc.child.send(msg);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`conn-worker-${i}: no ${reply} within ${timeoutMs} ms\n${proc.tail()}`)), timeoutMs);
        waiters.push({
          op: reply,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
  };
}

export const connections: Scenario = {
  id: 'connections',
  number: 4,
  title: 'Connections held by one node',
  async run(ctx: BenchContext) {
    const quick = ctx.mode === 'quick';
    const limit = descriptorLimit();
    const wanted = quick ? 5000 : 20_000;
    const holdMs = quick ? 5000 : 30_000;
    const notes: string[] = [];
    const db = await throwawayDatabase('s4');
    const prefix = redisPrefix(ctx.runId, 's4');
    let node: InfoCigNode | null = null;
    const workers: Worker[] = [];
    try {
      node = await startInfoCig({ name: 'infocig-conns', databaseUrl: db.url, redisPrefix: prefix, profile: ctx.profile });
      await sleep(1000);
      // The server's own descriptors (listener, PostgreSQL pool, Redis, stdio, epoll and eventfd
      // of each thread's loop, tsx's esbuild pipes…): every one is a socket it cannot hold.
      const ownFds = descriptorsOf(node.proc.pid);
      const fit = limit - (Number.isFinite(ownFds) ? ownFds : 250) - DESCRIPTOR_HEADROOM;
      const target = Math.min(wanted, fit);
      if (quick) notes.push(`quick mode opens ${target.toLocaleString('en-US')} connections; --full asks for 20,000.`);
      if (target < wanted) {
        notes.push(
          `the descriptor limit here (ulimit -Hn = ${limit}, not raisable without CAP_SYS_RESOURCE) less the server's own ${ownFds} descriptors when idle and ${DESCRIPTOR_HEADROOM} for its database pool to grow lets one process hold at most ~${fit.toLocaleString('en-US')}; asked for that many.`,
        );
      }
      const rss0 = node.proc.rss();
      const nWorkers = Math.ceil(target / PER_WORKER);
      for (let i = 0; i < nWorkers; i++) workers.push(startWorker(i));
      await Promise.all(workers.map((w) => w.call({}, 'ready', 30_000)));
      ctx.log(`  opening ${target} signed-in connections from ${nWorkers} helper process(es)`);
      const t0 = Date.now();
      const opened = await Promise.all(
        workers.map((w, i) => {
          const from = i * PER_WORKER;
          const count = Math.min(PER_WORKER, target - from);
          return w.call<{ opened: number; failed: number; ms: number; errors: Record<string, number> }>(
            { op: 'open', httpUrl: node!.url, wsUrl: node!.wsUrl, from, count, tag: `conn-${ctx.runId}` },
            'opened',
            600_000,
          );
        }),
      );
      const openMs = Date.now() - t0;
      const openedTotal = opened.reduce((s, o) => s + o.opened, 0);
      const failed = opened.reduce((s, o) => s + o.failed, 0);
      ctx.log(`    ${openedTotal} open, ${failed} failed, in ${(openMs / 1000).toFixed(1)} s; holding ${holdMs / 1000} s`);
      await sleep(holdMs);
      const checked = await Promise.all(workers.map((w) => w.call<{ open: number; pongs: number }>({ op: 'check' }, 'checked', 120_000)));
      const held = checked.reduce((s, c) => s + c.pongs, 0);
      const rss1 = node.proc.rss();
      const heldFds = descriptorsOf(node.proc.pid);
      ctx.log(`    ${held} answered a ping; server RSS ${(rss1 / 2 ** 20).toFixed(0)} MiB; ${heldFds} descriptors (${ownFds} when idle)`);
      const errors = opened.reduce<Record<string, number>>((acc, o) => {
        for (const [k, v] of Object.entries(o.errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {});
      if (failed) notes.push(`${failed} connections could not be opened: ${JSON.stringify(errors).slice(0, 300)}`);
      const checks: Check[] = [
        atLeast(`signed-in connections held and answering (asked ${target.toLocaleString('en-US')})`, held, quick ? target : 20_000, ''),
        info('time to open and sign in all of them', round(openMs / 1000, 1), 's'),
        info('server RSS with all of them', round(rss1 / 2 ** 20, 0), 'MiB', `${round(rss0 / 2 ** 20, 0)} MiB at start`),
        info("server's own descriptors (idle, before any connection)", ownFds, '', `limit ${limit}`),
      ];
      return { checks, notes, details: { target, limit, ownFds, heldFds, opened: openedTotal, failed, held, openMs, rssStart: rss0, rssHeld: rss1, errors } };
    } finally {
      await Promise.all(workers.map((w) => w.call({ op: 'close' }, 'closed', 10_000).catch(() => {})));
      await Promise.all(workers.map((w) => w.proc.stop(2000)));
      await node?.stop();
      await db.drop();
      await deleteRedisKeys(prefix).catch(() => {});
    }
  },
};
