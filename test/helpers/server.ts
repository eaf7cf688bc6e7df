/**
 * A real INFO CIG server on a free port, on a throw-away database, for tests
 * that talk to it over real sockets like a client would.
 */
import pino, { type Logger } from 'pino';
import { ManualClock, type Clock } from '../../routing/clock.ts';
import type { RoutingConfig } from '../../routing/routing-config.ts';
import type { ScheduleConfig } from '../../routing/schedule.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createServices, type ServiceOverrides, type Services } from '../../server/services.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export interface TestServer {
  url: string;
  wsUrl: string;
  services: Services;
  token(claims: Record<string, unknown> & { role: string }): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  clock?: Clock;
  schedule?: ScheduleConfig;
  userGraceMs?: number;
  wrapStore?: ServiceOverrides['wrapStore'];
  /** Share this database (several nodes in one process) instead of a fresh one. */
  db?: TestDatabase;
  /** Routing settings over config/routing.json. */
  routing?: Partial<RoutingConfig>;
  advisorGraceMs?: number;
  /** The server's logger (default: pino at TEST_LOG_LEVEL, silent). */
  logger?: Logger;
}

export async function startServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', PORT: '0', LOG_LEVEL: 'silent', ...opts.env });
  if (opts.routing) config.routing = { ...config.routing, ...opts.routing };
  const db = opts.db ?? (await testDatabase());
  const ownsDb = !opts.db;
  const services = await createServices(config, {
    db,
    clock: opts.clock,
    schedule: opts.schedule,
    userGraceMs: opts.userGraceMs,
    advisorGraceMs: opts.advisorGraceMs,
    wrapStore: opts.wrapStore,
    logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    services,
    token: (claims) => services.dev!.issue(claims as never),
    async close() {
      await app.close();
      if (ownsDb) await db.cleanup();
    },
  };
}

export { ManualClock };
