/**
 * The router's periodic duties, run on every tick of every node (each step is an
 * atomic operation on the shared state, so two nodes sweeping at once is harmless):
 * - a user waiting past `maxWaitSeconds` is offered a Linea INPS request instead;
 * - at closing time those still waiting are served until the cut-off, then offered the same;
 * - an assigned chat whose advisor has not written within `unansweredSeconds` goes to
 *   another advisor, and the silent one is set away (router-unanswered.ts: found in this
 *   node's memory or, whichever node assigned it, in the database; taken by one node only);
 * - the chats of users who left the queue that this node could not close (an outage) are
 *   closed again (left-behind-closes.ts; not awaited, so a database that does not answer
 *   does not hold up the rest).
 */
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import type { RoutingConfig } from '../routing/routing-config.ts';
import type { QueueEntry, RoutingState } from '../routing/routing-state.ts';
import { availability, localParts, type ScheduleConfig } from '../routing/schedule.ts';
import type { ChatStore } from './chat-store.ts';
import type { Fanout } from './fanout.ts';
import type { Metrics } from './metrics.ts';
import type { QueueDepartures } from './queue-departures.ts';
import type { RouterService } from './router-service.ts';
import { UnansweredChats } from './router-unanswered.ts';

export interface SweepDeps {
  state: RoutingState;
  store: ChatStore;
  fanout: Fanout;
  router: RouterService;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** Records each departure for the dashboard (not awaited). */
  departures: QueueDepartures;
  config: RoutingConfig;
  schedule: ScheduleConfig;
}

export class RouterSweep {
  /** Chats whose first answer is overdue (router-unanswered.ts). */
  private readonly unanswered: UnansweredChats;

  constructor(private readonly deps: SweepDeps) {
    this.unanswered = new UnansweredChats(deps);
  }

  async run(): Promise<void> {
    const snapshot = await this.deps.state.snapshot();
    for (const entries of snapshot.queues.values()) {
      for (const entry of entries) {
        const reason = this.reasonToLeave(entry);
        if (reason) await this.release(entry, reason);
      }
    }
    void this.deps.router.retryLeftBehind();
    await this.unanswered.run(snapshot);
  }

  /** Why a waiting user should be offered a ticket now, if they should. */
  reasonToLeave(entry: QueueEntry): 'timeout' | 'closed' | null {
    const { clock, config, schedule } = this.deps;
    const now = clock.now();
    if (now - entry.since > config.maxWaitSeconds * 1000) return 'timeout';
    if (schedule.always) return null;
    const at = new Date(now);
    if (availability(at, entry.province, entry.audience, schedule).open) return null;
    const [h, m] = schedule.closesAt.split(':').map(Number) as [number, number];
    const minutesAfterClosing = localParts(at, schedule.timeZone).minutes - (h * 60 + m);
    // Served until the cut-off after closing; past it, or on another day, the wait is over.
    return minutesAfterClosing >= 0 && minutesAfterClosing < config.closingCutoffMinutes ? null : 'closed';
  }

  private async release(entry: QueueEntry, reason: 'timeout' | 'closed'): Promise<void> {
    const { state, fanout, metrics, log, router, departures } = this.deps;
    const removed = await state.cancel(entry.userId);
    if (!removed) return; // another node got there first, or the user was matched
    metrics.abandoned.inc({ reason });
    void departures.record(removed, reason);
    log.info({ userId: entry.userId, reason }, 'waiting user offered a Linea INPS request');
    fanout.toUser(entry.userId, { type: 'queue.left', reason, offerTicket: true, conversationId: entry.conversationId });
    router.forgetPosition(entry.userId);
    await router.closeLeftBehind(removed, 'system');
  }
}
