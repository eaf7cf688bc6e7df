/**
 * The composition root: one place that turns configuration into running
 * services. Embedded defaults (PGlite, in-process state) and the shared ones
 * (PostgreSQL, Redis) differ only here; everything downstream sees interfaces.
 */
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../routing/clock.ts';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import type { RoutingState } from '../routing/routing-state.ts';
import { defaultScheduleConfig, type ScheduleConfig } from '../routing/schedule.ts';
import { seed } from '../schema/seed.ts';
import { tokenDirectory } from './advisor-directory.ts';
import { sqlAdvisorDirectory } from './advisor-directory-sql.ts';
import type { Authenticator } from './auth.ts';
import { createDevAuth } from './auth-dev.ts';
import { createJwksAuthenticator } from './auth-jwks.ts';
import { ChatService } from './chat-service.ts';
import type { ChatStore } from './chat-store.ts';
import { createSqlChatStore } from './chat-store-sql.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db.ts';
import type { Probe } from './http-health.ts';
import { Hub } from './hub.ts';
import { loggerOptions } from './logger.ts';
import { Metrics } from './metrics.ts';
import { RouterService } from './router-service.ts';
import { TicketService } from './ticket-service.ts';
import { createSqlTicketStore } from './ticket-store-sql.ts';

type DevAuth = Awaited<ReturnType<typeof createDevAuth>>;

export interface Services {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Database;
  store: ChatStore;
  state: RoutingState;
  auth: Authenticator;
  dev: DevAuth | null;
  schedule: ScheduleConfig;
  hub: Hub;
  router: RouterService;
  chat: ChatService;
  tickets: TicketService;
  metrics: Metrics;
  probes: Probe[];
  userGone(userId: string): void;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  db?: Database;
  state?: RoutingState;
  /** Wraps the SQL chat store (fault injection in tests). */
  wrapStore?: (store: ChatStore) => ChatStore;
  schedule?: ScheduleConfig;
  /** Grace period for a waiting user whose last socket closed. */
  userGraceMs?: number;
  seed?: boolean;
}

export async function createServices(config: Config, o: ServiceOverrides = {}): Promise<Services> {
  const logger = o.logger ?? pino(loggerOptions(config.logLevel));
  const clock = o.clock ?? systemClock;
  const db = o.db ?? (await openDatabase({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir }));
  if (o.seed ?? true) await seed(db.db);
  const sqlStore = createSqlChatStore(db.db);
  const store = o.wrapStore ? o.wrapStore(sqlStore) : sqlStore;
  const state = o.state ?? new MemoryRoutingState();
  const dev = config.authDev ? await createDevAuth() : null;
  const auth = config.auth ? createJwksAuthenticator(config.auth) : dev!.authenticator;
  const schedule = o.schedule ?? defaultScheduleConfig({ always: config.serviceHours === 'always' });
  const hub = new Hub();
  const log = logger.child({ part: 'chat' });
  const metrics = new Metrics({ state, hub, db: db.db, clock });
  const router = new RouterService({ state, store, hub, clock, log, metrics, handleSeconds: config.routing.handleSeconds });
  const advisors = sqlAdvisorDirectory(db.db, tokenDirectory(config.routing.defaultCapacity));
  const tickets = new TicketService({ store: createSqlTicketStore(db.db), clock });
  const chat = new ChatService({ state, store, hub, clock, log, router, advisors, schedule, tickets, metrics, limits: config.limits });

  const graceMs = o.userGraceMs ?? 60_000;
  const graceTimers = new Map<string, NodeJS.Timeout>();
  const userGone = (userId: string) => {
    clearTimeout(graceTimers.get(userId));
    const timer = setTimeout(() => {
      graceTimers.delete(userId);
      if (hub.isOnline(userId)) return;
      void state.cancel(userId).then((entry) => {
        if (!entry) return;
        log.info({ userId }, 'waiting user did not come back; removed from the queue');
        metrics.abandoned.inc({ reason: 'disconnected' });
        void router.pushPositions();
      });
    }, graceMs);
    timer.unref();
    graceTimers.set(userId, timer);
  };
  const tick = setInterval(() => void router.dispatch(), config.routing.tickMs);
  tick.unref();

  return {
    config, logger, clock, db, store, state, auth, dev, schedule, hub, router, chat, tickets, metrics, userGone,
    probes: [
      { name: 'database', check: () => db.ping() },
      { name: 'routing state', check: () => state.ping() },
    ],
    async close() {
      clearInterval(tick);
      for (const t of graceTimers.values()) clearTimeout(t);
      await router.idle();
      await state.close();
      if (!o.db) await db.close();
    },
  };
}
