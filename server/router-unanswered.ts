/**
 * An assigned chat whose advisor has not written within `unansweredSeconds` goes back to the queue
 * ('unanswered') and the silent advisor is set away: a step of the router's sweep (router-sweep.ts),
 * on every node. Two sources of due chats:
 * - this node's memory of the chats it assigned (RouterService `unanswered`), to the tick;
 * - what is stored, on every node, at most every `STORED_CHECK_MS`: a chat whose assigning node
 *   stopped before the deadline is sent back by another (or by the same node, restarted).
 * Either way the chat is taken through one conditional update (`takeUnanswered`: still open, still this
 * advisor's since the same assignment, still unanswered), so of two nodes, or of a node's memory and
 * another's read, exactly one sends it back; a chat answered through any node is left alone. Chats
 * assigned before migration 0023 (no stored time) are enforced by their assigning node only, as before.
 */
import type { RoutingSnapshot } from '../routing/routing-state.ts';
import type { ConversationRecord } from './chat-store.ts';
import type { SweepDeps } from './router-sweep.ts';

/**
 * How often each node reads the stored deadlines. The assigning node enforces its chats to the tick; this
 * read is for those whose node stopped, so a few seconds late is fine, and every node reading every open
 * chat at each tick (1 s) would cost the database for little.
 */
const STORED_CHECK_MS = 5000;
/** Due chats taken at one read; more wait for the next read. */
const STORED_CHECK_LIMIT = 100;

export class UnansweredChats {
  /** When this node last read the stored deadlines (the injected clock's ms). */
  private lastStoredCheck = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: SweepDeps) {}

  /** `snapshot`: the routing state as this sweep read it (who holds which chat). */
  async run(snapshot: RoutingSnapshot): Promise<void> {
    await this.fromMemory();
    await this.fromStore(snapshot);
  }

  private async fromMemory(): Promise<void> {
    const { router, store, clock, config } = this.deps;
    const now = clock.now();
    for (const [conversationId, pending] of router.unanswered) {
      if (now - pending.at < config.unansweredSeconds * 1000) continue;
      router.unanswered.delete(conversationId);
      const conv = await store.getConversation(conversationId);
      if (!conv || conv.status !== 'open' || conv.advisorId !== pending.advisorId) continue;
      if (conv.assignedAt) {
        // Given again since (handed back to them through another node): that assignment's own deadline counts.
        if (now - conv.assignedAt.getTime() >= config.unansweredSeconds * 1000) await this.take(conversationId, pending.advisorId, conv.assignedAt);
        continue;
      }
      // Assigned with a stored time that is gone now: another node's sweep took it (the take clears it before
      // that node's requeue stores the release), and sends it back itself.
      if (pending.stored) continue;
      // Assigned before 0023: only this node knows of it, so no other can send it back too.
      const messages = await store.messagesAfter(conversationId, 0);
      if (messages.some((m) => m.senderId === pending.advisorId)) continue;
      await this.sendBack(conv, pending.advisorId);
    }
  }

  /**
   * Only chats whose seat the routing state holds for their advisor, as the welcome's `answerBy`: one it does not
   * hold is being claimed or repaired (the minute's reconciliation restores it, and then it is found here).
   */
  private async fromStore(snapshot: RoutingSnapshot): Promise<void> {
    const { store, clock, config } = this.deps;
    const now = clock.now();
    // A clock set back (a test's) reads at once rather than wait for it to pass the last read again.
    if (now >= this.lastStoredCheck && now - this.lastStoredCheck < STORED_CHECK_MS) return;
    this.lastStoredCheck = now;
    const due = await store.dueUnanswered(new Date(now - config.unansweredSeconds * 1000), STORED_CHECK_LIMIT);
    const held = new Map(snapshot.advisors.map((a) => [a.id, a.conversations]));
    for (const chat of due) if (held.get(chat.advisorId)?.includes(chat.id)) await this.take(chat.id, chat.advisorId, chat.assignedAt);
  }

  /** Sends the chat back if this node is the one that takes it. */
  private async take(conversationId: string, advisorId: string, assignedAt: Date): Promise<void> {
    const conv = await this.deps.store.takeUnanswered(conversationId, advisorId, assignedAt);
    if (conv) await this.sendBack(conv, advisorId);
  }

  private async sendBack(conv: ConversationRecord, advisorId: string): Promise<void> {
    const { router, state, fanout, clock, log } = this.deps;
    log.info({ conversationId: conv.id, advisorId }, 'a chat unanswered in time goes back to the queue');
    const away = await state.setAdvisorStatus(advisorId, 'away', clock.now());
    // With the capacity, as every advisor.status, so the console's load line stays right; and why.
    fanout.toUser(advisorId, { type: 'advisor.status', status: 'away', reason: 'unanswered', conversationId: conv.id, ...(away ? { capacity: away.capacity } : {}) });
    await router.requeue(conv, 'unanswered', advisorId);
  }
}
