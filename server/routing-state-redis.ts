/**
 * Routing state shared by every node through Redis. Each operation that touches
 * more than one key is one Lua script under server/lua/ (EVALSHA, falling back to
 * EVAL after a SCRIPT FLUSH or a restart), so the invariants of routing-state.ts
 * hold across nodes. Key layout, script contracts and the failure model:
 * docs/routing-state.md.
 *
 * This file sends the operations: argument checks, EVALSHA on a corked socket, the
 * client's lifetime. The key layout and the script table are in
 * routing-state-scripts.ts, the reading of the scripts' replies in
 * routing-state-replies.ts.
 */
import { Command, type Redis } from 'ioredis';
import { createRedis, waitReady } from './redis-connection.ts';
import {
  type AdvisorProfile,
  type AdvisorState,
  type AdvisorStatus,
  type ClaimResult,
  type EnqueueResult,
  type HeldConversation,
  type HeldConversationState,
  type QueueEntry,
  type RestoreHeldResult,
  type RoutingSnapshot,
  type RoutingState,
} from '../routing/routing-state.ts';
import { replies } from './routing-state-replies.ts';
import { lua, routingStateKeys, SCRIPTS, type KeyName, type ScriptName } from './routing-state-scripts.ts';

// Tests and tooling read the key layout from here, with the state.
export { routingStateKeys } from './routing-state-scripts.ts';

export interface RedisRoutingStateOptions {
  /** Namespace of every key, e.g. `infocig` or `infocig-staging`. */
  prefix: string;
  /** `close()` quits the client only when the state owns it. Default false. */
  ownsClient?: boolean;
}

/** Priorities are encoded in the sorted-set score as `-priority * 2^40 + order`, exact below 2^53. */
export const MAX_PRIORITY = 4095;
const STATUSES: readonly AdvisorStatus[] = ['available', 'away', 'offline'];
/** Conversations per restoreHeld script: a few ms of Redis each. */
const RESTORE_BATCH = 500;

function checkPriority(priority: number): void {
  if (!Number.isSafeInteger(priority) || Math.abs(priority) > MAX_PRIORITY) {
    throw new RangeError(`queue priority must be an integer between -${MAX_PRIORITY} and ${MAX_PRIORITY}, not ${priority}`);
  }
}

function checkStatus(status: string): void {
  if (!STATUSES.includes(status as AdvisorStatus)) throw new RangeError(`unknown advisor status ${JSON.stringify(status)}`);
}

/** The entry as stored, without `order` (the script assigns it) and with the given priority. */
function entryBody(entry: QueueEntry, priority: number): string {
  // The common case (a fresh entry) is stringified as is: no copy per enqueue.
  if (entry.order === undefined && entry.priority === priority) return JSON.stringify(entry);
  const { order: _order, ...rest } = entry;
  return JSON.stringify({ ...rest, priority });
}

export class RedisRoutingState implements RoutingState {
  readonly prefix: string;
  private readonly ownsClient: boolean;
  private readonly keys: Record<KeyName, string>;
  private readonly scriptKeys: Record<ScriptName, string[]>;
  private readonly scripts = lua();
  /** The socket corked for the rest of this tick, if any. */
  private corked: { uncork(): void } | null = null;
  private readonly uncork = () => {
    this.corked?.uncork();
    this.corked = null;
  };

  constructor(
    private readonly redis: Redis,
    options: RedisRoutingStateOptions,
  ) {
    if (!options.prefix) throw new Error('RedisRoutingState needs a key prefix');
    this.prefix = options.prefix;
    this.ownsClient = options.ownsClient ?? false;
    this.keys = routingStateKeys(options.prefix);
    // Several states (prefixes) may share a client: the scripts take their keys as KEYS.
    const scriptKeys = {} as Record<ScriptName, string[]>;
    for (const [name, script] of Object.entries(SCRIPTS) as [ScriptName, (typeof SCRIPTS)[ScriptName]][]) {
      scriptKeys[name] = script.keys.map((k) => this.keys[k]);
    }
    this.scriptKeys = scriptKeys;
  }

  async enqueue(entry: QueueEntry): Promise<EnqueueResult> {
    checkPriority(entry.priority);
    return replies.enqueue(await this.run('enqueue', entry.userId, entry.priority, entryBody(entry, entry.priority)), entry);
  }

  async cancel(userId: string): Promise<QueueEntry | null> {
    return replies.cancel(await this.run('cancel', userId));
  }

  async waitingEntry(userId: string): Promise<QueueEntry | null> {
    const json = await this.redis.hget(this.keys.users, `e:${userId}`);
    return json ? (JSON.parse(json) as QueueEntry) : null;
  }

  async conversationOf(userId: string): Promise<string | null> {
    return (await this.redis.hget(this.keys.users, `u:${userId}`)) ?? null;
  }

  async upsertAdvisor(profile: AdvisorProfile, status: AdvisorStatus, now: number): Promise<AdvisorState> {
    checkStatus(status);
    if (!Number.isFinite(profile.capacity)) throw new RangeError(`advisor capacity must be a finite number, not ${profile.capacity}`);
    const stored: AdvisorProfile = { id: profile.id, name: profile.name ?? null, capacity: profile.capacity, skills: profile.skills };
    const reply = await this.run('upsertAdvisor', profile.id, JSON.stringify(stored), status, String(now), String(profile.capacity));
    return replies.advisor('upsertAdvisor', reply)!;
  }

