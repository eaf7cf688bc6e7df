/**
 * Is this person connected anywhere? The in-process answer covers one node; the
 * Redis one covers every live node of the deployment. Used before deciding that a
 * waiting user or an advisor has gone (grace periods), never for delivery.
 */
import type { Redis } from 'ioredis';
import type { Hub } from './hub.ts';

export interface Presence {
  /** This node now has (or no longer has) a connection of the person. */
  set(userId: string, online: boolean): Promise<void>;
  isOnline(userId: string): Promise<boolean>;
  close(): Promise<void>;
}

export class LocalPresence implements Presence {
  constructor(private readonly hub: Hub) {}
  async set(): Promise<void> {}
  async isOnline(userId: string): Promise<boolean> {
    return this.hub.isOnline(userId);
  }
  async close(): Promise<void> {}
}

/**
 * One set of user ids per node, expiring unless the node refreshes it: a node that
 * dies stops counting within `ttlSeconds`. A sorted set lists the nodes by heartbeat.
 */
export class RedisPresence implements Presence {
  private readonly nodesKey: string;
  private readonly mineKey: string;
  private readonly timer: NodeJS.Timeout;
  private readonly reassert = () => void this.heartbeat().catch(() => {});

  constructor(
    private readonly redis: Redis,
    private readonly hub: Hub,
    private readonly prefix: string,
    private readonly node: string,
    private readonly ttlSeconds = 30,
  ) {
    this.nodesKey = `${prefix}:presence:nodes`;
    this.mineKey = this.keyOf(node);
    this.timer = setInterval(this.reassert, (ttlSeconds * 1000) / 3);
    this.timer.unref();
    this.reassert();
    // A Redis back after a restart is empty: this node's users count again at once, not at the next beat,
    // before another node's grace (an advisor whose seats it restored) asks whether they are connected.
    redis.on('ready', this.reassert);
  }

  async set(userId: string, online: boolean): Promise<void> {
    if (online) await this.redis.multi().sadd(this.mineKey, userId).expire(this.mineKey, this.ttlSeconds).exec();
    else await this.redis.srem(this.mineKey, userId);
  }

  async isOnline(userId: string): Promise<boolean> {
    if (this.hub.isOnline(userId)) return true;
    const live = await this.redis.zrangebyscore(this.nodesKey, Date.now() - this.ttlSeconds * 1000, '+inf');
    const others = live.filter((n) => n !== this.node);
    if (others.length === 0) return false;
    const pipeline = this.redis.pipeline();
    for (const n of others) pipeline.sismember(this.keyOf(n), userId);
    const results = (await pipeline.exec()) ?? [];
    return results.some(([err, value]) => !err && value === 1);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.reassert);
    await this.redis.multi().del(this.mineKey).zrem(this.nodesKey, this.node).exec().catch(() => {});
  }

  private keyOf(node: string): string {
    return `${this.prefix}:presence:node:${node}`;
  }

  /** Refreshes this node's entry and re-asserts its users (they survive a Redis restart). */
  private async heartbeat(): Promise<void> {
    const users = this.hub.userIds();
    const multi = this.redis.multi().zadd(this.nodesKey, Date.now(), this.node);
    if (users.length) multi.sadd(this.mineKey, ...users);
    multi.expire(this.mineKey, this.ttlSeconds);
    await multi.exec();
  }
}
