/**
 * The composition root: one place that turns configuration into running
 * services. Embedded defaults (PGlite, in-process state) and the shared ones
 * (PostgreSQL, Redis) differ only here; everything downstream sees interfaces.
 */
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../routing/clock.ts';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import type { HeldConversation, RoutingState } from '../routing/routing-state.ts';
import { defaultScheduleConfig, type ScheduleConfig } from '../routing/schedule.ts';
import { seed } from '../schema/seed.ts';
import { AccessLog } from './access-log.ts';
import { AnnouncementService } from './announcements.ts';
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
import { DashboardService } from './dashboard-service.ts';
import { DashboardFeed } from './dashboard-feed.ts';
import { scheduleDailySnapshots } from './daily-snapshot.ts';
import { scheduleSedeDigests } from './sede-digest.ts';
import { LocalFanout, type Fanout } from './fanout.ts';
import { RedisFanout } from './fanout-redis.ts';
import { LocalPresence, RedisPresence, type Presence } from './presence.ts';
import { createRedis, waitReady } from './redis-connection.ts';
import { connectRedisRoutingState, RedisRoutingState } from './routing-state-redis.ts';
import { CoalescingRoutingState } from './routing-state-coalescing.ts';
import { RecoveringRoutingState } from './routing-recovery.ts';
import { RoutingReconciler } from './routing-reconcile.ts';
import { sqlOpenConversations } from './open-conversations-sql.ts';
import { QueueDepartures } from './queue-departures.ts';
import { Sessions } from './sessions.ts';
import { RouterSweep } from './router-sweep.ts';
import { rolloutRules } from '../routing/routing-config.ts';
import { RouterService } from './router-service.ts';
import { ticketPusher } from './ticket-push.ts';
import { TicketService } from './ticket-service.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { createSqlAttachmentStore } from './attachment-store-sql.ts';
import { createSmtpChannel, LocalMailbox, LoggingSmsChannel } from './notice-channels.ts';
import { ContactBook, NoticeDispatcher } from './notices.ts';
import { Lifecycle } from './shutdown.ts';
import { Retention } from './retention.ts';
import { pseudonymisingStaff, staffIdOf } from './staff-ids.ts';
import { createSqlTicketStore } from './ticket-store-sql.ts';

type DevAuth = Awaited<ReturnType<typeof createDevAuth>>;

/** How often one node compares the shared routing state with the open conversations (routing-reconcile.ts). */
const RECONCILE_INTERVAL_MS = 60_000;

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
  /** Who on the institute's side read whose data (docs/access-log.md). */
  access: AccessLog;
  /** Erases chats and tickets closed more than RETENTION_DAYS ago, and access-log rows older than ACCESS_LOG_RETENTION_DAYS; null when neither is set. */
  retention: Retention | null;
  attachments: AttachmentStore;
  contacts: ContactBook;
  mailbox: LocalMailbox;
  notices: NoticeDispatcher;
  metrics: Metrics;
  dashboard: DashboardService;
  dashboardFeed: DashboardFeed;
  /** The supervisors' service announcements shown on the chat pages (docs/dashboard.md, "Announcements"). */
  announcements: AnnouncementService;
  /** Records who left a queue unserved, for the dashboard (docs/dashboard.md, "Departures"). */
  departures: QueueDepartures;
  probes: Probe[];
  /** Serving or draining (server/shutdown.ts): what /ready and the socket upgrade answer. */
  lifecycle: Lifecycle;
  sessions: Sessions;
  sweep: RouterSweep;
  fanout: Fanout;
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
  /** Grace period for an advisor whose last socket closed, before their chats are re-queued. */
  advisorGraceMs?: number;
  seed?: boolean;
  /** Run the notice dispatcher on its timer (default true). */
  notices?: boolean;
  /** Run the retention sweep on its timer when RETENTION_DAYS or ACCESS_LOG_RETENTION_DAYS is set (default true). */
  retentionTimer?: boolean;
}

interface SharedState {
  state: RoutingState;
  /** This node's id among those sharing the Redis; null in process. */
  node: string | null;
  fanout: Fanout;
  presence: Presence;
  close(): Promise<void>;
}

/**
 * In-process for one node; with REDIS_URL, the routing state, fan-out and presence
 * shared by every node through Redis (three connections: commands, publish, subscribe).
 */
