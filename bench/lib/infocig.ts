/**
 * INFO CIG server processes for the bench: `server/main.ts` as `npm start` runs it,
 * on PostgreSQL (a throw-away database) and Redis (the run's prefix), pinned to the
 * server core, with the per-connection message rate limit raised (the bench sends
 * far faster than a person) and advisors taking one chat each (1:1 conversations).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REDIS_URL } from './env.ts';
import { BENCH, ROOT, spawnNode, type Proc } from './proc.ts';

export interface InfoCigNode {
  name: string;
  url: string;
  wsUrl: string;
  proc: Proc;
  /** POST /dev/token on this node (tokens are signed by a key of the node). */
  token(claims: Record<string, unknown> & { role: string }): Promise<string>;
  /** Many tokens, `concurrency` requests at a time. */
  tokens(claims: (Record<string, unknown> & { role: string })[], concurrency?: number): Promise<string[]>;
  stop(): Promise<void>;
}

export interface InfoCigOptions {
  name: string;
  databaseUrl: string;
  redisPrefix: string;
  /** Default true. Without it, in-process routing state. */
  redis?: boolean;
  env?: Record<string, string>;
  profile?: boolean;
  /** --inspect on a random port, for forced GC and heap figures (memory scenario). */
  inspect?: boolean;
  cpu?: string | null;
}

let routingFile: string | null = null;

/** config/routing.json with defaultCapacity 1; passed as ROUTING_CONFIG. */
function benchRoutingConfig(): string {
  if (routingFile) return routingFile;
  const source = path.join(ROOT, 'config', 'routing.json');
  let data: Record<string, unknown> = {};
  if (existsSync(source)) {
    try {
      data = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
    } catch {
      data = {};
    }
  }
  data.defaultCapacity = 1;
  const file = path.join(os.tmpdir(), `infocig-bench-routing-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  process.once('exit', () => rmSync(file, { force: true }));
  routingFile = file;
  return file;
}

export const INFOCIG_BENCH_ENV: Record<string, string> = {
  SERVICE_HOURS: 'always',
  AUTH_DEV: '1',
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  MESSAGES_PER_SECOND: '10000',
  MESSAGE_BURST: '100000',
  ADVISOR_CAPACITY: '1',
  HELLO_TIMEOUT_MS: '30000',
  // Scenario 7 opens tens of thousands of requests as one user; the per-person daily limit would refuse them.
  TICKETS_PER_USER_PER_DAY: '0',
};

export async function startInfoCig(o: InfoCigOptions): Promise<InfoCigNode> {
  const nodeFlags: string[] = [];
  if (o.profile) {
    // One folder per server: every thread (tsx's loader thread too) writes its own CPU.<date>.<pid>.<tid>.… file; tid 0 is the main thread.
    const dir = path.join(BENCH, 'results', 'prof', o.name);
    mkdirSync(dir, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  if (o.inspect) nodeFlags.push('--inspect=127.0.0.1:0');
  const env: Record<string, string | undefined> = {
    ...INFOCIG_BENCH_ENV,
    ROUTING_CONFIG: benchRoutingConfig(),
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redis === false ? undefined : REDIS_URL,
    REDIS_PREFIX: o.redisPrefix,
    PUBLIC_URL: undefined,
    ...o.env,
  };
  const proc = spawnNode({ name: o.name, script: 'server/main.ts', env, nodeFlags, cpu: o.cpu });
  let health: RegExpMatchArray;
  try {
    health = await proc.waitFor(/health:\s+(http:\/\/\S+)\/health/, 60_000);
  } catch (err) {
    await proc.kill();
    throw err;
  }
  const url = health[1]!;
  return nodeHandle(o.name, url, proc);
}

function nodeHandle(name: string, url: string, proc: Proc): InfoCigNode {
  const token = async (claims: Record<string, unknown> & { role: string }): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
        const body = (await res.json()) as { token?: string; error?: { message?: string } };
        if (!res.ok || !body.token) throw new Error(`${name}: POST /dev/token ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        return body.token;
      } catch (err) {
        if (attempt >= 3 || /POST \/dev\/token 4/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  };
  return {
    name,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    proc,
    token,
    tokens: (list, concurrency = 16) => mapLimit(list, concurrency, token),
    stop: () => proc.stop(),
  };
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}
