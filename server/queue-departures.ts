/**
 * Who left a queue without being served (docs/dashboard.md, "Departures"): one
 * `queue_departures` row per departure, written by the node whose atomic removal
 * from the routing state succeeded (`state.cancel` returned the entry), so each
 * departure is recorded once however many nodes sweep.
 *
 * The user's answer never waits on this nor fails because of it: `record` is
 * called without `await`, returns a promise that never rejects, and a failed
 * insert is logged (warn, with province and reason only: no user id) and counted
 * in `infocig_queue_departures_unrecorded_total`. Pending inserts are awaited
 * at shutdown (`idle`) so a node stopping does not drop the last ones.
 */
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import type { QueueEntry } from '../routing/routing-state.ts';
import { queueDepartures, type DepartureReason } from '../schema/dashboard-tables.ts';
import type { Db } from './db.ts';

export interface DepartureDeps {
  db: Db;
  clock: Clock;
  log?: Pick<Logger, 'warn'>;
  /** A departure could not be stored (the Prometheus counter of failures). */
  onFailed?: () => void;
}

export class QueueDepartures {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: DepartureDeps) {}

  /** Records that `entry` left the queue for `reason`, now. Never rejects; do not await it in a user's path. */
  record(entry: Pick<QueueEntry, 'province' | 'audience' | 'topic' | 'since'>, reason: DepartureReason): Promise<void> {
    const at = this.deps.clock.now();
    const done = this.insert(entry, reason, at).finally(() => this.pending.delete(done));
    this.pending.add(done);
    return done;
  }

  /** Settles once every departure handed over so far is stored or given up. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async insert(entry: Pick<QueueEntry, 'province' | 'audience' | 'topic' | 'since'>, reason: DepartureReason, at: number): Promise<void> {
    try {
      await this.deps.db.insert(queueDepartures).values({
        at: new Date(at),
        province: entry.province,
        audience: entry.audience,
        topic: entry.topic,
        reason,
        waitedMs: Math.max(0, Math.round(at - entry.since)),
      });
    } catch (err) {
      this.deps.onFailed?.();
      // Province and reason say which figure is short; nothing about who left.
      this.deps.log?.warn({ err, province: entry.province, reason }, 'queue departure not recorded; the dashboard undercounts it');
    }
  }
}
