/**
 * Shared routing state: who waits where, which advisor holds which chats.
 *
 * The in-process implementation serves one node; a Redis one serves many. Both
 * keep these invariants, each operation being atomic (one Lua script in Redis):
 * - a user is waiting or in a conversation at most once, never both;
 * - an advisor never holds more conversations than their capacity;
 * - a user is claimed by at most one advisor (claim checks and moves in one step);
 * - within a queue, entries leave in (priority desc, order asc): FIFO within a priority.
 *
 * Matching itself is a pure function over a snapshot (see matching.ts); the
 * state only has to make each proposed claim atomic, and refuse stale ones.
 */
import type { Audience, Entry, Topic, UserRole } from './types.ts';

export type AdvisorStatus = 'available' | 'away' | 'offline';

export interface QueueEntry {
  userId: string;
  role: UserRole;
  name: string | null;
  province: string;
  audience: Audience;
  topic: Topic;
  lang: string;
  entry: Entry;
  context: Record<string, string>;
  /** Higher first. 0 normal; 1 for a user put back after their advisor dropped. */
  priority: number;
  /** When the user first asked, in ms; kept across requeues so the wait is honest. */
  since: number;
  /** Set by the state on enqueue: strictly increasing arrival order. */
  order?: number;
  /** The open conversation of a user put back in the queue (advisor gone, transfer): they keep it and its history. */
  conversationId?: string;
  /** An advisor who must not get this user again (they transferred or did not answer). */
  avoidAdvisor?: string;
  /** The question typed while asking: it becomes the conversation's first message. */
  question?: string;
}

export interface AdvisorSkills {
  audiences: Audience[];
  topics: Topic[];
  languages: string[];
  /** Province codes served; empty with empty regions means national. */
  provinces: string[];
  regions: string[];
}

export interface AdvisorProfile {
  id: string;
  name: string | null;
  capacity: number;
  skills: AdvisorSkills;
}

export interface AdvisorState extends AdvisorProfile {
  status: AdvisorStatus;
  conversations: string[];
  /** Since when the advisor has had no new assignment, in ms. */
  idleSince: number;
}

export type EnqueueResult =
  | { ok: true; entry: QueueEntry }
  | { ok: false; reason: 'already_waiting'; entry: QueueEntry }
  | { ok: false; reason: 'in_conversation'; conversationId: string };

export type ClaimResult = 'ok' | 'user_gone' | 'advisor_unavailable' | 'advisor_full';

export interface RoutingSnapshot {
  /** Waiting entries, each queue in serving order. Key: `${province}:${audience}`. */
  queues: Map<string, QueueEntry[]>;
  advisors: AdvisorState[];
  /**
   * The state's epoch (see `initEpoch`), read in the same atomic step: null when none is
   * set, i.e. the state was never initialised or was lost (a Redis restarted empty).
   * Absent in snapshots built by hand.
   */
  epoch?: string | null;
}

/** An open conversation as the routing state holds it: which advisor's seat, which user. */
export interface HeldConversation {
  conversationId: string;
  userId: string;
  advisorId: string;
}

/** A held conversation and since when (ms): when it was claimed or restored. */
export interface HeldConversationState extends HeldConversation {
  since: number;
}

/**
 * What `restoreHeld` did with one conversation:
 * - `restored`: now held (a user waiting with a fresh request was taken out of the queue:
 *   they are in this conversation);
 * - `held`: already held for the same advisor and user; nothing changed;
 * - `waiting`: the user waits to be handed over with this very conversation; left waiting;
 * - `conflict`: held for another advisor or user, or the user is in (or waits with) another
 *   conversation; nothing changed.
 */
export type RestoreHeldResult = 'restored' | 'held' | 'waiting' | 'conflict';

export interface RoutingState {
  enqueue(entry: QueueEntry): Promise<EnqueueResult>;
  /** Removes a waiting user; null when they were not waiting. */
  cancel(userId: string): Promise<QueueEntry | null>;
  waitingEntry(userId: string): Promise<QueueEntry | null>;
  /** The open conversation a user is in, if any. */
  conversationOf(userId: string): Promise<string | null>;
  upsertAdvisor(profile: AdvisorProfile, status: AdvisorStatus, now: number): Promise<AdvisorState>;
  setAdvisorStatus(advisorId: string, status: AdvisorStatus, now: number): Promise<AdvisorState | null>;
  /** Atomically takes the waiting user out of the queue and gives the conversation to the advisor. */
  claim(userId: string, advisorId: string, conversationId: string, now: number): Promise<ClaimResult>;
  /** The conversation ended: frees the advisor's seat and the user. Idempotent. */
  release(conversationId: string, now: number): Promise<void>;
  /**
   * Undoes a claim whose conversation could not be stored, putting the user back at the
   * head of their queue: nobody is lost when the database fails between claim and insert.
   */
  unclaim(conversationId: string, entry: QueueEntry, now: number): Promise<void>;
  snapshot(): Promise<RoutingSnapshot>;
  /**
   * Sets the state's epoch to `candidate` unless one is set, and answers the epoch in
   * force. A snapshot whose epoch differs from the one a node knows means the state was
   * lost and rebuilt, or must be (server/routing-recovery.ts).
   */
  initEpoch(candidate: string): Promise<{ epoch: string; created: boolean }>;
  /**
   * Puts conversations that are open in the database back in the state, with their
   * advisor's seat, after the state lost them. Atomic for the whole batch; one result per
   * conversation, in order. The advisor's capacity is not checked (the conversations
   * exist): a load above capacity refuses claims until seats free up. The advisor need
   * not be registered: their seats are counted from when they are. Idempotent.
   */
  restoreHeld(conversations: HeldConversation[], now: number): Promise<RestoreHeldResult[]>;
  /** Every held conversation with since when it is held, for reconciliation with the database. */
  heldConversations(): Promise<HeldConversationState[]>;
  /**
   * Takes the reconciliation turn for `ms` unless another holder has it: one node at a
   * time compares the state with the database. True when `holder` got it.
   */
  takeReconcileTurn(holder: string, ms: number, now: number): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function queueKey(province: string, audience: Audience): string {
  return `${province}:${audience}`;
}

/** Serving order within a queue: higher priority first, then arrival. */
export function compareEntries(a: QueueEntry, b: QueueEntry): number {
  return b.priority - a.priority || (a.order ?? 0) - (b.order ?? 0);
}
