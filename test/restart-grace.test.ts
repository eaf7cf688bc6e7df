/**
 * A node on the in-process state (embedded defaults, no Redis) restarted while chats are
 * open: the new process restores their seats (restart-seats.test.ts), and an advisor who
 * does not come back gets the grace of an advisor who disconnected, from the moment the
 * seats were restored. Before, nothing started it (no socket of theirs closed on the new
 * process) and their chats stayed open, unanswered, for ever. Real processes on one
 * DATA_DIR, stopped with SIGTERM as a deploy stops them; graces shortened by ROUTING_CONFIG.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faultKit, type Side } from './helpers/fault-chat.ts';
import { startNode, until, type NodeProcess } from './helpers/processes.ts';
import { chatWith, handedBack, shortGraces } from './helpers/restored-seats.ts';
import type { Frame, TestSocket } from './helpers/ws-client.ts';

const ADVISOR_GRACE_S = 5;
const dataDir = mkdtempSync(path.join(tmpdir(), 'infocig-restart-grace-'));
const env = { DATA_DIR: dataDir, ROUTING_CONFIG: shortGraces(ADVISOR_GRACE_S, 2) };
const nodes: NodeProcess[] = [];
const sockets: TestSocket[] = [];
const { on, withLogs } = faultKit({ database: () => { throw new Error('embedded: the node owns the database'); }, nodes, sockets });

/** The chats open when the first process stops, and the people back on the second one. */
const ctx = { gone: '', back: '', bothGone: '', node: null as unknown as NodeProcess, goneUser: null as unknown as Side, backUser: null as unknown as Side, backAdvisor: null as unknown as Side };

async function closedLeftQueue(node: NodeProcess): Promise<number> {
  const { body } = await node.get('/metrics');
  return Number(body.match(/^infocig_conversations_closed_total\{outcome="left_queue"\}\s+(\S+)/m)?.[1] ?? 0);
}

test.before(async () => {
  const first = await startNode({ name: 'before', env, startTimeoutMs: 90_000 });
  nodes.push(first);
  ctx.gone = (await chatWith(on, first, first, 'adv-gone', 'w-gone')).conversationId;
  ctx.back = (await chatWith(on, first, first, 'adv-back', 'w-back')).conversationId;
  ctx.bothGone = (await chatWith(on, first, first, 'adv-gone-2', 'w-both-gone')).conversationId;
  await first.kill('SIGTERM'); // the sockets are closed with the process: the advisors' graces die with it
  for (const s of sockets.splice(0)) s.drop();
  ctx.node = await startNode({ name: 'after', env, startTimeoutMs: 90_000 });
  nodes.push(ctx.node);
  // Back at once: one advisor and two of the users. adv-gone, adv-gone-2 and w-both-gone never come back.
  ctx.backAdvisor = await on(ctx.node, { role: 'advisor', sub: 'adv-back', name: 'adv-back' });
  ctx.goneUser = await on(ctx.node, { role: 'worker', sub: 'w-gone', province: 'TO' });
  ctx.backUser = await on(ctx.node, { role: 'worker', sub: 'w-back', province: 'TO' });
});

test.after(async () => {
  for (const s of sockets.splice(0)) s.drop();
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

test('after a restart, the chat of an advisor who does not come back goes back to the queue after the grace, and its user is told', () =>
  withLogs(async () => {
    const { goneUser, gone } = ctx;
    assert.equal((goneUser.welcome.conversations as Frame[]).map((c) => c.conversationId), [gone], 'the chat is open when the user comes back');
    const joined = await goneUser.socket.next('queue.joined', handedBack(gone), (ADVISOR_GRACE_S + 15) * 1000);
    assert.is(joined.position, 1, 'at the head of the queue, history kept');
    const again = await on(ctx.node, { role: 'worker', sub: 'w-gone', province: 'TO' });
    assert.is((again.welcome.waiting as Frame | null)?.position, 1, 'a second page of the user finds them first in the queue');
  }),
);

test('a chat whose user is gone as well is closed as left_queue once the user grace after the hand-back is over', () =>
  withLogs(async () => {
    await until(async () => (await closedLeftQueue(ctx.node)) === 1, 'the chat of w-both-gone closed as left_queue', 20_000, 200);
    const later = await on(ctx.node, { role: 'worker', sub: 'w-both-gone', province: 'TO' });
    assert.equal(later.welcome.conversations, [], 'no open chat on the next visit');
    assert.is(later.welcome.waiting, null, 'and not in the queue');
  }),
);

test('an advisor back within the grace keeps their chat while the chats of those who did not come back are handed back', () =>
  withLogs(async () => {
    // A chat handed back and then closed after a user grace: every advisor grace started at the restart is over.
    await until(async () => (await closedLeftQueue(ctx.node)) === 1, 'the graces of the advisors who did not come back over', 20_000, 200);
    const { backAdvisor, backUser, back } = ctx;
    assert.equal((backAdvisor.welcome.conversations as Frame[]).map((c) => c.conversationId), [back]);
    assert.is(backAdvisor.socket.all('conversation.released').length, 0, 'the advisor was not told the chat left them');
    assert.is(backUser.socket.all('queue.joined').length, 0, 'their user was not put back in the queue');
    const sent = await backAdvisor.socket.request({ type: 'message.send', conversationId: back, clientMsgId: 'still-here', text: 'Eccomi, ci sono ancora' });
    assert.is(sent.type, 'message.ack', 'the advisor still writes in the chat');
    await backUser.socket.next('message', (f) => f.conversationId === back && f.text === 'Eccomi, ci sono ancora', 10_000);
  }),
);

test.run();
