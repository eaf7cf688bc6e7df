/**
 * The supervisor dashboard (issue 8, docs/dashboard.md).
 *
 * - `dashboard_daily`: the figures of one local (Europe/Rome) day, one row per
 *   scope and key: `national`/`IT`, `sede`/`SEDE-MI`, `province`/`MI`. Written by
 *   `takeSnapshot(day)` (server/daily-snapshot.ts) as an upsert, so taking a day
 *   twice gives the same rows. A day has been taken when its national row exists.
 * - `conversation_waits`: how long the user of a conversation waited in the
 *   queue (from asking to being assigned). The conversation row knows when it
 *   was opened, not when the user asked; the router records the wait here.
 * - `ticket_only_provinces`: provinces switched to "ticket only" by a
 *   supervisor during overload: users there are offered a Linea INPS request
 *   instead of a place in the queue. A row present means on.
 * - `dashboard_audit`: every supervisor control (who, when, what), append-only.
 * - `queue_departures`: every user who left a queue without being served
 *   (cancelled, self_served, disconnected, timeout, closed), for today's live
 *   figure and the daily snapshot. Anonymous by construction (see the table).
 */
import { sql } from 'drizzle-orm';
import { bigint, check, date, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { Audience, Topic } from '../routing/types.ts';
import { conversations, provinces } from './tables.ts';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type DailyScopeValue = 'national' | 'sede' | 'province';

export const dashboardDaily = pgTable(
  'dashboard_daily',
  {
    /** The local (Europe/Rome) calendar day, YYYY-MM-DD. */
    day: date('day', { mode: 'string' }).notNull(),
    scope: text('scope').$type<DailyScopeValue>().notNull(),
    /** `IT` for national, a sede code (`SEDE-MI`) or a province code (`MI`). */
    key: text('key').notNull(),
    /** Conversations assigned to an advisor that day. */
    chatsServed: integer('chats_served').notNull(),
    /** Over the chats served that day whose wait is known; null when none is. */
    avgWaitSeconds: doublePrecision('avg_wait_seconds'),
    p90WaitSeconds: doublePrecision('p90_wait_seconds'),
    /** Chats escalated to a Linea INPS ticket that day. */
    escalations: integer('escalations').notNull(),
    ticketsOpened: integer('tickets_opened').notNull(),
    ticketsClosed: integer('tickets_closed').notNull(),
    /** Of the backlog at the end of the day, those past their due time. */
    ticketsOverdue: integer('tickets_overdue').notNull(),
    /** Tickets created before the end of the day and not closed by then. */
    backlogEnd: integer('backlog_end').notNull(),
    /**
     * Ratings (1-5) of the chats closed that day with one, as a count and a sum
     * rather than an average: both add up over days and scopes, an average does
     * not. Rows taken before ratings were counted have 0 and 0.
     */
    ratingsCount: integer('ratings_count').notNull().default(0),
    ratingsSum: integer('ratings_sum').notNull().default(0),
    /**
     * Users who left a queue that day without being served (queue_departures),
     * and of those the ones who found their answer among the tips while waiting
     * (`self_served`, a success rather than a failure). Rows taken before
     * departures were recorded have 0 and 0.
     */
    departures: integer('departures').notNull().default(0),
    departuresSelfServed: integer('departures_self_served').notNull().default(0),
    takenAt: instant('taken_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'dashboard_daily_pk', columns: [t.day, t.scope, t.key] }),
    index('dashboard_daily_scope_key_idx').on(t.scope, t.key, t.day),
    check('dashboard_daily_scope_check', sql`${t.scope} in ('national', 'sede', 'province')`),
  ],
);

export const conversationWaits = pgTable(
  'conversation_waits',
  {
    conversationId: text('conversation_id').primaryKey(),
    /** When the user first asked (kept across a requeue). */
    requestedAt: instant('requested_at').notNull(),
    waitMs: integer('wait_ms').notNull(),
  },
  (t) => [
    foreignKey({ name: 'conversation_waits_conversation_fk', columns: [t.conversationId], foreignColumns: [conversations.id] }).onDelete('cascade'),
    check('conversation_waits_wait_check', sql`${t.waitMs} >= 0`),
  ],
);

export const ticketOnlyProvinces = pgTable('ticket_only_provinces', {
  province: text('province')
    .primaryKey()
    .references(() => provinces.code),
  since: instant('since').notNull(),
  setBy: text('set_by').notNull(),
});

export const dashboardAudit = pgTable(
  'dashboard_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: instant('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    actorName: text('actor_name'),
    /** `advisor.queues`, `province.ticket_only`, `snapshot.taken`. */
    action: text('action').notNull(),
    /** What was acted on: an advisor id, a province code, a day. */
    target: text('target').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('dashboard_audit_at_idx').on(t.at), index('dashboard_audit_target_idx').on(t.target, t.at)],
);

export const DEPARTURE_REASONS = ['cancelled', 'self_served', 'disconnected', 'timeout', 'closed'] as const;
export type DepartureReason = (typeof DEPARTURE_REASONS)[number];

/**
 * One row per user who left a queue unserved: when, where (province, audience,
 * topic), why, and how long they had waited. Written once per departure by the
 * node whose atomic removal from the routing state succeeded
 * (server/queue-departures.ts).
 *
 * No personal data, on purpose: no user id, no name, no conversation id, nothing
 * that points back to a person; the figures it feeds are counts per province.
 * So, like `dashboard_daily`, it is not erased by RETENTION_DAYS
 * (docs/retention.md, docs/dashboard.md "Departures").
 */
export const queueDepartures = pgTable(
  'queue_departures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** When the user left (or was let go). */
    at: instant('at').notNull(),
    province: text('province')
      .notNull()
      .references(() => provinces.code),
    audience: text('audience').$type<Audience>().notNull(),
    topic: text('topic').$type<Topic>().notNull(),
    reason: text('reason').$type<DepartureReason>().notNull(),
    /** From asking (QueueEntry.since) to leaving. */
    waitedMs: integer('waited_ms').notNull(),
  },
  (t) => [
    // "Today, per province" (live) and "that day, per scope" (snapshot) are both a range on `at`
    // grouped by province and reason: all three in the index, so neither reads the table.
    index('queue_departures_at_idx').on(t.at, t.province, t.reason),
    check('queue_departures_reason_check', sql`${t.reason} in ('cancelled', 'self_served', 'disconnected', 'timeout', 'closed')`),
    check('queue_departures_waited_check', sql`${t.waitedMs} >= 0`),
  ],
);

export type DashboardDailyRow = typeof dashboardDaily.$inferSelect;
export type NewDashboardDailyRow = typeof dashboardDaily.$inferInsert;
export type ConversationWaitRow = typeof conversationWaits.$inferSelect;
export type TicketOnlyProvinceRow = typeof ticketOnlyProvinces.$inferSelect;
export type DashboardAuditRow = typeof dashboardAudit.$inferSelect;
export type QueueDepartureRow = typeof queueDepartures.$inferSelect;
