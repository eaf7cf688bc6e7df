/**
 * A throw-away database for a test file: a fresh PostgreSQL database when
 * DATABASE_URL is set (created on that server, dropped on cleanup), otherwise
 * PGlite in memory. Migrations are applied; nothing is seeded.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/db.ts';

export type TestDatabase = Database & { cleanup(): Promise<void> };

export async function testDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = await openDatabase({ dataDir: '', inMemory: true, pgliteTemplate: await pgliteTemplate() });
    return { ...database, cleanup: () => database.close() };
  }
  const name = `infocig_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(url, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  try {
    const database = await openDatabase({ databaseUrl: withDatabase(url, name), dataDir: '' });
    return {
      ...database,
      async cleanup() {
        await database.close();
        await dropDatabase(url, name);
      },
    };
  } catch (err) {
    await dropDatabase(url, name).catch(() => {});
    throw err;
  }
}

let template: Promise<Blob> | undefined;

/** A freshly initialised, empty PGlite data dir, made once per process: later opens skip initdb. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const client = await PGlite.create(); // must be ready before dumpDataDir, or the two deadlock
    try {
      return await client.dumpDataDir('none');
    } finally {
      await client.close();
    }
  })().catch((err: unknown) => {
    template = undefined;
    throw err;
  });
  return template;
}

/** True when a PostgreSQL server answers at the URL (default DATABASE_URL) within a second. */
export async function postgresAvailable(url = process.env.DATABASE_URL): Promise<boolean> {
  if (!url) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops a database, ending its sessions first (a test's pool may still hold some). */
export async function dropDatabase(url: string, name: string): Promise<void> {
  await withAdmin(url, async (admin) => {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  });
}

/** Runs `work` on a short-lived connection to `url` (creating and dropping databases). */
export async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
