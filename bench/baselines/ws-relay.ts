/**
 * Baseline of scenarios 1–3: a raw `ws` chat relay, the physical-limit reference
 * for Node on this machine. Same frames as INFO CIG's /ws (hello → welcome;
 * message.send → message to every socket of the conversation, the sender's
 * included, then message.ack), one process, nothing stored, no checks beyond JSON.
 *
 *   hello        { user, conversations?: string[] }   (no token: nothing to verify)
 *   join         { conversationId }
 *   message.send { conversationId, clientMsgId, text }
 *   ping
 *
 * Prints `ws-relay listening on ws://…` when ready.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

interface Room {
  seq: number;
  members: Set<WebSocket>;
}

const rooms = new Map<string, Room>();
const server = http.createServer((_req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (ws) => {
  let user: string | null = null;
  const joined: string[] = [];
  const join = (id: string) => {
    let room = rooms.get(id);
    if (!room) rooms.set(id, (room = { seq: 0, members: new Set() }));
    room.members.add(ws);
    joined.push(id);
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      return;
    }
    const re = f.id !== undefined ? { re: f.id } : {};
    if (user === null) {
      if (f.type !== 'hello' || typeof f.user !== 'string') return ws.close(4401, 'hello_required');
      user = f.user;
      if (Array.isArray(f.conversations)) for (const c of f.conversations) if (typeof c === 'string') join(c);
      ws.send(JSON.stringify({ type: 'welcome', user: { id: user }, ...re }));
      return;
    }
    switch (f.type) {
      case 'message.send': {
        const conversationId = f.conversationId as string;
        const room = rooms.get(conversationId);
        if (!room || !room.members.has(ws)) {
          ws.send(JSON.stringify({ type: 'error', code: 'not_participant', ...re }));
          return;
        }
        const seq = ++room.seq;
        const message = JSON.stringify({
          type: 'message',
          conversationId,
          seq,
          clientMsgId: f.clientMsgId,
          from: { id: user, role: 'user' },
          text: f.text,
          at: new Date().toISOString(),
        });
        for (const m of room.members) m.send(message);
        ws.send(JSON.stringify({ type: 'message.ack', clientMsgId: f.clientMsgId, conversationId, seq, ...re }));
        return;
      }
      case 'join':
        if (typeof f.conversationId === 'string') join(f.conversationId);
        ws.send(JSON.stringify({ type: 'ok', ...re }));
        return;
      case 'ping':
        ws.send(JSON.stringify({ type: 'pong', ...re }));
        return;
      default:
        ws.send(JSON.stringify({ type: 'error', code: 'unknown_type', ...re }));
    }
  });
  ws.on('close', () => {
    for (const id of joined) {
      const room = rooms.get(id);
      room?.members.delete(ws);
      if (room && room.members.size === 0) rooms.delete(id);
    }
  });
  ws.on('error', () => {});
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  console.log(`ws-relay listening on ws://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/ws`);
});
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
