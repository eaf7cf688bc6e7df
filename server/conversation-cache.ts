/**
 * A cache of who takes part in an open conversation, so that the hot path (every
 * message, typing and read mark) does not read the conversation row each time.
 *
 * People write a message every few seconds: with entries living one second (as
 * before), nearly every real message paid a database read before its append, a
 * second round trip on the way to its ack. Entries now live `ttlMs` (a minute)
 * from their read, because staleness is handled by events, not by age:
 * - an assignment or hand-over, decided on any node, reaches every node as a
 *   fan-out `follow` event, which forgets the conversation (ChatService);
 * - when the fan-out may have missed events (its subscription dropped and came
 *   back), everything is forgotten (`clear`);
 * - closing on this node forgets it; closed on another node, a message is still
 *   refused by the database, which decides whether one may be stored.
 * The minute bounds what a lost event could cost. Only routing reads (send,
 * typing, read) use the cache; closing, escalating and transferring read the row.
 */
import type { ConversationRecord } from './chat-store.ts';

export class ConversationCache {
  private readonly entries = new Map<string, { conv: ConversationRecord; at: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached record; null when absent or older than `ttlMs` (counted from the read, not renewed by use). */
  get(id: string, now = Date.now()): ConversationRecord | null {
    const hit = this.entries.get(id);
    if (!hit) return null;
    if (now - hit.at > this.ttlMs) {
      this.entries.delete(id);
      return null;
    }
    return hit.conv;
  }

  set(conv: ConversationRecord, now = Date.now()): void {
    if (conv.status !== 'open') {
      this.entries.delete(conv.id);
      return;
    }
    this.entries.delete(conv.id);
    this.entries.set(conv.id, { conv, at: now });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Forgets everything: events that would have made entries stale may have been missed. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
