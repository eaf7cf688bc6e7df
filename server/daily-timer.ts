/**
 * A job run once a day at a local wall-clock time (Europe/Rome by default):
 * the dashboard's daily snapshot (daily-snapshot.ts) and the sedi's morning
 * digest (sede-digest.ts). The next run is computed from the clock after each
 * run, so a change of summer time moves it with the wall clock, and a run that
 * takes long never overlaps the next. Timers are unref'd: they never keep a
 * process alive on their own.
 */
import type { Clock } from '../routing/clock.ts';
import { addDaysYmd } from '../routing/holidays.ts';
import { localParts, zonedTimeToUtc } from '../routing/zoned-time.ts';

export const DAILY_TIME_ZONE = 'Europe/Rome';

export interface DailyTimer {
  stop(): void;
  /** The next planned run (for logs and tests). */
  readonly nextAt: Date | null;
}

/** The local calendar day (YYYY-MM-DD) of an instant. */
export function localDay(at: number | Date, timeZone = DAILY_TIME_ZONE): string {
  return localParts(at instanceof Date ? at : new Date(at), timeZone).ymd;
}

/** The first instant after `now` at which the local clock reads `hhmm`. */
export function nextRunAfter(now: number, hhmm: string, timeZone = DAILY_TIME_ZONE): Date {
  const today = localDay(now, timeZone);
  for (let i = 0; i < 3; i++) {
    const at = zonedTimeToUtc(addDaysYmd(today, i), hhmm, timeZone);
    if (at.getTime() > now) return at;
  }
  return zonedTimeToUtc(addDaysYmd(today, 1), hhmm, timeZone);
}

/** Calls `run(today)` every day at `at` (local HH:MM) until stop(); `run` must not reject. */
export function everyDayAt(o: { at: string; clock: Clock; run: (today: string) => Promise<void>; timeZone?: string }): DailyTimer {
  const tz = o.timeZone ?? DAILY_TIME_ZONE;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let nextAt: Date | null = null;
  const arm = () => {
    if (stopped) return;
    const now = o.clock.now();
    nextAt = nextRunAfter(now, o.at, tz);
    // setTimeout caps at ~24.8 days; a day is far below. Re-armed after each run.
    timer = setTimeout(() => void o.run(localDay(o.clock.now(), tz)).finally(arm), Math.max(1000, nextAt.getTime() - now));
    timer.unref();
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    get nextAt() {
      return nextAt;
    },
  };
}
