/**
 * A helper process of scenario 4 (it inherits the bench's load core): opens its
 * share of idle signed-in connections to one INFO CIG node, holds them, and on
 * request pings every one of them. Several of these together pass the
 * per-process file-descriptor limit. Driven over IPC:
 *
 *   → { op: 'open', httpUrl, wsUrl, from, count }   ← { op: 'opened', opened, failed, ms, errors }
 *   → { op: 'check' }                               ← { op: 'checked', open, pongs }
 *   → { op: 'close' }                               ← { op: 'closed' }
 */
import { ChatSocket } from './chat-socket.ts';
import { mapLimit } from './infocig.ts';

type Msg = { op: 'open'; httpUrl: string; wsUrl: string; from: number; count: number; tag: string } | { op: 'check' } | { op: 'close' };

const sockets: ChatSocket[] = [];
const send = (m: object) => process.send?.(m);

async function token(httpUrl: string, sub: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${httpUrl}/dev/token`, {
        method: 'POST',
        // Not kept alive: the server would hold each idle HTTP connection (fastify says
        // keep-alive 72 s) as a descriptor while the sockets open, ~64 per helper that
        // would be refused sockets at the descriptor limit.
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ role: 'worker', sub, province: 'MI', name: 'Lavoratore' }),
      });
      const body = (await res.json()) as { token?: string };
      if (!body.token) throw new Error(`token: ${res.status}`);
      return body.token;
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}

process.on('message', (m: Msg) => {
  void (async () => {
    if (m.op === 'open') {
      const t0 = Date.now();
      let failed = 0;
      const errors: Record<string, number> = {};
      await mapLimit(Array.from({ length: m.count }, (_, i) => m.from + i), 64, async (i) => {
        const sub = `usr-${m.tag}-${i}`;
        try {
          const [s] = await ChatSocket.signIn(m.wsUrl, sub, { token: await token(m.httpUrl, sub) }, { timeoutMs: 60_000 });
          s.keep = false;
          s.frames.length = 0;
          sockets.push(s);
        } catch (err) {
          failed++;
          const key = ((err as Error).message || 'error').replace(/usr-\S+/, 'usr').slice(0, 80);
          errors[key] = (errors[key] ?? 0) + 1;
        }
      });
      send({ op: 'opened', opened: sockets.length, failed, ms: Date.now() - t0, errors });
    } else if (m.op === 'check') {
      let pongs = 0;
      const open = sockets.filter((s) => s.open);
      await mapLimit(open, 200, async (s) => {
        try {
          const answer = await s.request({ type: 'ping' }, 30_000);
          if (answer.type === 'pong') pongs++;
        } catch {
          /* counted as missing */
        }
      });
      send({ op: 'checked', open: sockets.filter((s) => s.open).length, pongs });
    } else if (m.op === 'close') {
      for (const s of sockets) s.terminate();
      send({ op: 'closed' });
      setTimeout(() => process.exit(0), 100);
    }
  })().catch((err: Error) => send({ op: 'error', message: err.message }));
});
process.on('disconnect', () => process.exit(0));
send({ op: 'ready' });