async function sharedState(config: Config, hub: Hub, logger: Logger, override?: RoutingState): Promise<SharedState> {
  if (!config.redisUrl) {
    const state = override ?? new MemoryRoutingState();
    return { state, node: null, fanout: new LocalFanout(hub), presence: new LocalPresence(hub), close: () => state.close() };
  }
  const onError = (err: Error) => logger.warn({ err }, 'redis connection');
  const prefix = config.redisPrefix;
  const node = randomUUID();
  const state = override ?? (await connectRedisRoutingState(config.redisUrl, { prefix, onError }));
  const pub = createRedis(config.redisUrl, { name: 'infocig-pub', onError });
  const sub = createRedis(config.redisUrl, { name: 'infocig-sub', onError });
  await Promise.all([waitReady(pub, 5000), waitReady(sub, 5000)]);
  const fanout = await RedisFanout.start({ hub, pub, sub, prefix, node, log: logger });
  // Messages published while the subscription was down never arrive: every socket here
  // reads what followed its cursor, instead of waiting for the next message to show the hole.
  fanout.onMissed(() => logger.info({ reads: hub.catchUpAll() }, 'fan-out back: sockets catch up from the database'));
  const presence = new RedisPresence(pub, hub, prefix, node);
  return {
    state,
    node,
    fanout,
    presence,
    async close() {
      await fanout.close();
      await presence.close();
      await state.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

export async function createServices(config: Config, o: ServiceOverrides = {}): Promise<Services> {
  const logger = o.logger ?? pino(loggerOptions(config.logLevel));
  const clock = o.clock ?? systemClock;
  const db = o.db ?? (await openDatabase({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, queryTimeoutMs: config.databaseQueryTimeoutMs }));
  // One place where staff ids become pseudonyms (STAFF_ID_KEY): every identity below is verified through `auth`.
  const staffIds = staffIdOf(config.staffIdKey);
  if (o.seed ?? true) await seed(db.db, { staffIdOf: staffIds });
  const sqlStore = createSqlChatStore(db.db, { groupCommit: config.commitBatch });
  const store = o.wrapStore ? o.wrapStore(sqlStore) : sqlStore;
  const dev = config.authDev ? await createDevAuth() : null;
  const auth = pseudonymisingStaff(config.auth ? createJwksAuthenticator(config.auth) : dev!.authenticator, config.staffIdKey);
  const schedule = o.schedule ?? defaultScheduleConfig({ always: config.serviceHours === 'always', rollout: rolloutRules(config.routing) });
  const hub = new Hub();
  const log = logger.child({ part: 'chat' });
  const shared = await sharedState(config, hub, logger, o.state);
  const { fanout, presence } = shared;
  // Whole-state reads shared between the callers of one moment (routing-state-coalescing.ts).
  const coalesced = new CoalescingRoutingState(shared.state);
  const advisors = sqlAdvisorDirectory(db.db, tokenDirectory(config.routing.defaultCapacity));
  const openConversations = sqlOpenConversations(db.db);
  const routingLog = logger.child({ part: 'routing' });
  // Shared in Redis, the state can be lost (a restart without persistence): each node notices and rebuilds its part (routing-recovery.ts).
  const recovery = shared.node === null ? null : new RecoveringRoutingState(coalesced, {
    hub, open: openConversations, advisors, clock, log: routingLog,
  });
  await recovery?.start();
  const state: RoutingState = recovery ?? coalesced;
  const ticketStore = createSqlTicketStore(db.db);
  const metrics = new Metrics({ state, hub, db: db.db, clock, storeBatches: () => ({ ...sqlStore.batchStats(), ticketCreate: ticketStore.creationStats() }) });
  const router = new RouterService({ state, store, hub, fanout, clock, log, metrics, config: config.routing, recordWait: (id, since, at) => dashboard.recordWait(id, since, at) });
  const dashboardLog = logger.child({ part: 'dashboard' });
  const dashboard = new DashboardService({ db: db.db, state, clock, schedule, handleSeconds: () => router.handling.mean(), estimate: (snap) => router.infos(snap), onRoutingChange: () => void router.dispatch(), log: dashboardLog, retentionDays: config.retentionDays, ...(config.staffIdKey ? { staffIdOf: staffIds } : {}) });
  await dashboard.start();
  const dashboardFeed = new DashboardFeed({ dashboard, log: dashboardLog });
  const announcements = new AnnouncementService({ db: db.db, clock, log: dashboardLog });
  const daily = scheduleDailySnapshots({ take: (day) => dashboard.takeSnapshot(day), clock, log: dashboardLog });
  const departures = new QueueDepartures({ db: db.db, clock, log: dashboardLog, onFailed: () => metrics.departuresUnrecorded.inc() });
  const tickets = new TicketService({ store: ticketStore, clock, dailyLimit: config.limits.ticketsPerUserPerDay, dailyReplyLimit: config.limits.repliesPerUserPerDay, onUpdated: ticketPusher(fanout) });
  const attachments = createSqlAttachmentStore(db.db);
  const access = new AccessLog({ db: db.db, clock, log: logger.child({ part: 'access' }), ...(config.staffIdKey ? { staffIdOf: staffIds } : {}) });
  const retention = config.retentionDays === null && config.accessLogRetentionDays === null ? null : new Retention({
    db: db.db, clock, days: config.retentionDays, accessLogDays: config.accessLogRetentionDays, log: logger.child({ part: 'retention' }),
    onErased: (e) => { for (const [kind, n] of Object.entries(e)) if (n > 0) metrics.erased.inc({ kind }, n); },
  });
  if (retention && (o.retentionTimer ?? true)) retention.start();
  const contacts = new ContactBook(db.db, clock);
  const mailbox = new LocalMailbox(db.db);
  const email = config.notices.smtpUrl ? createSmtpChannel({ url: config.notices.smtpUrl, from: config.notices.from }) : null;
  const notices = new NoticeDispatcher({
    db: db.db, clock, email, mailbox,
    sms: config.notices.sms === 'log' ? new LoggingSmsChannel(logger.child({ part: 'sms' })) : null,
    log: logger.child({ part: 'notices' }),
    publicUrl: config.publicUrl,
  });
  if (o.notices ?? true) notices.start(config.notices.intervalMs);
  const digests = config.notices.digestAt === null || !(o.notices ?? true) ? null : scheduleSedeDigests({ db: db.db, clock, at: config.notices.digestAt, log: logger.child({ part: 'notices' }) });
  const chat = new ChatService({ state, store, fanout, clock, log, router, advisors, schedule, tickets, metrics, departures, limits: config.limits, ticketOnly: dashboard.isTicketOnly, officeName: dashboard.officeName,
    advisorGraceMs: o.advisorGraceMs ?? config.routing.advisorGraceSeconds * 1000,
  });

  const sessions = new Sessions({
    presence, state, store, chat, router, metrics, departures, log,
    userGraceMs: o.userGraceMs ?? config.routing.userGraceSeconds * 1000,
    advisorGraceMs: o.advisorGraceMs ?? config.routing.advisorGraceSeconds * 1000,
  });
  // Every waiting user here is told their position again after a rebuild; a Redis back after a drop may be empty: look now.
  recovery?.onRebuilt(() => {
    metrics.routingStateRebuilds.inc();
    router.forgetPositions();
    void router.dispatch();
  });
  // Restored seats of an advisor connected nowhere: no socket of theirs will close to start their grace.
  const seatsRestored = (conversations: HeldConversation[]) => void sessions.seatsRestored(conversations);
  recovery?.onSeatsRestored(seatsRestored);
  if (shared.state instanceof RedisRoutingState) shared.state.onReconnect(() => void router.dispatch());
  const reconciler = new RoutingReconciler({
    state, open: openConversations, clock, log: routingLog, node: shared.node ?? 'local', onRepaired: (action, n) => metrics.routingReconciled.inc({ action }, n), onSeatsRestored: seatsRestored,
  });
  // One node on the in-process state starts empty while chats may still be open in the database (the node was
  // restarted): their seats are taken again before anything is matched, or each advisor could get `capacity` more;
  // an advisor who does not come back within their grace has those chats handed back to the queue.
  if (shared.node === null) await reconciler.run();
  reconciler.start(RECONCILE_INTERVAL_MS);
  router.onRequeued = (userId) => void sessions.requeued(userId);
  const sweep = new RouterSweep({ state, store, fanout, router, clock, log, metrics, departures, config: config.routing, schedule });
  const tick = setInterval(() => {
    void sweep.run().catch((err) => log.warn({ err }, 'routing sweep failed'));
    void router.dispatch();
  }, config.routingTickMs);
  tick.unref();

  return {
    config, logger, clock, db, store, state, auth, dev, schedule, hub, router, chat, tickets, access, retention, attachments, contacts, mailbox, notices, metrics, sessions, sweep, fanout, dashboard, dashboardFeed, announcements, departures,
    lifecycle: new Lifecycle(),
    probes: [
      { name: 'database', check: () => db.ping() },
      { name: 'routing state', check: () => state.ping() },
    ],
    async close() {
      clearInterval(tick);
      reconciler.stop();
      daily.stop();
      digests?.stop();
      dashboardFeed.close();
      dashboard.close();
      sessions.close();
      router.close();
      await router.idle();
      await departures.idle(); // the last departures reach the database before it closes
      await shared.close();
      await notices.stop();
      await retention?.stop();
      await email?.close();
      if (!o.db) await db.close();
    },
  };
}
