/**
 * `announcements`: the supervisors' service announcements ("Avvisi"), shown to
 * users on the chat's start view and while they wait (server/announcements.ts,
 * docs/dashboard.md "Announcements"). When something affects many people at
 * once (a month's payments late, a procedure down, a new circular) one
 * announcement answers what would otherwise be hundreds of identical chats.
 *
 * Plain text in Italian, optionally German and English (a title and its text
 * come together), a severity, a scope (audiences and provinces, empty: all) and
 * a window [starts_at, ends_at). Never deleted: withdrawing sets withdrawn_at,
 * so the dashboard shows what users were told and until when.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { Audience } from '../routing/types.ts';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const ANNOUNCEMENT_SEVERITIES = ['info', 'warning'] as const;
export type AnnouncementSeverity = (typeof ANNOUNCEMENT_SEVERITIES)[number];

export const announcements = pgTable(
  'announcements',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    titleIt: text('title_it').notNull(),
    textIt: text('text_it').notNull(),
    titleDe: text('title_de'),
    textDe: text('text_de'),
    titleEn: text('title_en'),
    textEn: text('text_en'),
    severity: text('severity').$type<AnnouncementSeverity>().notNull(),
    /** worker, employer, intermediary; empty: everyone. */
    audiences: jsonb('audiences').$type<Audience[]>().notNull().default([]),
    /** Province codes; empty: all Italy. */
    provinces: jsonb('provinces').$type<string[]>().notNull().default([]),
    startsAt: instant('starts_at').notNull(),
    /** Exclusive. Required: an announcement nobody remembers to withdraw must still end. */
    endsAt: instant('ends_at').notNull(),
    createdBy: text('created_by').notNull(),
    createdByName: text('created_by_name'),
    createdAt: instant('created_at').notNull(),
    withdrawnAt: instant('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
  },
  (t) => [
    // Both reads (what is shown now, the dashboard's list) are a range on ends_at.
    index('announcements_ends_at_idx').on(t.endsAt),
    check('announcements_severity_check', sql`${t.severity} in ('info', 'warning')`),
    check('announcements_window_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('announcements_de_pair_check', sql`(${t.titleDe} is null) = (${t.textDe} is null)`),
    check('announcements_en_pair_check', sql`(${t.titleEn} is null) = (${t.textEn} is null)`),
  ],
);

export type AnnouncementRow = typeof announcements.$inferSelect;
export type NewAnnouncementRow = typeof announcements.$inferInsert;
