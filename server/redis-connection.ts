/**
 * The one place that creates ioredis clients, with options chosen so that a Redis
 * outage or failover fails commands fast instead of queueing them:
 *
 * - `enableOfflineQueue: false`: while disconnected, a command is refused at once
 *   ("Stream isn't writeable…"). The default unbounded queue would replay stale
 *   writes (an old claim, an old advisor status) minutes later, after reconnecting.
 * - `maxRetriesPerRequest: 1`: a command in flight when the connection drops is
 *   sent again at most once, on the first successful reconnect; otherwise it fails.
 *   Every routing-state script is safe to run twice (see docs/routing-state.md).
 * - `retryStrategy`: exponential backoff from 50 ms, capped at 2 s, with jitter;
 *   it never gives up, so the node heals by itself when Redis comes back.
 * - `reconnectOnError`: a `READONLY` reply means we are talking to a demoted
 *   primary after a failover; reconnect (DNS / the service address then leads to the
 *   new primary). The failed command is rejected, never silently resent.
 * - `connectTimeout` 3 s, `keepAlive` 10 s: dead peers are noticed.
 * - `lazyConnect: false`: connects at once; `waitReady` waits for it.
 */
import { Redis, type RedisOptions } from 'ioredis';

export interface CreateRedisOptions {
  /** Shown by `CLIENT LIST` (CLIENT SETNAME); spaces are replaced. */
  name: string;
  /** Called for connection errors (refused, reset, READONLY…). Default: ignored; the readiness probe reports the outage. */
  onError?: (err: Error) => void;
  connectTimeoutMs?: number;
  /**
   * Rejects a command without a reply after this long. Off by default: a timed-out
   * write may still have run, and callers treat a rejection as "did not happen".
   */
  commandTimeoutMs?: number;
}

const RETRY_BASE_MS = 50;
const RETRY_CAP_MS = 2_000;

/** Backoff for reconnect attempt `times` (1, 2, …): 50 ms doubling, capped at 2 s, plus up to 100 ms jitter. Never gives up. */
export function retryDelay(times: number): number {
  const exp = RETRY_BASE_MS * 2 ** Math.min(Math.max(times - 1, 0), 10);
  return Math.min(exp, RETRY_CAP_MS) + Math.floor(Math.random() * 100);
}

/** Reconnect when a failover demoted the server we talk to; the failing command is rejected (1), not resent. */
export function reconnectOnReadonly(err: Error): boolean | 1 {
  return err.message.includes('READONLY') ? 1 : false;
}

export function redisOptions(o: CreateRedisOptions): RedisOptions {
  const options: RedisOptions = {
    connectionName: o.name.replace(/\s+/g, '-'),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: retryDelay,
    reconnectOnError: reconnectOnReadonly,
    connectTimeout: o.connectTimeoutMs ?? 3_000,
    keepAlive: 10_000,
    enableReadyCheck: true,
    lazyConnect: false,
    // Commands issued in the same event-loop turn go out in one write: fewer syscalls on
    // the node, same order per client, no change in what each command means.
    enableAutoPipelining: true,
  };
  if (o.commandTimeoutMs !== undefined) options.commandTimeout = o.commandTimeoutMs;
  return options;
}

/** A client for `url` (`redis://[user:pass@]host:port[/db]` or `rediss://…`), connecting at once. */
export function createRedis(url: string, o: CreateRedisOptions): Redis {
  const client = new Redis(url, redisOptions(o));
  // Without a listener ioredis prints every reconnect failure to stderr.
  client.on('error', (err: Error) => o.onError?.(err));
  return client;
}

/** Resolves once `client` is ready for commands; rejects after `ms`, or when it gave up. */
export function waitReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onError = (err: Error) => {
      lastError = err;
    };
    const onEnd = () => done(new Error(`Redis connection ended${lastError ? `: ${lastError.message}` : ''}`));
    const timer = setTimeout(
      () => done(new Error(`Redis not ready after ${ms} ms (status ${client.status}${lastError ? `; ${lastError.message}` : ''})`)),
      ms,
    );
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
  });
}
