/**
 * A routing state that hands every operation to another: the base of the wrappers
 * each node puts around its state (routing-state-coalescing.ts shares whole-state
 * reads, routing-recovery.ts notices a lost state), which override what they change.
 */
import type { AdvisorProfile, AdvisorStatus, HeldConversation, QueueEntry, RoutingState } from '../routing/routing-state.ts';

export class ForwardingRoutingState implements RoutingState {
  constructor(readonly inner: RoutingState) {}

  snapshot() {
    return this.inner.snapshot();
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
