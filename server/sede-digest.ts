/**
 * The sedi's morning digest (docs/notices.md, "The morning digest"): on each
 * working morning (SEDE_DIGEST_AT, 08:30 local by default), every sede with
 * Linea INPS requests still unanswered and past due, or due by the end of the
 * day, is sent one notice listing them, so an office that does not keep the
 * console open still answers within the 24–48 working hours.
 *
 * - What counts is what the console calls overdue: not closed, no answer from
 *   the office yet (`responded_at` null), a due time. Requests already answered
 *   and waiting for the user are not the sede's to chase.
 * - No digest on a day the sede is closed: Saturdays, Sundays, national
 *   holidays and the patron day of the sede's city, as the SLA counts them.
 * - A digest is an outbox row (`kind = 'digest'`, `recipient_kind = 'sede'`, no
 *   ticket) delivered like every notice. A partial unique index on (sede, day)
 *   makes its insert idempotent: every node runs the timer, one row is written.
 *   A node started within six hours after the time of the day writes the day's
 *   digest at once, so a deploy at 08:30 does not skip a morning.
 * - It names protocol numbers and due times only: no subject, no thread, no
 *   person (notices never carry what a request says).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { addDaysYmd, patronDayOf } from '../routing/holidays.ts';
import { isWorkingDay } from '../routing/working-hours.ts';
import { zonedTimeToUtc } from '../routing/zoned-time.ts';
import { DAILY_TIME_ZONE, everyDayAt, localDay, type DailyTimer } from './daily-timer.ts';
import { queryRows, type Db } from './db.ts';

/** Requests named in one digest; the counts cover all of them. */
export const DIGEST_LIST_LIMIT = 20;
/** How long after the time of the day a starting node still writes a missed digest. */
const CATCH_UP_MS = 6 * 3_600_000;

export interface DigestItem {
  protocol: string;
  /** ISO instant. */
  dueAt: string;
  overdue: boolean;
}

/** The payload of a digest's outbox row. */
export interface DigestPayload {
  day: string;
  overdue: number;
  dueToday: number;
  /** The most urgent first, at most DIGEST_LIST_LIMIT. */
  items: DigestItem[];
}

type Row = {
  sede: string;
  province: string;
  protocol: string;
  due_at: Date | string;
  overdue: boolean;
  rank: number | string;
  total: number | string;
  overdue_total: number | string;
};

/** Each sede's unanswered requests due before the end of `day` (local), as of `now`. */
export async function collectDigests(db: Db, day: string, now: Date, timeZone = DAILY_TIME_ZONE): Promise<Map<string, DigestPayload>> {
  const end = zonedTimeToUtc(addDaysYmd(day, 1), '00:00', timeZone);
  const rows = await queryRows<Row>(
    db,
    sql`select sede, province, protocol, due_at, overdue, rank, total, overdue_total from (
          select t.sede, o.province, t.protocol, t.due_at, t.due_at < ${now.toISOString()}::timestamptz as overdue,
                 row_number() over (partition by t.sede order by t.due_at, t.protocol) as rank,
                 count(*) over (partition by t.sede) as total,
                 count(*) filter (where t.due_at < ${now.toISOString()}::timestamptz) over (partition by t.sede) as overdue_total
            from tickets t join offices o on o.code = t.sede
           where t.status <> 'closed' and t.responded_at is null and t.due_at < ${end.toISOString()}::timestamptz
        ) d where rank <= ${DIGEST_LIST_LIMIT} order by sede, rank`,
  );
  const bySede = new Map<string, DigestPayload>();
  for (const r of rows) {
    // The sede's city keeps its patron day: nobody there reads the digest.
    const patron = patronDayOf(r.province);
    if (patron !== undefined && day.slice(5) === patron) continue;
    let d = bySede.get(r.sede);
    if (!d) bySede.set(r.sede, (d = { day, overdue: Number(r.overdue_total), dueToday: Number(r.total) - Number(r.overdue_total), items: [] }));
    d.items.push({ protocol: r.protocol, dueAt: new Date(r.due_at).toISOString(), overdue: r.overdue });
  }
  return bySede;
}

/**
 * Writes the day's digests into the outbox (one per sede with something due;
 * none on a day that is not a working day). Idempotent: returns how many rows
 * this call wrote, 0 when another node (or an earlier run) already had.
 */
export async function enqueueDigests(db: Db, clock: Clock, timeZone = DAILY_TIME_ZONE): Promise<number> {
  const now = new Date(clock.now());
  const day = localDay(now, timeZone);
  if (!isWorkingDay(day)) return 0;
  const digests = await collectDigests(db, day, now, timeZone);
  let written = 0;
  for (const [sede, payload] of digests) {
    const rows = await queryRows<{ id: string }>(
      db,
      sql`insert into outbox (id, ticket_id, kind, recipient_kind, recipient_id, payload, created_at)
          values (${randomUUID()}::uuid, null, 'digest', 'sede', ${sede}, ${JSON.stringify(payload)}::jsonb, ${now.toISOString()}::timestamptz)
          on conflict (recipient_id, (payload ->> 'day')) where kind = 'digest' do nothing
          returning id`,
    );
    written += rows.length;
  }
  return written;
}

export interface DigestScheduleOptions {
  db: Db;
  clock: Clock;
  /** Local HH:MM. */
  at: string;
  log?: Pick<Logger, 'info' | 'warn'>;
  timeZone?: string;
}

export interface DigestSchedule extends DailyTimer {
  /** The catch-up run at start, if there was one (tests await it). */
  readonly caughtUp: Promise<void> | null;
}

/** Writes the digests every day at `at`, and once at start if this morning's run was missed. */
export function scheduleSedeDigests(o: DigestScheduleOptions): DigestSchedule {
  const tz = o.timeZone ?? DAILY_TIME_ZONE;
  const run = async () => {
    try {
      const written = await enqueueDigests(o.db, o.clock, tz);
      if (written > 0) o.log?.info({ written }, 'sede digests written');
    } catch (err) {
      o.log?.warn({ err }, 'sede digests not written; the next run (or the next node to start) writes them');
    }
  };
  // Catch up a morning missed by a deploy or a restart, but not in the evening:
  // "due today" read at 23:00 helps nobody, and tomorrow's digest will list them.
  const now = o.clock.now();
  const today = zonedTimeToUtc(localDay(now, tz), o.at, tz).getTime();
  const caughtUp = now >= today && now < today + CATCH_UP_MS ? run() : null;
  const timer = everyDayAt({ at: o.at, clock: o.clock, timeZone: tz, run });
  return {
    caughtUp,
    stop: () => timer.stop(),
    get nextAt() {
      return timer.nextAt;
    },
  };
}
