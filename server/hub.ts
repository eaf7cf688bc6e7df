/**
 * The connections of this node, by participant id. Several tabs of one person are
 * several clients under one id; each gets every frame meant for that person.
 */
import type { Client, Delivery } from './client.ts';
import { CLOSE } from './ws-close-codes.ts';

export class Hub {
  private readonly byUser = new Map<string, Set<Client>>();

  add(client: Client): void {
    let set = this.byUser.get(client.userId);
    if (!set) this.byUser.set(client.userId, (set = new Set()));
    set.add(client);
  }

  /** Returns true when it was the person's last connection on this node. */
  remove(client: Client): boolean {
    const set = this.byUser.get(client.userId);
    if (!set) return true;
    set.delete(client);
    if (set.size === 0) this.byUser.delete(client.userId);
    return set.size === 0;
  }

  clientsOf(userId: string): Iterable<Client> {
    return this.byUser.get(userId) ?? [];
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  toUser(userId: string, frame: object): void {
    if (this.byUser.has(userId)) this.toUserText(userId, JSON.stringify(frame));
  }

  /** A frame already serialised: one string for all the person's sockets. */
  toUserText(userId: string, frame: string): void {
    const set = this.byUser.get(userId);
    if (set) for (const client of set) client.sendText(frame);
  }

  follow(userId: string, conversationId: string, lastSeq: number, catchUp = false): void {
    for (const client of this.clientsOf(userId)) {
      client.follow(conversationId, lastSeq);
      if (catchUp) client.catchUp(conversationId).catch(() => client.close(CLOSE.internal, 'gap_unreadable'));
    }
  }

  /**
   * A client whose gap cannot be read (the database does not answer) is closed with a
   * retryable code: it reconnects and resumes rather than going on with a hole.
   */
  deliver(userId: string, message: Delivery): void {
    const set = this.byUser.get(userId);
    if (!set) return;
    for (const client of set) client.deliver(message)?.catch(() => client.close(CLOSE.internal, 'gap_unreadable'));
  }

  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  get connections(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }
}
