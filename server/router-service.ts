/**
 * Runs the matching policy against the shared routing state and turns each
 * successful claim into a conversation (new, or an existing one that changes
 * advisor) and `conversation.assigned` frames. Runs are serialized per node; a
 * request during a run schedules one more. Positions are pushed when they change,
 * at most once per `positionPushMs`, and with them each advisor's `advisor.queue`.
 * Requeues and hand-overs: router-handover.ts; how a chat is shown: conversation-views.ts.
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
import { conversationSummary, readersOf } from './conversation-views.ts';
import { AppError } from './errors.ts';
import type { Fanout } from './fanout.ts';
import type { Hub } from './hub.ts';
import type { Metrics } from './metrics.ts';
import { RouterHandOver } from './router-handover.ts';

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
  /**
   * Conversations this node assigned and whose advisor has not answered yet: enforced to the tick here
   * (router-unanswered.ts); every node also finds those overdue in the database, in case this node stops.
   */
  readonly unanswered = new Map<string, { advisorId: string; at: number; /** assigned with a stored `assigned_at` (since 0023) */ stored: boolean }>();
  /** Told of each chat sent back to the queue, with its user: sessions.ts checks they are still there. */
  onRequeued: ((userId: string) => void) | null = null;
  /** Tells each advisor here how many wait for them, from the snapshot the positions are pushed from. */
  private readonly advisorQueues: AdvisorQueuePush;
  /** Requeues, and claims of a user whose chat the state lost (router-handover.ts). */
  private readonly handOver: RouterHandOver;

  constructor(private readonly deps: RouterDeps) {
    this.ctx = { now: 0, regionOf: (p) => regionOf(p), overflow: deps.config.overflow };
    this.handling = new HandlingStats(deps.config.handleSampleSize, deps.config.defaultHandleSeconds);
    this.advisorQueues = new AdvisorQueuePush({ hub: deps.hub, clock: deps.clock, minIntervalMs: deps.config.advisorQueuePushMs });
    this.handOver = new RouterHandOver(deps, {
      open: (id, entry, advisorId, advisorName) => this.open(id, entry, advisorId, advisorName),
      askFirst: (conv, text, clientMsgId) => this.askFirst(conv, text, clientMsgId),
      dispatch: () => this.dispatch(),
      forgetPosition: (userId) => this.forgetPosition(userId),
      forgetUnanswered: (conversationId) => this.unanswered.delete(conversationId),
      requeued: (userId) => this.onRequeued?.(userId),
    });
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
        ? await store.reassignConversation(id, advisorId, advisorName, new Date(clock.now()))
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
      if (err instanceof AppError && err.code === 'already_in_conversation' && (await this.handOver.backToOpenChat(id, entry, advisorId, advisorName))) return;
      // Its user closed it while it waited to be handed over: nobody to serve (requeued, it would be claimed again and again).
      if (err instanceof AppError && err.code === 'conversation_closed' && entry.conversationId) return void (await state.release(id, clock.now()));
      log.error({ err, conversationId: id }, 'could not store the assignment; the user goes back to the head of the queue');
      await state.unclaim(id, entry, clock.now());
      return;
    }
    this.lastPushed.delete(entry.userId);
    // From the stored assignment time, so that a welcome on another node, which works the deadline out from it, says the same.
    this.unanswered.set(conv.id, { advisorId, at: conv.assignedAt?.getTime() ?? clock.now(), stored: conv.assignedAt !== null });
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

  /** The question typed while waiting opens the conversation, as the user's first message. */
  private async askFirst(conv: ConversationRecord, text: string, clientMsgId = `question-${conv.id}`): Promise<void> {
    try {
      const { message } = await this.deps.store.appendMessage({ conversationId: conv.id, senderId: conv.userId, senderRole: conv.userRole, clientMsgId, text });
      this.deps.fanout.deliver(readersOf(conv), message);
    } catch (err) {
      this.deps.log.warn({ err, conversationId: conv.id }, 'the waiting question could not be stored');
    }
  }

  /** Puts the user of an open conversation back at the head of their queue (router-handover.ts). */
  requeue(conv: ConversationRecord, reason: string, from: string, toAdvisor?: string): Promise<void> {
    return this.handOver.requeue(conv, reason, from, toAdvisor);
  }

  /** Closes the open conversation of a user who left the queue unserved (router-handover.ts). */
  closeLeftBehind(entry: QueueEntry, closedBy: string): Promise<void> {
    return this.handOver.closeLeftBehind(entry, closedBy);
  }

  /** Retries the closes of chats left behind that an outage refused (router-sweep.ts, each tick). */
  retryLeftBehind(): Promise<void> {
    return this.handOver.retryLeftBehind();
  }

  /** How many such closes this node keeps to retry. */
  get leftBehindKept(): number {
    return this.handOver.leftBehind.size;
  }

  /** A chat ended after `seconds` with an advisor: feeds the wait estimate. */
  recordHandled(conversationId: string, seconds: number): void {
    this.unanswered.delete(conversationId);
    this.handling.add(seconds);
  }

  /**
   * By when `advisorId` must first answer the chat (ISO), while this node waits for that answer
   * (this node's memory; router-unanswered.ts enforces it, here and from any node); null otherwise.
   */
  answerBy(conversationId: string, advisorId: string): string | null {
    const pending = this.unanswered.get(conversationId);
    return pending && pending.advisorId === advisorId ? new Date(this.answerDeadline(pending.at)).toISOString() : null;
  }

  /** When the first answer to a chat assigned at `assignedAt` is due (ms). */
  answerDeadline(assignedAt: number): number {
    return assignedAt + this.deps.config.unansweredSeconds * 1000;
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
