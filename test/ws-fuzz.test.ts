/**
 * Property-based fuzzing of /ws over real sockets (docs/protocol.md): arbitrary
 * frames — random text and JSON, binary frames, invalid UTF-8, deep nesting, frames
 * of a real type with wrong-typed, missing, extra or prototype-named fields, strings
 * at and past the limits — sent as the first frame, and right after a valid hello
 * (while it is verified) by a worker and by an advisor. After every run:
 * - the server neither threw (no uncaught exception or unhandled rejection in this
 *   process, which is the server's) nor logged at error level, nor logged a token,
 *   a message text or another person's data;
 * - every frame the server refuses is answered by an `error` frame with the code the
 *   frame schema gives (and `re` = its `id`), every error code is in the registry,
 *   and the socket answers a ping afterwards, unless it was closed with a
 *   documented close code for a frame that asks for it (too big, not UTF-8);
 * - nothing of another person's conversation reaches the fuzzing sockets;
 * - the built-in prototypes are untouched.
 * Then the same worker and an advisor still chat with messages in order, seq 1…n.
 * Fixed seed by default; FUZZ_SEED and FUZZ_RUNS vary it (test/helpers/fuzz.ts).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOSE } from '../server/ws-close-codes.ts';
import { CLIENT_FRAMES, parseClientFrame } from '../server/ws-frames.ts';
import { abbreviate, anyJson, anyString, captureLog, fuzzParams, isRegisteredCode, mostly, NASTY_KEYS, ownKeys, plainObjectsClean, prototypeSnapshot, shownAs, watchProcess, type CapturedLog } from './helpers/fuzz.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket, type Frame } from './helpers/ws-client.ts';

const MAX_FRAME_BYTES = 64 * 1024; // the default
const MAX_TEXT = 4000; // the default
/** In every fuzzed message text: it must never reach the log. */
const MARKER = 'PII-MARKER-7f3a';
const VICTIM = { sub: 'victim-worker-7', name: 'Vittoria Segreta', fiscal: 'RSSMRA80A01H501U', text: 'Il mio IBAN è IT60X0542811101000000123456' };
const DOCUMENTED_CLOSES = new Set<number>(Object.values(CLOSE));

let server: TestServer;
let log: CapturedLog;
let watch: ReturnType<typeof watchProcess>;
let prototypes: string;
let victimConversation = '';
/** The fuzzing advisor's own socket, kept open so that they stay online between runs. */
let desk: TestSocket;
let victimAdvisor: TestSocket;
const FUZZ_WORKER = { role: 'worker', sub: 'fuzz-worker', name: 'Mario Fuzz', province: 'MI' };
const FUZZ_ADVISOR = { role: 'advisor', sub: 'fuzz-advisor', name: 'Giulia Fuzz' };

test.before(async () => {
  prototypes = prototypeSnapshot();
  watch = watchProcess();
  log = captureLog('debug');
  server = await startServer({ logger: log.logger, env: { LOG_LEVEL: 'debug' } });
  // Another person's open conversation, which the fuzzing sockets name but must never see.
  const [advisor] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'advisor', sub: 'victim-advisor', name: 'Anna Riservata' }));
  await advisor.request({ type: 'advisor.status', status: 'available' });
  const [worker] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub: VICTIM.sub, name: VICTIM.name, province: 'MI', fiscalCode: VICTIM.fiscal }));
  worker.send({ type: 'chat.request', topic: 'payment' });
  victimConversation = (await worker.next('conversation.assigned')).conversationId as string;
  assert.is((await worker.request({ type: 'message.send', conversationId: victimConversation, clientMsgId: 'v1', text: VICTIM.text })).type, 'message.ack');
  // The victim's advisor answers and stays signed in (away): unanswered or gone, the chat would be handed to the fuzzing advisor.
  assert.is((await advisor.request({ type: 'message.send', conversationId: victimConversation, clientMsgId: 'a1', text: 'Buongiorno' })).type, 'message.ack');
  await advisor.request({ type: 'advisor.status', status: 'away' });
  victimAdvisor = advisor;
  worker.drop();
  [desk] = await TestSocket.signIn(server.wsUrl, await server.token(FUZZ_ADVISOR));
});

test.after(async () => {
  desk.drop();
  victimAdvisor.drop();
  await server.close();
  watch.stop();
});

/** What goes over the socket: a text frame, a binary frame, or a "text" frame that is not UTF-8. */
type Sent = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array } | { kind: 'badUtf8'; data: Uint8Array };

function text(data: string): Sent {
  return shownAs({ kind: 'text' as const, data }, `text ${JSON.stringify(abbreviate(data))}`);
}

