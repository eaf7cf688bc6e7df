/**
 * Fan-out: frames and stored messages reach a person's sockets on whichever node
 * they are connected to.
 *
 * The in-process implementation serves one node. The Redis one publishes every
 * event on one channel that all nodes of the deployment read. Redis pub/sub is
 * at-most-once; that is safe for messages because each socket's cursor notices a
 * gap at the next message and reads it from the database, and on reconnect the
 * client resumes from its last seq. Frames other than messages (typing, positions)
 * are best-effort by nature.
 *
 * A frame is serialised once, where the event starts, and that string is what every
 * socket receives, on this node and (as it is) on the others.
 */
import type { StoredMessage } from './chat-store.ts';
import { deliveryOf, type Delivery } from './client.ts';
import type { Hub } from './hub.ts';
import type { TicketAccess } from './ticket-rules.ts';

export interface Fanout {
  /** Called on this node for every conversation assigned or handed over, wherever it was decided. */
  onFollow(listener: (conversationId: string) => void): void;
  /** Called when events from other nodes may have been lost (the subscription dropped and is back). */
  onMissed(listener: () => void): void;
  toUser(userId: string, frame: object): void;
  /**
   * A frame about a ticket for everyone on the user side who may see it: its owner,
   * and those who see it through its matricola. Each node picks its own sockets by
   * the facts carried (Hub.toTicketViewers), so nobody needs to know beforehand
   * who holds a matricola.
   */
  toTicketViewers(ticket: TicketAccess, frame: object): void;
  /** A stored message for every socket of these participants. */
  deliver(userIds: string[], message: StoredMessage): void;
  /** The participants' sockets start following a conversation from `lastSeq`; with `catchUp`, they are sent what follows it at once. */
  follow(userIds: string[], conversationId: string, lastSeq: number, catchUp?: boolean): void;
  close(): Promise<void>;
}

/** Events as they travel between nodes; frames already serialised. */
export type FanoutEvent =
  | { kind: 'frame'; userId: string; frame: string }
  | { kind: 'ticket'; ticket: TicketAccess; frame: string }
  | { kind: 'message'; userIds: string[]; delivery: Delivery }
  | { kind: 'follow'; userIds: string[]; conversationId: string; lastSeq: number; catchUp: boolean };

export function frameEvent(userId: string, frame: object): FanoutEvent {
  return { kind: 'frame', userId, frame: JSON.stringify(frame) };
}

/** Only the facts the visibility rule reads travel, never more of the ticket. */
export function ticketEvent(ticket: TicketAccess, frame: object): FanoutEvent {
  return { kind: 'ticket', ticket: { userId: ticket.userId, matricola: ticket.matricola, sede: ticket.sede }, frame: JSON.stringify(frame) };
}

export function messageEvent(userIds: string[], message: StoredMessage): FanoutEvent {
  return { kind: 'message', userIds, delivery: deliveryOf(message) };
}

/** Applies an event to this node's sockets. */
export function applyLocally(hub: Hub, event: FanoutEvent, followListeners: ((conversationId: string) => void)[] = []): void {
  switch (event.kind) {
    case 'frame':
      hub.toUserText(event.userId, event.frame);
      return;
    case 'ticket':
      hub.toTicketViewers(event.ticket, event.frame);
      return;
    case 'message':
      for (const userId of event.userIds) hub.deliver(userId, event.delivery);
      return;
    case 'follow':
      for (const listener of followListeners) listener(event.conversationId);
      for (const userId of event.userIds) hub.follow(userId, event.conversationId, event.lastSeq, event.catchUp);
  }
}

export class LocalFanout implements Fanout {
  private readonly listeners: ((conversationId: string) => void)[] = [];
  constructor(private readonly hub: Hub) {}
  onFollow(listener: (conversationId: string) => void): void {
    this.listeners.push(listener);
  }
  /** One process: nothing travels, nothing can be missed. */
  onMissed(): void {}
  toUser(userId: string, frame: object): void {
    applyLocally(this.hub, frameEvent(userId, frame));
  }
  toTicketViewers(ticket: TicketAccess, frame: object): void {
    applyLocally(this.hub, ticketEvent(ticket, frame));
  }
  deliver(userIds: string[], message: StoredMessage): void {
    applyLocally(this.hub, messageEvent(userIds, message));
  }
  follow(userIds: string[], conversationId: string, lastSeq: number, catchUp = false): void {
    applyLocally(this.hub, { kind: 'follow', userIds, conversationId, lastSeq, catchUp }, this.listeners);
  }
  async close(): Promise<void> {}
}
