/**
 * Raw parameterised statements on the hot path, under the drizzle handle.
 *
 * drizzle builds each query anew per call (walking the SQL chunks, `is()` checks,
 * mapping columns): on the message path that was the largest piece of JavaScript
 * per message. A `SqlRunner` sends a fixed text with its values straight to the
 * driver underneath the same `Db` (`pg` pool or PGlite), one code path for both.
 *
 * Deliberately NOT named prepared statements: a named statement's cached generic
 * plan is made once per connection, and when that happens while a table is small
 * (a fresh database, the first minutes after a deploy) it keeps a sequential scan
 * of `messages` as the table grows, until autoanalyze invalidates it. Measured on
 * the append batch (64 writers, 2 s rounds on a fresh database): named 9.5k → 6.4k
 * → 4.8k → 2.8k rows/s, round after round; unnamed (planned per execution with the
 * table's current size, ~0.3 ms for the batch statement) 12k → 23k → 30k → 29k.
 * Rows come back as the driver gives them (column names as in SQL, `timestamptz`
 * as Date, `int4` as number, `int8` as string).
 */
import type { Db } from './db.ts';

export type RunnerKind = 'postgres' | 'pglite';

/** A statement's text, and a name that identifies it (tests, logs). */
export interface Statement {
  name: string;
  text: string;
}

export interface SqlRunner {
  kind: RunnerKind;
  rows<T>(statement: Statement, values: unknown[]): Promise<T[]>;
}

interface PgPoolLike {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
  totalCount: number;
}

interface PgliteLike {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
  dumpDataDir: unknown;
}

/** The runner for the driver under a drizzle handle (`db.$client`). */
export function sqlRunnerOf(db: Db): SqlRunner {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (isPgPool(client)) {
    return {
      kind: 'postgres',
      rows: async <T>(s: Statement, values: unknown[]) => (await client.query(s.text, values)).rows as T[],
    };
  }
  if (isPglite(client)) {
    return { kind: 'pglite', rows: async <T>(s: Statement, values: unknown[]) => (await client.query(s.text, values)).rows as T[] };
  }
  throw new TypeError('sqlRunnerOf: the drizzle handle has neither a pg Pool nor a PGlite client underneath');
}

function isPgPool(client: unknown): client is PgPoolLike {
  return typeof client === 'object' && client !== null && typeof (client as PgPoolLike).query === 'function' && 'totalCount' in client;
}

function isPglite(client: unknown): client is PgliteLike {
  return typeof client === 'object' && client !== null && typeof (client as PgliteLike).query === 'function' && 'dumpDataDir' in client;
}
