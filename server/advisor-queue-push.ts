/**
 * The `advisor.queue` frame: each advisor connected to this node is told how many
 * users wait whom they could serve (routing/advisor-queue.ts) and how long the
 * longest has waited, so one at capacity wraps up a chat and one away sees the
 * pressure. Counts and seconds only, no user's data. Sent when the count or the
 * longest waiter changes (the console counts the seconds on by itself), at most once
 * per `minIntervalMs` per advisor, and at once after their hello or a status change.
 * Every node tells its own sockets from the shared snapshot its router already reads,
 * so it works the same on the in-process state and on Redis with many nodes.
 */
import { advisorQueue, advisorQueues, type AdvisorQueue } from '../routing/advisor-queue.ts';
import type { Clock } from '../routing/clock.ts';
import type { MatchContext } from '../routing/matching.ts';
import type { AdvisorState, RoutingSnapshot } from '../routing/routing-state.ts';
import type { Hub } from './hub.ts';
import type { AdvisorQueueFrame } from './ws-frames.ts';

export interface AdvisorQueuePushDeps {
  hub: Hub;
  clock: Clock;
  minIntervalMs: number;
}

interface Told {
  key: string;
  at: number;
  /** The newer figures held back by the interval, and the timer that sends them. */
  pending: AdvisorQueue | null;
  timer: NodeJS.Timeout | null;
}

export class AdvisorQueuePush {
  private readonly told = new Map<string, Told>();

  constructor(private readonly deps: AdvisorQueuePushDeps) {}

  /** Tells each advisor connected here whose figures changed (within the interval, later). */
  push(snapshot: RoutingSnapshot, ctx: MatchContext): void {
    const here = advisorQueues(snapshot.advisors.filter((a) => this.deps.hub.isOnline(a.id)), snapshot, ctx);
    for (const [id, queue] of here) this.offer(id, queue);
    for (const [id, told] of this.told) if (!here.has(id)) this.forget(id, told);
  }

  /** Tells the advisor now, interval or not (their hello, their status changed). */
  sendNow(advisor: AdvisorState, snapshot: RoutingSnapshot, ctx: MatchContext): void {
    this.send(advisor.id, advisorQueue(advisor, snapshot, ctx));
  }

  close(): void {
    for (const [id, told] of this.told) this.forget(id, told);
  }

  private offer(advisorId: string, queue: AdvisorQueue): void {
    const told = this.told.get(advisorId);
    if (told && told.key === keyOf(queue)) {
      told.pending = null; // back to what they were told: nothing to send
      return;
    }
    const wait = told ? told.at + this.deps.minIntervalMs - Date.now() : 0;
    if (!told || wait <= 0) return this.send(advisorId, queue);
    told.pending = queue;
    told.timer ??= setTimeout(() => {
      told.timer = null;
      if (told.pending && this.told.get(advisorId) === told) this.send(advisorId, told.pending);
    }, wait);
    told.timer.unref();
  }

  private send(advisorId: string, queue: AdvisorQueue): void {
    const previous = this.told.get(advisorId);
    if (previous?.timer) clearTimeout(previous.timer);
    this.told.set(advisorId, { key: keyOf(queue), at: Date.now(), pending: null, timer: null });
    this.deps.hub.toUser(advisorId, frameOf(queue, this.deps.clock.now()));
  }

  private forget(advisorId: string, told: Told): void {
    if (told.timer) clearTimeout(told.timer);
    this.told.delete(advisorId);
  }
}

const keyOf = (q: AdvisorQueue) => `${q.waiting}:${q.oldestSince ?? ''}`;

export function frameOf(q: AdvisorQueue, now: number): AdvisorQueueFrame {
  const longestWaitSeconds = q.oldestSince === null ? null : Math.max(0, Math.round((now - q.oldestSince) / 1000));
  return { type: 'advisor.queue', waiting: q.waiting, longestWaitSeconds };
}
