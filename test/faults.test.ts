/**
 * Faults, on real server processes (`node --import tsx server/main.ts`) against a
 * throw-away PostgreSQL database, a private `redis-server` and a TCP proxy the test
 * controls — never the shared services. docs/delivery.md says what each shows.
 *
 *   (d) the same clientMsgId sent to two nodes at once
 *   (b) Redis restarted under traffic
 *   (a) kill -9 of a node mid-conversation
 *   (c) PostgreSQL unavailable (the proxy cut)
 *
 * Needs DATABASE_URL (PGlite cannot be shared by two processes); (a), (b), (d) also
 * need the `redis-server` executable. What cannot run says so on a `# skipped:` line.
 */
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seed } from '../schema/seed.ts';
import { openDatabase, type Database } from '../server/db.ts';
import {
  commandAvailable,
  postgresAnswersSync,
  sleep,
  startNode,
  startRedis,
  throwAwayDatabase,
  until,
  viaPort,
  type NodeProcess,
  type RedisProcess,
  type ThrowAwayDatabase,
} from './helpers/processes.ts';
import { safeUrl } from './helpers/routing-state-contract.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { background, faultKit, oneTo, seqsOf, type Attempt, type Side } from './helpers/fault-chat.ts';
import type { TestSocket } from './helpers/ws-client.ts';

const adminUrl = process.env.DATABASE_URL;
const postgres = postgresAnswersSync(adminUrl);
const redisServer = postgres && commandAvailable('redis-server');
if (!postgres) {
  const why = adminUrl ? `PostgreSQL not reachable at ${safeUrl(adminUrl)}` : 'DATABASE_URL not set';
  console.log(`# skipped: ${why}; the process fault tests need PostgreSQL (PGlite cannot be shared by two processes)`);
} else if (!redisServer) {
  console.log('# skipped: no redis-server executable; the two-node fault tests (kill -9, Redis restart, one clientMsgId on two nodes) did not run');
}
/** Tests that cannot run are not registered at all (the `# skipped:` line above says why). */
const withPostgres = (name: string, body: () => Promise<void>) => postgres && test(name, body);
const withRedis = (name: string, body: () => Promise<void>) => redisServer && test(name, body);

/** Generous rate limits: these tests push traffic on purpose. */
const TRAFFIC = { MESSAGES_PER_SECOND: '2000', MESSAGE_BURST: '2000', FRAMES_PER_SECOND: '2000', FRAME_BURST: '2000' };

let db: ThrowAwayDatabase;
let database: Database;
let redis: RedisProcess | undefined;
let nodeA: NodeProcess | undefined;
let nodeB: NodeProcess | undefined;
const nodes: NodeProcess[] = [];
const sockets: TestSocket[] = [];

test.before(async () => {
  if (!postgres) return;
  db = await throwAwayDatabase(adminUrl!);
  // Migrated and seeded once here, so the nodes start in parallel without racing on it.
  database = await openDatabase({ databaseUrl: db.url, dataDir: '', poolSize: 2 });
  await seed(database.db);
  if (!redisServer) return;
  redis = await startRedis();
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: `faults-${randomUUID()}`, ...TRAFFIC };
  [nodeA, nodeB] = await Promise.all([startNode({ name: 'A', env }), startNode({ name: 'B', env })]);
  nodes.push(nodeA, nodeB);
});

test.after.each(async () => {
  for (const s of sockets.splice(0)) s.drop();
  await sleep(200);
});

test.after(async () => {
  if (!postgres) return;
  // A safety net, not a way out: report what still holds the process, then end it, rather than hang a CI run.
  // It covers handles left open; it cannot cover a hang in Node's exit-time cleanup, which starts once the
  // loop is empty and runs no timers (that was a TcpProxy socket reset mid-shutdown: see test/tcp-proxy.test.ts).
  // scripts/run-tests.ts ends a file still running 30 s after its summary, whatever the cause.
  setTimeout(() => {
    const open = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map((h) => h.constructor.name);
    // Written synchronously: console.log to a pipe may be lost by the exit that follows.
    writeSync(1, `# faults.test.ts still running 20 s after its last test; open handles: ${open.join(', ')}\n`);
    process.exit(process.exitCode ?? 0); // the tests' own verdict; the line above says what leaked
  }, 20_000).unref();
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  await redis?.kill();
  await database?.close();
  await db?.drop();
});

