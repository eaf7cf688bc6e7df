/**
 * How an open conversation is shown and put back: who reads it, what a participant sees of it
 * (`welcome`, `conversation.assigned`), and the queue entry its user would have. Shared by the
 * router (assignments, hand-overs), the chat service and the welcome.
 */
import type { QueueEntry } from '../routing/routing-state.ts';
import type { ConversationRecord } from './chat-store.ts';

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
