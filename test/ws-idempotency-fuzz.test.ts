/**
 * Idempotent sending over real sockets, as a property (docs/delivery.md): random
 * sequences of message.send from either side of a chat — clientMsgIds repeated,
 * several in flight at once, the same one sent from two tabs at the same moment —
 * and reconnects that resume from a random lastSeq (behind, at or ahead of the
 * server). After each sequence:
 * - the conversation holds one message per distinct (sender, clientMsgId), with
 *   seq 1…n and no gap, each with the text of its first send;
 * - every send is acknowledged, a new clientMsgId with the next seq in the order
 *   sent, every retry with the seq of its first send;
 * - every socket received each message once, in seq order, from its cursor on: a
 *   resume behind the server replays exactly lastSeq+1…n, one ahead of it gets a
 *   `reset` naming the server's lastSeq.
 * Fixed seed by default; FUZZ_SEED and FUZZ_RUNS vary it (test/helpers/fuzz.ts).
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { captureLog, fuzzParams, watchProcess, type CapturedLog } from './helpers/fuzz.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

let server: TestServer;
let log: CapturedLog;
let watch: ReturnType<typeof watchProcess>;

test.before(async () => {
  watch = watchProcess();
  log = captureLog('info');
  server = await startServer({ logger: log.logger, env: { MESSAGES_PER_SECOND: '10000', MESSAGE_BURST: '10000' } });
});

test.after(async () => {
  await server.close();
  watch.stop();
});

type Side = 0 | 1; // 0: the worker, 1: the advisor
type Op =
  /** `keys` sent at once on one socket (and, with `twin`, the same at the same moment from a second tab). */
  | { kind: 'send'; side: Side; keys: number[]; twin: boolean }
  /** The socket is dropped and signs in again resuming from `pick` modulo (n + 3): behind, at or ahead of the server. */
  | { kind: 'reconnect'; side: Side; pick: number };

const side = fc.constantFrom<Side>(0, 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), side, keys: fc.array(fc.nat(5), { minLength: 1, maxLength: 6 }), twin: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), side, pick: fc.nat(20) }) },
);

/** A socket of one side and the seq its cursor started from: it must receive from+1… exactly. */
interface Tab {
  socket: TestSocket;
  from: number;
}

let run = 0;
let requestId = 0;