/* ---------------------------------------------------------------- helpers */

const { on, conversationBetween, retire, storedRows, lastSeqOf, withLogs, attempt, assertNothingAcknowledgedLost, retryRefusedThenCheck } = faultKit({
  database: () => database,
  nodes,
  sockets,
});

/* ------------------------------------------------------------------ (d) */

withRedis('(d) one clientMsgId sent to two nodes at once (two tabs of one user): one row, both acks carry its seq, everyone receives it once', () =>
  withLogs(async () => {
    const advisor = await on(nodeA!, { role: 'advisor', sub: 'adv-twice', name: 'Advisor twice' });
    await advisor.socket.request({ type: 'advisor.status', status: 'available' });
    const claims = { role: 'worker', sub: 'w-twice', province: 'BA' };
    const tab1 = await on(nodeA!, claims);
    const tab2 = await on(nodeB!, claims);
    tab1.socket.send({ type: 'chat.request', topic: 'cigo' });
    const { conversationId } = await tab1.socket.next('conversation.assigned', undefined, 15_000);
    await tab2.socket.next('conversation.assigned', undefined, 15_000);
    await advisor.socket.next('conversation.assigned', undefined, 15_000);

    const rounds = 25;
    for (let i = 1; i <= rounds; i++) {
      const frame = { type: 'message.send', conversationId, clientMsgId: `twice-${i}`, text: `due nodi ${i}` };
      tab1.socket.send({ ...frame, id: `t1-${i}` });
      tab2.socket.send({ ...frame, id: `t2-${i}` });
      const [a1, a2] = await Promise.all([
        tab1.socket.nextWhere((f) => f.re === `t1-${i}`, 'answer', 10_000),
        tab2.socket.nextWhere((f) => f.re === `t2-${i}`, 'answer', 10_000),
      ]);
      assert.is(a1.type, 'message.ack', JSON.stringify(a1));
      assert.is(a2.type, 'message.ack', JSON.stringify(a2));
      assert.is(a1.seq, i);
      assert.is(a2.seq, i, 'both nodes acknowledge the same seq');
    }
    const rows = await storedRows(conversationId as string);
    assert.equal(rows.map((r) => [r.seq, r.clientMsgId]), oneTo(rounds).map((i) => [i, `twice-${i}`]), 'one row per clientMsgId');
    for (const s of [advisor.socket, tab1.socket, tab2.socket]) {
      await until(() => seqsOf(s, conversationId as string).length >= rounds, 'all messages delivered', 10_000);
    }
    await sleep(300);
    for (const s of [advisor.socket, tab1.socket, tab2.socket]) {
      assert.equal(seqsOf(s, conversationId as string), oneTo(rounds), 'every socket: each message once, in order');
    }
    await advisor.socket.request({ type: 'conversation.close', conversationId });
    await retire(advisor);
  }),
);

/* ------------------------------------------------------------------ (b) */

async function heapUsed(node: NodeProcess): Promise<number> {
  const { body } = await node.get('/metrics');
  const m = body.match(/^infocig_nodejs_heap_size_used_bytes\s+(\d+(?:\.\d+)?(?:e\+\d+)?)/m);
  return m ? Number(m[1]) : NaN;
}

