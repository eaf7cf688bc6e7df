/**
 * What happens when people connect and disconnect: presence across nodes, an
 * advisor going offline when their last socket anywhere closes, and the grace
 * period a waiting user keeps their place for. An advisor whose seats were restored
 * after the routing state was rebuilt (a restarted node, a Redis restarted empty) while
 * they are connected nowhere gets the same grace: no socket of theirs will close on the
 * new state to start it.
 */
import type { Logger } from 'pino';
import type { HeldConversation, RoutingState } from '../routing/routing-state.ts';
import { isUserRole } from '../routing/types.ts';
import type { ChatService } from './chat-service.ts';
import type { ChatStore } from './chat-store.ts';
import type { Client } from './client.ts';
import type { Metrics } from './metrics.ts';
import type { Presence } from './presence.ts';
import type { QueueDepartures } from './queue-departures.ts';
import type { RouterService } from './router-service.ts';

export interface SessionDeps {
  presence: Presence;
  state: RoutingState;
  chat: ChatService;
  router: RouterService;
  metrics: Metrics;
  /** Records each departure for the dashboard (not awaited). */
  departures: QueueDepartures;
  store: ChatStore;
  log: Logger;
  userGraceMs: number;
  advisorGraceMs: number;
}

export class Sessions {
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;
  private acceptNow!: () => void;
  /** Settled once the node listens: before that nobody could come back, so no restored-seat grace counts. */
  private readonly accepting = new Promise<void>((resolve) => (this.acceptNow = resolve));

  constructor(private readonly deps: SessionDeps) {}

  /** `first`: the person had no other socket on this node. */
  async connected(client: Client, first: boolean): Promise<void> {
    clearTimeout(this.graceTimers.get(client.userId));
    this.graceTimers.delete(client.userId);
    // Best effort: the node's heartbeat re-asserts its users within a third of the TTL.
    if (first) await this.deps.presence.set(client.userId, true).catch((err) => this.deps.log.warn({ err }, 'presence not updated'));
  }

  /** `last`: it was the person's last socket on this node. */
  async disconnected(client: Client, last: boolean): Promise<void> {
    if (!last) return;
    const { presence, chat } = this.deps;
    try {
      await presence.set(client.userId, false);
      if (await presence.isOnline(client.userId)) return;
    } catch (err) {
      // Presence unknown (Redis down): assume gone; the grace period still protects a waiting user.
      this.deps.log.warn({ err }, 'presence unavailable at disconnect');
    }
    if (client.identity.role === 'advisor') {
      await chat.statuses.disconnected(client.userId);
      this.startGrace(client.userId, this.deps.advisorGraceMs, () => this.advisorGraceOver(client.userId));
    } else if (isUserRole(client.identity.role)) {
      this.startGrace(client.userId, this.deps.userGraceMs, () => this.graceOver(client.userId));
    }
  }

  /**
   * A chat went back to the queue (its advisor gone, a transfer, no answer in time). Its user may have left
   * during the chat, when their grace found them in no queue: without one now they would wait, unseen, until
   * the longest wait or closing time, and an advisor could be given a chat nobody reads.
   */
  async requeued(userId: string): Promise<void> {
    try {
      if (await this.deps.presence.isOnline(userId)) return;
    } catch {
      // Presence unknown: the grace check asks again and, still not knowing, keeps the place.
    }
    if (!this.graceTimers.has(userId)) this.startGrace(userId, this.deps.userGraceMs, () => this.graceOver(userId));
  }

  /**
   * Seats were restored (this node's restore answered `restored`, so no other node got the same
   * conversations back): each of their advisors who is connected nowhere gets the advisor grace
   * from now (after a restart, from when the node listens), as if they had just disconnected.
   * Back in time on any node, nothing changes for them; else their chats go back to the queue
   * (`advisor_left`). An advisor whose grace already runs here keeps that one.
   */
  async seatsRestored(conversations: HeldConversation[]): Promise<void> {
    const { presence, log } = this.deps;
    await this.accepting;
    for (const advisorId of new Set(conversations.map((c) => c.advisorId))) {
      if (this.closed || this.graceTimers.has(advisorId)) continue;
      try {
        if (await presence.isOnline(advisorId)) continue;
      } catch {
        // Presence unknown: start the grace; its end asks again before anything is handed over.
      }
      log.info({ advisorId }, 'seats restored for an advisor who is not connected; their grace starts');
      this.startGrace(advisorId, this.deps.advisorGraceMs, () => this.advisorGraceOver(advisorId));
    }
  }

  /** The node accepts connections (a restarted node restores seats before it listens; their graces count from now). */
  serving(): void {
    this.acceptNow();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  private startGrace(userId: string, ms: number, over: () => Promise<void>): void {
    clearTimeout(this.graceTimers.get(userId));
    const timer = setTimeout(() => void over(), ms);
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  /** The advisor did not come back: each of their chats goes back to the head of its queue, history kept. */
  private async advisorGraceOver(advisorId: string): Promise<void> {
    this.graceTimers.delete(advisorId);
    const { presence, store, state, router, log } = this.deps;
    try {
      if (await presence.isOnline(advisorId)) return;
      for (const conv of await store.openConversationsFor(advisorId)) {
        if (conv.advisorId !== advisorId) continue;
        // Its user no longer in it: another node's grace for this advisor handed it over already.
        if ((await state.conversationOf(conv.userId)) !== conv.id) continue;
        log.info({ advisorId, conversationId: conv.id }, 'advisor did not come back; chat re-queued at the head');
        await router.requeue(conv, 'advisor_left', advisorId);
      }
    } catch (err) {
      log.warn({ err }, 'advisor grace check failed; their chats stay with them');
    }
  }

  private async graceOver(userId: string): Promise<void> {
    this.graceTimers.delete(userId);
    const { presence, state, router, metrics, log } = this.deps;
    try {
      if (await presence.isOnline(userId)) return;
      const entry = await state.cancel(userId);
      if (!entry) return;
      log.info({ userId }, 'waiting user did not come back; removed from the queue');
      metrics.abandoned.inc({ reason: 'disconnected' });
      void this.deps.departures.record(entry, 'disconnected');
      await router.closeLeftBehind(entry, 'system');
      void router.pushPositions();
    } catch (err) {
      log.warn({ err }, 'grace period check failed; the user keeps their place');
    }
  }
}
