/**
 * A routing state that notices it was lost and rebuilds this node's part of it.
 *
 * Redis holds the queues, the advisors' statuses and their seats, and nothing else
 * has them: a Redis restarted empty (no persistence, a failover that lost writes)
 * forgot every waiting user and every held conversation. Users waited on with open
 * sockets and no more positions, never matched; advisors' loads read 0 while their
 * chats were open, so they could get `capacity` more.
 *
 * Detection: every node initialises the state's epoch (a random id, init-epoch.lua)
 * and remembers it. The snapshot script reads the epoch with the state, so each
 * snapshot (every routing tick, and the one asked for when the Redis client is ready
 * again) tells at no extra round trip whether the state is the one this node knows.
 * An epoch missing or changed means it was lost; the snapshot is not answered until
 * this node rebuilt its part, so no routing run matches from a state without seats.
 *
 * Rebuild, on every node at once, each step idempotent:
 *  1. every conversation open in the database holds its advisor's seat again
 *     (`restoreHeld`; a user the database puts in a conversation leaves the queue);
 *  2. the advisors connected here are registered again with the status they had;
 *  3. the users of this node who were waiting are put back with their original
 *     `since`, priority and queue (so the longest-waiting user is still first), after
 *     step 1 so that anyone in a conversation is refused; a user waiting to be handed
 *     over with their conversation goes back only while the database names no advisor
 *     for it, or still the one they left (otherwise someone took them over already).
 * Then the router forgets the positions it sent, so every waiting user here is told
 * their position again, and the advisors of the seats this node restored who are connected
 * nowhere get their grace (`onSeatsRestored`, sessions.ts). The periodic half (seats held
 * for conversations that are not open, open ones not held) is server/routing-reconcile.ts.
 *
 * What this node knows: the waiting entries of its users (connected, or in their grace
 * period) and its advisors' statuses, kept from each snapshot and from the writes made
 * through it. A change decided on another node in the last tick before the loss may
 * be missed (a user timed out there is put back, and timed out again at the next sweep).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import type { AdvisorProfile, AdvisorStatus, HeldConversation, QueueEntry, RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import type { AdvisorDirectory } from './advisor-directory.ts';
import type { Client } from './client.ts';
import type { OpenConversation, OpenConversations } from './open-conversations-sql.ts';
import { ForwardingRoutingState } from './routing-state-forwarding.ts';

export interface RecoveryDeps {
  hub: { isOnline(userId: string): boolean; people(): Iterable<Client> };
  open: OpenConversations;
  advisors: AdvisorDirectory;
  clock: Clock;
  log: Logger;
}

/**
 * Puts open conversations back; releases again any that closed while it ran. Returns those
 * restored by this call: `restoreHeld` is atomic, so of several nodes restoring at once
 * exactly one gets each conversation back (the others read `held`), and that node alone
 * starts the grace of an advisor who is not connected (sessions.ts, `seatsRestored`).
 */
export async function restoreOpen(state: RoutingState, open: OpenConversations, openNow: OpenConversation[], now: number): Promise<HeldConversation[]> {
  // One that names no advisor waits in the queue to be handed over: no seat is its own.
  const conversations = openNow.filter((c): c is HeldConversation => c.advisorId !== null);
  if (conversations.length === 0) return [];
  const results = await state.restoreHeld(conversations, now);
  const restored = conversations.filter((_, i) => results[i] === 'restored');
  // A conversation closed between the read and the restore had its release before the restore: undo it.
  const stillOpen = await open.openAmong(restored.map((c) => c.conversationId));
  for (const c of restored) if (!stillOpen.has(c.conversationId)) await state.release(c.conversationId, now);
  return restored.filter((c) => stillOpen.has(c.conversationId));
}

export class RecoveringRoutingState extends ForwardingRoutingState {
  /** The epoch this node initialised or adopted; null until `start()`. */
  private known: string | null = null;
  private rebuilding: Promise<void> | null = null;
  private lastObserved: RoutingSnapshot | null = null;
  /** Waiting entries of this node's users. */
  private readonly waiting = new Map<string, QueueEntry>();
  /** Statuses of the advisors connected here. */
  private readonly statuses = new Map<string, AdvisorStatus>();
  private readonly rebuiltListeners: (() => void)[] = [];
  private readonly restoredListeners: ((conversations: HeldConversation[]) => void)[] = [];

  constructor(
    inner: RoutingState,
    private readonly deps: RecoveryDeps,
  ) {
    super(inner);
  }

  /** Initialises the epoch or adopts the one in force. Before the first snapshot. */
  async start(): Promise<void> {
    this.known = (await this.inner.initEpoch(randomUUID())).epoch;
  }

  get epoch(): string | null {
    return this.known;
  }

  /** Called after each rebuild of this node's part (the router sends positions again, the counter counts it). */
  onRebuilt(listener: () => void): void {
    this.rebuiltListeners.push(listener);
  }

  /** Called with the conversations whose seats this node's rebuild restored (their advisors' graces start). */
  onSeatsRestored(listener: (conversations: HeldConversation[]) => void): void {
    this.restoredListeners.push(listener);
  }

