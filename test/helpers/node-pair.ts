/**
 * Two nodes sharing one database and, when Redis answers, one Redis under a random key prefix
 * (removed at the end); without Redis, both names are one node on the in-process state. For
 * suites whose people sit on different nodes (a user's socket on a node that is not the one acting).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testDatabase, type TestDatabase } from './db.ts';
import { deleteKeys, redisAnswersSync, redisUrl } from './routing-state-contract.ts';
import { startServer, type TestServer, type TestServerOptions } from './server.ts';
import { TestSocket } from './ws-client.ts';

export class NodePair {
  readonly twoNodes: boolean;
  private readonly prefix = `test:${randomUUID()}`;
  private db!: TestDatabase;
  a!: TestServer;
  b!: TestServer;
  private readonly sockets: TestSocket[] = [];
  /** What each node is started with (a node started later, by `stopA`, too). */
  private options: TestServerOptions = {};

  /** `inProcess`: one node on the in-process state even when Redis answers. */
  constructor(suite: string, inProcess = false) {
    this.twoNodes = !inProcess && redisAnswersSync(redisUrl);
    if (!inProcess && !this.twoNodes) console.log(`# Redis not reachable at ${redisUrl}: ${suite} runs on one node with the in-process state`);
  }

  /** `more`: a clock, routing settings, variables, for both nodes. */
  async start(graces: { advisorGraceMs: number; userGraceMs: number }, more: Pick<TestServerOptions, 'clock' | 'routing' | 'env'> = {}): Promise<void> {
    this.db = await testDatabase();
    const env: Record<string, string> = { ...more.env, ...(this.twoNodes ? { REDIS_URL: redisUrl, REDIS_PREFIX: this.prefix } : {}) };
    this.options = { ...more, ...graces, env, db: this.db };
    this.a = await startServer(this.options);
    this.b = this.twoNodes ? await startServer(this.options) : this.a;
  }

  /**
   * Stops node A, as a deploy or a crash would (its memory gone), and answers the node that carries on:
   * B, or on one node a new one on the same database (the in-process state rebuilt from it, as at a
   * restart). From then both names are that node.
   */
  async stopA(): Promise<TestServer> {
    await this.a.close();
    if (!this.twoNodes) this.b = await startServer(this.options);
    this.a = this.b;
    return this.b;
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
