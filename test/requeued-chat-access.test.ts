/**
 * A chat back in the queue (its advisor gone past their grace, docs/routing.md) names no advisor
 * until it is matched again (advisor-release.test.ts: welcome, writes). The attacks here are on the
 * reads (docs/security.md, "replay skips authorization" and IDOR): the advisor it left, coming back
 * with a `resume` naming it, is given a `reset`, not a replay of what the user wrote while waiting;
 * over HTTP its transcript, the user's requests and previous chats are the 404 of an absent chat,
 * for them as for any other advisor. Its user keeps reading it both ways. One node, real sockets.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let node: TestServer;
const sockets: TestSocket[] = [];

test.before(async () => {
  // A short advisor grace, a long one for users: the user waits while their advisor's runs out.
  node = await startServer({ advisorGraceMs: 200, userGraceMs: 60_000 });
});
test.after.each(() => {
  for (const s of sockets.splice(0)) s.drop();
});
test.after(async () => {
  await node.close();
});

async function signIn(claims: Record<string, unknown> & { role: string }, resume?: { conversationId: string; lastSeq: number }[]) {
  const [socket, welcome] = await TestSocket.signIn(node.wsUrl, await node.token(claims), resume);
  sockets.push(socket);
  return { socket, welcome };
}

const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });

async function get(claims: Record<string, unknown> & { role: string }, path: string) {
  const res = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${await node.token(claims)}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A worker served by `advisorSub`, both having written; the advisor then drops and the chat goes back to the queue. The worker writes a secret while waiting. */
async function chatBackInQueue(advisorSub: string, workerSub: string) {
  const advisor = (await signIn({ role: 'advisor', sub: advisorSub, name: advisorSub })).socket;
  await advisor.request({ type: 'advisor.status', status: 'available' });
  const worker = (await signIn({ role: 'worker', sub: workerSub, province: 'MI' })).socket;
  worker.send({ type: 'chat.request', topic: 'payment' });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
  await say(worker, conversationId, 'buongiorno');
  await say(advisor, conversationId, 'mi dica');
  advisor.drop();
  assert.is((await worker.next('queue.joined', (f) => f.reason === 'advisor_left', 5000)).conversationId, conversationId);
  const secret = `IBAN IT60X0542811101000000${Math.floor(Math.random() * 1e6)}`;
  const ack = await say(worker, conversationId, secret);
  assert.is(ack.type, 'message.ack');
  return { worker, conversationId, secret, secretSeq: ack.seq as number };
}

/** Waits for a pong: frames the server had queued before it have arrived. */
async function settled(s: TestSocket) {
  s.send({ type: 'ping' });
  await s.next('pong');
}

test('the advisor it left, coming back with a resume naming it, gets a reset and nothing the user wrote since; its user resuming gets it replayed', async () => {
  const { conversationId, secret, secretSeq } = await chatBackInQueue('adv-rq-resume', 'w-rq-resume');
  for (const sub of ['adv-rq-resume', 'adv-rq-stranger']) {
    const { socket, welcome } = await signIn({ role: 'advisor', sub, name: sub }, [{ conversationId, lastSeq: 0 }]);
    const reset = await socket.next('reset', (f) => f.conversationId === conversationId);
    assert.is(reset.reason, 'unknown_conversation', sub);
    await settled(socket);
    assert.not.ok(socket.all('message').some((m) => m.conversationId === conversationId), `${sub} was replayed the chat`);
    assert.not.ok(JSON.stringify(welcome).includes(conversationId), `${sub}'s welcome names the chat`);
    assert.not.ok(socket.all('message').some((m) => m.text === secret));
  }
  // The same resume by its user replays everything, the message written while waiting included.
  const { socket } = await signIn({ role: 'worker', sub: 'w-rq-resume', province: 'MI' }, [{ conversationId, lastSeq: 0 }]);
  const replayed = await socket.next('message', (f) => f.conversationId === conversationId && f.seq === secretSeq);
  assert.is(replayed.text, secret);
});

test('over HTTP the chat it left is, for that advisor and any other, the 404 of an absent chat: transcript, the user\'s requests and previous chats; its user still reads it', async () => {
  const { conversationId, secret } = await chatBackInQueue('adv-rq-http', 'w-rq-http');
  const absentId = randomUUID();
  for (const sub of ['adv-rq-http', 'adv-rq-other']) {
    const advisor = { role: 'advisor', sub, name: sub };
    for (const tail of ['', '/requests', '/history', '/transfer-targets']) {
      const theirs = await get(advisor, `/api/v1/conversations/${conversationId}${tail}`);
      const absent = await get(advisor, `/api/v1/conversations/${absentId}${tail}`);
      assert.equal([theirs.status, theirs.body], [absent.status, absent.body], `${sub} ${tail || 'transcript'}`);
      assert.is(theirs.status, 404, `${sub} ${tail}: ${JSON.stringify(theirs.body)}`);
      assert.not.ok(JSON.stringify(theirs.body).includes(secret));
    }
  }
  const own = await get({ role: 'worker', sub: 'w-rq-http', province: 'MI' }, `/api/v1/conversations/${conversationId}`);
  assert.is(own.status, 200, JSON.stringify(own.body));
  assert.ok(JSON.stringify(own.body).includes(secret), 'its user reads what they wrote');
  assert.equal(own.body.advisor, { id: null, name: null }, 'waiting, the chat names no advisor');
});

test.run();
