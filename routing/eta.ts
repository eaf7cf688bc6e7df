/**
 * Position and expected wait for waiting users.
 *
 * The skeleton's estimate: the queue drains at the rate the advisors who can serve it
 * free seats, one seat every `handleSeconds / seats`. Refined by the routing work.
 */
import { isEligible, servingOrder, type MatchContext } from './matching.ts';
import type { RoutingSnapshot } from './routing-state.ts';

export interface WaitInfo {
  position: number;
  etaSeconds: number;
}

export function waitInfos(snapshot: RoutingSnapshot, ctx: MatchContext, handleSeconds: number): Map<string, WaitInfo> {
  const out = new Map<string, WaitInfo>();
  const online = snapshot.advisors.filter((a) => a.status === 'available');
  for (const entries of snapshot.queues.values()) {
    const ordered = [...entries].sort(servingOrder);
    const first = ordered[0];
    const seats = first ? online.filter((a) => isEligible(a, first, ctx)).reduce((n, a) => n + a.capacity, 0) : 0;
    ordered.forEach((entry, i) => {
      const position = i + 1;
      const perSeat = handleSeconds / Math.max(1, seats);
      out.set(entry.userId, { position, etaSeconds: Math.round(position * perSeat) });
    });
  }
  return out;
}
