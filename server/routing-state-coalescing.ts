/**
 * A routing state whose whole-state reads are shared. Every `chat.request` reads the
 * state several times (admission before closing, the position it is told, the
 * routing run it starts, the positions pushed to the others), and so does every
 * routing run and sweep: under a burst — hundreds of people asking at 15:00 with
 * thousands of advisors online — each of those reads decoded the whole state
 * on its own.
 *
 * Invariant (read-your-writes): a `snapshot()` is answered by a read that STARTED
 * AFTER the call, so it reflects every write the caller finished before asking.
 * At most one read is in flight; callers arriving meanwhile share the one that
 * starts when it ends. Writes go straight through. The snapshot returned is shared
 * between callers: they must not mutate it (none does; they copy before sorting).
 */
import type { AdvisorProfile, AdvisorStatus, HeldConversation, QueueEntry, RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';

export class CoalescingRoutingState implements RoutingState {
  private inFlight: Promise<RoutingSnapshot> | null = null;
  private next: Promise<RoutingSnapshot> | null = null;
  /** Reads made of the underlying state, for tests and metrics. */
  reads = 0;

  constructor(readonly inner: RoutingState) {}

  snapshot(): Promise<RoutingSnapshot> {
    if (!this.inFlight) return this.read();
    // The read in flight began before this call and may miss the caller's own writes.
    this.next ??= this.inFlight.then(
      () => this.afterCurrent(),
      () => this.afterCurrent(),
    );
    return this.next;
  }

  private afterCurrent(): Promise<RoutingSnapshot> {
    this.next = null;
    return this.read();
  }

  private read(): Promise<RoutingSnapshot> {
    this.reads++;
    const reading = this.inner.snapshot().finally(() => {
      if (this.inFlight === reading) this.inFlight = null;
    });
    this.inFlight = reading;
    return reading;
  }

  enqueue(entry: QueueEntry) {
    return this.inner.enqueue(entry);
  }
  cancel(userId: string) {
    return this.inner.cancel(userId);
  }
  waitingEntry(userId: string) {
    return this.inner.waitingEntry(userId);
  }
  conversationOf(userId: string) {
    return this.inner.conversationOf(userId);
  }
  upsertAdvisor(profile: AdvisorProfile, status: AdvisorStatus, now: number) {
    return this.inner.upsertAdvisor(profile, status, now);
  }
  setAdvisorStatus(advisorId: string, status: AdvisorStatus, now: number) {
    return this.inner.setAdvisorStatus(advisorId, status, now);
  }
  claim(userId: string, advisorId: string, conversationId: string, now: number) {
    return this.inner.claim(userId, advisorId, conversationId, now);
  }
  release(conversationId: string, now: number) {
    return this.inner.release(conversationId, now);
  }
  unclaim(conversationId: string, entry: QueueEntry, now: number) {
    return this.inner.unclaim(conversationId, entry, now);
  }
  initEpoch(candidate: string) {
    return this.inner.initEpoch(candidate);
  }
  restoreHeld(conversations: HeldConversation[], now: number) {
    return this.inner.restoreHeld(conversations, now);
  }
  heldConversations() {
    return this.inner.heldConversations();
  }
  takeReconcileTurn(holder: string, ms: number, now: number) {
    return this.inner.takeReconcileTurn(holder, ms, now);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}
