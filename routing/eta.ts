/**
 * Position and expected wait for waiting users, from the throughput the queue
 * really has: the advisors available for it, their free seats, and recent handling
 * times. An advisor who serves several non-empty queues is counted as sharing their
 * seats among them, so the same seat is never promised to two queues.
 */
import { isEligible, servingOrder, type MatchContext } from './matching.ts';
import type { RoutingSnapshot } from './routing-state.ts';

export interface WaitInfo {
  position: number;
  /** Seconds until served; when not `etaKnown`, position × mean handling time, a guess. */
  etaSeconds: number;
  /**
   * False when no available advisor can serve the queue: the wait depends on someone coming
   * back or signing in, which nothing here can foresee. Pages say so instead of a number;
   * `etaSeconds` stays a number for clients that know only it (the frame's contract).
   */
  etaKnown: boolean;
}

/** Recent handling times (seconds), a bounded ring; the mean falls back to a default. */
export class HandlingStats {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly fallbackSeconds: number,
  ) {}

  /**
   * A chat shorter than a tenth of the default (a user who left at once) counts as that
   * tenth: a handful of instant closes must not promise everyone a zero wait.
   */
  add(seconds: number): void {
    if (!(seconds > 0)) return;
    seconds = Math.max(seconds, this.fallbackSeconds / 10);
    if (this.samples.length < this.size) this.samples.push(seconds);
    else this.samples[this.next] = seconds;
    this.next = (this.next + 1) % this.size;
  }

  mean(): number {
    if (this.samples.length === 0) return this.fallbackSeconds;
    return this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
  }

  get count(): number {
    return this.samples.length;
  }
}

export function waitInfos(snapshot: RoutingSnapshot, ctx: MatchContext, handleSeconds: number): Map<string, WaitInfo> {
  const out = new Map<string, WaitInfo>();
  const available = snapshot.advisors.filter((a) => a.status === 'available');
  const queues = [...snapshot.queues.values()].filter((q) => q.length).map((q) => [...q].sort(servingOrder));
  // Which non-empty queues each advisor can serve (judged by the queue's head).
  const serves = new Map(available.map((a) => [a.id, queues.filter((q) => isEligible(a, q[0]!, ctx)).length]));
  for (const ordered of queues) {
    const head = ordered[0]!;
    let rate = 0; // chats per second this queue can expect
    let free = 0; // seats free right now
    for (const a of available) {
      if (!isEligible(a, head, ctx)) continue;
      const share = 1 / Math.max(1, serves.get(a.id) ?? 1);
      rate += (a.capacity * share) / handleSeconds;
      free += Math.max(0, a.capacity - a.conversations.length) * share;
    }
    ordered.forEach((entry, i) => {
      const position = i + 1;
      const ahead = Math.max(0, position - Math.floor(free));
      // No rate, no estimate: "about 5 minutes" from the mean handling time would be a promise nobody is there to keep.
      const etaKnown = rate > 0;
      const etaSeconds = etaKnown ? Math.round(ahead / rate) : Math.round(position * handleSeconds);
      out.set(entry.userId, { position, etaSeconds, etaKnown });
    });
  }
  return out;
}
