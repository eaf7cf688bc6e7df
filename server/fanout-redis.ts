/**
 * Fan-out across nodes through Redis pub/sub: one channel per deployment. An event
 * is applied to this node's sockets at once and published for the others, which
 * ignore their own. Nothing here is durable: the database is the source of truth.
 *
 * Every node reads every event, so reading one must cost little. The events of one
 * tick (a committed batch of messages, their acks…) go out as one publish:
 *
 *   <node id> \n ( <routing header, JSON> \n <frame, as sockets receive it> \n )*
 *
 * (JSON never holds a raw newline, so lines cannot be confused.) A node skips its own
 * publishes by the first line, and events for people with no socket here after
 * parsing only the short header; the frame is never parsed: it is written to the
 * sockets as it came.
 *   message: ["m", userIds, conversationId, seq]   frame: the message
 *   frame:   ["f", [userId]]                       frame: any server frame
 *   ticket:  ["t", [userId] or [], matricola, sede]  frame: a ticket's update, for its owner
 *            and whoever here holds its matricola and may see it (Hub.toTicketViewers)
 *   follow:  ["F", userIds, conversationId, lastSeq, catchUp]   (no frame; every node
 *            applies it, since it also makes cached participants stale)
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StoredMessage } from './chat-store.ts';
import { applyLocally, frameEvent, messageEvent, ticketEvent, type Fanout, type FanoutEvent } from './fanout.ts';
import type { Hub } from './hub.ts';
import type { TicketAccess } from './ticket-rules.ts';

export class RedisFanout implements Fanout {
  private readonly channel: string;
  private readonly self: string;
  private readonly listeners: ((conversationId: string) => void)[] = [];
  private readonly missedListeners: (() => void)[] = [];

  private constructor(
    private readonly hub: Hub,
    private readonly pub: Redis,
    private readonly sub: Redis,
    prefix: string,
    node: string,
    private readonly log: Logger,
  ) {
    this.channel = `${prefix}:fanout`;
    this.self = `${node}\n`;
  }

  static async start(o: { hub: Hub; pub: Redis; sub: Redis; prefix: string; node: string; log: Logger }): Promise<RedisFanout> {
    const fanout = new RedisFanout(o.hub, o.pub, o.sub, o.prefix, o.node, o.log);
    o.sub.on('message', (channel: string, raw: string) => channel === fanout.channel && fanout.receive(raw));
    await o.sub.subscribe(fanout.channel);
    // ioredis subscribes again after a reconnect and then says 'ready'; whatever was
    // published meanwhile never arrives (pub/sub keeps nothing).
    o.sub.on('ready', () => fanout.missed());
    return fanout;
  }

  onFollow(listener: (conversationId: string) => void): void {
    this.listeners.push(listener);
  }

  onMissed(listener: () => void): void {
    this.missedListeners.push(listener);
  }

  private missed(): void {
    this.log.warn('fan-out subscription back after a drop: events of that time are lost; cached participants forgotten');
    for (const listener of this.missedListeners) listener();
  }

  toUser(userId: string, frame: object): void {
    this.emit(frameEvent(userId, frame));
  }

  toTicketViewers(ticket: TicketAccess, frame: object): void {
    this.emit(ticketEvent(ticket, frame));
  }

  deliver(userIds: string[], message: StoredMessage): void {
    this.emit(messageEvent(userIds, message));
  }

  follow(userIds: string[], conversationId: string, lastSeq: number, catchUp = false): void {
    this.emit({ kind: 'follow', userIds, conversationId, lastSeq, catchUp });
  }

  async close(): Promise<void> {
    await this.sub.unsubscribe(this.channel).catch(() => {});
  }

  /** Encoded events waiting for the end of the tick; order is kept. */
  private outbox = '';
  private queued = 0;

  private emit(event: FanoutEvent): void {
    applyLocally(this.hub, event, this.listeners);
    if (this.queued === 0) process.nextTick(() => this.flush());
    this.outbox += encode(event);
    if (++this.queued >= MAX_EVENTS_PER_PUBLISH || this.outbox.length >= MAX_PUBLISH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.queued === 0) return;
    const payload = this.self + this.outbox;
    this.outbox = '';
    this.queued = 0;
    // At-most-once by design; a lost message is recovered by the cursors (gap fill) and resume.
    this.pub.publish(this.channel, payload).catch((err: Error) => this.publishFailed(err));
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
    if (raw.startsWith(this.self)) return;
    const here: Wanted = {
      people: (userIds) => userIds.some((id) => this.hub.isOnline(id)),
      ticket: (ticket) => this.hub.hasTicketViewers(ticket),
    };
    for (const event of decode(raw, here)) applyLocally(this.hub, event, this.listeners);
  }
}

