/**
 * Two nodes sharing one database and, when Redis answers, one Redis under a random key prefix
 * (removed at the end); without Redis, both names are one node on the in-process state. For
 * suites whose people sit on different nodes (a user's socket on a node that is not the one acting).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testDatabase, type TestDatabase } from './db.ts';
import { deleteKeys, redisAnswersSync, redisUrl } from './routing-state-contract.ts';
import { startServer, type TestServer } from './server.ts';
import { TestSocket } from './ws-client.ts';

export class NodePair {
  readonly twoNodes: boolean;
  private readonly prefix = `test:${randomUUID()}`;
  private db!: TestDatabase;
  a!: TestServer;
  b!: TestServer;
  private readonly sockets: TestSocket[] = [];

  /** `inProcess`: one node on the in-process state even when Redis answers. */
  constructor(suite: string, inProcess = false) {
    this.twoNodes = !inProcess && redisAnswersSync(redisUrl);
    if (!inProcess && !this.twoNodes) console.log(`# Redis not reachable at ${redisUrl}: ${suite} runs on one node with the in-process state`);
  }

  async start(graces: { advisorGraceMs: number; userGraceMs: number }): Promise<void> {
    this.db = await testDatabase();
    const env: Record<string, string> = this.twoNodes ? { REDIS_URL: redisUrl, REDIS_PREFIX: this.prefix } : {};
    this.a = await startServer({ env, db: this.db, ...graces });
    this.b = this.twoNodes ? await startServer({ env, db: this.db, ...graces }) : this.a;
  }

  /** Signs in on `node`; the socket is dropped by `dropSockets`. */
  async on(node: TestServer, claims: Record<string, unknown> & { role: string }) {
    const [socket, welcome] = await TestSocket.signIn(node.wsUrl, await node.token(claims));
    this.sockets.push(socket);
    return { socket, welcome };
  }

  dropSockets(): void {
    for (const s of this.sockets.splice(0)) s.drop();
  }

  async close(): Promise<void> {
    await this.a.close();
    if (this.b !== this.a) await this.b.close();
    await this.db.cleanup();
    if (this.twoNodes) {
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, this.prefix);
      redis.disconnect();
    }
  }
}
