/**
 * The three chat systems of scenarios 1 and 2, each set up with `pairs` 1:1
 * conversations and returned as a ChatSystem for the load generator:
 *
 * - INFO CIG: two nodes on one PostgreSQL and one Redis; every user on node A,
 *   every advisor on node B, so each message crosses nodes through Redis.
 *   Conversations are made the real way: advisors go available, users ask
 *   (chat.request), the router matches them.
 * - raw ws relay: one process (bench/baselines/ws-relay.ts).
 * - Socket.IO + Redis adapter: two processes; users on one, advisors on the other.
 */
import type { BenchContext } from './types.ts';
import { ChatSocket, nextLocalAddress, type Conn, type Sink } from './chat-socket.ts';
import type { ChatSystem, Sender } from './chat-load.ts';
import { redisPrefix, REDIS_URL, throwawayDatabase, deleteRedisKeys } from './env.ts';
import { mapLimit, startInfoCig, type InfoCigNode } from './infocig.ts';
import { spawnNode, stopAll, type Proc } from './proc.ts';

export interface InfoCigChat extends ChatSystem {
  nodes: InfoCigNode[];
}

export async function infoCigChat(ctx: BenchContext, pairs: number, tag = 'chat'): Promise<InfoCigChat> {
  const db = await throwawayDatabase(tag);
  const prefix = redisPrefix(ctx.runId, tag);
  const nodes: InfoCigNode[] = [];
  const conns: ChatSocket[] = [];
  const close = async () => {
    for (const c of conns) c.terminate();
    await stopAll(nodes.map((n) => n.proc));
    await db.drop().catch(() => {});
    await deleteRedisKeys(prefix).catch(() => {});
  };
  try {
    const common = { databaseUrl: db.url, redisPrefix: prefix, profile: ctx.profile };
    nodes.push(await startInfoCig({ name: `infocig-${tag}-a`, ...common }));
    nodes.push(await startInfoCig({ name: `infocig-${tag}-b`, ...common }));
    const [a, b] = nodes as [InfoCigNode, InfoCigNode];
    const senders = await pairUp(a, b, pairs, tag, conns);
    return { name: 'INFO CIG', senders, conns, pids: nodes.map((n) => n.proc.pid), nodes, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Users on `userNode`, advisors on `advisorNode`: advisors go available, users ask,
 * the router pairs them. Returns both participants of every conversation as senders.
 */
export async function pairUp(userNode: InfoCigNode, advisorNode: InfoCigNode, pairs: number, tag: string, conns: ChatSocket[]): Promise<Sender[]> {
  const advisorClaims = Array.from({ length: pairs }, (_, i) => ({ role: 'advisor', sub: `adv-${tag}-${i}`, name: `Operatore ${i}` }));
  const userClaims = Array.from({ length: pairs }, (_, i) => ({ role: 'worker', sub: `usr-${tag}-${i}`, province: 'MI', name: `Lavoratore ${i}` }));
  const [advisorTokens, userTokens] = await Promise.all([advisorNode.tokens(advisorClaims), userNode.tokens(userClaims)]);
  const advisors = new Map<string, ChatSocket>();
  await mapLimit(advisorClaims, 50, async (c, i) => {
    const [s] = await ChatSocket.signIn(advisorNode.wsUrl, c.sub, { token: advisorTokens[i] });
    conns.push(s);
    advisors.set(c.sub, s);
    const answer = await s.request({ type: 'advisor.status', status: 'available' });
    if (answer.type === 'error') throw new Error(`advisor.status refused: ${JSON.stringify(answer)}`);
  });
  const senders: Sender[] = [];
  // Many requests at once: one routing run then matches many waiting users (each run reads the whole state).
  await mapLimit(userClaims, 200, async (c, i) => {
    const [s] = await ChatSocket.signIn(userNode.wsUrl, c.sub, { token: userTokens[i] });
    conns.push(s);
    const answer = await s.request({ type: 'chat.request', topic: 'payment' });
    if (answer.type === 'error') throw new Error(`chat.request refused: ${JSON.stringify(answer)}`);
    const assigned = await s.next('conversation.assigned', 600_000);
    const conversationId = assigned.conversationId as string;
    const advisorId = (assigned.peer as { id: string }).id;
    const advisor = advisors.get(advisorId);
    if (!advisor) throw new Error(`assigned to an unknown advisor ${advisorId}`);
    await advisor.nextWhere((f) => f.type === 'conversation.assigned' && f.conversationId === conversationId, 'conversation.assigned', 30_000);
    senders.push({ conn: s, conversationId }, { conn: advisor, conversationId });
  });
  for (const c of conns) {
    c.keep = false;
    c.frames.length = 0;
  }
  return senders;
}

export async function rawWsChat(pairs: number): Promise<ChatSystem> {
  const proc = spawnNode({ name: 'ws-relay', script: 'bench/baselines/ws-relay.ts' });
  const conns: ChatSocket[] = [];
  const close = async () => {
    for (const c of conns) c.terminate();
    await proc.stop();
  };
  try {
    const url = (await proc.waitFor(/ws-relay listening on (ws:\/\/\S+)/))[1]!;
    const senders: Sender[] = [];
    await mapLimit(
      Array.from({ length: pairs }, (_, i) => i),
      50,
      async (i) => {
        const conversationId = `conv-${i}`;
        const [u] = await ChatSocket.signIn(url, `u${i}`, { user: `u${i}`, conversations: [conversationId] });
        const [a] = await ChatSocket.signIn(url, `a${i}`, { user: `a${i}`, conversations: [conversationId] });
        conns.push(u, a);
        senders.push({ conn: u, conversationId }, { conn: a, conversationId });
      },
    );
    for (const c of conns) c.keep = false;
    return { name: 'raw ws', senders, conns, pids: [proc.pid], close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** true when socket.io, socket.io-client and @socket.io/redis-adapter can be imported. */
export async function socketIoAvailable(): Promise<boolean> {
  try {
    await import('socket.io');
    await import('socket.io-client');
    await import('@socket.io/redis-adapter');
    return true;
  } catch {
    return false;
  }
}

type ClientSocket = import('socket.io-client').Socket;

class SioConn implements Conn {
  sink: Sink | null = null;
  constructor(
    readonly who: string,
    readonly socket: ClientSocket,
  ) {
    socket.on('message', (m: { clientMsgId: string }) => this.sink?.message(this, m.clientMsgId));
  }
  sendMessage(conversationId: string, clientMsgId: string, text: string): void {
    this.socket.emit('message.send', { conversationId, clientMsgId, text }, (a: { clientMsgId?: string; error?: string }) => {
      if (a.error) this.sink?.error(this, a.error);
      else if (a.clientMsgId) this.sink?.ack(this, a.clientMsgId);
    });
  }
  close(): void {
    this.socket.close();
  }
  terminate(): void {
    this.socket.disconnect();
  }
}

export async function socketIoChat(ctx: BenchContext, pairs: number): Promise<ChatSystem> {
  const { io } = await import('socket.io-client');
  const prefix = redisPrefix(ctx.runId, 'sio');
  const procs: Proc[] = [];
  const conns: SioConn[] = [];
  const close = async () => {
    for (const c of conns) c.terminate();
    await stopAll(procs);
    await deleteRedisKeys(prefix).catch(() => {});
  };
  try {
    for (const n of ['a', 'b']) {
      procs.push(spawnNode({ name: `socketio-relay-${n}`, script: 'bench/baselines/socketio-relay.ts', env: { REDIS_URL, SIO_PREFIX: prefix } }));
    }
    const urls = await Promise.all(procs.map(async (p) => (await p.waitFor(/socketio-relay listening on (http:\/\/\S+)/))[1]!));
    const connect = (url: string, who: string) =>
      new Promise<SioConn>((resolve, reject) => {
        const socket = io(url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          auth: { user: who },
          localAddress: nextLocalAddress(),
          timeout: 20_000,
        } as Parameters<typeof io>[1]);
        socket.once('connect', () => resolve(new SioConn(who, socket)));
        socket.once('connect_error', reject);
      });
    const join = (c: SioConn, conversationId: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('socket.io join: no ack')), 10_000);
        c.socket.emit('join', conversationId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    const senders: Sender[] = [];
    await mapLimit(
      Array.from({ length: pairs }, (_, i) => i),
      50,
      async (i) => {
        const conversationId = `conv-${i}`;
        const u = await connect(urls[0]!, `u${i}`);
        const a = await connect(urls[1]!, `a${i}`);
        conns.push(u, a);
        await Promise.all([join(u, conversationId), join(a, conversationId)]);
        senders.push({ conn: u, conversationId }, { conn: a, conversationId });
      },
    );
    return { name: 'Socket.IO', senders, conns, pids: procs.map((p) => p.pid), close };
  } catch (err) {
    await close();
    throw err;
  }
}
