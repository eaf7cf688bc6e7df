/**
 * `access_log`: who on the institute's side saw whose data, and when
 * (server/access-log.ts, docs/access-log.md). One row each time a staff member
 * (advisor, office operator, supervisor) reads a conversation's transcript, a
 * ticket, one of its files, or searches tickets by matricola. Written before
 * the data is sent (no row, no data), append-only: nothing updates or deletes
 * it. `owner_id` is the person the data is about, so a data subject's request
 * ("who looked at my requests?") is one indexed query.
 */
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const accessLog = pgTable(
  'access_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: instant('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    /** The operator's territorial office (claim `sede`), for office operators. */
    actorSede: text('actor_sede'),
    /** One of ACCESS_ACTIONS (server/access-log.ts): `conversation.read`, `ticket.read`, `ticket.list`, … */
    action: text('action').notNull(),
    /** What was read: a conversation id, a ticket id, an attachment id, or the matricola searched. */
    subjectId: text('subject_id').notNull(),
    /** Whose data it is: the user of the conversation or ticket; null for a search. */
    ownerId: text('owner_id'),
    /** The request's id in the server's log lines, to find the same request there. */
    requestId: text('request_id'),
    /** Small context (the ticket of an attachment, a search's result count); never message text or tax codes. */
    detail: jsonb('detail').$type<Record<string, string | number>>().notNull().default({}),
  },
  (t) => [
    index('access_log_at_idx').on(t.at),
    index('access_log_owner_idx').on(t.ownerId, t.at),
    index('access_log_actor_idx').on(t.actorId, t.at),
    index('access_log_subject_idx').on(t.subjectId, t.at),
  ],
);

export type AccessLogRow = typeof accessLog.$inferSelect;
