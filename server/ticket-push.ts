/**
 * Live updates of a user's Linea INPS requests: after a change the user side
 * sees (a public reply, a change of status, a transfer to another sede) is
 * committed, a `ticket.updated` frame goes to every socket of the request's
 * owner, on any node (the fan-out). "Le mie richieste" and the open thread
 * then read it again over HTTP, with the reader's own authorisation: the
 * frame says that something changed and what the list shows of it, never the
 * text of a reply. Internal notes never push (users are not told they exist).
 *
 * To whom: the request's owner (`user_id`, its author on the user side).
 * Others who see it through a matricola (an intermediary holding the
 * company, the company's employer) are not pushed to: sockets are found by
 * user, and no node knows who holds a matricola without reading every
 * token. Their pages refresh on reconnect and when the tab is shown again
 * (widgets/chat/ticket-live.js). A request with no owner (an office wrote to
 * a matricola only) pushes to nobody. See docs/tickets.md, "Live updates".
 */
import type { Fanout } from './fanout.ts';
import type { TicketRecord } from './ticket-store.ts';

/** What changed, and on which side the person acting was. */
export interface TicketChange {
  reason: 'reply' | 'status' | 'transfer';
  by: 'office' | 'user';
}

export type TicketUpdated = (ticket: TicketRecord, change: TicketChange) => void;

/** The frame: the row's facts as the list shows them, and why it changed. */
export function ticketUpdatedFrame(ticket: TicketRecord, change: TicketChange) {
  return {
    type: 'ticket.updated',
    ticketId: ticket.id,
    protocol: ticket.protocol,
    status: ticket.status,
    respondedAt: ticket.respondedAt?.toISOString() ?? null,
    updatedAt: ticket.updatedAt.toISOString(),
    reason: change.reason,
    by: change.by,
  };
}

/** Pushes to the owner's sockets; best-effort, like every frame that is not a chat message. */
export function ticketPusher(fanout: Fanout): TicketUpdated {
  return (ticket, change) => {
    if (ticket.userId === null) return;
    fanout.toUser(ticket.userId, ticketUpdatedFrame(ticket, change));
  };
}
