/**
 * The pressure on an advisor's queues: how many users wait whom this advisor could
 * serve, and since when the longest has waited. "Could serve" is the router's own
 * eligibility (matching.ts `isEligible`: audience, topic, language and territory with
 * their overflows, never the advisor a user must not get again), whatever the advisor's
 * status or free seats: an advisor who is full or away is shown what waits for them.
 */
import { isEligible, type MatchContext } from './matching.ts';
import type { AdvisorState, RoutingSnapshot } from './routing-state.ts';

export interface AdvisorQueue {
  waiting: number;
  /** When the longest-waiting of them first asked (ms), null when nobody waits. */
  oldestSince: number | null;
}

export function advisorQueue(advisor: AdvisorState, snapshot: RoutingSnapshot, ctx: MatchContext): AdvisorQueue {
  let waiting = 0;
  let oldestSince: number | null = null;
  for (const entries of snapshot.queues.values()) {
    for (const entry of entries) {
      if (!isEligible(advisor, entry, ctx)) continue;
      waiting++;
      if (oldestSince === null || entry.since < oldestSince) oldestSince = entry.since;
    }
  }
  return { waiting, oldestSince };
}

/**
 * `advisorQueue` for many advisors at once, counted once per set of skills: every push
 * asks it for each advisor connected to a node, and many advisors share their skills.
 * One whom some waiting user must avoid is counted on their own.
 */
export function advisorQueues(advisors: AdvisorState[], snapshot: RoutingSnapshot, ctx: MatchContext): Map<string, AdvisorQueue> {
  const avoided = new Set<string>();
  for (const entries of snapshot.queues.values()) for (const e of entries) if (e.avoidAdvisor) avoided.add(e.avoidAdvisor);
  const bySkills = new Map<string, AdvisorQueue>();
  const out = new Map<string, AdvisorQueue>();
  for (const advisor of advisors) {
    if (avoided.has(advisor.id)) {
      out.set(advisor.id, advisorQueue(advisor, snapshot, ctx));
      continue;
    }
    const key = JSON.stringify(advisor.skills);
    let queue = bySkills.get(key);
    if (!queue) bySkills.set(key, (queue = advisorQueue(advisor, snapshot, ctx)));
    out.set(advisor.id, queue);
  }
  return out;
}