  async setAdvisorStatus(advisorId: string, status: AdvisorStatus, now: number): Promise<AdvisorState | null> {
    checkStatus(status);
    return replies.advisor('setAdvisorStatus', await this.run('setAdvisorStatus', advisorId, status, String(now)));
  }

  async claim(userId: string, advisorId: string, conversationId: string, now: number): Promise<ClaimResult> {
    return replies.claim(await this.run('claim', userId, advisorId, conversationId, String(now)));
  }

  async release(conversationId: string, now: number): Promise<void> {
    replies.release(await this.run('release', conversationId, String(now)));
  }

  async unclaim(conversationId: string, entry: QueueEntry, now: number): Promise<void> {
    const priority = Math.max(entry.priority, 1);
    checkPriority(priority);
    replies.unclaim(await this.run('unclaim', conversationId, String(now), entry.userId, priority, entryBody(entry, priority)));
  }

  async snapshot(): Promise<RoutingSnapshot> {
    return replies.snapshot(await this.run('snapshot'));
  }

  async initEpoch(candidate: string): Promise<{ epoch: string; created: boolean }> {
    return replies.initEpoch(await this.run('initEpoch', candidate));
  }

  async restoreHeld(conversations: HeldConversation[], now: number): Promise<RestoreHeldResult[]> {
    const out: RestoreHeldResult[] = [];
    // Batches keep each script short: Redis serves nobody else while one runs.
    for (let i = 0; i < conversations.length; i += RESTORE_BATCH) {
      const batch = conversations.slice(i, i + RESTORE_BATCH);
      const args = batch.flatMap((c) => [c.conversationId, c.userId, c.advisorId]);
      out.push(...replies.restoreHeld(await this.run('restoreHeld', String(now), ...args), batch.length));
    }
    return out;
  }

  async heldConversations(): Promise<HeldConversationState[]> {
    return replies.held(await this.run('held'));
  }

  async takeReconcileTurn(holder: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.reconcile, holder, 'PX', Math.max(1, Math.round(ms)), 'NX')) === 'OK';
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /**
   * Calls `listener` each time the client is ready again after losing its connection:
   * a Redis that restarted may have come back empty, which the next snapshot tells.
   */
  onReconnect(listener: () => void): void {
    let lost = false;
    this.redis.on('close', () => (lost = true));
    this.redis.on('ready', () => {
      if (!lost) return;
      lost = false;
      listener();
    });
  }

  /** Quits the client when the state owns it, waiting (up to 1 s) for the connection to end. */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    const client = this.redis;
    if (client.status === 'end') return;
    if (client.status !== 'ready') {
      // Not connected (and QUIT cannot wait in an offline queue): stop reconnecting, drop the socket.
      client.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      client.once('end', resolve);
      timer = setTimeout(resolve, 1_000);
    });
    try {
      await client.quit();
      await ended;
    } catch {
      client.disconnect();
    } finally {
      clearTimeout(timer);
    }
    if ((client.status as string) !== 'end') client.disconnect();
  }

  /**
   * EVALSHA of one script, EVAL when Redis does not know it (NOSCRIPT: after a restart
   * or SCRIPT FLUSH). The command goes straight to the socket, corked until the end of
   * the tick: the calls made by the loops that one batch of replies woke go out in one
   * write. That is what auto-pipelining would do, without its per-command pipeline and
   * promise layers, and without its one-batch-in-flight rule.
   */
  private async run(script: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    const { sha, source } = this.scripts[script];
    const keys = this.scriptKeys[script];
    this.cork();
    try {
      return await this.send(new Command('evalsha', [sha, keys.length, ...keys, ...args], { replyEncoding: 'utf8' }));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.send(new Command('eval', [source, keys.length, ...keys, ...args], { replyEncoding: 'utf8' }));
    }
  }

  private send(command: Command): Promise<unknown> {
    this.redis.sendCommand(command);
    return command.promise;
  }

  private cork(): void {
    if (this.corked || this.redis.status !== 'ready') return;
    const socket = this.redis.stream;
    socket.cork();
    this.corked = socket;
    process.nextTick(this.uncork);
  }
}

export interface ConnectRedisRoutingStateOptions {
  /** Key namespace, e.g. `infocig`; one per deployment sharing the Redis. */
  prefix: string;
  /** Client name shown by CLIENT LIST. Default `infocig-routing`. */
  name?: string;
  /** Connection errors (refused, reset, READONLY…), e.g. to log them at warn. */
  onError?: (err: Error) => void;
  /** How long to wait for the first connection before giving up. Default 5 s. */
  readyTimeoutMs?: number;
}

/**
 * The state on its own client (created with createRedis, closed by `close()`), once
 * the client is ready. Rejects, and closes the client, if Redis does not answer in time.
 */
export async function connectRedisRoutingState(url: string, o: ConnectRedisRoutingStateOptions): Promise<RedisRoutingState> {
  const client = createRedis(url, { name: o.name ?? 'infocig-routing', onError: o.onError });
  try {
    await waitReady(client, o.readyTimeoutMs ?? 5_000);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return new RedisRoutingState(client, { prefix: o.prefix, ownsClient: true });
}
