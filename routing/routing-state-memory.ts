/**
 * In-process routing state for a single node. Every method runs synchronously
 * inside one event-loop turn, which is what makes each operation atomic here.
 */
import {
  compareEntries,
  queueKey,
  type AdvisorProfile,
  type AdvisorState,
  type AdvisorStatus,
  type ClaimResult,
  type EnqueueResult,
  type HeldConversation,
  type HeldConversationState,
  type QueueEntry,
  type RestoreHeldResult,
  type RoutingSnapshot,
  type RoutingState,
} from './routing-state.ts';

interface Held {
  userId: string;
  advisorId: string;
  since: number;
}

export class MemoryRoutingState implements RoutingState {
  private readonly queues = new Map<string, QueueEntry[]>();
  private readonly waiting = new Map<string, QueueEntry>();
  private readonly advisors = new Map<string, AdvisorState>();
  /** conversationId → who is in it */
  private readonly held = new Map<string, Held>();
  private readonly userConversation = new Map<string, string>();
  /** Conversations restored for advisors not registered yet: their seats once they are. */
  private readonly seatsOf = new Map<string, string[]>();
  private nextOrder = 1;
  private epoch: string | null = null;
  private reconcileTurn: { holder: string; until: number } | null = null;

  async enqueue(input: QueueEntry): Promise<EnqueueResult> {
    const inConversation = this.userConversation.get(input.userId);
    if (inConversation) return { ok: false, reason: 'in_conversation', conversationId: inConversation };
    const existing = this.waiting.get(input.userId);
    if (existing) return { ok: false, reason: 'already_waiting', entry: { ...existing } };
    const entry = { ...input, order: this.nextOrder++ };
    this.insert(entry);
    return { ok: true, entry: { ...entry } };
  }

  async cancel(userId: string): Promise<QueueEntry | null> {
    const entry = this.waiting.get(userId);
    if (!entry) return null;
    this.remove(entry);
    return { ...entry };
  }

  async waitingEntry(userId: string): Promise<QueueEntry | null> {
    const entry = this.waiting.get(userId);
    return entry ? { ...entry } : null;
  }

  async conversationOf(userId: string): Promise<string | null> {
    return this.userConversation.get(userId) ?? null;
  }

  async upsertAdvisor(profile: AdvisorProfile, status: AdvisorStatus, now: number): Promise<AdvisorState> {
    const current = this.advisors.get(profile.id);
    const next: AdvisorState = {
      ...profile,
      status,
      conversations: current?.conversations ?? this.seatsOf.get(profile.id) ?? [],
      idleSince: current?.idleSince ?? now,
    };
    this.advisors.set(profile.id, next);
    this.seatsOf.delete(profile.id);
    return cloneAdvisor(next);
  }

  async setAdvisorStatus(advisorId: string, status: AdvisorStatus, now: number): Promise<AdvisorState | null> {
    const advisor = this.advisors.get(advisorId);
    if (!advisor) return null;
    if (advisor.status !== 'available' && status === 'available') advisor.idleSince = now;
    advisor.status = status;
    return cloneAdvisor(advisor);
  }

  async claim(userId: string, advisorId: string, conversationId: string, now: number): Promise<ClaimResult> {
    const entry = this.waiting.get(userId);
    if (!entry) return 'user_gone';
    const advisor = this.advisors.get(advisorId);
    if (!advisor || advisor.status !== 'available') return 'advisor_unavailable';
    if (advisor.conversations.length >= advisor.capacity) return 'advisor_full';
    this.remove(entry);
    advisor.conversations.push(conversationId);
    advisor.idleSince = now;
    this.held.set(conversationId, { userId, advisorId, since: now });
    this.userConversation.set(userId, conversationId);
    return 'ok';
  }

