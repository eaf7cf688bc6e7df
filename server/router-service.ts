/**
 * Runs the matching policy against the shared routing state and turns each
 * successful claim into a conversation (new, or an existing one that changes
 * advisor) and `conversation.assigned` frames. Runs are serialized per node; a
 * request during a run schedules one more. Positions are pushed when they change,
 * at most once per `positionPushMs`, and with them each advisor's `advisor.queue`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { HandlingStats, waitInfos, type WaitInfo } from '../routing/eta.ts';
import { longestWaitingLowestLoad, speaksFor, type MatchContext, type MatchPolicy } from '../routing/matching.ts';
import { regionOf } from '../routing/provinces.ts';
import type { RoutingConfig } from '../routing/routing-config.ts';
import type { QueueEntry, RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import type { ChatStore, ConversationRecord } from './chat-store.ts';
import { AdvisorQueuePush } from './advisor-queue-push.ts';
import { AppError } from './errors.ts';
import type { Fanout } from './fanout.ts';
import type { Hub } from './hub.ts';
import type { Metrics } from './metrics.ts';

export interface RouterDeps {
  state: RoutingState;
  store: ChatStore;
  hub: Hub;
  fanout: Fanout;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  config: RoutingConfig;
  policy?: MatchPolicy;
  /** Stores how long a user waited before a new conversation (server/dashboard-service.ts). */
  recordWait?: (conversationId: string, since: number, assignedAt: number) => Promise<void>;
}

/** The people who read a conversation now: its user and, unless it waits in the queue, its advisor. */
export function readersOf(conv: ConversationRecord): string[] {
  return conv.advisorId === null ? [conv.userId] : [conv.userId, conv.advisorId];
}

export function peerOf(conv: ConversationRecord, viewerId: string) {
  return viewerId === conv.userId
    ? { id: conv.advisorId, name: conv.advisorName, role: 'advisor' }
    : { id: conv.userId, name: conv.userName, role: conv.userRole };
}

export function conversationSummary(conv: ConversationRecord, viewerId: string) {
  return {
    conversationId: conv.id,
    status: conv.status,
    peer: peerOf(conv, viewerId),
    topic: conv.topic,
    province: conv.province,
    audience: conv.audience,
    entry: conv.entry,
    context: conv.context,
    lastSeq: conv.lastSeq,
    // How far the other side has read: the viewer's own messages up to it are «Letto» after a reload.
    peerReadSeq: viewerId === conv.userId ? conv.advisorReadSeq : conv.userReadSeq,
    openedAt: conv.openedAt.toISOString(),
  };
}

export class RouterService {
  private running: Promise<void> | null = null;
  private again = false;
  /** Last position sent to each waiting user of this node, so unchanged ones are not re-sent. */
  private readonly lastPushed = new Map<string, string>();
  private pushTimer: NodeJS.Timeout | null = null;
  private lastPushAt = 0;
  private readonly ctx: MatchContext;
  /** Recent handling times measured on this node: the wait estimate's clock. */
  readonly handling: HandlingStats;
  /** Conversations this node assigned and whose advisor has not answered yet. */
  readonly unanswered = new Map<string, { advisorId: string; at: number }>();
  /** Told of each chat sent back to the queue, with its user: sessions.ts checks they are still there. */
  onRequeued: ((userId: string) => void) | null = null;
  /** Tells each advisor here how many wait for them, from the snapshot the positions are pushed from. */
  private readonly advisorQueues: AdvisorQueuePush;

  constructor(private readonly deps: RouterDeps) {
    this.ctx = { now: 0, regionOf: (p) => regionOf(p), overflow: deps.config.overflow };
    this.handling = new HandlingStats(deps.config.handleSampleSize, deps.config.defaultHandleSeconds);
    this.advisorQueues = new AdvisorQueuePush({ hub: deps.hub, clock: deps.clock, minIntervalMs: deps.config.advisorQueuePushMs });
  }

