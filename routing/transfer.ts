/**
 * Who an advisor may hand an open chat to (`conversation.transfer` with `to`):
 * colleagues available now with a free seat. Those whose skills fit the chat
 * come first (the router's own eligibility: audience, topic, language,
 * territory, without the waiting-time overflow, since a transfer is a choice
 * made now), then the one with the most free seats, then by name. A colleague
 * who does not fit is still offered: the advisor may know better (a hard case
 * for a senior), and the server accepts any available advisor with a seat.
 */
import { isEligible, type MatchContext } from './matching.ts';
import type { AdvisorState, QueueEntry } from './routing-state.ts';

export interface TransferTarget {
  id: string;
  name: string | null;
  load: number;
  capacity: number;
  /** Whether their declared skills cover this chat. */
  fits: boolean;
}

export function transferTargets(advisors: readonly AdvisorState[], chat: QueueEntry, selfId: string, regionOf: MatchContext['regionOf']): TransferTarget[] {
  const ctx: MatchContext = { now: chat.since, regionOf };
  const entry = { ...chat, avoidAdvisor: undefined };
  return advisors
    .filter((a) => a.id !== selfId && a.status === 'available' && a.conversations.length < a.capacity)
    .map((a) => ({ id: a.id, name: a.name, load: a.conversations.length, capacity: a.capacity, fits: isEligible(a, entry, ctx) }))
    .sort((a, b) => Number(b.fits) - Number(a.fits) || b.capacity - b.load - (a.capacity - a.load) || (a.name ?? a.id).localeCompare(b.name ?? b.id, 'it'));
}