  override async snapshot(): Promise<RoutingSnapshot> {
    const snapshot = await this.inner.snapshot();
    if (snapshot.epoch === undefined || snapshot.epoch === this.known) {
      this.observe(snapshot);
      return snapshot;
    }
    await this.rebuild();
    return this.inner.snapshot();
  }

  /** Rebuilds this node's part now unless a rebuild is running (then waits for it). */
  rebuild(): Promise<void> {
    this.rebuilding ??= this.rebuildNow().finally(() => (this.rebuilding = null));
    return this.rebuilding;
  }

  private async rebuildNow(): Promise<void> {
    const { open, hub, advisors, clock, log } = this.deps;
    const { epoch, created } = await this.inner.initEpoch(randomUUID());
    const now = clock.now();
    const conversations = await open.all();
    const restored = await restoreOpen(this.inner, open, conversations, now);

    let registered = 0;
    for (const client of hub.people()) {
      if (client.identity.role !== 'advisor') continue;
      const before = this.statuses.get(client.userId);
      await this.inner.upsertAdvisor(await advisors.profileOf(client.identity), before === 'available' ? 'available' : 'away', now);
      registered++;
    }

    const openById = new Map(conversations.map((c) => [c.conversationId, c]));
    let requeued = 0;
    // Oldest first, so that arrival orders follow the original waits as well.
    for (const entry of [...this.waiting.values()].sort((a, b) => a.since - b.since)) {
      if (entry.conversationId) {
        const conv = openById.get(entry.conversationId);
        // Closed, or already with the advisor who took it over: nothing to put back. Still waiting, it names
        // no advisor (or still the one it left, had its node stopped between the requeue and the store).
        if (!conv || (conv.advisorId !== null && conv.advisorId !== entry.avoidAdvisor)) {
          this.waiting.delete(entry.userId);
          continue;
        }
        await this.inner.unclaim(entry.conversationId, entry, now);
        requeued++;
        continue;
      }
      const result = await this.inner.enqueue(entry);
      if (result.ok || result.reason === 'already_waiting') requeued++;
      else this.waiting.delete(entry.userId);
    }

    this.known = epoch;
    log.warn(
      { epoch, initialisedHere: created, conversations: conversations.length, seatsRestored: restored.length, advisors: registered, waiting: requeued },
      'routing state lost (Redis restarted empty?); rebuilt from the database and this node',
    );
    for (const listener of this.rebuiltListeners) listener();
    if (restored.length) for (const listener of this.restoredListeners) listener(restored);
  }

  /** Keeps what this node would need to rebuild: its users' entries, its advisors' statuses. */
  private observe(snapshot: RoutingSnapshot): void {
    if (snapshot === this.lastObserved) return;
    this.lastObserved = snapshot;
    const { hub } = this.deps;
    const seen = new Set<string>();
    for (const queue of snapshot.queues.values()) {
      for (const entry of queue) {
        // Users in their grace period are kept: they were known while connected.
        if (!this.waiting.has(entry.userId) && !hub.isOnline(entry.userId)) continue;
        this.waiting.set(entry.userId, entry);
        seen.add(entry.userId);
      }
    }
    for (const userId of this.waiting.keys()) if (!seen.has(userId)) this.waiting.delete(userId);
    for (const advisor of snapshot.advisors) {
      if (hub.isOnline(advisor.id)) this.statuses.set(advisor.id, advisor.status);
      else this.statuses.delete(advisor.id);
    }
  }

  override async enqueue(entry: QueueEntry) {
    const result = await this.inner.enqueue(entry);
    if (result.ok || result.reason === 'already_waiting') this.waiting.set(entry.userId, result.entry);
    else this.waiting.delete(entry.userId);
    return result;
  }
  override async cancel(userId: string) {
    const entry = await this.inner.cancel(userId);
    this.waiting.delete(userId);
    return entry;
  }
  override async claim(userId: string, advisorId: string, conversationId: string, now: number) {
    const result = await this.inner.claim(userId, advisorId, conversationId, now);
    if (result === 'ok') this.waiting.delete(userId);
    return result;
  }
  override async unclaim(conversationId: string, entry: QueueEntry, now: number) {
    await this.inner.unclaim(conversationId, entry, now);
    if (this.deps.hub.isOnline(entry.userId)) this.waiting.set(entry.userId, { ...entry, priority: Math.max(entry.priority, 1) });
  }
  override async upsertAdvisor(profile: AdvisorProfile, status: AdvisorStatus, now: number) {
    const advisor = await this.inner.upsertAdvisor(profile, status, now);
    if (this.deps.hub.isOnline(advisor.id)) this.statuses.set(advisor.id, advisor.status);
    return advisor;
  }
  override async setAdvisorStatus(advisorId: string, status: AdvisorStatus, now: number) {
    const advisor = await this.inner.setAdvisorStatus(advisorId, status, now);
    if (advisor && this.deps.hub.isOnline(advisorId)) this.statuses.set(advisorId, advisor.status);
    return advisor;
  }
}
