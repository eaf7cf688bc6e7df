/**
 * The services the bench needs (PostgreSQL, Redis), checked before anything runs;
 * throw-away PostgreSQL databases created and dropped per run; Redis keys under the
 * run's own prefix, deleted at the end (never FLUSHALL: others share this Redis).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export class MissingService extends Error {}

async function postgresAnswers(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    const r = await client.query<{ ok: boolean }>("select rolcreatedb or rolsuper as ok from pg_roles where rolname = current_user");
    if (!r.rows[0]?.ok) return 'the role may not CREATE DATABASE (the bench makes a throw-away one per run)';
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A plain TCP connect first: its error (ECONNREFUSED …) says more than the client's "Connection is closed". */
function tcpReachable(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(2_000, () => done(`no answer from ${host}:${port} within 2 s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err) => done(err.message));
  });
}

async function redisAnswers(url: string): Promise<string | null> {
  try {
    const u = new URL(url);
    const why = await tcpReachable(u.hostname || '127.0.0.1', Number(u.port || 6379));
    if (why) return why;
  } catch {
    return 'not a redis:// URL';
  }
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return (err as Error).message || 'no answer';
  } finally {
    redis.disconnect();
  }
}

/** Throws MissingService naming what is missing and how to point the bench elsewhere. */
export async function checkServices(): Promise<void> {
  const [pgWhy, redisWhy] = await Promise.all([postgresAnswers(POSTGRES_URL), redisAnswers(REDIS_URL)]);
  const lines: string[] = [];
  if (pgWhy) lines.push(`  PostgreSQL at ${redact(POSTGRES_URL)}: ${pgWhy}`);
  if (redisWhy) lines.push(`  Redis at ${REDIS_URL}: ${redisWhy}`);
  if (lines.length) {
    throw new MissingService(
      [
        'npm run bench needs PostgreSQL and Redis, and cannot reach:',
        ...lines,
        'Start them (e.g. `service postgresql start`, `service redis-server start`), or point the bench at others with',
        'BENCH_DATABASE_URL=postgres://… (a role that may CREATE DATABASE) and BENCH_REDIS_URL=redis://…',
      ].join('\n'),
    );
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export function runId(): string {
  return `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${randomBytes(3).toString('hex')}`;
}

export interface ThrowawayDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const created = new Set<string>();

/** A fresh empty database on the bench's PostgreSQL; drop() removes it (also done by dropAllCreated). */
export async function throwawayDatabase(tag: string): Promise<ThrowawayDb> {
  const name = `infocig_bench_${tag}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  created.add(name);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await dropDatabase(name);
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  if (!created.has(name)) return;
  await admin(async (c) => {
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
  });
  created.delete(name);
}

export async function dropAllCreated(): Promise<void> {
  for (const name of [...created]) await dropDatabase(name).catch((err) => console.error(`could not drop ${name}: ${(err as Error).message}`));
}

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const prefixes = new Set<string>();

/** A Redis key prefix of this run, remembered for deletion at the end. */
export function redisPrefix(run: string, scenario: string): string {
  const p = `bench-${run}-${scenario}`;
  prefixes.add(p);
  return p;
}

/** Deletes every key starting with the prefix (SCAN + UNLINK: never FLUSHALL). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

export async function deleteAllPrefixes(): Promise<void> {
  for (const p of [...prefixes]) {
    await deleteRedisKeys(p).catch(() => {});
    prefixes.delete(p);
  }
}
