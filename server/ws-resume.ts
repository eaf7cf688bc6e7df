/**
 * Resume after a reconnect: the client names the last `seq` it holds per
 * conversation and receives everything after it, in order, before anything new.
 * Replay goes through the same participant check as live delivery. When replay
 * cannot be complete, the client gets a `reset` naming the conversation (reload
 * it), never a silent partial replay.
 */
import type { ChatService } from './chat-service.ts';
import type { Client } from './client.ts';
import type { ConversationRecord } from './chat-store.ts';
import { AppError } from './errors.ts';

export interface ResumeRequest {
  conversationId: string;
  lastSeq: number;
}

export interface ResumePlan {
  replay: ConversationRecord[];
  /** `reset` frames, sent after `welcome`. */
  resets: object[];
}

/**
 * Sets the client's cursors before it joins the hub; returns what to replay and what
 * to reset. `open`: the client's open conversations, just read for the `welcome`; a
 * conversation among them is not read again (the common resume), any other is.
 */
export async function planResume(client: Client, resume: ResumeRequest[], chat: ChatService, open: ConversationRecord[] = []): Promise<ResumePlan> {
  const replay: ConversationRecord[] = [];
  const resets: object[] = [];
  for (const r of resume) {
    let conv: ConversationRecord;
    try {
      conv = open.find((c) => c.id === r.conversationId) ?? (await chat.participantConversation(client, r.conversationId));
    } catch (err) {
      // Only "not yours or absent" means reset; a database that does not answer is not a verdict.
      if (!(err instanceof AppError) || err.code !== 'not_participant') throw err;
      resets.push({ type: 'reset', conversationId: r.conversationId, reason: 'unknown_conversation' });
      continue;
    }
    if (r.lastSeq > conv.lastSeq) {
      resets.push({ type: 'reset', conversationId: conv.id, reason: 'ahead_of_server', lastSeq: conv.lastSeq });
      client.follow(conv.id, conv.lastSeq);
      continue;
    }
    client.unfollow(conv.id);
    client.follow(conv.id, r.lastSeq);
    replay.push(conv);
  }
  return { replay, resets };
}

/** Replays after the client joined the hub; live messages that arrive meanwhile wait their turn. */
export async function replay(client: Client, plan: ResumePlan, chat: ChatService): Promise<void> {
  for (const frame of plan.resets) client.send(frame);
  for (const conv of plan.replay) {
    await client.catchUp(conv.id);
    if (conv.status === 'closed') {
      client.send(chat.closedNote(conv, client.userId, { type: 'conversation.closed', conversationId: conv.id, outcome: conv.outcome }));
      client.unfollow(conv.id);
    }
  }
}