  async release(conversationId: string, now: number): Promise<void> {
    const held = this.held.get(conversationId);
    if (!held) return;
    this.held.delete(conversationId);
    if (this.userConversation.get(held.userId) === conversationId) this.userConversation.delete(held.userId);
    const advisor = this.advisors.get(held.advisorId);
    if (advisor) {
      advisor.conversations = advisor.conversations.filter((id) => id !== conversationId);
      if (advisor.conversations.length === 0) advisor.idleSince = now;
    }
    const seats = this.seatsOf.get(held.advisorId)?.filter((id) => id !== conversationId);
    if (seats?.length) this.seatsOf.set(held.advisorId, seats);
    else this.seatsOf.delete(held.advisorId);
  }

  async unclaim(conversationId: string, entry: QueueEntry, now: number): Promise<void> {
    await this.release(conversationId, now);
    if (this.waiting.has(entry.userId) || this.userConversation.has(entry.userId)) return;
    this.insert({ ...entry, priority: Math.max(entry.priority, 1), order: this.nextOrder++ });
  }

  async snapshot(): Promise<RoutingSnapshot> {
    const queues = new Map<string, QueueEntry[]>();
    for (const [key, entries] of this.queues) if (entries.length) queues.set(key, entries.map((e) => ({ ...e })));
    return { queues, advisors: [...this.advisors.values()].map(cloneAdvisor), epoch: this.epoch };
  }

  async initEpoch(candidate: string): Promise<{ epoch: string; created: boolean }> {
    if (this.epoch !== null) return { epoch: this.epoch, created: false };
    this.epoch = candidate;
    return { epoch: candidate, created: true };
  }

  async restoreHeld(conversations: HeldConversation[], now: number): Promise<RestoreHeldResult[]> {
    return conversations.map((c) => this.restoreOne(c, now));
  }

  private restoreOne({ conversationId, userId, advisorId }: HeldConversation, now: number): RestoreHeldResult {
    const held = this.held.get(conversationId);
    if (held) return held.advisorId === advisorId && held.userId === userId ? 'held' : 'conflict';
    if (this.userConversation.has(userId)) return 'conflict';
    const waiting = this.waiting.get(userId);
    if (waiting?.conversationId === conversationId) return 'waiting';
    if (waiting?.conversationId) return 'conflict';
    if (waiting) this.remove(waiting);
    // Unregistered advisors get their seats counted from when they register (upsertAdvisor keeps conversations).
    const seats = this.seatsOf.get(advisorId) ?? [];
    const advisor = this.advisors.get(advisorId);
    (advisor ? advisor.conversations : seats).push(conversationId);
    if (!advisor) this.seatsOf.set(advisorId, seats);
    this.held.set(conversationId, { userId, advisorId, since: now });
    this.userConversation.set(userId, conversationId);
    return 'restored';
  }

  async heldConversations(): Promise<HeldConversationState[]> {
    return [...this.held].map(([conversationId, h]) => ({ conversationId, ...h }));
  }

  async takeReconcileTurn(holder: string, ms: number, now: number): Promise<boolean> {
    if (this.reconcileTurn && this.reconcileTurn.until > now) return false;
    this.reconcileTurn = { holder, until: now + ms };
    return true;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}

  private insert(entry: QueueEntry): void {
    const key = queueKey(entry.province, entry.audience);
    const queue = this.queues.get(key) ?? [];
    // Insert in order; most arrivals go to the tail, so search from the end.
    let at = queue.length;
    while (at > 0 && compareEntries(queue[at - 1]!, entry) > 0) at--;
    queue.splice(at, 0, entry);
    this.queues.set(key, queue);
    this.waiting.set(entry.userId, entry);
  }

  private remove(entry: QueueEntry): void {
    const key = queueKey(entry.province, entry.audience);
    const queue = this.queues.get(key);
    if (queue) {
      const at = queue.indexOf(entry);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0) this.queues.delete(key);
    }
    this.waiting.delete(entry.userId);
  }
}

function cloneAdvisor(a: AdvisorState): AdvisorState {
  return { ...a, conversations: [...a.conversations], skills: { ...a.skills } };
}
