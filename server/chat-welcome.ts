/**
 * What a `hello` is answered with: the client's open conversations, its place in the queue,
 * an advisor's status and load, and the server's limits. A user back whose chat waits to be
 * handed over while the routing state lost them is queued again here (`rejoin`). Split from
 * chat-service.ts, which delegates to it and shares its conversation cache.
 */
import type { AdvisorState, QueueEntry } from '../routing/routing-state.ts';
import type { ChatDeps } from './chat-service.ts';
import type { ConversationRecord } from './chat-store.ts';
import type { Client } from './client.ts';
import type { ConversationCache } from './conversation-cache.ts';
import { conversationSummary, queueEntryOf } from './conversation-views.ts';

type Deps = Pick<ChatDeps, 'state' | 'store' | 'router' | 'log' | 'limits' | 'clock'>;

export class ChatWelcome {
  constructor(
    private readonly deps: Deps,
    private readonly cache: ConversationCache,
  ) {}

  /**
   * What a freshly connected client needs (the `welcome` frame's content: its open
   * conversations and its place in the queue), and the open conversations it was made
   * from: a resume of one of them needs no second read (and they are cached for the
   * messages resent right after).
   */
  async welcomeFor(client: Client, advisor?: AdvisorState) {
    const open = await this.deps.store.openConversationsFor(client.userId);
    for (const conv of open) this.cache.set(conv);
    // An advisor is told again by when a chat still waits for their first answer (a reload lost it).
    const deadlines = advisor ? await this.answerDeadlines(open, client.userId, advisor) : new Map<string, string>();
    const conversations = open.map((c) => {
      const by = deadlines.get(c.id);
      return { ...conversationSummary(c, client.userId), ...(by ? { answerBy: by } : {}) };
    });
    const waiting = (await this.deps.state.waitingEntry(client.userId)) ?? (advisor ? null : await this.rejoin(open, client.userId));
    const info = waiting ? await this.deps.router.waitInfo(client.userId) : null;
    const frame = {
      conversations,
      waiting: waiting && info ? { province: waiting.province, audience: waiting.audience, topic: waiting.topic, ...info } : null,
      ...(advisor ? { advisor: { status: advisor.status, capacity: advisor.capacity, load: advisor.conversations.length } } : {}),
      // What the server accepts, so a client can refuse a message itself instead of resending one that closes the socket (1009).
      limits: { maxTextLength: this.deps.limits.maxTextLength, maxFrameBytes: this.deps.limits.maxFrameBytes },
    };
    return { frame, open };
  }

  /**
   * By when the advisor must first answer each of their chats still waiting for it (ISO), on any node
   * (the advisor's socket may come back through another one than the node that assigned the chat and
   * enforces the deadline: router-sweep.ts). Worked out from what is stored, which every node shares:
   * the chat names this advisor since `assignedAt`, the routing state holds its seat for them (the
   * claim), they have not written in it since they were given it (the sweep's own test, so a chat handed
   * back to an advisor who wrote in it before has its deadline again; a node's memory knows only the
   * messages sent through it), and the deadline is still ahead. One read of the messages table, at an advisor's
   * welcome only; not read (an outage), the welcome goes without those deadlines. A chat assigned
   * before `assignedAt` was stored: as far as this node knows.
   */
  private async answerDeadlines(open: ConversationRecord[], advisorId: string, advisor: AdvisorState): Promise<Map<string, string>> {
    const { router, store, clock, log } = this.deps;
    const deadlines = new Map<string, string>();
    const pending = new Map<string, number>();
    for (const c of open) {
      if (c.advisorId !== advisorId) continue;
      const due = c.assignedAt ? router.answerDeadline(c.assignedAt.getTime()) : null;
      if (due === null) {
        const here = router.answerBy(c.id, advisorId);
        if (here) deadlines.set(c.id, here);
      } else if (due > clock.now() && advisor.conversations.includes(c.id)) pending.set(c.id, due);
    }
    if (pending.size === 0) return deadlines;
    try {
      const written = await store.answeredIn(advisorId, [...pending.keys()]);
      for (const [id, due] of pending) if (!written.has(id)) deadlines.set(id, new Date(due).toISOString());
    } catch (err) {
      log.warn({ err, advisorId }, 'an advisor’s answer deadlines could not be read: their welcome goes without them');
    }
    return deadlines;
  }

  /**
   * A user back whose chat waits in the queue to be handed over (it names no advisor: router-handover.ts
   * `requeue`) while the routing state has no place for them: a node on the in-process state restarted,
   * or a state lost without this node's memory of its waiting users. They wait again, at their chat's
   * opening time, instead of facing an open chat nobody will take. The enqueue is atomic: a user
   * claimed meanwhile (in_conversation) or queued by another node (already_waiting) stays as they are.
   */
  private async rejoin(open: ConversationRecord[], userId: string): Promise<QueueEntry | null> {
    const waitingChat = open.find((c) => c.userId === userId && c.advisorId === null);
    if (!waitingChat) return null;
    const result = await this.deps.state.enqueue(queueEntryOf(waitingChat));
    if (!result.ok) return result.reason === 'already_waiting' ? result.entry : null;
    this.deps.log.warn({ conversationId: waitingChat.id }, 'a user whose chat waited to be handed over was not in the routing state: queued again');
    this.deps.router.forgetPosition(userId);
    void this.deps.router.dispatch();
    return result.entry;
  }
}
