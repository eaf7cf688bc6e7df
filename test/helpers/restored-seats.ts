/**
 * What the restored-seat grace tests share (restart-grace, faults-redis-loss-grace):
 * a routing file with short graces, a chat opened with one named advisor, and what a
 * user sees when their chat is handed back to the queue.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import type { Side } from './fault-chat.ts';
import type { NodeProcess } from './processes.ts';
import type { Frame } from './ws-client.ts';

/** A ROUTING_CONFIG file with these graces (seconds); everything else as shipped. */
export function shortGraces(advisorGraceSeconds: number, userGraceSeconds: number): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'infocig-grace-')), 'routing.json');
  writeFileSync(file, JSON.stringify({ advisorGraceSeconds, userGraceSeconds }));
  return file;
}

type On = (node: NodeProcess, claims: Side['claims']) => Promise<Side>;

/**
 * The advisor takes the worker's chat and then steps away, so that the next chat set up
 * goes to the next advisor named, whoever the matching policy would prefer.
 */
export async function chatWith(on: On, advisorNode: NodeProcess, workerNode: NodeProcess, advisorSub: string, workerSub: string) {
  const advisor = await on(advisorNode, { role: 'advisor', sub: advisorSub, name: advisorSub });
  assert.is((await advisor.socket.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  const worker = await on(workerNode, { role: 'worker', sub: workerSub, province: 'TO' });
  worker.socket.send({ type: 'chat.request', topic: 'payment' });
  const assigned = await worker.socket.next('conversation.assigned', undefined, 15_000);
  assert.is((assigned.peer as { id: string }).id, advisorSub);
  await advisor.socket.next('conversation.assigned', undefined, 15_000);
  await worker.socket.next('queue.joined'); // the request's own, so that later ones are hand-backs
  assert.is((await advisor.socket.request({ type: 'advisor.status', status: 'away' })).type, 'ok');
  return { advisor, worker, conversationId: assigned.conversationId as string };
}

/** The frame that tells a user their chat went back to the queue because its advisor left. */
export const handedBack = (conversationId: string) => (f: Frame) => f.reason === 'advisor_left' && f.conversationId === conversationId;
