/**
 * Service announcements ("Avvisi", docs/dashboard.md "Announcements"): a
 * supervisor publishes a short notice that users read on the chat's start view
 * and while they wait, so that many find the answer ("the March payments are
 * late", "the procedure is down until 18:00") without asking for a chat.
 *
 * Rules: supervisors only publish, list and withdraw, each audited in
 * `dashboard_audit` like the dashboard's other controls; plain text (rendered
 * as text, and text that looks like markup is refused, since it would show its
 * tags), Italian required, German and English each as a title with its text;
 * a window of at most MAX_DAYS, not already over.
 *
 * The public read (what is shown now to a province and audience) is asked by
 * every chat page that opens and every 30 s by every waiting one, so it is
 * answered from memory: the announcements not yet ended, read from the database
 * at most every CACHE_MS per node and filtered by scope and window at each
 * request. A change on this node is seen at once; on the others within CACHE_MS.
 */
import { and, desc, eq, gte, gt, isNull, or } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import type { Audience } from '../routing/types.ts';
import { announcements, type AnnouncementRow, type AnnouncementSeverity } from '../schema/announcement-tables.ts';
import { dashboardAudit } from '../schema/dashboard-tables.ts';
import type { Identity } from './auth.ts';
import { auditRow, provinceCodes, requireSupervisor } from './dashboard-controls.ts';
import type { Db } from './db.ts';
import { AppError } from './errors.ts';

export const ANNOUNCEMENT_LIMITS = {
  title: 120,
  text: 1000,
  /** Longest window, days: an announcement is news, not a page of the site. */
  maxDays: 30,
  /** How far ahead one may be scheduled, days. */
  aheadDays: 90,
  /** The dashboard's list goes back this many days. */
  pastDays: 30,
  /** Most shown to a user at once. */
  shown: 5,
} as const;
/** How long a node answers the public read from what it last read. */
export const ANNOUNCEMENT_CACHE_MS = 10_000;
const DAY_MS = 86_400_000;
const LANGS = ['it', 'de', 'en'] as const;
type Lang = (typeof LANGS)[number];

export type Texts = { it: string } & Partial<Record<Exclude<Lang, 'it'>, string>>;

export interface AnnouncementInput {
  title: Texts;
  text: Texts;
  severity: AnnouncementSeverity;
  audiences?: Audience[];
  provinces?: string[];
  /** ISO 8601 instant; absent or past: now. */
  startsAt?: string;
  endsAt: string;
}

/** What a user's page gets: nothing about who wrote it or whom else it is for. */
export interface PublicAnnouncement {
  id: number;
  severity: AnnouncementSeverity;
  title: Texts;
  text: Texts;
  startsAt: string;
  endsAt: string;
}

export type AnnouncementStatus = 'scheduled' | 'current' | 'ended' | 'withdrawn';

export interface AnnouncementView extends PublicAnnouncement {
  status: AnnouncementStatus;
  audiences: Audience[];
  provinces: string[];
  createdAt: string;
  createdBy: { id: string; name: string | null };
  withdrawnAt: string | null;
  withdrawnBy: string | null;
}

// ---------------------------------------------------------------------------
// Checking what a supervisor sends

/** Control characters but line breaks (and tab in a text); none at all in a title. */
const CONTROL = { title: /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, text: /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/ };
/** A tag, a comment, a doctype or an entity: would show as such, since the pages render text. */
const MARKUP = /<[A-Za-z!/?]|&(#\d+|#x[0-9a-f]+|[a-z]+);/i;

function plain(field: string, value: string, kind: 'title' | 'text'): string {
  const v = value.replace(/\r\n?/g, '\n').trim();
  if (v.length === 0) throw new AppError('validation_failed', `${field} is empty`);
  if (v.length > ANNOUNCEMENT_LIMITS[kind]) throw new AppError('validation_failed', `${field} is longer than ${ANNOUNCEMENT_LIMITS[kind]} characters`);
  if (CONTROL[kind].test(v)) throw new AppError('validation_failed', `${field} has control characters${kind === 'title' ? ' or line breaks' : ''}`);
  if (MARKUP.test(v)) throw new AppError('markup_not_allowed', field);
  return v;
}

/** Each language's title and text, both or neither; Italian always. */
function texts(input: AnnouncementInput): Record<Lang, { title: string; text: string } | null> {
  const out = {} as Record<Lang, { title: string; text: string } | null>;
  for (const l of LANGS) {
    const title = input.title[l];
    const text = input.text[l];
    if (title === undefined && text === undefined && l !== 'it') {
      out[l] = null;
      continue;
    }
    if (title === undefined || text === undefined) throw new AppError('validation_failed', `title.${l} and text.${l} go together`);
    out[l] = { title: plain(`title.${l}`, title, 'title'), text: plain(`text.${l}`, text, 'text') };
  }
  return out;
}

function instant(field: string, value: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(ms)) throw new AppError('invalid_instant', field);
  return new Date(ms);
}