function bytes(kind: 'binary' | 'badUtf8', data: Uint8Array): Sent {
  return shownAs({ kind, data }, `${kind} [${[...data].join(',')}]`);
}

const conversationIds = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('OWN', 'OWN', 'VICTIM', randomUUID()) }, { weight: 1, arbitrary: anyString });

/** A frame of each type whose fields have the right types (mostly valid values); OWN and VICTIM are replaced when sent. */
function template(type: string): fc.Arbitrary<Record<string, unknown>> {
  const conversationId = conversationIds;
  const said = (what: string) => mostly(fc.constant(`${what} ${MARKER}`));
  switch (type) {
    case 'hello': return fc.record({ token: fc.constantFrom('x', 'eyJhbGciOiJub25lIn0.e30.') });
    case 'chat.request':
      return fc.record(
        {
          topic: fc.constantFrom('payment', 'cigo'),
          province: fc.constantFrom('MI', 'mi', 'ZZ'),
          entry: fc.constantFrom('omnia', 'other'),
          lang: fc.constantFrom('it', 'de'),
          context: fc.dictionary(fc.constantFrom('protocol', 'matricola', 'page'), mostly(fc.constant('INPS.1')), { maxKeys: 2 }),
          text: said('domanda'),
          waitAnyway: fc.boolean(),
        },
        { requiredKeys: ['topic'] },
      );
    case 'chat.cancel': return fc.record({ reason: fc.constant('self_served') }, { requiredKeys: [] });
    case 'message.send': return fc.record({ conversationId, clientMsgId: mostly(fc.uuid()), text: fc.oneof(said('ciao'), fc.constantFrom(`${MARKER}${'x'.repeat(MAX_TEXT - MARKER.length)}`, `${MARKER}${'x'.repeat(MAX_TEXT)}`)) });
    case 'typing': return fc.record({ conversationId, active: fc.boolean() });
    case 'read': return fc.record({ conversationId, seq: fc.nat(5) });
    case 'conversation.close': return fc.record({ conversationId, outcome: mostly(fc.constant('resolved')), rating: fc.integer({ min: 1, max: 5 }) }, { requiredKeys: ['conversationId'] });
    case 'advisor.status': return fc.record({ status: fc.constantFrom('available', 'away') });
    case 'conversation.escalate': return fc.record({ conversationId, summary: said('sintesi'), note: said('nota') }, { requiredKeys: ['conversationId', 'summary'] });
    case 'conversation.transfer': return fc.record({ conversationId, to: mostly(fc.constantFrom('victim-advisor', 'fuzz-advisor', 'nobody')) }, { requiredKeys: ['conversationId'] });
    default: return fc.constant({});
  }
}

type Mutation = { op: 'set'; key: string; value: unknown } | { op: 'delete'; key: string };

function fieldsOf(type: string): string[] {
  return Object.keys((CLIENT_FRAMES as Record<string, { properties: object }>)[type]!.properties);
}

/** A frame of a real type, then some fields set to anything, deleted, or added (prototype names included). */
const typedFrame: fc.Arbitrary<Sent> = fc.constantFrom(...Object.keys(CLIENT_FRAMES)).chain((type) =>
  fc
    .tuple(
      template(type),
      fc.option(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.string({ minLength: 65, maxLength: 70 })), { nil: undefined }),
      fc.array(
        fc.oneof(
          fc.record({ op: fc.constant('set' as const), key: fc.constantFrom(...fieldsOf(type), ...NASTY_KEYS, 'extra'), value: anyJson }),
          fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...fieldsOf(type)) }),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([fields, id, mutations]) => text(JSON.stringify(mutate({ type, ...fields, ...(id === undefined ? {} : { id }) }, mutations)))),
);

