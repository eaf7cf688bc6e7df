/**
 * A second node on the database of an injectedApp (test/helpers/app.ts): the same app built
 * again over its own services. On PostgreSQL (DATABASE_URL) it has its own connection pool, so
 * two nodes really race; on PGlite it shares the one embedded database. For the suites that check
 * what the database decides across nodes (an Idempotency-Key's unique index).
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Clock } from '../../routing/clock.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, queryRows, type Database } from '../../server/db.ts';
import { createServices } from '../../server/services.ts';
import type { InjectedApp } from './app.ts';

export interface SecondNode {
  app: FastifyInstance;
  services: InjectedApp['services'];
  close(): Promise<void>;
}

/** `env` as the first node's (over the same defaults as injectedApp). */
export async function secondNode(first: InjectedApp, clock: Clock, env: Record<string, string> = {}): Promise<SecondNode> {
  let own: Database | null = null;
  let database = first.services.db;
  if (process.env.DATABASE_URL) {
    const [row] = await queryRows<{ name: string }>(database.db, sql`select current_database() as name`);
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${row!.name}`;
    own = database = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  }
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent', ...env });
  const services = await createServices(config, { db: database, clock, logger: pino({ level: 'silent' }), notices: false, retentionTimer: false, seed: false });
  const app = await buildApp(services);
  await app.ready();
  return {
    app,
    services,
    async close() {
      await app.close();
      await own?.close();
    },
  };
}
