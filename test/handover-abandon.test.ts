/**
 * A user who closes the page while their chat waits to be handed over (it went back to the queue:
 * open, naming no advisor) gets the grace of any waiting user: back in time, through whichever node,
 * they keep their place; gone past it, they leave the queue and the chat is closed `left_queue`, its
 * history kept, and no advisor is given a chat nobody is in. Across two nodes sharing Redis when it
 * answers (the user's socket on a node that is not the one that sent the chat back), and on one node
 * with the in-process state.
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NodePair } from './helpers/node-pair.ts';
import type { TestServer } from './helpers/server.ts';
import type { TestSocket } from './helpers/ws-client.ts';

const GRACE_MS = 400;

function stage(name: string, inProcess: boolean): void {
  const test = suite(name);
  const nodes = new NodePair('handover-abandon', inProcess);
  let a: TestServer;
  let b: TestServer;

  test.before(async () => {
    await nodes.start({ advisorGraceMs: 60_000, userGraceMs: GRACE_MS });
    ({ a, b } = nodes);
  });
  test.after.each(() => nodes.dropSockets());
  test.after(() => nodes.close());

  const on = (node: TestServer, claims: Record<string, unknown> & { role: string }) => nodes.on(node, claims);
  const say = (s: TestSocket, conversationId: string, text: string) => s.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text });
  const waiting = async (userId: string) => [...(await a.services.state.snapshot()).queues.values()].flat().some((e) => e.userId === userId);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function until(cond: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await cond()) return;
    assert.unreachable(`not reached: ${what}`);
  }

  /** A worker on node B, served by an advisor on node A who sends the chat back to the queue (a transfer to nobody). */
  async function waitingForHandOver(advisorSub: string, userSub: string) {
    const advisor = (await on(a, { role: 'advisor', sub: advisorSub, name: advisorSub })).socket;
    await advisor.request({ type: 'advisor.status', status: 'available' });
    const worker = (await on(b, { role: 'worker', sub: userSub, province: 'MI' })).socket;
    worker.send({ type: 'chat.request', topic: 'payment' });
    const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
    await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
    await say(worker, conversationId, 'buongiorno, la mia cassa integrazione?');
    await say(advisor, conversationId, 'mi dica il protocollo');
    assert.is((await advisor.request({ type: 'conversation.transfer', conversationId })).type, 'ok');
    await worker.next('queue.joined', (f) => f.conversationId === conversationId);
    // Busy: the chat stays in the queue rather than going straight back to them.
    await advisor.request({ type: 'advisor.status', status: 'away' });
    return { advisor, worker, conversationId };
  }

  test('a user who closes the page while their chat waits to be handed over leaves the queue after the grace; the chat is closed left_queue, its history kept', async () => {
    const { advisor, worker, conversationId } = await waitingForHandOver('adv-ab-1', 'w-ab-gone');
    worker.drop();
    await until(async () => !(await waiting('w-ab-gone')), 'the absent user left the queue after the grace');
    await until(async () => (await a.services.store.getConversation(conversationId))?.status === 'closed', 'the chat nobody is in is closed');
    const conv = await a.services.store.getConversation(conversationId);
    assert.equal([conv?.outcome, conv?.advisorId ?? null], ['left_queue', null]);
    assert.equal((await a.services.store.messagesAfter(conversationId, 0)).map((m) => m.text), ['buongiorno, la mia cassa integrazione?', 'mi dica il protocollo']);
    // The advisor it left is not told anything about it: it stopped being theirs at the transfer.
    advisor.send({ type: 'ping' });
    await advisor.next('pong');
    assert.not.ok(advisor.all('conversation.closed').some((f) => f.conversationId === conversationId), 'the advisor it left was told it closed');
    // The next advisor is given nothing.
    const next = (await on(a, { role: 'advisor', sub: 'adv-ab-next', name: 'adv-ab-next' })).socket;
    await next.request({ type: 'advisor.status', status: 'available' });
    await sleep(200);
    assert.not.ok(next.all('conversation.assigned').some((f) => f.conversationId === conversationId), 'an advisor was given a chat nobody is in');
  });

  test('a reload while the chat waits to be handed over keeps the place, through either node, past the grace', async () => {
    const { worker, conversationId } = await waitingForHandOver('adv-ab-2', 'w-ab-reload');
    worker.drop();
    const back = await on(a, { role: 'worker', sub: 'w-ab-reload', province: 'MI' });
    assert.ok(back.welcome.waiting, 'the reloaded page is told its place');
    await sleep(GRACE_MS * 2);
    assert.ok(await waiting('w-ab-reload'), 'still in the queue after the grace');
    assert.is((await a.services.store.getConversation(conversationId))?.status, 'open');
    // Gone for good from the second socket: out after the grace.
    back.socket.drop();
    await until(async () => !(await waiting('w-ab-reload')), 'left after the grace from the second socket');
    await until(async () => (await a.services.store.getConversation(conversationId))?.outcome === 'left_queue', 'closed left_queue');
  });

  test('a user gone during the chat leaves the queue after the grace started when it is sent back (with two nodes, by the node without their socket)', async () => {
    const advisor = (await on(a, { role: 'advisor', sub: 'adv-ab-3', name: 'adv-ab-3' })).socket;
    await advisor.request({ type: 'advisor.status', status: 'available' });
    const worker = (await on(b, { role: 'worker', sub: 'w-ab-before', province: 'MI' })).socket;
    worker.send({ type: 'chat.request', topic: 'payment' });
    const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
    await say(worker, conversationId, 'scrivo e poi chiudo la pagina');
    worker.drop();
    // Their own grace (on node B) runs out while they are in the chat, in no queue.
    await sleep(GRACE_MS * 2);
    assert.is((await advisor.request({ type: 'conversation.transfer', conversationId })).type, 'ok');
    await advisor.request({ type: 'advisor.status', status: 'away' });
    await until(async () => (await a.services.store.getConversation(conversationId))?.outcome === 'left_queue', 'closed left_queue after the grace started by the requeue');
    assert.not.ok(await waiting('w-ab-before'), 'still in the queue');
  });

  test.run();
}

stage('in-process state, one node', true);
stage('two nodes over Redis (one node on the in-process state without it)', false);
