/**
 * Opens the database: PostgreSQL through `pg` when a URL is given, otherwise
 * embedded PGlite (on disk under `dataDir`, or in memory). Either way the
 * committed migrations are applied before the promise resolves, and the same
 * drizzle type (`Db`) serves both, so every query is written once.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from '../schema/tables.ts';

export type Schema = typeof schema;
/** The one drizzle type the rest of the code uses, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** The subset of a pino logger this module uses. */
export interface DbLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OpenDatabaseOptions {
  /** `postgres://…`: use that server. Absent: embedded PGlite. */
  databaseUrl?: string;
  /** Where PGlite keeps its files (created when missing). Ignored with `databaseUrl` or `inMemory`. */
  dataDir: string;
  /** PGlite in memory: nothing is written to disk (tests). */
  inMemory?: boolean;
  /**
   * With `inMemory`: start from this PGlite data-dir dump (`PGlite#dumpDataDir`)
   * instead of running initdb, which takes ~2 s. Tests share one template.
   */
  pgliteTemplate?: Blob;
  logger?: DbLogger;
  /** Size of the `pg` pool (PostgreSQL only). Default 10. */
  poolSize?: number;
  /** PostgreSQL only: a query unanswered this long fails (client side); the server cancels statements 2 s before. Default 12 s. */
  queryTimeoutMs?: number;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../schema/migrations/', import.meta.url));
/** Serialises migrations when several nodes start at once against one PostgreSQL. */
const MIGRATION_LOCK_KEY = 0x1c1c_0001;

const silentLogger: DbLogger = { info() {}, warn() {}, error() {} };

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const database = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.poolSize ?? 10, options.queryTimeoutMs ?? 12_000, logger)
    : await openPglite(options.inMemory ? undefined : options.dataDir, options.inMemory ? options.pgliteTemplate : undefined);
  logger.info(
    { kind: database.kind, ms: Math.round(performance.now() - started) },
    'database open, migrations applied',
  );
  return database;
}

async function openPostgres(url: string, max: number, queryTimeoutMs: number, logger: DbLogger): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: queryTimeoutMs - 2_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'info-cig',
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    // Client-side bound: a partitioned network (packets lost, not refused) fails queries
    // in time instead of leaving senders without an answer (test/faults-partition.test.ts).
    query_timeout: queryTimeoutMs,
  });
  // A client losing its connection, idle or inside a transaction, must not crash the process.
  pool.on('error', (err) => logger.error({ err }, 'postgres: idle client error'));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'postgres: client error')));
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return handle(db, 'postgres', () => pool.end());
}

async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function openPglite(dataDir: string | undefined, template: Blob | undefined): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite(template ? { loadDataDir: template } : {});
  try {
    const pgliteDb = drizzlePglite({ client, schema });
    await migratePglite(pgliteDb, { migrationsFolder: MIGRATIONS_FOLDER });
    return handle(pgliteDb as unknown as Db, 'pglite', () => client.close());
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
}

function handle(db: Db, kind: DatabaseKind, end: () => Promise<void>): Database {
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    async ping() {
      await db.execute(sql`select 1`);
    },
    close() {
      closing ??= end();
      return closing;
    },
  };
}

/** Runs a raw (parameterised) query and returns its rows, on either driver. */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** The constraint a unique violation names (pg and PGlite both set `constraint`), through wrapping causes. */
export function sqlConstraint(err: unknown): string | undefined {
  if (sqlState(err) !== '23505') return undefined;
  return inCauses(err, (e) => (typeof e.constraint === 'string' ? e.constraint : undefined));
}

/** The SQLSTATE of a driver error, looking through drizzle's wrapper. */
export function sqlState(err: unknown): string | undefined {
  return inCauses(err, (e) => (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined));
}

/** The first answer of `pick` along an error's `cause` chain (drizzle wraps the driver's error), five deep at most. */
function inCauses(err: unknown, pick: (e: { code?: unknown; constraint?: unknown }) => string | undefined): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const found = pick(e as { code?: unknown; constraint?: unknown });
    if (found !== undefined) return found;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