async function matchedPair(tag: string) {
  const advisorToken = await server.token({ role: 'advisor', sub: `idem-a-${tag}`, name: 'Giulia Rossi' });
  const workerToken = await server.token({ role: 'worker', sub: `idem-w-${tag}`, name: 'Mario Bianchi', province: 'MI' });
  const [advisor] = await TestSocket.signIn(server.wsUrl, advisorToken);
  assert.is((await advisor.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  const [worker] = await TestSocket.signIn(server.wsUrl, workerToken);
  worker.send({ type: 'chat.request', topic: 'payment', waitAnyway: true });
  const conversationId = (await worker.next('conversation.assigned')).conversationId as string;
  await advisor.next('conversation.assigned', (f) => f.conversationId === conversationId);
  return { tokens: [workerToken, advisorToken] as const, tabs: [{ socket: worker, from: 0 }, { socket: advisor, from: 0 }] as Tab[], conversationId };
}

/** Sends `keys` on `socket` without waiting, then the replies in the order sent. */
async function sendAll(socket: TestSocket, conversationId: string, who: Side, keys: number[]): Promise<Frame[]> {
  const ids = keys.map((key) => {
    const id = `r${requestId++}`;
    socket.send({ type: 'message.send', conversationId, clientMsgId: `k${key}`, text: `lato ${who} chiave ${key} invio ${id}`, id });
    return id;
  });
  return Promise.all(ids.map((id) => socket.nextWhere((f) => f.re === id && (f.type === 'message.ack' || f.type === 'error'), `reply to ${id}`, 5000)));
}

test('message.send with repeated clientMsgIds and resumes from any lastSeq: one message per clientMsgId, seq 1…n gap-free, every retry answered with the first seq', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
      const logFrom = log.lines.length;
      const faultsFrom = watch.faults.length;
      const { tokens, tabs, conversationId } = await matchedPair(`${run++}`);
      /** seq of each (side, clientMsgId), from its first acknowledgement; the first text sent with it. */
      const seqOf = new Map<string, number>();
      const textOf = new Map<string, string>();
      let n = 0;
      try {
        for (const op of ops) {
          if (op.kind === 'send') {
            const twin = op.twin ? (await TestSocket.signIn(server.wsUrl, tokens[op.side]))[0] : null;
            const [acks, twinAcks] = await Promise.all([sendAll(tabs[op.side]!.socket, conversationId, op.side, op.keys), twin ? sendAll(twin, conversationId, op.side, op.keys) : []]);
            twin?.drop();
            // Every reply is an ack, and all replies for one clientMsgId carry one seq: the first send's.
            const seqsOf = new Map<string, Set<number>>();
            for (const [i, ack] of [...acks, ...twinAcks].entries()) {
              const key = `${op.side}:k${op.keys[i % op.keys.length]}`;
              assert.is(ack.type, 'message.ack', `send of ${key}: ${JSON.stringify(ack)}`);
              seqsOf.set(key, (seqsOf.get(key) ?? new Set()).add(ack.seq as number));
            }
            const firstTime: string[] = [];
            for (const [key, seqs] of seqsOf) {
              assert.is(seqs.size, 1, `every send of ${key} is answered with one seq: ${[...seqs]}`);
              const [seq] = seqs;
              if (seqOf.has(key)) assert.is(seq, seqOf.get(key), `a retry of ${key} is answered with its first seq`);
              else {
                seqOf.set(key, seq!);
                textOf.set(key, `lato ${op.side} chiave ${key.split(':k')[1]} `);
                firstTime.push(key);
              }
            }
            // New clientMsgIds take the next seqs, n+1…, in the order sent (a twin's sends race the first tab's: any order).
            const seqs = firstTime.map((key) => seqOf.get(key)!);
            const next = firstTime.map((_, i) => n + i + 1);
            assert.equal(twin ? [...seqs].sort((a, b) => a - b) : seqs, next, 'new messages take the next seqs');
            n += firstTime.length;
          } else {
            tabs[op.side]!.socket.drop();
            const lastSeq = op.pick % (n + 3);
            const [socket] = await TestSocket.signIn(server.wsUrl, tokens[op.side], [{ conversationId, lastSeq }]);
            if (lastSeq > n) {
              const reset = await socket.next('reset', (f) => f.conversationId === conversationId);
              assert.equal([reset.reason, reset.lastSeq], ['ahead_of_server', n]);
            }
            tabs[op.side] = { socket, from: Math.min(lastSeq, n) };
          }
        }
        const stored = await server.services.store.messagesAfter(conversationId, 0, 1000);
        assert.equal(stored.map((m) => m.seq), Array.from({ length: n }, (_, i) => i + 1), 'seq 1…n, no gap');
        assert.is(stored.length, seqOf.size, 'one message per distinct (sender, clientMsgId)');
        for (const m of stored) {
          const key = `${m.senderRole === 'worker' ? 0 : 1}:${m.clientMsgId}`;
          assert.is(seqOf.get(key), m.seq, `${key} stored with its acknowledged seq`);
          assert.ok(m.text.startsWith(textOf.get(key)!), `${key} keeps the text of a first send`);
        }
        for (const [i, tab] of tabs.entries()) {
          if (n > tab.from) await tab.socket.next('message', (f) => f.conversationId === conversationId && f.seq === n, 3000);
          const seen = tab.socket.frames.filter((f) => f.type === 'message' && f.conversationId === conversationId).map((f) => f.seq);
          if (n > tab.from) seen.push(n);
          assert.equal(seen, Array.from({ length: n - tab.from }, (_, k) => tab.from + k + 1), `${i ? 'advisor' : 'worker'} socket: each message once, in order, from ${tab.from + 1}`);
        }
      } finally {
        await tabs[1]!.socket.request({ type: 'advisor.status', status: 'away' }).catch(() => undefined);
        for (const tab of tabs) tab.socket.drop();
      }
      assert.equal(watch.faults.slice(faultsFrom), [], 'no uncaught exception or unhandled rejection');
      assert.equal(log.errorsSince(logFrom).map((l) => l.msg), [], 'nothing logged at error level');
    }),
    fuzzParams(25),
  );
});

test.run();
