/**
 * Fan-out across nodes through Redis pub/sub: one channel per deployment. An event
 * is applied to this node's sockets at once and published for the others, which
 * ignore their own. Nothing here is durable: the database is the source of truth.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StoredMessage } from './chat-store.ts';
import { applyLocally, type Fanout, type FanoutEvent } from './fanout.ts';
import type { Hub } from './hub.ts';

interface Envelope {
  node: string;
  event: FanoutEvent;
}

export class RedisFanout implements Fanout {
  private readonly channel: string;
  private readonly listeners: ((conversationId: string) => void)[] = [];

  private constructor(
    private readonly hub: Hub,
    private readonly pub: Redis,
    private readonly sub: Redis,
    prefix: string,
    private readonly node: string,
    private readonly log: Logger,
  ) {
    this.channel = `${prefix}:fanout`;
  }

  static async start(o: { hub: Hub; pub: Redis; sub: Redis; prefix: string; node: string; log: Logger }): Promise<RedisFanout> {
    const fanout = new RedisFanout(o.hub, o.pub, o.sub, o.prefix, o.node, o.log);
    o.sub.on('message', (channel: string, raw: string) => channel === fanout.channel && fanout.receive(raw));
    await o.sub.subscribe(fanout.channel);
    return fanout;
  }

  onFollow(listener: (conversationId: string) => void): void {
    this.listeners.push(listener);
  }

  toUser(userId: string, frame: object): void {
    this.emit({ kind: 'frame', userId, frame });
  }

  deliver(userIds: string[], message: StoredMessage): void {
    this.emit({ kind: 'message', userIds, message });
  }

  follow(userIds: string[], conversationId: string, lastSeq: number, catchUp = false): void {
    this.emit({ kind: 'follow', userIds, conversationId, lastSeq, catchUp });
  }

  async close(): Promise<void> {
    await this.sub.unsubscribe(this.channel).catch(() => {});
  }

  private emit(event: FanoutEvent): void {
    applyLocally(this.hub, event, this.listeners);
    const envelope: Envelope = { node: this.node, event };
    // At-most-once by design; a lost message is recovered by the cursors (gap fill) and resume.
    this.pub.publish(this.channel, JSON.stringify(envelope)).catch((err: Error) => this.publishFailed(err));
  }

  private failures = 0;
  private lastFailureLog = 0;

  /** During a Redis outage every publish fails: one line every 10 s with the count, not one each. */
  private publishFailed(err: Error): void {
    this.failures++;
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.log.warn({ failures: this.failures, error: err.message }, 'fan-out publish failing; other nodes catch up from the database');
    this.failures = 0;
    this.lastFailureLog = now;
  }

  private receive(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.node === this.node) return;
    const event = envelope.event;
    if (event.kind === 'message') event.message.at = new Date(event.message.at);
    applyLocally(this.hub, event, this.listeners);
  }
}
