/**
 * A short-lived cache of who takes part in an open conversation, so that the hot
 * path (every message, typing and read mark) does not read the conversation row
 * each time. Entries live `ttlMs`: a hand-over decided on another node is seen
 * within that time. Only routing reads (send, typing, read) use it; closing,
 * escalating and transferring always read the row. Whether a message may be
 * stored is still decided by the database (a closed conversation is refused there).
 */
import type { ConversationRecord } from './chat-store.ts';

export class ConversationCache {
  private readonly entries = new Map<string, { conv: ConversationRecord; at: number }>();

  constructor(
    private readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

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
}
