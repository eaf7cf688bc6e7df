/**
 * When the database does not answer, messages are refused with a clear error and
 * never acknowledged; when it returns, a retry with the same clientMsgId is stored
 * once and the peer receives it once.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatStore } from '../server/chat-store.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;
let failing = false;

/** The real store, except that appends fail like a lost connection while `failing` is set. */
function flaky(store: ChatStore): ChatStore {
  return {
    ...store,
    createConversation: (i) => store.createConversation(i),
    getConversation: (id) => store.getConversation(id),
    messagesAfter: (id, after, limit) => store.messagesAfter(id, after, limit),
    closeConversation: (id, i) => store.closeConversation(id, i),
    reassignConversation: (id, a, n, at) => store.reassignConversation(id, a, n, at),
    releaseConversation: (id, a) => store.releaseConversation(id, a),
    openConversationsFor: (id) => store.openConversationsFor(id),
    appendMessage: async (input) => {
      if (failing) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      return store.appendMessage(input);
    },
  };
}

test.before(async () => {
  server = await startServer({ wrapStore: flaky });
});
test.after(async () => {
  await server.close();
});

test('a message that cannot be stored is refused with store_unavailable, not acknowledged, and a retry later is stored once', async () => {
  const [advisor] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'advisor', sub: 'adv-fault' }));
  await advisor.request({ type: 'advisor.status', status: 'available' });
  const [worker] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub: 'w-fault', province: 'MI' }));
  worker.send({ type: 'chat.request', topic: 'payment' });
  const { conversationId } = await worker.next('conversation.assigned');
  await advisor.next('conversation.assigned');

  failing = true;
  const clientMsgId = randomUUID();
  const refused = await worker.request({ type: 'message.send', conversationId, clientMsgId, text: 'è arrivato il bonifico?' });
  assert.is(refused.type, 'error');
  assert.is(refused.code, 'store_unavailable');
  assert.is(worker.all('message.ack').length, 0, 'nothing acknowledged');
  await new Promise((r) => setTimeout(r, 50));
  assert.is(advisor.all('message').length, 0, 'nothing delivered');

  failing = false;
  const ack = await worker.request({ type: 'message.send', conversationId, clientMsgId, text: 'è arrivato il bonifico?' });
  assert.is(ack.seq, 1);
  const again = await worker.request({ type: 'message.send', conversationId, clientMsgId, text: 'è arrivato il bonifico?' });
  assert.is(again.seq, 1);
  const got = await advisor.next('message');
  assert.is(got.seq, 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(advisor.all('message').length, 0, 'delivered once');
  worker.drop();
  advisor.drop();
});

test.run();
