/**
 * Live updates of a user's Linea INPS requests: after a change the user side
 * sees (a public reply, a change of status, a transfer to another sede) is
 * committed, a `ticket.updated` frame goes to every socket of the request's
 * owner, on any node (the fan-out). "Le mie richieste" and the open thread
 * then read it again over HTTP, with the reader's own authorisation: the
 * frame says that something changed and what the list shows of it, never the
 * text of a reply. Internal notes never push (users are not told they exist).
 *
 * To whom: everyone on the user side who may open the request, by the rule
 * every HTTP read of it applies (`mayView`, ticket-rules.ts): its owner
 * (`user_id`, its author on the user side) and those who see it through its
 * matricola (an employer whose token has that `matricola`, an intermediary
 * whose token lists it in `matricole`). No node knows who holds a matricola
 * elsewhere, so the fan-out carries the ticket's facts that rule reads (owner,
 * matricola, sede) and each node picks its own sockets: by user, and through
 * its index of the signed-in sockets by matricola, built from each socket's
 * verified identity at hello and left when the socket closes or its token
 * expires (hub-companies.ts). The owner gets it once even when they hold the
 * matricola too. Staff are not pushed to (their console polls). Best-effort:
 * a frame lost between nodes is made good when the page reconnects or the tab
 * is shown again (widgets/chat/ticket-live.js). See docs/tickets.md, "Live
 * updates".
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

/** Pushes to the sockets of those who may see the request; best-effort, like every frame that is not a chat message. */
export function ticketPusher(fanout: Fanout): TicketUpdated {
  return (ticket, change) => {
    if (ticket.userId === null && ticket.matricola === null) return;
    fanout.toTicketViewers(ticket, ticketUpdatedFrame(ticket, change));
  };
}
