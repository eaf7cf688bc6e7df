/**
 * The first-answer deadline, as stored (docs/routing.md, the row on `unansweredSeconds`): a chat is
 * answered when the advisor it names has written in it since they were given it, that is after the
 * `assigned_seq` its assignment recorded (a chat handed back to an advisor who wrote in it before is
 * not answered by those old messages). Sequence numbers, not times: a message's `at` is the
 * database's clock and `assigned_at` the node's, and `assigned_seq` moves in the same row lock as
 * the appends. One rule for the welcome's `answerBy` (server/chat-welcome.ts) and for the sweep that
 * sends a due chat back to the queue from any node (server/router-unanswered.ts). Nothing here is
 * read or written on the message send path.
 */
import { and, asc, eq, exists, inArray, isNotNull, lte, notExists, sql } from 'drizzle-orm';
import { conversations, messages, type ConversationRow } from '../schema/tables.ts';
import type { DueChat } from './chat-store.ts';
import type { Db } from './db.ts';

/** The advisor the chat names has written in it since its assignment (a correlated subquery on `conversations`). */
function answeredSinceAssigned(db: Db) {
  return db
    .select({ one: sql`1` })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversations.id),
        sql`${messages.seq} > coalesce(${conversations.assignedSeq}, 0)`,
        eq(messages.senderId, conversations.advisorId),
      ),
    );
}

/**
 * Those of `ids` that name `advisorId` and in which they have written since they were given them. Read at
 * an advisor's welcome only: the primary key's conversation prefix finds each chat's later messages.
 */
export async function answeredIn(db: Db, advisorId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(inArray(conversations.id, ids), eq(conversations.advisorId, advisorId), exists(answeredSinceAssigned(db))));
  return new Set(rows.map((r) => r.id));
}

/**
 * Open chats naming an advisor, given them at or before `assignedBy`, in which they have not written since:
 * their first answer is overdue. The oldest first, at most `limit`. Only the open rows are read (the partial
 * index `conversations_open_idx`), each answered one costing a probe of its messages from `assigned_seq`.
 */
export async function dueUnanswered(db: Db, assignedBy: Date, limit: number): Promise<DueChat[]> {
  const rows = await db
    .select({ id: conversations.id, advisorId: conversations.advisorId, assignedAt: conversations.assignedAt })
    .from(conversations)
    .where(
      and(
        // A literal, not a parameter, so that the partial indexes of the open rows apply to any plan.
        sql`${conversations.status} = 'open'`,
        isNotNull(conversations.advisorId),
        lte(conversations.assignedAt, assignedBy),
        notExists(answeredSinceAssigned(db)),
      ),
    )
    .orderBy(asc(conversations.assignedAt))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, advisorId: r.advisorId!, assignedAt: r.assignedAt! }));
}

/**
 * Takes the overdue chat to send it back to the queue: one statement that clears `assigned_at` only while
 * the chat is open, still names `advisorId` since `assignedAt` (not handed over meanwhile) and is still
 * unanswered. Of several nodes sweeping the same chat, the row lock lets exactly one through; the others,
 * and a chat answered or moved meanwhile, get null. The advisor stays named until the requeue stores the
 * release (after the routing state's unclaim, as every requeue): a node stopping in between leaves the chat
 * with its advisor, who still sees it, and without a deadline, as a chat assigned before 0023.
 */
export async function takeUnanswered(db: Db, id: string, advisorId: string, assignedAt: Date): Promise<ConversationRow | null> {
  const [row] = await db
    .update(conversations)
    .set({ assignedAt: null })
    .where(
      and(
        eq(conversations.id, id),
        eq(conversations.status, 'open'),
        eq(conversations.advisorId, advisorId),
        eq(conversations.assignedAt, assignedAt),
        notExists(answeredSinceAssigned(db)),
      ),
    )
    .returning();
  return row ?? null;
}
