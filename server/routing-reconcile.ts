/**
 * Once a minute, one node compares the seats held in the routing state with the
 * conversations open in the database, which is the truth:
 * - a seat held for a conversation that is not open, for longer than `staleMs`, is
 *   released: a node died between `claim` and storing the conversation, or a
 *   `release` was lost with a connection; the advisor had a seat taken for nothing;
 * - an open conversation whose seat is not held is restored (`restoreHeld`): a state
 *   lost and rebuilt while a conversation was being stored, or a node that never came
 *   back to rebuild. Its advisor, when not connected anywhere, then gets the grace of an
 *   advisor who disconnected (`onSeatsRestored`, sessions.ts): nothing else would start it.
 * The `staleMs` margin leaves alone a claim whose conversation is still being written.
 * One node at a time: each takes the turn (a short lease in the state) before it
 * reads; the others skip that minute. See docs/routing-state.md, "Failure model".
 */
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import type { HeldConversation, RoutingState } from '../routing/routing-state.ts';
import type { OpenConversations } from './open-conversations-sql.ts';
import { restoreOpen } from './routing-recovery.ts';

export interface ReconcileDeps {
  state: RoutingState;
  open: OpenConversations;
  clock: Clock;
  log: Logger;
  /** This node's id: the holder of the turn. */
  node: string;
  /** A seat held this long for a conversation that is not open is released. Default 60 s. */
  staleMs?: number;
  /** How long a turn lasts: about one run per this interval over all nodes. Default 55 s. */
  turnMs?: number;
  /** Counts what was repaired, by action (`released`, `restored`). */
  onRepaired?: (action: 'released' | 'restored', count: number) => void;
  /** The conversations whose seats this run restored: their advisors, if not connected, get their grace (sessions.ts). */
  onSeatsRestored?: (conversations: HeldConversation[]) => void;
}

export interface ReconcileReport {
  released: number;
  restored: number;
}

export class RoutingReconciler {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ReconcileDeps) {}

  /** Runs every `intervalMs` (not at once: the state was just initialised). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.run().catch((err) => this.deps.log.warn({ err }, 'routing reconciliation failed')), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One reconciliation if this node gets the turn; null when another node has it. */
  async run(): Promise<ReconcileReport | null> {
    const { state, open, clock, log, node } = this.deps;
    const staleMs = this.deps.staleMs ?? 60_000;
    if (!(await state.takeReconcileTurn(node, this.deps.turnMs ?? 55_000, clock.now()))) return null;
    // The state first: a conversation claimed after this read and stored before the next is open, not stale.
    const held = await state.heldConversations();
    const openNow = await open.all();
    const now = clock.now();
    const openIds = new Set(openNow.map((c) => c.conversationId));
    const heldIds = new Set(held.map((h) => h.conversationId));
    const stale = held.filter((h) => !openIds.has(h.conversationId) && now - h.since >= staleMs);
    for (const h of stale) await state.release(h.conversationId, now);
    const restoredSeats = await restoreOpen(state, open, openNow.filter((c) => !heldIds.has(c.conversationId)), now);
    const restored = restoredSeats.length;
    if (stale.length || restored) {
      log.warn(
        { released: stale.length, examples: stale.slice(0, 20).map((h) => ({ conversationId: h.conversationId, advisorId: h.advisorId })), restored },
        'routing state reconciled with the database: seats held for conversations not open released, open ones restored',
      );
    }
    if (stale.length) this.deps.onRepaired?.('released', stale.length);
    if (restored) this.deps.onRepaired?.('restored', restored);
    if (restored) this.deps.onSeatsRestored?.(restoredSeats);
    return { released: stale.length, restored };
  }
}