function mutate(frame: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const out = ownKeys(frame);
  for (const m of mutations) {
    if (m.op === 'delete') delete out[m.key];
    else Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `depth` arrays or objects inside one another, at a field of a frame or as the whole frame. */
const deepFrame: fc.Arbitrary<Sent> = fc
  .record({ depth: fc.integer({ min: 1, max: 30_000 }), at: fc.constantFrom('type', 'id', 'conversationId', 'context', 'whole'), open: fc.constantFrom('[', '{"a":') })
  .map(({ depth, at, open }) => {
    const nested = open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : open.repeat(depth) + '1' + '}'.repeat(depth);
    const data = at === 'whole' ? nested : `{"type":${at === 'type' ? nested : '"message.send"'}${at === 'type' ? '' : `,"${at}":${nested}`}}`;
    return text(data);
  });

/** Frames around the size limit: a message whose frame is a few bytes under or over it (an id that is not replaced). */
const bigFrame: fc.Arbitrary<Sent> = fc.integer({ min: -3, max: 3 }).map((delta) => {
  const head = JSON.stringify({ type: 'message.send', conversationId: randomUUID(), clientMsgId: 'big', text: '' });
  return text(head.replace('"text":""', `"text":"${MARKER}${'x'.repeat(MAX_FRAME_BYTES + delta - head.length - MARKER.length)}"`));
});

const rawFrame: fc.Arbitrary<Sent> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }).map(text),
  fc.json({ depthSize: 'small' }).map(text),
  anyJson.map((v) => text(JSON.stringify(v) ?? 'undefined')),
  fc.uint8Array({ maxLength: 40 }).map((data) => bytes('binary', data)),
  fc.uint8Array({ maxLength: 20 }).map((data) => bytes('badUtf8', Uint8Array.from([...data, 0xff]))),
);

const fuzzFrame: fc.Arbitrary<Sent> = fc.oneof({ weight: 6, arbitrary: typedFrame }, { weight: 3, arbitrary: rawFrame }, { weight: 1, arbitrary: deepFrame }, { weight: 1, arbitrary: bigFrame });

function bytesOf(sent: Sent): number {
  return sent.kind === 'text' ? Buffer.byteLength(sent.data) : sent.data.length;
}

/** The text actually sent: OWN and VICTIM made real conversation ids. */
function resolve(sent: Sent, own: string): Sent {
  if (sent.kind !== 'text') return sent;
  return text(sent.data.replaceAll('"OWN"', JSON.stringify(own)).replaceAll('"VICTIM"', JSON.stringify(victimConversation)));
}

function send(socket: TestSocket, sent: Sent): void {
  if (sent.kind === 'text') socket.ws.send(sent.data);
  else socket.ws.send(sent.data, { binary: sent.kind === 'binary' });
}

/** What the server must answer to a frame it refuses, by the schema (null: accepted, answered by its handler). */
function expectedRefusal(sent: Sent): { code: string; re?: string | number } | null {
  if (sent.kind === 'binary') return { code: 'not_json' };
  if (sent.kind === 'badUtf8') return null;
  const parsed = parseOracle(sent.data);
  if (!parsed.ok) return { code: parsed.code, ...(parsed.re === undefined ? {} : { re: parsed.re }) };
  if (parsed.frame.type === 'hello') return { code: 'bad_request', ...(parsed.frame.id === undefined ? {} : { re: parsed.frame.id }) };
  return null;
}

/** The schema's verdict, also for frames that made the parser itself throw (then: unknown_type, as for any non-string type). */
function parseOracle(raw: string): ReturnType<typeof parseClientFrame> {
  try {
    return parseClientFrame(raw);
  } catch {
    return { ok: false, code: 'unknown_type', detail: '' };
  }
}

function leaksVictim(frame: Frame): boolean {
  const text = JSON.stringify(frame);
  return [VICTIM.text, VICTIM.name, VICTIM.sub, VICTIM.fiscal].some((s) => text.includes(s));
}

/**
 * Where the fuzzing worker starts a run: in an open chat with the fuzzing advisor (their
 * messages then reach the database), or free (a chat.request is then matched at once).
 * Never waiting: a request left in the queue by the run before is taken out.
 */
