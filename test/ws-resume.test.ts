/**
 * Planning a resume: which conversations a reconnecting client gets replayed or
 * reset, and which of them must be read from the database first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebSocket } from 'ws';
import type { Identity } from '../server/auth.ts';
import type { ChatService } from '../server/chat-service.ts';
import type { ConversationRecord } from '../server/chat-store.ts';
import { Client } from '../server/client.ts';
import { AppError } from '../server/errors.ts';
import { planResume } from '../server/ws-resume.ts';

function record(id: string, lastSeq: number, status: 'open' | 'closed' = 'open'): ConversationRecord {
  return {
    id,
    userId: 'u1',
    userRole: 'worker',
    userName: null,
    province: 'MI',
    audience: 'worker',
    topic: 'cigo',
    entry: 'worker_area',
    context: {},
    advisorId: 'a1',
    advisorName: null,
    assignedAt: new Date(0),
    status,
    outcome: status === 'closed' ? 'resolved' : null,
    rating: null,
    openedAt: new Date(0),
    closedAt: null,
    lastSeq,
    userReadSeq: 0,
    advisorReadSeq: 0,
  };
}

/** A chat service that knows `stored` and counts the reads made of it. */
function chatWith(stored: ConversationRecord[]) {
  const reads: string[] = [];
  const chat = {
    async participantConversation(_client: Client, id: string) {
      reads.push(id);
      const conv = stored.find((c) => c.id === id);
      if (!conv) throw new AppError('not_participant');
      return conv;
    },
  } as unknown as ChatService;
  return { chat, reads };
}

function client(): Client {
  const socket = { bufferedAmount: 0, send: () => {}, close: () => {} } as unknown as WebSocket;
  return new Client('s1', { sub: 'u1', role: 'worker' } as Identity, socket, async () => [], 1 << 20);
}

test('a resumed conversation among the open ones just read for the welcome is not read again', async () => {
  const open = [record('c1', 7)];
  const { chat, reads } = chatWith(open);
  const plan = await planResume(client(), [{ conversationId: 'c1', lastSeq: 5 }], chat, open);
  assert.equal(reads, []);
  assert.equal(plan.replay.map((c) => c.id), ['c1']);
  assert.equal(plan.resets, []);
});

test('a resumed conversation that is not open any more is read, and replayed with its close', async () => {
  const closed = record('c2', 4, 'closed');
  const { chat, reads } = chatWith([closed]);
  const plan = await planResume(client(), [{ conversationId: 'c2', lastSeq: 4 }], chat, [record('c1', 1)]);
  assert.equal(reads, ['c2']);
  assert.equal(plan.replay, [closed]);
});

test('an unknown conversation is reset, and a cursor ahead of the server is reset with the server’s last seq', async () => {
  const open = [record('c1', 3)];
  const { chat } = chatWith(open);
  const plan = await planResume(
    client(),
    [
      { conversationId: 'nope', lastSeq: 0 },
      { conversationId: 'c1', lastSeq: 9 },
    ],
    chat,
    open,
  );
  assert.equal(plan.replay, []);
  assert.equal(plan.resets, [
    { type: 'reset', conversationId: 'nope', reason: 'unknown_conversation' },
    { type: 'reset', conversationId: 'c1', reason: 'ahead_of_server', lastSeq: 3 },
  ]);
});

test.run();
