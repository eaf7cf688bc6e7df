/**
 * What the process fault tests share: people signed in on real nodes, a matched
 * chat, sends recorded with their answers, and the checks against the database
 * (every acknowledged message stored once with its seq; every socket holding
 * 1..n once, in order). Bound to a test file's database, nodes and sockets.
 */
import { asc, eq } from 'drizzle-orm';
import * as assert from 'uvu/assert';
import { conversations, messages } from '../../schema/tables.ts';
import type { Database } from '../../server/db.ts';
import { sleep, until, type NodeProcess } from './processes.ts';
import { TestSocket, type Frame } from './ws-client.ts';

export interface Side {
  socket: TestSocket;
  welcome: Frame;
  claims: Record<string, unknown> & { role: string };
  node: NodeProcess;
}

export interface Attempt {
  sender: string;
  clientMsgId: string;
  text: string;
  ack?: number;
  error?: string;
  ms: number;
}

export const seqsOf = (socket: TestSocket, conversationId: string) =>
  socket.all('message').filter((f) => f.conversationId === conversationId).map((f) => f.seq as number);
export const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Runs promises in the background without unhandled rejections; the returned function awaits them and rethrows. */
export function background(work: Promise<unknown>[]): () => Promise<void> {
  const settled = Promise.allSettled(work);
  return async () => {
    for (const r of await settled) if (r.status === 'rejected') throw r.reason;
  };
}

export function faultKit(ctx: { database: () => Database; nodes: NodeProcess[]; sockets: TestSocket[] }) {
  async function on(node: NodeProcess, claims: Side['claims'], resume?: { conversationId: string; lastSeq: number }[]): Promise<Side> {
    const token = await node.token(claims);
    const socket = await TestSocket.open(node.wsUrl);
    ctx.sockets.push(socket); // dropped after the test even when the sign-in fails
    socket.send({ type: 'hello', token, ...(resume ? { resume } : {}) });
    const welcome = await socket.next('welcome', undefined, 10_000);
    return { socket, welcome, claims, node };
  }

  /** An advisor on one node, a worker on another (or the same), matched; returns both and the conversation. */
  async function conversationBetween(workerNode: NodeProcess, advisorNode: NodeProcess, tag: string, province: string) {
    const advisor = await on(advisorNode, { role: 'advisor', sub: `adv-${tag}`, name: `Advisor ${tag}` });
    const status = await advisor.socket.request({ type: 'advisor.status', status: 'available' });
    assert.is(status.type, 'ok');
    const worker = await on(workerNode, { role: 'worker', sub: `w-${tag}`, province });
    worker.socket.send({ type: 'chat.request', topic: 'payment' });
    const assigned = await worker.socket.next('conversation.assigned', undefined, 15_000);
    await advisor.socket.next('conversation.assigned', undefined, 15_000);
    return { advisor, worker, conversationId: assigned.conversationId as string };
  }

  /** The advisor stops taking chats, so a later test's user is not matched with them. */
  async function retire(advisor: Side): Promise<void> {
    await advisor.socket.request({ type: 'advisor.status', status: 'away' }).catch(() => {});
  }

  async function storedRows(conversationId: string) {
    return ctx.database().db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq));
  }

  async function lastSeqOf(conversationId: string): Promise<number> {
    const [row] = await ctx.database().db.select({ lastSeq: conversations.lastSeq }).from(conversations).where(eq(conversations.id, conversationId));
    return row?.lastSeq ?? -1;
  }

  /** Fails with the nodes' last output attached, which is what one needs to see when a process test fails. */
  async function withLogs(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      const logs = ctx.nodes.map((n) => `--- node ${n.name} (pid ${n.pid}, ${n.alive() ? 'alive' : 'dead'}) ---\n${n.output().slice(-3000)}`).join('\n');
      (err as Error).message += `\n${logs}`;
      throw err;
    }
  }

  /** Sends `message.send` and waits for its answer (up to `waitMs`); records what happened. */
  async function attempt(side: Side, conversationId: string, clientMsgId: string, text: string, log: Attempt[], waitMs = 3000): Promise<Attempt> {
    const started = performance.now();
    let reply: Frame;
    try {
      reply = await side.socket.request({ type: 'message.send', conversationId, clientMsgId, text }, `r-${clientMsgId}-${log.length}`, waitMs);
    } catch (err) {
      if (side.node.alive()) throw err;
      throw new Error(`node ${side.node.name} died; its last words:\n${side.node.output().slice(-2500)}`);
    }
    const a: Attempt = { sender: side.claims.sub as string, clientMsgId, text, ms: performance.now() - started };
    if (reply.type === 'message.ack') a.ack = reply.seq as number;
    else a.error = reply.code as string;
    log.push(a);
    return a;
  }

  /** Every acknowledged message is in the database with its seq and text; each clientMsgId is stored once. */
  async function assertNothingAcknowledgedLost(conversationId: string, log: Attempt[]): Promise<number> {
    const rows = await storedRows(conversationId);
    assert.equal(rows.map((r) => r.seq), oneTo(rows.length), 'seqs in the database: 1..n, no gap');
    assert.is(await lastSeqOf(conversationId), rows.length);
    const byKey = new Map(rows.map((r) => [`${r.senderId}/${r.clientMsgId}`, r]));
    assert.is(byKey.size, rows.length, 'each (sender, clientMsgId) stored once');
    for (const a of log) {
      if (a.ack === undefined) continue;
      const row = byKey.get(`${a.sender}/${a.clientMsgId}`);
      assert.ok(row, `acknowledged ${a.clientMsgId} (seq ${a.ack}) is in the database`);
      assert.is(row!.seq, a.ack, `${a.clientMsgId}: the acknowledged seq is the stored one`);
      assert.is(row!.text, a.text);
    }
    return rows.length;
  }

  /**
   * After an outage: the clients retry what was refused, with the same clientMsgId
   * (stored once, and a second retry gets the same seq); then everything acknowledged
   * is stored once and both sides hold 1..n once, in order. Returns n.
   */
  async function retryRefusedThenCheck(conversationId: string, log: Attempt[], sides: Side[]): Promise<number> {
    const bySub = new Map(sides.map((s) => [s.claims.sub as string, s]));
    for (const a of log.filter((x) => x.error !== undefined)) {
      const side = bySub.get(a.sender)!;
      const first = await attempt(side, conversationId, a.clientMsgId, a.text, log);
      assert.ok(first.ack !== undefined, `retry of ${a.clientMsgId} acknowledged (${first.error ?? ''})`);
      const second = await attempt(side, conversationId, a.clientMsgId, a.text, log);
      assert.is(second.ack, first.ack, 'the same seq again');
    }
    const n = await assertNothingAcknowledgedLost(conversationId, log);
    assert.is(n, new Set(log.map((a) => `${a.sender}/${a.clientMsgId}`)).size, 'every message stored exactly once');
    for (const s of sides) await until(() => seqsOf(s.socket, conversationId).at(-1) === n, `delivery up to ${n}`, 10_000);
    await sleep(200);
    for (const s of sides) assert.equal(seqsOf(s.socket, conversationId), oneTo(n), `${s.claims.role}: each message once, in order`);
    return n;
  }

  return { on, conversationBetween, retire, storedRows, lastSeqOf, withLogs, attempt, assertNothingAcknowledgedLost, retryRefusedThenCheck };
}
