/**
 * The open conversations as the routing state should hold them: the database is the
 * truth the state is rebuilt from after Redis lost it, and reconciled with once a
 * minute (server/routing-recovery.ts). Served by the partial index
 * `conversations_open_idx` (migration 0019), which holds the open rows only.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { HeldConversation } from '../routing/routing-state.ts';
import { conversations } from '../schema/tables.ts';
import type { Db } from './db.ts';

/** An open conversation; `advisorId` null while it waits in the queue to be handed over (nobody's seat). */
export type OpenConversation = Omit<HeldConversation, 'advisorId'> & { advisorId: string | null };

export interface OpenConversations {
  /** Every open conversation: its id, user and advisor. */
  all(): Promise<OpenConversation[]>;
  /** Which of these conversations are open now. */
  openAmong(ids: string[]): Promise<Set<string>>;
}

export function sqlOpenConversations(db: Db): OpenConversations {
  return {
    async all() {
      return db
        .select({ conversationId: conversations.id, userId: conversations.userId, advisorId: conversations.advisorId })
        .from(conversations)
        .where(eq(conversations.status, 'open'))
        .orderBy(conversations.openedAt, conversations.id);
    },
    async openAmong(ids) {
      if (ids.length === 0) return new Set();
      const rows = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(inArray(conversations.id, ids), eq(conversations.status, 'open')));
      return new Set(rows.map((r) => r.id));
    },
  };
}
