/**
 * A network partition between a node and PostgreSQL: packets vanish, nothing is
 * refused (the TCP proxy holds every connection open and passes nothing). The
 * node must answer every send within its query timeout (`DATABASE_QUERY_TIMEOUT_MS`)
 * with `store_unavailable`, acknowledge nothing it did not store, and store each
 * retried message once when the database is back, whether the partition ends by
 * resetting its connections or heals leaving them silent. On a real server process, like
 * test/faults.test.ts; needs DATABASE_URL.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seed } from '../schema/seed.ts';
import { openDatabase, type Database } from '../server/db.ts';
import { faultKit, type Attempt } from './helpers/fault-chat.ts';
import { postgresAnswersSync, startNode, throwAwayDatabase, until, viaPort, type NodeProcess, type ThrowAwayDatabase } from './helpers/processes.ts';
import { safeUrl } from './helpers/routing-state-contract.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import type { TestSocket } from './helpers/ws-client.ts';

const adminUrl = process.env.DATABASE_URL;
const postgres = postgresAnswersSync(adminUrl);
if (!postgres) {
  const why = adminUrl ? `PostgreSQL not reachable at ${safeUrl(adminUrl)}` : 'DATABASE_URL not set';
  console.log(`# skipped: ${why}; the partition test needs PostgreSQL behind a proxy`);
}

/** The node's bound on an unanswered query; the pool's connect timeout is 3 s. */
const QUERY_TIMEOUT_MS = 3_000;
const CONNECT_TIMEOUT_MS = 3_000;

let db: ThrowAwayDatabase;
let database: Database;
let proxy: TcpProxy;
let node: NodeProcess;
const nodes: NodeProcess[] = [];
const sockets: TestSocket[] = [];
const { conversationBetween, withLogs, attempt, retryRefusedThenCheck } = faultKit({ database: () => database, nodes, sockets });

test.before(async () => {
  if (!postgres) return;
  db = await throwAwayDatabase(adminUrl!);
  database = await openDatabase({ databaseUrl: db.url, dataDir: '', poolSize: 2 });
  await seed(database.db);
  const target = new URL(adminUrl!);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  node = await startNode({
    name: 'P',
    env: {
      DATABASE_URL: viaPort(db.url, '127.0.0.1', proxy.port),
      DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      MESSAGES_PER_SECOND: '2000',
      MESSAGE_BURST: '2000',
    },
  });
  nodes.push(node);
});

test.after(async () => {
  if (!postgres) return;
  for (const s of sockets.splice(0)) s.drop();
  await node?.kill('SIGKILL');
  await proxy?.close();
  await database?.close();
  await db?.drop();
});

if (postgres) {
  test('a partition from PostgreSQL: each send is answered store_unavailable within two query timeouts, none acknowledged; once it ends, the retries are stored once and delivered in order', () =>
    withLogs(async () => {
      const { advisor, worker, conversationId } = await conversationBetween(node, node, 'part', 'PA');
      const log: Attempt[] = [];
      assert.is((await attempt(worker, conversationId, 'part-first', 'prima', log)).ack, 1);

      proxy.blackhole();
      // Both sides write at once, more than one batch's worth of slots: some wait for a slot, some for a connection.
      // A send may wait for a batch in flight to time out, then for its own statement or connection:
      // two timeouts at most (seen: 3.0 and 6.0 s), plus room for a loaded CI machine.
      const bound = 2 * Math.max(QUERY_TIMEOUT_MS, CONNECT_TIMEOUT_MS) + 4_000;
      const during = await Promise.all(
        [worker, advisor, worker, advisor, worker].map((side, i) => attempt(side, conversationId, `part-${i}`, `durante ${i}`, log, 3 * bound)),
      );
      assert.equal(
        during.map((a) => a.error),
        during.map(() => 'store_unavailable'),
        'every send refused with a clear error, none acknowledged',
      );
      const slowest = Math.max(...during.map((a) => a.ms));
      assert.ok(slowest < bound, `every send answered within ${bound} ms (slowest ${slowest.toFixed(0)} ms)`);
      assert.is((await node.get('/ready')).status, 503, 'not ready while the database does not answer');

      // The partition ends with its connections reset (both ends gave up on them); new ones go through.
      proxy.cut();
      proxy.restore();
      await until(async () => (await node.get('/ready')).status === 200, 'ready again', 15_000, 100);
      const n = await retryRefusedThenCheck(conversationId, log, [worker, advisor]);
      assert.is(n, 1 + during.length);
      console.log(`\n# partition: ${during.length} sends refused, slowest answer ${slowest.toFixed(0)} ms (bound ${bound} ms), ${n} stored after the retries`);
    }));

  test('a partition that heals without resetting its connections: each connection it left dead fails one statement within the timeout and leaves the pool; nothing is lost', () =>
    withLogs(async () => {
      const { advisor, worker, conversationId } = await conversationBetween(node, node, 'heal', 'PA');
      const log: Attempt[] = [];
      // A few statements at once, so that the pool holds more than one idle connection.
      await Promise.all([worker, advisor, worker, advisor].map((side, i) => attempt(side, conversationId, `heal-warm-${i}`, `prima ${i}`, log)));
      assert.ok(log.every((a) => a.ack !== undefined), 'acknowledged before the partition');

      proxy.blackhole();
      await new Promise((resolve) => setTimeout(resolve, 200));
      proxy.restore(); // new connections pass again; the ones held through the partition stay silent for ever
      const bound = Math.max(QUERY_TIMEOUT_MS, CONNECT_TIMEOUT_MS) + 4_000;
      let acked = 0;
      let sends = 0;
      for (; acked < 3 && sends < 15; sends++) {
        const a = await attempt(sends % 2 ? advisor : worker, conversationId, `heal-${sends}`, `dopo ${sends}`, log, 3 * bound);
        assert.ok(a.ack !== undefined || a.error === 'store_unavailable', `answered with an ack or store_unavailable (${a.error})`);
        assert.ok(a.ms < bound, `answered within ${bound} ms (${a.ms.toFixed(0)} ms)`);
        if (a.ack !== undefined) acked++;
      }
      assert.is(acked, 3, `the dead connections left the pool: 3 acknowledged within ${sends} sends`);
      const refused = log.filter((a) => a.error !== undefined).length;
      const n = await retryRefusedThenCheck(conversationId, log, [worker, advisor]);
      assert.is(n, 4 + sends);
      console.log(`\n# healed partition: ${refused} sends refused by connections it left dead, then acknowledged; ${n} stored after the retries`);
    }));
}

test.run();
