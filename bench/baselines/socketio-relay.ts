/**
 * Baseline of scenario 1: a Socket.IO chat relay with its Redis adapter — what
 * most teams would pick instead. One room per conversation; `message.send` is
 * emitted to the room (every socket of both participants, through Redis to the
 * other nodes) and acknowledged with Socket.IO's ack callback. Nothing is stored;
 * `seq` is a per-node counter (no ordering promise across nodes).
 *
 * Env: PORT, REDIS_URL, SIO_PREFIX (the adapter's channel prefix). Prints
 * `socketio-relay listening on http://…` when ready.
 */
import http from 'node:http';
import { Redis } from 'ioredis';

const { Server } = await import('socket.io');
const { createAdapter } = await import('@socket.io/redis-adapter');

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const pub = new Redis(redisUrl);
const sub = pub.duplicate();
pub.on('error', (err) => console.error('redis pub', err.message));
sub.on('error', (err) => console.error('redis sub', err.message));

const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, httpCompression: false });
io.adapter(createAdapter(pub, sub, { key: process.env.SIO_PREFIX ?? 'socket.io' }));

const seqs = new Map<string, number>();
io.on('connection', (socket) => {
  const user = String((socket.handshake.auth as { user?: string }).user ?? socket.id);
  socket.on('join', (conversationId: unknown, ack?: unknown) => {
    if (typeof conversationId === 'string') void socket.join(conversationId);
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('message.send', (f: { conversationId: string; clientMsgId: string; text: string }, ack?: unknown) => {
    if (!f || typeof f.conversationId !== 'string' || !socket.rooms.has(f.conversationId)) {
      if (typeof ack === 'function') ack({ error: 'not_participant' });
      return;
    }
    const seq = (seqs.get(f.conversationId) ?? 0) + 1;
    seqs.set(f.conversationId, seq);
    io.to(f.conversationId).emit('message', {
      conversationId: f.conversationId,
      seq,
      clientMsgId: f.clientMsgId,
      from: { id: user, role: 'user' },
      text: f.text,
      at: new Date().toISOString(),
    });
    if (typeof ack === 'function') ack({ clientMsgId: f.clientMsgId, conversationId: f.conversationId, seq });
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  console.log(`socketio-relay listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
});
process.on('SIGTERM', () => {
  void io.close();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
});
