/**
 * Where conversations and their transcripts live: the source of truth.
 *
 * Invariants every implementation keeps:
 * - `seq` is assigned by the database, per conversation: 1, 2, 3 … strictly
 *   increasing, no gaps, even under concurrent writers on several nodes.
 * - `(conversationId, senderId, clientMsgId)` is unique: a retry returns the
 *   stored message with its original `seq` and `duplicate: true`, and stores nothing.
 * - `appendMessage` resolves only after the row is committed (ack after store).
 */
import type { Audience, Entry, Topic, UserRole } from '../routing/types.ts';

export type ConversationStatus = 'open' | 'closed';

export interface ConversationRecord {
  id: string;
  userId: string;
  userRole: UserRole;
  userName: string | null;
  province: string;
  audience: Audience;
  topic: Topic;
  entry: Entry;
  /** Free context from the page: application protocol, matricola, wizard step. */
  context: Record<string, string>;
  /**
   * Who serves it now; null while it waits in the queue for another advisor (its advisor left, transferred
   * it, or did not answer): the last one no longer reads or writes in it, and their console no longer lists it.
   */
  advisorId: string | null;
  advisorName: string | null;
  /**
   * When the advisor it names was given it (opened with them, or handed over); null while it names none (and for
   * chats assigned before migration 0023). Their first answer is due `unansweredSeconds` later.
   */
  assignedAt: Date | null;
  status: ConversationStatus;
  outcome: string | null;
  rating: number | null;
  openedAt: Date;
  closedAt: Date | null;
  lastSeq: number;
  /** The highest seq the user has said they read (their `read` frames); 0 before any. */
  userReadSeq: number;
  /** The same for the advisor side (whoever held the chat when reading). */
  advisorReadSeq: number;
}

/** What creating a conversation needs: a record before anything has happened in it. */
export type NewConversation = Omit<ConversationRecord, 'assignedAt' | 'status' | 'outcome' | 'rating' | 'closedAt' | 'lastSeq' | 'userReadSeq' | 'advisorReadSeq'>;

/** Who read: the chat's user or its advisor. */
export type ReadingSide = 'user' | 'advisor';

export interface StoredMessage {
  conversationId: string;
  seq: number;
  senderId: string;
  senderRole: string;
  clientMsgId: string;
  text: string;
  at: Date;
}

export interface NewMessage {
  conversationId: string;
  senderId: string;
  senderRole: string;
  clientMsgId: string;
  text: string;
}

export interface CloseInput {
  outcome: string;
  rating: number | null;
  closedBy: string;
  at: Date;
}

export interface ChatStore {
  /**
   * Throws AppError('already_in_conversation') when the user already has an open conversation
   * (`conversations_one_open_per_user`): the routing state lost a claim, e.g. in a Redis failover.
   */
  createConversation(input: NewConversation): Promise<ConversationRecord>;
  getConversation(id: string): Promise<ConversationRecord | null>;
  /**
   * Throws AppError('conversation_closed') when the conversation is closed, AppError('not_found') when absent,
   * AppError('not_participant') when the sender is neither its user nor the advisor it names now (nothing stored, no seq taken).
   */
  appendMessage(input: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  /** Messages with seq > afterSeq, in seq order, at most `limit`. */
  messagesAfter(conversationId: string, afterSeq: number, limit?: number): Promise<StoredMessage[]>;
  /** Idempotent: closing a closed conversation returns it unchanged. */
  closeConversation(id: string, input: CloseInput): Promise<ConversationRecord>;
  /** Sets the rating of a closed, unrated conversation; false when it is open, rated already or absent (nothing changed). */
  rateConversation(id: string, rating: number): Promise<boolean>;
  /** Moves an open conversation to another advisor (transfer, advisor dropped), given it `at` (default: now). */
  reassignConversation(id: string, advisorId: string, advisorName: string | null, at?: Date): Promise<ConversationRecord>;
  /**
   * The open conversation went back to the queue: it names no advisor until it is matched again. Only
   * while `advisorId` still holds it (a hand-over decided meanwhile on another node is kept); true when
   * it changed.
   */
  releaseConversation(id: string, advisorId: string): Promise<boolean>;
  /**
   * Records that `side` has read up to `seq` (never backwards, never past the last message);
   * false when nothing changed (an older or repeated read, an unknown or closed conversation).
   */
  markRead(id: string, side: ReadingSide, seq: number): Promise<boolean>;
  /** Open conversations where the id is the user or the advisor. */
  openConversationsFor(participantId: string): Promise<ConversationRecord[]>;
  /**
   * Those of `conversationIds` naming `advisorId` in which they have written since they were given them (an advisor's
   * welcome: which chats they answered; an earlier turn of theirs in a chat handed back to them does not count).
   */
  answeredIn(advisorId: string, conversationIds: string[]): Promise<Set<string>>;
  /** Open chats whose advisor was given them at or before `assignedBy` and has not written in them since, the oldest first. */
  dueUnanswered(assignedBy: Date, limit: number): Promise<DueChat[]>;
  /**
   * The due chat is this caller's to send back to the queue: true for one caller only, and only while it is open, names
   * `advisorId` since `assignedAt` and is unanswered (it then no longer has a deadline). Null otherwise.
   */
  takeUnanswered(id: string, advisorId: string, assignedAt: Date): Promise<ConversationRecord | null>;
}

/** A chat whose advisor's first answer is overdue (server/answer-deadline-sql.ts). */
export interface DueChat {
  id: string;
  advisorId: string;
  assignedAt: Date;
}
