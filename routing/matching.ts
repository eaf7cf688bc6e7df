/**
 * The matching policy: one pure function over a snapshot of the routing state.
 *
 * Longest-waiting eligible user first (priority, then arrival); each goes to the
 * eligible available advisor with the lowest load, ties to the one idle longest;
 * one who speaks the user's language before one who does not (language overflow).
 * Replace this function to change the policy; the state makes each proposal atomic.
 */
import type { AdvisorState, QueueEntry, RoutingSnapshot } from './routing-state.ts';

export interface Proposal {
  userId: string;
  advisorId: string;
}

export interface MatchContext {
  now: number;
  regionOf(province: string): string | undefined;
  /**
   * Overflow: after these waits, advisors of the region, then of all Italy, may
   * serve; and, after `languageAfterSeconds`, advisors who do not list the user's language.
   */
  overflow?: { regionAfterSeconds: number; nationalAfterSeconds: number; languageAfterSeconds?: number };
}

export type MatchPolicy = (snapshot: RoutingSnapshot, ctx: MatchContext) => Proposal[];

export function isEligible(advisor: AdvisorState, entry: QueueEntry, ctx: MatchContext): boolean {
  const s = advisor.skills;
  if (entry.avoidAdvisor === advisor.id) return false;
  if (s.audiences.length && !s.audiences.includes(entry.audience)) return false;
  if (s.topics.length && !s.topics.includes(entry.topic)) return false;
  if (!speaksFor(advisor, entry) && !waitedFor(entry, ctx, ctx.overflow?.languageAfterSeconds)) return false;
  return servesTerritory(advisor, entry, ctx);
}

/** Whether the advisor lists the user's language (an advisor who lists none serves every language). */
export function speaksFor(advisor: Pick<AdvisorState, 'skills'>, entry: Pick<QueueEntry, 'lang'>): boolean {
  const langs = advisor.skills.languages;
  return langs.length === 0 || langs.includes(entry.lang);
}

function waitedFor(entry: QueueEntry, ctx: MatchContext, seconds: number | undefined): boolean {
  return seconds !== undefined && (ctx.now - entry.since) / 1000 >= seconds;
}

/**
 * Province → region → all Italy: an advisor serves their own provinces and regions
 * at once; after `regionAfterSeconds` of waiting, any province of a region they
 * work in; after `nationalAfterSeconds`, anywhere.
 */
function servesTerritory(advisor: AdvisorState, entry: QueueEntry, ctx: MatchContext): boolean {
  const s = advisor.skills;
  if (s.provinces.length === 0 && s.regions.length === 0) return true;
  if (s.provinces.includes(entry.province)) return true;
  const region = ctx.regionOf(entry.province);
  if (region !== undefined && s.regions.includes(region)) return true;
  if (!ctx.overflow) return false;
  const waited = (ctx.now - entry.since) / 1000;
  if (waited >= ctx.overflow.nationalAfterSeconds) return true;
  return waited >= ctx.overflow.regionAfterSeconds && region !== undefined && s.provinces.some((p) => ctx.regionOf(p) === region);
}

/** Longest-waiting first: priority, then when the user first asked, then arrival order. */
export function servingOrder(a: QueueEntry, b: QueueEntry): number {
  return b.priority - a.priority || a.since - b.since || (a.order ?? 0) - (b.order ?? 0);
}

export const longestWaitingLowestLoad: MatchPolicy = (snapshot, ctx) => {
  const load = new Map<string, number>();
  const free = snapshot.advisors.filter((a) => a.status === 'available' && a.conversations.length < a.capacity);
  for (const a of free) load.set(a.id, a.conversations.length);
  if (free.length === 0) return [];
  const entries = [...snapshot.queues.values()].flat().sort(servingOrder);
  const proposals: Proposal[] = [];
  for (const entry of entries) {
    let best: AdvisorState | undefined;
    let bestSpeaks = false;
    for (const advisor of free) {
      const l = load.get(advisor.id)!;
      if (l >= advisor.capacity || !isEligible(advisor, entry, ctx)) continue;
      // One who speaks the user's language first (after the language overflow both may serve).
      const speaks = speaksFor(advisor, entry);
      if (best && speaks !== bestSpeaks) {
        if (speaks) (best = advisor), (bestSpeaks = speaks);
        continue;
      }
      if (!best || l < load.get(best.id)! || (l === load.get(best.id)! && advisor.idleSince < best.idleSince)) {
        best = advisor;
        bestSpeaks = speaks;
      }
    }
    if (!best) continue;
    load.set(best.id, load.get(best.id)! + 1);
    proposals.push({ userId: entry.userId, advisorId: best.id });
  }
  return proposals;
};