/** [start, end): a start in the past is now; the end after it, not past, within MAX_DAYS. */
function window(input: AnnouncementInput, now: Date): { startsAt: Date; endsAt: Date } {
  const asked = input.startsAt === undefined ? now : instant('startsAt', input.startsAt);
  const endsAt = instant('endsAt', input.endsAt);
  const startsAt = asked < now ? now : asked;
  const { maxDays, aheadDays } = ANNOUNCEMENT_LIMITS;
  if (endsAt <= now) throw new AppError('announcement_window_invalid', 'endsAt is already past');
  if (endsAt <= startsAt) throw new AppError('announcement_window_invalid', 'endsAt is not after startsAt');
  if (endsAt.getTime() - startsAt.getTime() > maxDays * DAY_MS) throw new AppError('announcement_window_invalid', `longer than ${maxDays} days`);
  if (startsAt.getTime() - now.getTime() > aheadDays * DAY_MS) throw new AppError('announcement_window_invalid', `starts more than ${aheadDays} days ahead`);
  return { startsAt, endsAt };
}

// ---------------------------------------------------------------------------
// Views

function textsOf(row: AnnouncementRow, kind: 'title' | 'text'): Texts {
  const [it, de, en] = kind === 'title' ? [row.titleIt, row.titleDe, row.titleEn] : [row.textIt, row.textDe, row.textEn];
  return { it, ...(de === null ? {} : { de }), ...(en === null ? {} : { en }) };
}

export function publicView(row: AnnouncementRow): PublicAnnouncement {
  return { id: row.id, severity: row.severity, title: textsOf(row, 'title'), text: textsOf(row, 'text'), startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString() };
}

function statusOf(row: AnnouncementRow, now: number): AnnouncementStatus {
  if (row.withdrawnAt) return 'withdrawn';
  if (row.startsAt.getTime() > now) return 'scheduled';
  return row.endsAt.getTime() > now ? 'current' : 'ended';
}

export function fullView(row: AnnouncementRow, now: number): AnnouncementView {
  return {
    ...publicView(row),
    status: statusOf(row, now),
    audiences: row.audiences,
    provinces: row.provinces,
    createdAt: row.createdAt.toISOString(),
    createdBy: { id: row.createdBy, name: row.createdByName },
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
    withdrawnBy: row.withdrawnBy,
  };
}

/** Whether a row is for this user now: in its window, not withdrawn, and in scope (an empty scope is everyone). */
export function shownTo(row: AnnouncementRow, now: number, scope: { province?: string; audience?: Audience }): boolean {
  if (row.withdrawnAt || row.startsAt.getTime() > now || row.endsAt.getTime() <= now) return false;
  if (row.provinces.length > 0 && !(scope.province && row.provinces.includes(scope.province))) return false;
  return row.audiences.length === 0 || (scope.audience !== undefined && row.audiences.includes(scope.audience));
}

// ---------------------------------------------------------------------------

export interface AnnouncementDeps {
  db: Db;
  clock: Clock;
  log?: Pick<Logger, 'warn'>;
  /** How long the public read is answered from memory. Default ANNOUNCEMENT_CACHE_MS. */
  cacheMs?: number;
}

export class AnnouncementService {
  private cache: { at: number; rows: AnnouncementRow[] } | null = null;
  private loading: Promise<AnnouncementRow[]> | null = null;
  /** Bumped by each change here, so a read begun before it is not kept as the cache. */
  private generation = 0;

  constructor(private readonly deps: AnnouncementDeps) {}

