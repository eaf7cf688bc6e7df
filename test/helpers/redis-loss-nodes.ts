/**
 * The stage of the Redis-loss fault tests: two real nodes on a throw-away PostgreSQL
 * database and a private `redis-server` the test kills and starts again empty, plus the
 * shared routing state read as a third node would. Registers the file's before/after
 * hooks; when PostgreSQL or `redis-server` is missing it says so on a `# skipped:` line
 * and `runnable` is false.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import { seed } from '../../schema/seed.ts';
import { openDatabase, type Database } from '../../server/db.ts';
import { createRedis, waitReady } from '../../server/redis-connection.ts';
import { RedisRoutingState } from '../../server/routing-state-redis.ts';
import { faultKit } from './fault-chat.ts';
import { commandAvailable, postgresAnswersSync, startNode, startRedis, throwAwayDatabase, type NodeProcess, type RedisProcess, type ThrowAwayDatabase } from './processes.ts';
import { safeUrl } from './routing-state-contract.ts';
import type { TestSocket } from './ws-client.ts';

export interface RedisLossStage {
  runnable: boolean;
  database: Database;
  redis: RedisProcess;
  nodeA: NodeProcess;
  nodeB: NodeProcess;
  state: RedisRoutingState;
  nodes: NodeProcess[];
  /** Test name → registered only when runnable. */
  withRedis(name: string, body: () => Promise<void>): void;
  kit: ReturnType<typeof faultKit>;
}

/** `what`: the test, for the skip line; `env`: added to each node's environment (after the stage's own). */
export function redisLossStage(what: string, env: () => Record<string, string> = () => ({})): RedisLossStage {
  const adminUrl = process.env.DATABASE_URL;
  const runnable = postgresAnswersSync(adminUrl) && commandAvailable('redis-server');
  if (!runnable) {
    const why = !adminUrl ? 'DATABASE_URL not set' : !postgresAnswersSync(adminUrl) ? `PostgreSQL not reachable at ${safeUrl(adminUrl)}` : 'no redis-server executable';
    console.log(`# skipped: ${why}; ${what} needs two processes on PostgreSQL and a redis-server of its own`);
  }
  let db: ThrowAwayDatabase | undefined;
  const nodes: NodeProcess[] = [];
  const sockets: TestSocket[] = [];
  const stage = {
    runnable,
    nodes,
    withRedis: (name: string, body: () => Promise<void>) => void (runnable && test(name, body)),
    kit: faultKit({ database: () => stage.database, nodes, sockets }),
  } as RedisLossStage;

  test.before(async () => {
    if (!runnable) return;
    db = await throwAwayDatabase(adminUrl!);
    stage.database = await openDatabase({ databaseUrl: db.url, dataDir: '', poolSize: 2 });
    await seed(stage.database.db);
    stage.redis = await startRedis();
    const prefix = `loss-${randomUUID()}`;
    const full = { DATABASE_URL: db.url, REDIS_URL: stage.redis.url, REDIS_PREFIX: prefix, ...env() };
    [stage.nodeA, stage.nodeB] = await Promise.all([startNode({ name: 'A', env: full }), startNode({ name: 'B', env: full })]);
    nodes.push(stage.nodeA, stage.nodeB);
    const client = createRedis(stage.redis.url, { name: 'loss-test' });
    await waitReady(client, 5_000);
    stage.state = new RedisRoutingState(client, { prefix, ownsClient: true });
  });

  test.after(async () => {
    if (!runnable) return;
    for (const s of sockets.splice(0)) s.drop();
    await stage.state?.close();
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await stage.redis?.kill();
    await stage.database?.close();
    await db?.drop();
  });

  return stage;
}