  /** Runs matching now, or once more after the run in progress. */
  dispatch(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.runOnce();
      } catch (err) {
        this.deps.log.error({ err }, 'routing run failed');
      }
    } while (this.again);
  }

  private async runOnce(): Promise<void> {
    const { state, clock } = this.deps;
    const snapshot = await state.snapshot();
    this.ctx.now = clock.now();
    const proposals = (this.deps.policy ?? longestWaitingLowestLoad)(snapshot, this.ctx);
    const entries = new Map([...snapshot.queues.values()].flat().map((e) => [e.userId, e]));
    const advisors = new Map(snapshot.advisors.map((a) => [a.id, a]));
    for (const p of proposals) {
      const entry = entries.get(p.userId);
      const advisor = advisors.get(p.advisorId);
      if (!entry || !advisor) continue;
      const conversationId = entry.conversationId ?? randomUUID();
      const result = await state.claim(p.userId, p.advisorId, conversationId, clock.now());
      if (result !== 'ok') {
        this.again = true;
        continue;
      }
      await this.open(conversationId, entry, advisor.id, advisor.name, speaksFor(advisor, entry));
    }
    this.schedulePositions();
  }

  /** Stores the assignment: a new conversation, or a waiting one handed to its new advisor. */
  private async open(id: string, entry: QueueEntry, advisorId: string, advisorName: string | null, speaks = true): Promise<void> {
    const { store, state, fanout, clock, log } = this.deps;
    let conv: ConversationRecord;
    try {
      conv = entry.conversationId
        ? await store.reassignConversation(id, advisorId, advisorName)
        : await store.createConversation({
            id,
            userId: entry.userId,
            userRole: entry.role,
            userName: entry.name,
            province: entry.province,
            audience: entry.audience,
            topic: entry.topic,
            entry: entry.entry,
            // The language is kept with the conversation: a hand-over needs an advisor who speaks it.
            context: { ...entry.context, lang: entry.lang },
            advisorId,
            advisorName,
            openedAt: new Date(clock.now()),
          });
    } catch (err) {
      if (err instanceof AppError && err.code === 'already_in_conversation' && (await this.backToOpenChat(id, entry, advisorId, advisorName))) return;
      // Its user closed it while it waited to be handed over: nobody to serve (requeued, it would be claimed again and again).
      if (err instanceof AppError && err.code === 'conversation_closed' && entry.conversationId) return void (await state.release(id, clock.now()));
      log.error({ err, conversationId: id }, 'could not store the assignment; the user goes back to the head of the queue');
      await state.unclaim(id, entry, clock.now());
      return;
    }
    this.lastPushed.delete(entry.userId);
    this.unanswered.set(conv.id, { advisorId, at: clock.now() });
    this.deps.metrics.waitSeconds.observe({ audience: entry.audience }, Math.max(0, (clock.now() - entry.since) / 1000));
    if (!entry.conversationId) void this.deps.recordWait?.(conv.id, entry.since, clock.now());
    // The advisor follows from 0: a conversation handed over arrives with its whole history.
    fanout.follow([advisorId], conv.id, 0, true);
    fanout.follow([conv.userId], conv.id, conv.lastSeq);
    const answerBy = this.answerBy(conv.id, advisorId)!;
    // Served after the language overflow by an advisor who does not list the user's language: both are told.
    const language = speaks ? {} : { otherLanguage: true };
    fanout.toUser(conv.userId, { type: 'conversation.assigned', ...conversationSummary(conv, conv.userId), handedOver: !!entry.conversationId, ...language });
    // The advisor is told by when a first answer must come, or the chat goes to a colleague (router-sweep.ts).
    fanout.toUser(advisorId, { type: 'conversation.assigned', ...conversationSummary(conv, advisorId), handedOver: !!entry.conversationId, answerBy, ...language });
    if (entry.question && !entry.conversationId) await this.askFirst(conv, entry.question);
  }

  /**
   * The user was claimed while a chat of theirs is open in the database: the state had lost that
   * chat's claim (a Redis failover can lose an acknowledged write). The new claim is released (its
   * advisor's seat freed, nobody told), the open chat's seat is restored, and the user is given that
   * chat again, with its history and, as its next message, the question typed while waiting (it
   * was asked of this chat's advisor as much as of anyone). False when no open chat is found after
   * all: the caller requeues.
   */
  private async backToOpenChat(claimedId: string, entry: QueueEntry, advisorId: string, advisorName: string | null): Promise<boolean> {
    const { store, state, fanout, clock, log } = this.deps;
    const open = (await store.openConversationsFor(entry.userId)).find((c) => c.userId === entry.userId);
    if (!open) return false;
    await state.release(claimedId, clock.now());
    if (open.advisorId === null) return this.handOverWaiting(open, entry, claimedId, advisorId, advisorName);
    await state.restoreHeld([{ conversationId: open.id, userId: open.userId, advisorId: open.advisorId }], clock.now());
    this.lastPushed.delete(entry.userId);
    log.warn({ conversationId: open.id, released: claimedId, advisorId: open.advisorId }, 'a user claimed again while in an open chat: the state had lost its claim; the chat is theirs again');
    fanout.follow([open.userId], open.id, 0, true);
    fanout.toUser(open.userId, { type: 'conversation.assigned', ...conversationSummary(open, open.userId), handedOver: false });
    // Keyed by the released claim: asked again, the same question is stored once.
    if (entry.question) await this.askFirst(open, entry.question, `question-${claimedId}`);
    void this.dispatch();
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
    await this.open(open.id, queueEntryOf(open), advisorId, advisorName);
    const handed = await store.getConversation(open.id);
    if (entry.question && handed?.advisorId === advisorId) await this.askFirst(handed, entry.question, `question-${claimedId}`);
    return true;
  }

  /** The question typed while waiting opens the conversation, as the user's first message. */
  private async askFirst(conv: ConversationRecord, text: string, clientMsgId = `question-${conv.id}`): Promise<void> {
    try {
      const { message } = await this.deps.store.appendMessage({ conversationId: conv.id, senderId: conv.userId, senderRole: conv.userRole, clientMsgId, text });
      this.deps.fanout.deliver(readersOf(conv), message);
    } catch (err) {
      this.deps.log.warn({ err, conversationId: conv.id }, 'the waiting question could not be stored');
    }
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
    this.unanswered.delete(conv.id);
    if (toAdvisor && (await state.claim(conv.userId, toAdvisor, conv.id, clock.now())) === 'ok') {
      const target = (await state.snapshot()).advisors.find((a) => a.id === toAdvisor);
      fanout.toUser(from, { type: 'conversation.released', conversationId: conv.id, reason, to: toAdvisor, toName: target?.name ?? null });
      await this.open(conv.id, entry, toAdvisor, target?.name ?? null);
      return;
    }
    await this.unassign(conv.id, from);
    fanout.toUser(from, { type: 'conversation.released', conversationId: conv.id, reason });
    fanout.toUser(conv.userId, { type: 'queue.joined', conversationId: conv.id, reason, province: conv.province, audience: conv.audience, topic: conv.topic, position: 1, etaSeconds: 0 });
    this.onRequeued?.(conv.userId);
    void this.dispatch();
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
    try {
      await this.deps.store.closeConversation(entry.conversationId, { outcome: 'left_queue', rating: null, closedBy, at: new Date(this.deps.clock.now()) });
      this.deps.metrics.conversationsClosed.inc({ outcome: 'left_queue' });
    } catch (err) {
      this.deps.log.warn({ err, conversationId: entry.conversationId }, 'a chat whose user left the queue could not be closed; the reconciliation may hold its seat');
    }
  }

  /** A chat ended after `seconds` with an advisor: feeds the wait estimate. */
  recordHandled(conversationId: string, seconds: number): void {
    this.unanswered.delete(conversationId);
    this.handling.add(seconds);
  }

  /**
   * By when `advisorId` must first answer the chat (ISO), while this node waits for that answer
   * (router-sweep.ts enforces it here, and only here); null otherwise.
   */
  answerBy(conversationId: string, advisorId: string): string | null {
    const pending = this.unanswered.get(conversationId);
    return pending && pending.advisorId === advisorId ? new Date(pending.at + this.deps.config.unansweredSeconds * 1000).toISOString() : null;
  }

  /** The advisor wrote in the conversation: it is answered. */
  answered(conversationId: string, senderId: string): void {
    const pending = this.unanswered.get(conversationId);
    if (pending && pending.advisorId === senderId) this.unanswered.delete(conversationId);
  }

  /** Pushes positions now if the last push is old enough, else once the interval has passed. */
  schedulePositions(): void {
    const wait = this.lastPushAt + this.deps.config.positionPushMs - Date.now();
    if (wait <= 0) {
      this.lastPushAt = Date.now();
      void this.pushPositions().catch((err) => this.deps.log.warn({ err }, 'position push failed'));
      return;
    }
    if (this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      this.schedulePositions();
    }, wait);
    this.pushTimer.unref();
  }

  /** Tells every waiting user on this node their position and wait, when it changed. */
  async pushPositions(snapshot?: RoutingSnapshot): Promise<void> {
    const snap = snapshot ?? (await this.deps.state.snapshot());
    const infos = this.infos(snap);
    for (const [userId, info] of infos) {
      if (!this.deps.hub.isOnline(userId)) continue;
      const key = `${info.position}:${info.etaSeconds}:${info.etaKnown}`;
      if (this.lastPushed.get(userId) === key) continue;
      this.lastPushed.set(userId, key);
      this.deps.hub.toUser(userId, { type: 'queue.position', ...info });
    }
    for (const userId of this.lastPushed.keys()) if (!infos.has(userId)) this.lastPushed.delete(userId);
    this.advisorQueues.push(snap, this.ctx);
  }

  /** Tells the advisor now how many wait for them (after their hello or a change of status). */
  async tellAdvisorQueue(advisorId: string): Promise<void> {
    const snap = await this.deps.state.snapshot();
    const advisor = snap.advisors.find((a) => a.id === advisorId);
    this.ctx.now = this.deps.clock.now();
    if (advisor) this.advisorQueues.sendNow(advisor, snap, this.ctx);
  }

  infos(snapshot: RoutingSnapshot): Map<string, WaitInfo> {
    this.ctx.now = this.deps.clock.now();
    return waitInfos(snapshot, this.ctx, this.handling.mean());
  }

  async waitInfo(userId: string): Promise<WaitInfo | null> {
    return this.infos(await this.deps.state.snapshot()).get(userId) ?? null;
  }

  /** What a new user of this queue would wait: the position after the last one. */
  estimateForNewcomer(snapshot: RoutingSnapshot, probe: QueueEntry): WaitInfo {
    const key = `${probe.province}:${probe.audience}`;
    const queues = new Map(snapshot.queues);
    queues.set(key, [...(queues.get(key) ?? []), { ...probe, order: Number.MAX_SAFE_INTEGER }]);
    return this.infos({ ...snapshot, queues }).get(probe.userId) ?? { position: 1, etaSeconds: 0, etaKnown: true };
  }

  forgetPosition(userId: string): void {
    this.lastPushed.delete(userId);
  }

  /** Every waiting user here is told their position at the next push, changed or not (after a rebuilt state). */
  forgetPositions(): void {
    this.lastPushed.clear();
  }

  close(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.advisorQueues.close();
  }

  /** Waits for any run in progress: for orderly shutdown and tests. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}

/** An open conversation as the queue entry its user would have: what a requeue puts back and a transfer is matched on. */
export function queueEntryOf(conv: ConversationRecord): QueueEntry {
  return {
    userId: conv.userId,
    role: conv.userRole,
    name: conv.userName,
    province: conv.province,
    audience: conv.audience,
    topic: conv.topic,
    lang: conv.context.lang ?? 'it',
    entry: conv.entry,
    context: conv.context,
    priority: 1,
    since: conv.openedAt.getTime(),
    conversationId: conv.id,
  };
}
