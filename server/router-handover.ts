/**
 * Chats that change hands after their first assignment: one put back in the queue (its advisor
 * left, transferred it, or did not answer), one whose user leaves that queue unserved, and a user
 * claimed again while a chat of theirs is open (the state lost its claim). Split from
 * router-service.ts, which stores every assignment and owns matching; it reaches that through
 * `HandOverHost`.
 */
import type { QueueEntry } from '../routing/routing-state.ts';
import type { ConversationRecord } from './chat-store.ts';
import { conversationSummary, queueEntryOf } from './conversation-views.ts';
import { LeftBehindCloses } from './left-behind-closes.ts';
import type { RouterDeps } from './router-service.ts';

/** What the hand-over needs of the router. */
export interface HandOverHost {
  /** Stores an assignment and tells both sides (router-service.ts `open`). */
  open(id: string, entry: QueueEntry, advisorId: string, advisorName: string | null): Promise<void>;
  /** The question typed while waiting becomes the chat's next message. */
  askFirst(conv: ConversationRecord, text: string, clientMsgId: string): Promise<void>;
  dispatch(): Promise<void>;
  forgetPosition(userId: string): void;
  /** The chat no longer waits for its advisor's first answer on this node. */
  forgetUnanswered(conversationId: string): void;
  /** A chat went back to the queue with its user (RouterService `onRequeued`). */
  requeued(userId: string): void;
}

export class RouterHandOver {
  /** Closes of chats left behind that failed, to retry (left-behind-closes.ts). */
  readonly leftBehind: LeftBehindCloses;

  constructor(
    private readonly deps: RouterDeps,
    private readonly host: HandOverHost,
  ) {
    this.leftBehind = new LeftBehindCloses(deps);
  }

  /**
   * Puts the user of an open conversation back at the head of their queue, keeping the
   * conversation and its history (their advisor left, transferred, or did not answer).
   * Until it is matched again the stored conversation names no advisor, so the one it
   * left neither writes in it nor finds it in their next `welcome`. `from`: the advisor it
   * leaves, whom the queue then avoids for it.
   */
  async requeue(conv: ConversationRecord, reason: string, from: string, toAdvisor?: string): Promise<void> {
    const { state, fanout, clock } = this.deps;
    const entry: QueueEntry = { ...queueEntryOf(conv), avoidAdvisor: from };
    await state.unclaim(conv.id, entry, clock.now());
    this.host.forgetUnanswered(conv.id);
    if (toAdvisor && (await state.claim(conv.userId, toAdvisor, conv.id, clock.now())) === 'ok') {
      const target = (await state.snapshot()).advisors.find((a) => a.id === toAdvisor);
      fanout.toUser(from, { type: 'conversation.released', conversationId: conv.id, reason, to: toAdvisor, toName: target?.name ?? null });
      await this.host.open(conv.id, entry, toAdvisor, target?.name ?? null);
      return;
    }
    await this.unassign(conv.id, from);
    fanout.toUser(from, { type: 'conversation.released', conversationId: conv.id, reason });
    fanout.toUser(conv.userId, { type: 'queue.joined', conversationId: conv.id, reason, province: conv.province, audience: conv.audience, topic: conv.topic, position: 1, etaSeconds: 0 });
    this.host.requeued(conv.userId);
    void this.host.dispatch();
  }

  /**
   * The stored conversation no longer names the advisor it left (after the state's unclaim: a node
   * crashing in between leaves it named, which a hand-over overwrites and the rebuild accepts), and
   * every node forgets its cached participants (the `follow` event, to nobody). Not stored (an
   * outage): the user waits all the same, and the advisor keeps the old view until the next match.
   */
  private async unassign(conversationId: string, advisorId: string): Promise<void> {
    try {
      await this.deps.store.releaseConversation(conversationId, advisorId);
    } catch (err) {
      this.deps.log.warn({ err, conversationId }, 'a chat back in the queue still names its last advisor in the database');
    }
    this.deps.fanout.follow([], conversationId, 0);
  }

  /**
   * A user put back in the queue with their open conversation (advisor gone, transfer,
   * unanswered) who then leaves the queue unserved — waited too long, cancelled, did not
   * come back: the conversation is closed (`left_queue`). Left open, it would have nobody
   * in it, show as open on the user's next visit, and the minute's reconciliation would
   * give its last advisor the seat again. Called after the entry left the state.
   */
  async closeLeftBehind(entry: QueueEntry, closedBy: string): Promise<void> {
    if (!entry.conversationId) return;
    // Refused by an outage, the close is kept and retried by the next sweeps (left-behind-closes.ts).
    await this.leftBehind.close(entry.conversationId, entry.userId, closedBy);
  }

  /** Retries the closes of chats left behind that an outage refused (each sweep; not doubled while one runs). */
  retryLeftBehind(): Promise<void> {
    return this.leftBehind.retry();
  }

  /**
   * The user was claimed while a chat of theirs is open in the database: the state had lost that
   * chat's claim (a Redis failover can lose an acknowledged write). The new claim is released (its
   * advisor's seat freed, nobody told), the open chat's seat is restored, and the user is given that
   * chat again, with its history and, as its next message, the question typed while waiting (it
   * was asked of this chat's advisor as much as of anyone). False when no open chat is found after
   * all: the caller requeues.
   */
  async backToOpenChat(claimedId: string, entry: QueueEntry, advisorId: string, advisorName: string | null): Promise<boolean> {
    const { store, state, fanout, clock, log } = this.deps;
    const open = (await store.openConversationsFor(entry.userId)).find((c) => c.userId === entry.userId);
    if (!open) return false;
    await state.release(claimedId, clock.now());
    if (open.advisorId === null) return this.handOverWaiting(open, entry, claimedId, advisorId, advisorName);
    await state.restoreHeld([{ conversationId: open.id, userId: open.userId, advisorId: open.advisorId }], clock.now());
    this.host.forgetPosition(entry.userId);
    log.warn({ conversationId: open.id, released: claimedId, advisorId: open.advisorId }, 'a user claimed again while in an open chat: the state had lost its claim; the chat is theirs again');
    fanout.follow([open.userId], open.id, 0, true);
    fanout.toUser(open.userId, { type: 'conversation.assigned', ...conversationSummary(open, open.userId), handedOver: false });
    // Keyed by the released claim: asked again, the same question is stored once.
    if (entry.question) await this.host.askFirst(open, entry.question, `question-${claimedId}`);
    void this.host.dispatch();
    return true;
  }

  /**
   * The open chat the state lost named no advisor: it was back in the queue, waiting to be handed
   * over. The advisor who claimed its user takes it, in the seat the claim just freed, as any
   * hand-over (requeued instead, the user would be claimed and refused again, in a loop).
   */
  private async handOverWaiting(open: ConversationRecord, entry: QueueEntry, claimedId: string, advisorId: string, advisorName: string | null): Promise<true> {
    const { store, state, clock, log } = this.deps;
    await state.restoreHeld([{ conversationId: open.id, userId: open.userId, advisorId }], clock.now());
    log.warn({ conversationId: open.id, released: claimedId, advisorId }, 'a user claimed again while their chat waited to be handed over: the state had lost it; handed to this advisor');
    await this.host.open(open.id, queueEntryOf(open), advisorId, advisorName);
    const handed = await store.getConversation(open.id);
    if (entry.question && handed?.advisorId === advisorId) await this.host.askFirst(handed, entry.question, `question-${claimedId}`);
    return true;
  }
}
