/**
 * Runs the matching policy against the shared routing state and turns each
 * successful claim into a stored conversation and two `conversation.assigned`
 * frames. Runs are serialized per node; a request during a run schedules one more.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { waitInfos } from '../routing/eta.ts';
import { longestWaitingLowestLoad, type MatchContext, type MatchPolicy } from '../routing/matching.ts';
import { regionOf } from '../routing/provinces.ts';
import type { QueueEntry, RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import type { ChatStore, ConversationRecord } from './chat-store.ts';
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
  handleSeconds: number;
  policy?: MatchPolicy;
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
    openedAt: conv.openedAt.toISOString(),
  };
}

export class RouterService {
  private running: Promise<void> | null = null;
  private again = false;
  /** Last position sent to each waiting user, so unchanged ones are not re-sent. */
  private readonly lastPushed = new Map<string, string>();
  private readonly ctx: MatchContext;

  constructor(private readonly deps: RouterDeps) {
    this.ctx = { now: 0, regionOf: (p) => regionOf(p) };
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
      const conversationId = randomUUID();
      const result = await state.claim(p.userId, p.advisorId, conversationId, clock.now());
      if (result !== 'ok') {
        this.again = true;
        continue;
      }
      await this.open(conversationId, entry, advisor.id, advisor.name);
    }
    await this.pushPositions(proposals.length ? await state.snapshot() : snapshot);
  }

  private async open(id: string, entry: QueueEntry, advisorId: string, advisorName: string | null): Promise<void> {
    const { store, state, fanout, clock, log } = this.deps;
    let conv: ConversationRecord;
    try {
      conv = await store.createConversation({
        id,
        userId: entry.userId,
        userRole: entry.role,
        userName: entry.name,
        province: entry.province,
        audience: entry.audience,
        topic: entry.topic,
        entry: entry.entry,
        context: entry.context,
        advisorId,
        advisorName,
        openedAt: new Date(clock.now()),
      });
    } catch (err) {
      log.error({ err, conversationId: id }, 'could not store a new conversation; the user goes back to the head of the queue');
      await state.unclaim(id, entry, clock.now());
      return;
    }
    this.lastPushed.delete(entry.userId);
    this.deps.metrics.waitSeconds.observe({ audience: entry.audience }, Math.max(0, (clock.now() - entry.since) / 1000));
    fanout.follow([conv.userId, conv.advisorId], conv.id, 0);
    for (const who of [conv.userId, conv.advisorId]) fanout.toUser(who, { type: 'conversation.assigned', ...conversationSummary(conv, who) });
  }

  /** Tells every waiting user on this node their position and wait, when it changed. */
  async pushPositions(snapshot?: RoutingSnapshot): Promise<void> {
    const snap = snapshot ?? (await this.deps.state.snapshot());
    this.ctx.now = this.deps.clock.now();
    const infos = waitInfos(snap, this.ctx, this.deps.handleSeconds);
    for (const [userId, info] of infos) {
      if (!this.deps.hub.isOnline(userId)) continue;
      const key = `${info.position}:${info.etaSeconds}`;
      if (this.lastPushed.get(userId) === key) continue;
      this.lastPushed.set(userId, key);
      this.deps.hub.toUser(userId, { type: 'queue.position', ...info });
    }
    for (const userId of this.lastPushed.keys()) if (!infos.has(userId)) this.lastPushed.delete(userId);
  }

  async waitInfo(userId: string) {
    const snap = await this.deps.state.snapshot();
    this.ctx.now = this.deps.clock.now();
    return waitInfos(snap, this.ctx, this.deps.handleSeconds).get(userId) ?? null;
  }

  forgetPosition(userId: string): void {
    this.lastPushed.delete(userId);
  }

  /** Waits for any run in progress: for orderly shutdown and tests. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