withRedis('(b) Redis restarted under traffic: messages keep flowing, frames refused meanwhile are not replayed, matching resumes once advisors re-assert', () =>
  withLogs(async () => {
    const { advisor, worker, conversationId } = await conversationBetween(nodeA!, nodeB!, 'redis', 'TO');
    const advisorTab = await on(nodeB!, advisor.claims); // a second tab, for the typing flood
    const bystander = await on(nodeA!, { role: 'worker', sub: 'w-redis-late', province: 'TO' });
    const heapBefore = await heapUsed(nodeB!);
    const log: Attempt[] = [];
    let stop = false;
    const pump = async (side: Side) => {
      for (let i = 1; !stop; i++) {
        await attempt(side, conversationId, `${side.claims.sub}-${i}`, `${side.claims.sub} ${i}`, log);
        await sleep(15);
      }
    };
    const pumps = background([pump(worker), pump(advisor)]);
    try {
      await sleep(300);
      advisorTab.socket.send({ type: 'typing', conversationId, active: true });
      await worker.socket.next('typing', undefined, 5_000); // typing crosses nodes before the outage

      await redis!.kill();
      await sleep(100);
      const typingSeen = worker.socket.all('typing').length;
      const acksAtKill = log.filter((a) => a.ack !== undefined).length;
      const asked = performance.now();
      const refused = await bystander.socket.request({ type: 'chat.request', topic: 'cigo' });
      const refusedMs = performance.now() - asked;
      assert.is(refused.type, 'error', 'a chat request needs the routing state: refused while Redis is down');
      assert.ok(refusedMs < 1_000, `refused at once (${refusedMs.toFixed(0)} ms), not queued`);
      // Frames that must cross nodes while Redis is down: each publish fails at once; none may wait in a
      // client-side queue to be replayed later (or to grow the heap). Paced under the per-socket frame limit.
      const flood = 1_000;
      for (let i = 0; i < flood; i += 10) {
        for (let j = 0; j < 10; j++) advisorTab.socket.send({ type: 'typing', conversationId, active: (i + j) % 2 === 0 });
        await sleep(20);
      }
      await sleep(200);
      const floodErrors = advisorTab.socket.all('error');
      assert.ok(floodErrors.every((f) => f.code === 'rate_limited'), 'typing frames are handled or refused as too many in flight, nothing else');
      const handled = flood - floodErrors.length;
      assert.ok(handled >= 100, `typing frames reached the fan-out (${handled} of ${flood})`);
      const acksDuringOutage = log.filter((a) => a.ack !== undefined).length - acksAtKill;
      assert.ok(acksDuringOutage > 10, `messages kept being stored and acknowledged during the outage (${acksDuringOutage})`);

      await redis!.start(); // empty: nothing is persisted
      await until(async () => (await nodeA!.get('/ready')).status === 200 && (await nodeB!.get('/ready')).status === 200, 'both nodes ready again', 15_000, 100);
      await sleep(1_000);
      stop = true;
      await pumps();
      assert.equal(log.filter((a) => a.error !== undefined).map((a) => a.error), [], 'no message refused: the database is the truth');

      // A message after the outage makes each cursor notice what pub/sub lost and read it from the database.
      const n = await until(
        async () => {
          const last = await lastSeqOf(conversationId);
          if (seqsOf(worker.socket, conversationId).at(-1) === last && seqsOf(advisor.socket, conversationId).at(-1) === last) return last;
          await attempt(advisor, conversationId, `adv-redis-final-${randomUUID()}`, 'ci sei?', log);
          await attempt(worker, conversationId, `w-redis-final-${randomUUID()}`, 'sì', log);
          await sleep(200);
          return 0;
        },
        'both sockets caught up after the restart',
        15_000,
        50,
      );
      assert.is(await assertNothingAcknowledgedLost(conversationId, log), n);
      assert.equal(seqsOf(worker.socket, conversationId), oneTo(n), 'worker: every message once, in order');
      assert.equal(seqsOf(advisor.socket, conversationId), oneTo(n), 'advisor: every message once, in order');
      assert.is(worker.socket.all('typing').length, typingSeen, `none of the ${handled} typing frames refused during the outage was replayed after it`);

      // The restarted Redis is empty: the advisor says again that they are available, and new chats are matched.
      await advisor.socket.request({ type: 'advisor.status', status: 'available' });
      const late = await on(nodeA!, { role: 'worker', sub: 'w-redis-new', province: 'TO' });
      late.socket.send({ type: 'chat.request', topic: 'fis' });
      const assigned = await late.socket.next('conversation.assigned', undefined, 15_000);
      assert.is((assigned.peer as { id: string }).id, 'adv-redis', 'matched with the advisor who re-asserted');
      assert.is(bystander.socket.all('queue.joined').length, 0, 'the refused request was not replayed');
      assert.is(bystander.socket.all('conversation.assigned').length, 0);

      const heapAfter = await heapUsed(nodeB!);
      console.log(`\n# Redis restart: ${acksDuringOutage} messages acknowledged during the outage, ${n} stored and delivered once; node B heap ${(heapBefore / 2 ** 20).toFixed(1)} MB before, ${(heapAfter / 2 ** 20).toFixed(1)} MB after (${handled} typing frames published into the outage)`);
      assert.ok(heapAfter - heapBefore < 64 * 2 ** 20, 'memory stays bounded');
      await retire(advisor);
    } finally {
      stop = true;
      if (!redis!.running()) {
        await redis!.start(); // the next tests need it
        await until(async () => (await nodeA!.get('/ready')).status === 200 && (await nodeB!.get('/ready')).status === 200, 'nodes ready', 15_000, 100).catch(() => {});
      }
    }
  }),
);