async function prepare(inChat: boolean): Promise<string | undefined> {
  const { state, store, clock } = server.services;
  await state.cancel(FUZZ_WORKER.sub);
  const open = await store.openConversationsFor(FUZZ_WORKER.sub);
  if (!inChat) {
    for (const c of open) {
      await store.closeConversation(c.id, { outcome: 'resolved', rating: null, closedBy: FUZZ_ADVISOR.sub, at: new Date(clock.now()) });
      await state.release(c.id, clock.now());
    }
    return undefined;
  }
  if (open[0]) return open[0].id;
  assert.is((await desk.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  const [worker] = await TestSocket.signIn(server.wsUrl, await server.token(FUZZ_WORKER));
  worker.send({ type: 'chat.request', topic: 'payment', waitAnyway: true });
  const assigned = await worker.next('conversation.assigned');
  worker.drop();
  return assigned.conversationId as string;
}

/** Waits for the pong that answers `id`, or for the socket to close; whichever first. */
async function settle(socket: TestSocket, id: string): Promise<'pong' | 'closed'> {
  const pong = socket.next('pong', (f) => f.re === id, 3000).then(() => 'pong' as const);
  return Promise.race([pong, socket.closed.then(() => 'closed' as const)]);
}

async function afterRun(logFrom: number, faultsFrom: number): Promise<void> {
  await new Promise((r) => setImmediate(r));
  assert.equal(watch.faults.slice(faultsFrom), [], 'no uncaught exception or unhandled rejection');
  assert.equal(log.errorsSince(logFrom).map((l) => l.msg), [], 'nothing logged at error level');
  const text = log.text();
  for (const secret of [MARKER, VICTIM.fiscal, VICTIM.text, 'eyJ']) assert.not.ok(text.includes(secret), `${secret} reached the log`);
  assert.is(prototypeSnapshot(), prototypes, 'built-in prototypes untouched');
  assert.ok(plainObjectsClean(), 'no property appeared on plain objects');
}

test('any first frame that is not a valid hello closes the socket with 4401, or with the close code its size or encoding asks for, and harms nothing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fuzzFrame, { minLength: 1, maxLength: 3 }), async (frames) => {
      const logFrom = log.lines.length;
      const faultsFrom = watch.faults.length;
      const socket = await TestSocket.open(server.wsUrl);
      const sent = frames.map((f) => resolve(f, randomUUID()));
      for (const f of sent) send(socket, f);
      const code = await Promise.race([socket.closed, new Promise<string>((r) => setTimeout(() => r('still open'), 5000))]);
      // The WebSocket layer refuses a frame too big or not UTF-8 as it arrives, even while the hello is verified.
      const allowed = [4401, ...(sent.some((f) => bytesOf(f) > MAX_FRAME_BYTES) ? [1009] : []), ...(sent.some((f) => f.kind === 'badUtf8') ? [1007] : [])];
      assert.ok(allowed.includes(code as number), `closed with ${code}, expected one of ${allowed}`);
      assert.equal(socket.frames, [], 'nothing is answered before sign-in');
      await afterRun(logFrom, faultsFrom);
    }),
    fuzzParams(60),
  );
});

test('frames sent right after hello by a worker or an advisor are refused with registered codes and the socket stays usable', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('worker', 'advisor'), fc.boolean(), fc.array(fuzzFrame, { minLength: 1, maxLength: 6 }), async (role, inChat, frames) => {
      const own = (await prepare(inChat)) ?? randomUUID();
      const logFrom = log.lines.length;
      const faultsFrom = watch.faults.length;
      const token = await server.token(role === 'worker' ? FUZZ_WORKER : FUZZ_ADVISOR);
      const socket = await TestSocket.open(server.wsUrl);
      socket.send({ type: 'hello', token });
      const sent = frames.map((f) => resolve(f, own));
      for (const f of sent) send(socket, f);
      const sync = `sync-${run++}`;
      socket.send({ type: 'ping', id: sync });
      const outcome = await settle(socket, sync).catch((err: unknown) => {
        assert.equal(watch.faults.slice(faultsFrom), [], 'no uncaught exception or unhandled rejection');
        throw err;
      });
      const received = [...socket.frames];
      socket.drop();

      // A frame the WebSocket layer refuses (too big, not UTF-8) may close the socket before the hello is verified.
      if (received.length > 0) assert.is(received[0]!.type, 'welcome', 'the welcome comes first');
      else assert.is(outcome, 'closed', 'no welcome');
      // A close comes only from a frame too big or not UTF-8, refused by the WebSocket layer as it arrives:
      // the frames before it may then go unanswered (they were queued behind the hello).
      let answered = sent;
      if (outcome === 'closed') {
        assert.ok(DOCUMENTED_CLOSES.has(socket.closeCode!), `closed with the undocumented ${socket.closeCode}`);
        const at = sent.findIndex((f) => bytesOf(f) > MAX_FRAME_BYTES || f.kind === 'badUtf8');
        assert.ok(at >= 0, `closed with ${socket.closeCode} ${socket.closeReason} though every frame was a fine size and UTF-8`);
        assert.is(socket.closeCode, sent[at]!.kind === 'badUtf8' ? CLOSE.invalidText : CLOSE.tooBig);
        answered = [];
      }
      const errors = received.filter((f) => f.type === 'error');
      for (const e of errors) {
        assert.ok(isRegisteredCode(e.code), `unregistered code ${String(e.code)}`);
        assert.type(e.message, 'string');
      }
      for (const f of answered) {
        const want = expectedRefusal(f);
        if (!want) continue;
        const at = errors.findIndex((e) => e.code === want.code && e.re === want.re);
        assert.ok(at >= 0, `no ${want.code} error (re ${String(want.re)}) for ${f.kind === 'text' ? f.data.slice(0, 200) : f.kind}; got ${JSON.stringify(errors.map((e) => [e.code, e.re]))}`);
        errors.splice(at, 1);
      }
      for (const f of received) assert.not.ok(leaksVictim(f), `another person's data reached the fuzzing socket: ${JSON.stringify(f).slice(0, 300)}`);
      await server.services.router.dispatch(); // a chat.request of the run is matched (or fails) within the run
      await afterRun(logFrom, faultsFrom);
    }),
    fuzzParams(120),
  );
});