/** A publish stays small (well under Redis's limits, a few reads for a receiver), even of long messages. */
const MAX_EVENTS_PER_PUBLISH = 256;
const MAX_PUBLISH_CHARS = 256 * 1024;

/** One event's lines (header, frame), each ending in a newline. */
export function encode(event: FanoutEvent): string {
  switch (event.kind) {
    case 'message': {
      const d = event.delivery;
      return `${JSON.stringify(['m', event.userIds, d.conversationId, d.seq])}\n${d.frame}\n`;
    }
    case 'frame':
      return `${JSON.stringify(['f', [event.userId]])}\n${event.frame}\n`;
    case 'ticket': {
      const t = event.ticket;
      return `${JSON.stringify(['t', t.userId === null ? [] : [t.userId], t.matricola, t.sede])}\n${event.frame}\n`;
    }
    case 'follow':
      return `${JSON.stringify(['F', event.userIds, event.conversationId, event.lastSeq, event.catchUp])}\n\n`;
  }
}

/** Whether an event is for anyone on this node, from its header alone. */
export interface Wanted {
  people(userIds: string[]): boolean;
  ticket(ticket: TicketAccess): boolean;
}

/**
 * The events of one publish (node line included), in order; malformed ones are
 * skipped, and so are messages and frames for which `wanted` says none of their
 * people are here (their frame is not even cut out).
 */
export function decode(raw: string, wanted: Wanted): FanoutEvent[] {
  const events: FanoutEvent[] = [];
  let at = raw.indexOf('\n') + 1;
  while (at > 0 && at < raw.length) {
    const frameAt = raw.indexOf('\n', at) + 1;
    const end = frameAt === 0 ? -1 : raw.indexOf('\n', frameAt);
    if (end < 0) break;
    const event = decodeOne(raw, raw.slice(at, frameAt - 1), frameAt, end, wanted);
    if (event) events.push(event);
    at = end + 1;
  }
  return events;
}

function decodeOne(raw: string, header: string, frameAt: number, end: number, wanted: Wanted): FanoutEvent | null {
  let h: unknown;
  try {
    h = JSON.parse(header);
  } catch {
    return null;
  }
  if (!Array.isArray(h) || !Array.isArray(h[1]) || !h[1].every((id) => typeof id === 'string')) return null;
  const [kind, userIds] = h as [unknown, string[]];
  if (kind === 'F') {
    if (typeof h[2] !== 'string' || typeof h[3] !== 'number') return null;
    return { kind: 'follow', userIds, conversationId: h[2], lastSeq: h[3], catchUp: h[4] === true };
  }
  if (kind === 't') {
    const [, , matricola, sede] = h as [unknown, string[], unknown, unknown];
    if (userIds.length > 1 || (matricola !== null && typeof matricola !== 'string') || typeof sede !== 'string') return null;
    const ticket: TicketAccess = { userId: userIds[0] ?? null, matricola, sede };
    return wanted.ticket(ticket) ? { kind: 'ticket', ticket, frame: raw.slice(frameAt, end) } : null;
  }
  if (!wanted.people(userIds)) return null;
  const frame = raw.slice(frameAt, end);
  if (kind === 'f' && userIds.length === 1) return { kind: 'frame', userId: userIds[0]!, frame };
  if (kind === 'm' && typeof h[2] === 'string' && typeof h[3] === 'number') return { kind: 'message', userIds, delivery: { conversationId: h[2], seq: h[3], frame } };
  return null;
}
