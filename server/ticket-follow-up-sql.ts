/**
 * The chain of follow-ups on SQL (docs/tickets.md, "Follow-up requests"): which
 * later requests, linked to one by `follows` directly or link by link, are at a
 * given sede now. An office that holds such a follow-up reads the earlier
 * request as its history (ticket-follow-up.ts, `historyAccess`).
 *
 * One recursive query, walking forward from the earlier request through
 * `tickets_follows_idx` (the same partial index that lists `followedBy`). A
 * request only ever follows one that existed before it and `follows` is never
 * rewritten, so the chain has no cycles; the depth bound is a guard all the same.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from './db.ts';
import type { FollowUpAtSede } from './ticket-store.ts';

/** Longest chain walked: far beyond what a person writes (each link is a request closed, then followed up). */
const CHAIN_DEPTH_MAX = 64;

export async function followUpsAtSede(db: Db, ticketId: string, sede: string): Promise<FollowUpAtSede[]> {
  const rows = await queryRows<{ via: string; id: string; protocol: string }>(
    db,
    sql`with recursive chain (id, sede, protocol, created_at, via, depth) as (
          select id, sede, protocol, created_at, id, 1 from tickets where follows_ticket_id = ${ticketId}
          union all
          select t.id, t.sede, t.protocol, t.created_at, c.via, c.depth + 1
            from tickets t join chain c on t.follows_ticket_id = c.id
           where c.depth < ${CHAIN_DEPTH_MAX}
        )
        select via, id, protocol from chain where sede = ${sede} order by created_at, id`,
  );
  return rows.map((r) => ({ via: String(r.via), held: { id: String(r.id), protocol: r.protocol } }));
}
