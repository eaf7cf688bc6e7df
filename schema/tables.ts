/**
 * The relational schema (drizzle pg-core). `drizzle-kit generate` turns it into
 * the SQL under schema/migrations; test/migrations.test.ts keeps the two in step.
 *
 * Other table files may sit next to this one as `schema/*tables.ts` (e.g.
 * `schema/ticket-tables.ts`): drizzle.config.ts picks them up too.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  uniqueIndex,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import type { Audience, Entry, Topic, UserRole } from '../routing/types.ts';
import type { ConversationStatus } from '../server/chat-store.ts';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Italian provinces (reference data, seeded from schema/data/provinces.csv). */
export const provinces = pgTable('provinces', {
  /** Two-letter code, e.g. `MI`. */
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  region: text('region').notNull(),
  /** ISTAT province code, zero-padded text, e.g. `015`. */
  istat: text('istat').notNull(),
});

/** INPS territorial offices (sedi). */
export const offices = pgTable(
  'offices',
  {
    /** Sede code, e.g. `SEDE-MI`; the `sede` claim of office operators. */
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    /** The province the office sits in. */
    province: text('province')
      .notNull()
      .references(() => provinces.code),
    email: text('email'),
  },
  (t) => [index('offices_province_idx').on(t.province)],
);

/** Which office is competent for a province: one per province, editable. */
export const officeProvinces = pgTable(
  'office_provinces',
  {
    province: text('province')
      .primaryKey()
      .references(() => provinces.code),
    officeCode: text('office_code')
      .notNull()
      .references(() => offices.code, { onUpdate: 'cascade' }),
  },
  (t) => [index('office_provinces_office_idx').on(t.officeCode)],
);

/**
 * What an advisor can serve. An empty `provinces` and an empty `regions`
 * together mean the whole country; otherwise a province is served when it is
 * listed or its region is listed. Languages are ISO 639-1 codes (`it`, `en`).
 */
export interface AdvisorSkills {
  audiences: Audience[];
  topics: Topic[];
  languages: string[];
  provinces: string[];
  regions: string[];
}

/** Advisors known to the service; `id` is the JWT `sub`. */
export const advisors = pgTable(
  'advisors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    capacity: integer('capacity').notNull().default(3),
    skills: jsonb('skills')
      .$type<AdvisorSkills>()
      .notNull()
      .default({ audiences: [], topics: [], languages: ['it'], provinces: [], regions: [] }),
    active: boolean('active').notNull().default(true),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [check('advisors_capacity_check', sql`${t.capacity} >= 0`)],
);

/** One chat between a user and an advisor. `last_seq` is the seq counter of its messages. */
export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    userRole: text('user_role').$type<UserRole>().notNull(),
    userName: text('user_name'),
    province: text('province').notNull(),
    audience: text('audience').$type<Audience>().notNull(),
    topic: text('topic').$type<Topic>().notNull(),
    entry: text('entry').$type<Entry>().notNull(),
    context: jsonb('context').$type<Record<string, string>>().notNull().default({}),
    advisorId: text('advisor_id'),
    advisorName: text('advisor_name'),
    // When the advisor it names was given it (opened with them, or handed over): their first answer is due
    // `unansweredSeconds` later, which a welcome on any node tells them (server/chat-welcome.ts). Null while
    // it names no advisor, and for chats assigned before 0023.
    assignedAt: instant('assigned_at'),
    // The chat's `last_seq` when it was given that advisor, set in the same statement (so in step with the appends,
    // which lock the row): only their messages after it answer this assignment, not those from an earlier turn of
    // theirs in the chat (server/answer-deadline-sql.ts). Null while it names no advisor, and for chats assigned before
    // 0025 (then any message of theirs counts, as before).
    assignedSeq: integer('assigned_seq'),
    status: text('status').$type<ConversationStatus>().notNull().default('open'),
    outcome: text('outcome'),
    rating: smallint('rating'),
    closedBy: text('closed_by'),
    openedAt: instant('opened_at').notNull().defaultNow(),
    closedAt: instant('closed_at'),
    lastSeq: integer('last_seq').notNull().default(0),
    // How far each side has read (the highest seq of its `read` frames): the other side's page
    // shows «Letto» from it after a reload (welcome `peerReadSeq`). In no index: a read stays a HOT update.
    userReadSeq: integer('user_read_seq').notNull().default(0),
    advisorReadSeq: integer('advisor_read_seq').notNull().default(0),
  },
  (t) => [
    index('conversations_user_status_idx').on(t.userId, t.status),
    index('conversations_advisor_status_idx').on(t.advisorId, t.status),
    // The retention sweep's candidates (server/retention.ts); no column of a message's `last_seq` bump, so that stays a HOT update.
    index('conversations_closed_at_idx').on(t.closedAt).where(sql`${t.status} = 'closed'`),
    // Chats served today per province, read by the dashboard's live view at each update
    // (server/dashboard-departures.ts); neither column changes after insert, so updates stay HOT.
    index('conversations_opened_at_idx').on(t.openedAt, t.province),
    // Every open conversation, read when the routing state is rebuilt after a Redis lost it and once a minute
    // by the reconciliation (server/routing-recovery.ts): small (open rows only), so neither scans the table.
    index('conversations_open_idx').on(t.advisorId, t.userId).where(sql`${t.status} = 'open'`),
    // Open chats by when their advisor was given them: every node reads those past the first-answer deadline every
    // few seconds (server/answer-deadline-sql.ts), the oldest first, without touching closed rows. `assigned_at`
    // changes only at an assignment, never with a message, so appends and read marks stay HOT updates.
    index('conversations_open_assigned_idx').on(t.assignedAt).where(sql`${t.status} = 'open'`),
    // One open conversation per user. Redis says who is in a chat, but a failover to a replica can lose a
    // claim it acknowledged: the user then waits again while their chat is open here, and a second claim
    // would open a second chat. The insert fails instead and the router gives the user their open one
    // back (server/router-service.ts, docs/routing-state.md "Failover to a replica").
    uniqueIndex('conversations_one_open_per_user').on(t.userId).where(sql`${t.status} = 'open'`),
    // A company's previous chats beside a chat about it (server/chat-history.ts): only its closed ones, by
    // when they closed. The context is written once, at insert, so a message's bump stays a HOT update.
    index('conversations_matricola_closed_idx').on(sql`(${t.context} ->> 'matricola')`, t.closedAt).where(sql`${t.status} = 'closed'`),
    check('conversations_status_check', sql`${t.status} in ('open', 'closed')`),
  ],
);

/** The transcript: `(conversation_id, seq)` is gap-free from 1. */
export const messages = pgTable(
  'messages',
  {
    conversationId: text('conversation_id').notNull(),
    seq: integer('seq').notNull(),
    senderId: text('sender_id').notNull(),
    senderRole: text('sender_role').notNull(),
    clientMsgId: text('client_msg_id').notNull(),
    text: text('text').notNull(),
    at: instant('at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'messages_pk', columns: [t.conversationId, t.seq] }),
    unique('messages_client_msg_unique').on(t.conversationId, t.senderId, t.clientMsgId),
    foreignKey({
      name: 'messages_conversation_fk',
      columns: [t.conversationId],
      foreignColumns: [conversations.id],
    }).onDelete('cascade'),
  ],
);

export type ProvinceRow = typeof provinces.$inferSelect;
export type OfficeRow = typeof offices.$inferSelect;
export type OfficeProvinceRow = typeof officeProvinces.$inferSelect;
export type AdvisorRow = typeof advisors.$inferSelect;
export type NewAdvisorRow = typeof advisors.$inferInsert;
export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
