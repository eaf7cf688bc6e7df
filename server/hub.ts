/**
 * The connections of this node, by participant id. Several tabs of one person are
 * several clients under one id; each gets every frame meant for that person.
 * Also by the companies the user side acts for (hub-companies.ts), for the live
 * updates of a company's requests.
 */
import type { Client, Delivery } from './client.ts';
import { CompanySockets } from './hub-companies.ts';
import type { TicketAccess } from './ticket-rules.ts';
import { CLOSE } from './ws-close-codes.ts';

/** A person's sockets here: the client itself when there is one (most people), a Set from the second. */
type Sockets = Client | Set<Client>;

/** Catch-up reads in flight at once after a fan-out drop: under half of the default pool of 10. */
const CATCH_UP_CONCURRENCY = 4;

export class Hub {
  /** No Set per person with one socket: an idle connection saves ~150 B. */
  private readonly byUser = new Map<string, Sockets>();
  private readonly companies = new CompanySockets();

  add(client: Client): void {
    this.companies.add(client);
    const here = this.byUser.get(client.userId);
    if (!here) this.byUser.set(client.userId, client);
    else if (here instanceof Set) here.add(client);
    else if (here !== client) this.byUser.set(client.userId, new Set([here, client]));
  }

  /** Returns true when it was the person's last connection on this node. */
  remove(client: Client): boolean {
    this.companies.remove(client);
    const here = this.byUser.get(client.userId);
    if (!here) return true;
    if (here instanceof Set) {
      here.delete(client);
      if (here.size > 1) return false;
      const [other] = here;
      if (other) this.byUser.set(client.userId, other);
      else this.byUser.delete(client.userId);
      return !other;
    }
    if (here !== client) return false;
    this.byUser.delete(client.userId);
    return true;
  }

  clientsOf(userId: string): Iterable<Client> {
    const here = this.byUser.get(userId);
    return here instanceof Set ? here : here ? [here] : [];
  }

  /** One client per person connected here (their identity is the same on every tab). */
  *people(): IterableIterator<Client> {
    for (const here of this.byUser.values()) {
      if (here instanceof Set) {
        const [first] = here;
        if (first) yield first;
      } else yield here;
    }
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  toUser(userId: string, frame: object): void {
    if (this.byUser.has(userId)) this.toUserText(userId, JSON.stringify(frame));
  }

  /** A frame already serialised: one string for all the person's sockets. */
  toUserText(userId: string, frame: string): void {
    const here = this.byUser.get(userId);
    if (here instanceof Set) for (const client of here) client.sendText(frame);
    else here?.sendText(frame);
  }

  /**
   * A frame about a ticket for every socket here that may see it: its owner's, and
   * those of whoever holds its matricola; the owner once, even when they hold the
   * matricola too. No second check per socket: `companies` indexes a socket under
   * `companyMatricole(identity)`, the very list by which `mayView` lets a user see
   * a company's ticket (ticket-rules.ts), so a check here could never refuse.
   */
  toTicketViewers(ticket: TicketAccess, frame: string): void {
    if (ticket.userId !== null) this.toUserText(ticket.userId, frame);
    if (ticket.matricola === null) return;
    for (const client of this.companies.holding(ticket.matricola)) {
      if (client.userId !== ticket.userId) client.sendText(frame);
    }
  }

  /** Someone here may be meant by a ticket's update (who exactly, `toTicketViewers` decides). */
  hasTicketViewers(ticket: TicketAccess): boolean {
    return (ticket.userId !== null && this.byUser.has(ticket.userId)) || (ticket.matricola !== null && this.companies.has(ticket.matricola));
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
    const here = this.byUser.get(userId);
    if (here instanceof Set) for (const client of here) this.deliverTo(client, message);
    else if (here) this.deliverTo(here, message);
  }

  private deliverTo(client: Client, message: Delivery): void {
    client.deliver(message)?.catch(() => client.close(CLOSE.internal, 'gap_unreadable'));
  }

  /**
   * Every socket here reads what it may have missed in every conversation it follows
   * (events from other nodes were lost while the fan-out subscription was down).
   * One read per followed conversation, with nothing missed an empty one; at most
   * `concurrency` at a time, so that thousands of them do not queue ahead of the
   * message appends on the same database pool. Returns how many reads were started.
   */
  catchUpAll(concurrency = CATCH_UP_CONCURRENCY): number {
    const work: [Client, string][] = [];
    for (const here of this.byUser.values()) {
      for (const client of here instanceof Set ? here : [here]) {
        for (const conversationId of client.following()) work.push([client, conversationId]);
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const [client, conversationId] = work[next++]!;
        await client.catchUp(conversationId).catch(() => client.close(CLOSE.internal, 'gap_unreadable'));
      }
    };
    for (let i = 0; i < Math.min(concurrency, work.length); i++) void worker();
    return work.length;
  }

  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  get connections(): number {
    let n = 0;
    for (const here of this.byUser.values()) n += here instanceof Set ? here.size : 1;
    return n;
  }
}