/* ------------------------------------------------------------------ (a) */

withRedis('(a) kill -9 of the worker’s node mid-conversation: the worker resumes on the other node and gets every message once, in order; nothing acknowledged is lost', () =>
  withLogs(async () => {
    const { advisor, worker, conversationId } = await conversationBetween(nodeA!, nodeB!, 'kill', 'NA');
    const log: Attempt[] = [];
    const advisorDone = background([(async () => {
      for (let i = 1; i <= 80; i++) {
        const a = await attempt(advisor, conversationId, `adv-kill-${i}`, `risposta ${i}`, log);
        assert.ok(a.ack !== undefined, `advisor message ${i} acknowledged (${a.error})`);
        await sleep(20);
      }
    })()]);
    // The worker writes without waiting for acks, as a person typing fast would; unacknowledged ones are re-sent later.
    const workerSent = new Map<string, string>();
    let k = 0;
    const typing = setInterval(() => {
      const clientMsgId = `w-kill-${++k}`;
      workerSent.set(clientMsgId, `domanda ${k}`);
      worker.socket.send({ type: 'message.send', id: `w-${k}`, conversationId, clientMsgId, text: `domanda ${k}` });
    }, 30);
    try {
      await until(() => log.length >= 25, '25 advisor messages', 15_000);
      await nodeA!.kill('SIGKILL');
    } finally {
      clearInterval(typing);
    }
    assert.is(await worker.socket.closed, 1006, 'the connection died with the node');

    const before = seqsOf(worker.socket, conversationId);
    assert.equal(before, oneTo(before.length), 'before the crash: 1..L in order');
    const workerAcks = new Map(worker.socket.all('message.ack').map((f) => [f.clientMsgId as string, f.seq as number]));
    for (const [clientMsgId, seq] of workerAcks) log.push({ sender: 'w-kill', clientMsgId, text: workerSent.get(clientMsgId)!, ack: seq, ms: 0 });
    await sleep(300); // the advisor keeps writing meanwhile

    const back = await on(nodeB!, worker.claims, [{ conversationId, lastSeq: before.at(-1) ?? 0 }]);
    assert.ok((back.welcome.conversations as { conversationId: string }[]).some((c) => c.conversationId === conversationId), 'welcome lists the conversation');
    // Like the widget: re-send, with the same clientMsgId, everything never acknowledged.
    let resent = 0;
    for (const [clientMsgId, text] of workerSent) {
      if (workerAcks.has(clientMsgId)) continue;
      const a = await attempt(back, conversationId, clientMsgId, text, log);
      assert.ok(a.ack !== undefined, `re-sent ${clientMsgId} acknowledged (${a.error})`);
      resent++;
    }
    await advisorDone();
    const n = await lastSeqOf(conversationId);
    await until(() => seqsOf(back.socket, conversationId).at(-1) === n, `the resumed socket reaching seq ${n}`, 10_000);
    await sleep(300);
    const after = seqsOf(back.socket, conversationId);
    assert.equal([...before, ...after], oneTo(n), 'across the crash: every message exactly once, in order');
    assert.is(await assertNothingAcknowledgedLost(conversationId, log), n);
    const stored = new Set((await storedRows(conversationId)).filter((r) => r.senderId === 'w-kill').map((r) => r.clientMsgId));
    assert.equal([...workerSent.keys()].filter((id) => !stored.has(id)), [], 'every message the worker wrote is stored (once)');
    assert.ok(seqsOf(advisor.socket, conversationId).length === n, 'the advisor, on the surviving node, has them all');
    console.log(`\n# kill -9: ${before.length} messages before the crash, ${after.length} after the resume, ${resent} re-sent by the worker, ${n} stored`);
    await retire(advisor);
  }),
);