  async create(identity: Identity, input: AnnouncementInput): Promise<AnnouncementView> {
    requireSupervisor(identity);
    const now = new Date(this.deps.clock.now());
    const t = texts(input);
    const { startsAt, endsAt } = window(input, now);
    const audiences = [...new Set(input.audiences ?? [])].sort();
    const provinces = provinceCodes(input.provinces ?? []);
    const row = await this.deps.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(announcements)
        .values({
          titleIt: t.it!.title, textIt: t.it!.text, titleDe: t.de?.title ?? null, textDe: t.de?.text ?? null, titleEn: t.en?.title ?? null, textEn: t.en?.text ?? null,
          severity: input.severity, audiences, provinces, startsAt, endsAt,
          createdBy: identity.sub, createdByName: identity.name, createdAt: now,
        })
        .returning();
      await tx.insert(dashboardAudit).values(
        auditRow(identity, now, 'announcement.published', String(created!.id), {
          title: created!.titleIt, severity: created!.severity, audiences, provinces, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(),
        }),
      );
      return created!;
    });
    this.forget();
    return fullView(row, now.getTime());
  }

  /** Withdraws it (shown no more); withdrawing it again changes nothing and is not audited again. */
  async withdraw(identity: Identity, id: number): Promise<AnnouncementView> {
    requireSupervisor(identity);
    const now = new Date(this.deps.clock.now());
    const row = await this.deps.db.transaction(async (tx) => {
      const [changed] = await tx
        .update(announcements)
        .set({ withdrawnAt: now, withdrawnBy: identity.sub })
        .where(and(eq(announcements.id, id), isNull(announcements.withdrawnAt)))
        .returning();
      if (!changed) {
        const [existing] = await tx.select().from(announcements).where(eq(announcements.id, id));
        if (!existing) throw new AppError('not_found');
        return existing;
      }
      await tx.insert(dashboardAudit).values(auditRow(identity, now, 'announcement.withdrawn', String(id), { title: changed.titleIt }));
      return changed;
    });
    this.forget();
    return fullView(row, now.getTime());
  }

  /** For the dashboard: current and scheduled, and those over in the last `pastDays`; latest start first. */
  async list(identity: Identity): Promise<{ now: string; items: AnnouncementView[] }> {
    requireSupervisor(identity);
    const now = this.deps.clock.now();
    const cut = new Date(now - ANNOUNCEMENT_LIMITS.pastDays * DAY_MS);
    const rows = await this.deps.db
      .select()
      .from(announcements)
      .where(and(gte(announcements.endsAt, cut), or(isNull(announcements.withdrawnAt), gte(announcements.withdrawnAt, cut))))
      .orderBy(desc(announcements.startsAt), desc(announcements.id))
      .limit(500);
    return { now: new Date(now).toISOString(), items: rows.map((r) => fullView(r, now)) };
  }

  /** What a user of this province and audience is shown now: warnings first, then the latest. */
  async current(scope: { province?: string; audience?: Audience }): Promise<PublicAnnouncement[]> {
    const province = scope.province === undefined ? undefined : provinceCodes([scope.province])[0];
    const rows = await this.live();
    const now = this.deps.clock.now();
    return rows
      .filter((r) => shownTo(r, now, { province, audience: scope.audience }))
      .sort((a, b) => Number(b.severity === 'warning') - Number(a.severity === 'warning') || b.startsAt.getTime() - a.startsAt.getTime() || b.id - a.id)
      .slice(0, ANNOUNCEMENT_LIMITS.shown)
      .map(publicView);
  }

  /** The announcements not ended, from memory when read less than cacheMs ago (one read at a time). */
  private async live(): Promise<AnnouncementRow[]> {
    const now = this.deps.clock.now();
    const age = this.cache ? now - this.cache.at : Infinity;
    if (this.cache && age >= 0 && age < (this.deps.cacheMs ?? ANNOUNCEMENT_CACHE_MS)) return this.cache.rows;
    if (!this.loading) {
      const loading = this.read(now).finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    try {
      return await this.loading;
    } catch (err) {
      // The database does not answer: what was shown a moment ago is better than nothing.
      if (!this.cache) throw err;
      this.deps.log?.warn({ err }, 'announcements not re-read: showing the last ones read');
      return this.cache.rows;
    }
  }

  private forget(): void {
    this.generation++;
    this.cache = null;
    this.loading = null;
  }

  private async read(now: number): Promise<AnnouncementRow[]> {
    const generation = this.generation;
    const rows = await this.deps.db
      .select()
      .from(announcements)
      .where(and(gt(announcements.endsAt, new Date(now)), isNull(announcements.withdrawnAt)))
      .orderBy(desc(announcements.startsAt))
      .limit(200);
    if (generation === this.generation) this.cache = { at: now, rows };
    return rows;
  }
}