test("a hello resuming any conversation (its own, another person's, unknown, malformed) from any lastSeq gets a welcome and its own messages only, or 4401 when malformed", async () => {
  let run = 0;
  const resume = fc.array(fc.record({ conversationId: conversationIds, lastSeq: fc.oneof(fc.nat(6), fc.constantFrom(-1, 1.5, 2 ** 31, 1e20)) }), { maxLength: 4 });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('worker', 'advisor'), fc.boolean(), resume, async (role, inChat, entries) => {
      const own = (await prepare(inChat)) ?? randomUUID();
      const logFrom = log.lines.length;
      const faultsFrom = watch.faults.length;
      const hello = resolve(text(JSON.stringify({ type: 'hello', token: await server.token(role === 'worker' ? FUZZ_WORKER : FUZZ_ADVISOR), resume: entries })), own);
      const socket = await TestSocket.open(server.wsUrl);
      send(socket, hello);
      const sync = `resume-${run++}`;
      socket.send({ type: 'ping', id: sync });
      const outcome = await settle(socket, sync);
      socket.drop();
      if (!parseOracle((hello as { data: string }).data).ok) {
        assert.equal([outcome, socket.closeCode], ['closed', 4401], 'a malformed hello is refused like a bad token');
      } else {
        assert.is(outcome, 'pong', `answered (closed with ${socket.closeCode} ${socket.closeReason})`);
        assert.is(socket.frames[0]?.type, 'welcome');
        const mine = new Set([own, ...(await server.services.store.openConversationsFor(role === 'worker' ? FUZZ_WORKER.sub : FUZZ_ADVISOR.sub)).map((c) => c.id)]);
        for (const f of socket.frames) {
          assert.not.ok(leaksVictim(f), `another person's data reached the socket: ${JSON.stringify(f).slice(0, 300)}`);
          if (f.type === 'message') assert.ok(mine.has(f.conversationId as string), 'only its own conversations are replayed');
          if (f.type === 'reset') assert.ok(['unknown_conversation', 'ahead_of_server'].includes(f.reason as string));
        }
      }
      await afterRun(logFrom, faultsFrom);
    }),
    fuzzParams(40),
  );
});

test('after the fuzzing, the same worker and an advisor still chat: every message delivered once, in order, seq 1…n', async () => {
  const worker = await server.token(FUZZ_WORKER);
  const advisorToken = await server.token(FUZZ_ADVISOR);
  // Whatever the fuzzing left open is closed, and nobody is left waiting.
  const [a, aWelcome] = await TestSocket.signIn(server.wsUrl, advisorToken);
  for (const c of aWelcome.conversations as { conversationId: string }[]) await a.request({ type: 'conversation.close', conversationId: c.conversationId });
  const [w, wWelcome] = await TestSocket.signIn(server.wsUrl, worker);
  for (const c of wWelcome.conversations as { conversationId: string }[]) await w.request({ type: 'conversation.close', conversationId: c.conversationId });
  await w.request({ type: 'chat.cancel' });
  assert.is((await a.request({ type: 'advisor.status', status: 'available' })).type, 'ok');
  assert.is((await w.request({ type: 'chat.request', topic: 'payment', waitAnyway: true })).type, 'ok');
  const conversationId = (await w.next('conversation.assigned')).conversationId as string;
  await a.next('conversation.assigned', (f) => f.conversationId === conversationId);
  const ids = Array.from({ length: 6 }, (_, i) => `after-${i}`);
  ids.forEach((clientMsgId, i) => (i % 2 ? a : w).send({ type: 'message.send', conversationId, clientMsgId, text: `messaggio ${i}`, id: clientMsgId }));
  for (const s of [w, a]) {
    const seqs: number[] = [];
    for (let seq = 1; seq <= ids.length; seq++) seqs.push((await s.next('message', (f) => f.conversationId === conversationId && f.seq === seq)).seq as number);
    assert.equal(seqs, [1, 2, 3, 4, 5, 6]);
    assert.equal(s.all('message').filter((f) => f.conversationId === conversationId), [], 'no message twice');
  }
  const stored = await server.services.store.messagesAfter(conversationId, 0, 100);
  assert.equal(stored.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
  w.drop();
  a.drop();
});

test.run();