/* ------------------------------------------------------------------ (c) */

withPostgres('(c) PostgreSQL unavailable (the proxy cut): sends are refused with store_unavailable and never acknowledged; after it returns the same clientMsgIds are stored once', () =>
  withLogs(async () => {
    const target = new URL(adminUrl!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    let stopPumps = () => {};
    const nodeC = await startNode({ name: 'C', env: { DATABASE_URL: viaPort(db.url, '127.0.0.1', proxy.port), ...TRAFFIC } });
    nodes.push(nodeC);
    try {
      const { advisor, worker, conversationId } = await conversationBetween(nodeC, nodeC, 'pg', 'BO');
      const log: Attempt[] = [];
      assert.is((await attempt(worker, conversationId, 'pg-first', 'prima', log)).ack, 1);
      let stop = false;
      const pump = async (side: Side) => {
        for (let i = 1; !stop; i++) {
          await attempt(side, conversationId, `${side.claims.sub}-${i}`, `${side.claims.sub} ${i}`, log);
          await sleep(10);
        }
      };
      const pumps = background([pump(worker), pump(advisor)]);
      stopPumps = () => (stop = true);
      await sleep(300);

      proxy.cut();
      const cutAt = log.length;
      const one = await attempt(worker, conversationId, 'pg-during', 'è arrivato il bonifico?', log);
      assert.is(one.error, 'store_unavailable', 'refused with a clear error');
      assert.is((await nodeC.get('/ready')).status, 503, 'not ready while the database is away');
      await sleep(1_500);
      const duringCut = log.slice(cutAt);
      proxy.restore();
      await until(async () => (await nodeC.get('/ready')).status === 200, 'node C ready again', 10_000, 100);
      await sleep(500);
      stop = true;
      await pumps();

      const refused = log.filter((a) => a.error !== undefined);
      assert.ok(duringCut.length > 5 && duringCut.every((a) => a.error === 'store_unavailable' || a.ack !== undefined), 'answered during the cut');
      assert.ok(refused.length > 5, `sends refused during the cut (${refused.length})`);
      assert.equal([...new Set(refused.map((a) => a.error))], ['store_unavailable']);
      const slowest = Math.max(...log.map((a) => a.ms));
      assert.ok(slowest < 5_000, `every send answered, none hung (slowest ${slowest.toFixed(0)} ms)`);

      const n = await retryRefusedThenCheck(conversationId, log, [worker, advisor]);
      console.log(`\n# PostgreSQL cut: ${duringCut.length} sends during the cut (${refused.length} refused in all), slowest answer ${slowest.toFixed(0)} ms, ${n} stored`);
    } finally {
      stopPumps();
      await nodeC.kill('SIGKILL');
      await proxy.close();
    }
  }),
);

test.run();
