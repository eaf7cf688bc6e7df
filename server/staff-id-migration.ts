/**
 * Turning STAFF_ID_KEY on over existing data (docs/security.md, "Staff ids"): every
 * staff id already written (an identity provider's `sub`) is rewritten to its
 * pseudonym, so that old chats stop naming an advisor by their `sub` and the
 * staff directory still finds them. Run with every node stopped
 * (scripts/staff-id.ts --migrate), in one transaction.
 *
 * A column shared by users and staff is rewritten only on the rows a staff member
 * wrote (their role column says so): a person who is also a user keeps their `sub`
 * there. The access log is append-only (a trigger refuses updates) and is left as is.
 */
import { sql, TransactionRollbackError, type SQL } from 'drizzle-orm';
import { STAFF_ROLES } from '../routing/types.ts';
import { queryRows, type Db } from './db.ts';
import { STAFF_ID_PREFIX, type StaffIdOf } from './staff-ids.ts';

const STAFF = `(${STAFF_ROLES.map((r) => `'${r}'`).join(', ')})`;

/**
 * Where staff ids are written; `staffRows`: which rows are staff's in a column users write too;
 * `knownElsewhere`: a column with no role beside it, whose values are rewritten only when
 * another place names them as staff, never found from it: a chat's closer may be the router
 * (`system`), a request's closer a consultant who withdrew a company's request.
 */
const PLACES: { table: string; column: string; staffRows?: string; knownElsewhere?: true }[] = [
  { table: 'conversations', column: 'advisor_id' },
  { table: 'conversations', column: 'closed_by', staffRows: 'closed_by <> user_id', knownElsewhere: true },
  { table: 'messages', column: 'sender_id', staffRows: `sender_role in ${STAFF}` },
  { table: 'tickets', column: 'created_by', staffRows: `created_by_role in ${STAFF}` },
  { table: 'tickets', column: 'taken_by' },
  { table: 'tickets', column: 'closed_by', staffRows: 'closed_by is distinct from user_id', knownElsewhere: true },
  { table: 'ticket_replies', column: 'author_id', staffRows: `author_role in ${STAFF}` },
  { table: 'ticket_notes', column: 'author_id', staffRows: `author_role in ${STAFF}` },
  { table: 'ticket_audit', column: 'actor_id', staffRows: `actor_role in ${STAFF}` },
  {
    table: 'ticket_attachments',
    column: 'uploaded_by',
    staffRows: `exists (select 1 from ticket_replies r where r.ticket_id = ticket_attachments.ticket_id and r.seq = ticket_attachments.reply_seq and r.author_role in ${STAFF})`,
  },
  { table: 'dashboard_audit', column: 'actor_id', staffRows: `actor_role in ${STAFF}` },
  { table: 'dashboard_audit', column: 'target', staffRows: `action = 'advisor.queues'` },
  { table: 'ticket_only_provinces', column: 'set_by' },
  { table: 'announcements', column: 'created_by' },
  { table: 'announcements', column: 'withdrawn_by' },
];

/** Read only: staff who only ever read something are still found, their later rows written under the pseudonym. */
const ALSO_KNOWN_FROM = [
  { table: 'advisors', column: 'id' },
  { table: 'access_log', column: 'actor_id', staffRows: `actor_role in ${STAFF}` },
];

export interface StaffIdMigration {
  /** Staff ids found that were not pseudonyms yet. */
  staff: number;
  /** Rows rewritten, by `table.column`. */
  rewritten: Record<string, number>;
}

function staffIdsQuery(): SQL {
  const selects = [...PLACES.filter((p) => !p.knownElsewhere), ...ALSO_KNOWN_FROM].map(
    (p) => `select ${p.column} as id from ${p.table} where ${p.column} is not null${p.staffRows ? ` and ${p.staffRows}` : ''}`,
  );
  return sql.raw(`select distinct id from (${selects.join(' union ')}) ids order by id`);
}

/** Whether an id already is a pseudonym: `staff-` and 22 base64url characters. */
function isPseudonym(id: string): boolean {
  return new RegExp(`^${STAFF_ID_PREFIX}[A-Za-z0-9_-]{22}$`).test(id);
}

/** Rewrites every staff id in the database to `idOf(id)`; `dryRun` counts without changing anything. */
export async function migrateStaffIds(db: Db, idOf: StaffIdOf, o: { dryRun?: boolean } = {}): Promise<StaffIdMigration> {
  const found = (await queryRows<{ id: string }>(db, staffIdsQuery())).map((r) => r.id).filter((id) => !isPseudonym(id));
  const rewritten: Record<string, number> = {};
  if (found.length === 0) return { staff: 0, rewritten };
  const pairs = sql.join(found.map((id) => sql`(${id}, ${idOf(id)})`), sql`, `);
  const mapping = sql`with m(old, new) as (values ${pairs})`;
  await db.transaction(async (tx) => {
    // A row already under the pseudonym (the demo seed, with the key on) gives way to the row the supervisors edited.
    await tx.execute(sql`${mapping} delete from advisors using m where advisors.id = m.new and exists (select 1 from advisors o where o.id = m.old)`);
    const places = [{ table: 'advisors', column: 'id' } as (typeof PLACES)[number], ...PLACES];
    for (const p of places) {
      const col = sql.raw(`${p.table}.${p.column}`);
      const staffRows = p.staffRows ? sql.raw(` and ${p.staffRows}`) : sql``;
      const rows = await queryRows(tx as unknown as Db, sql`${mapping} update ${sql.raw(p.table)} set ${sql.raw(p.column)} = m.new from m where ${col} = m.old${staffRows} returning 1`);
      if (rows.length > 0) rewritten[`${p.table}.${p.column}`] = rows.length;
    }
    if (o.dryRun) tx.rollback();
  }).catch((err: unknown) => {
    if (!(o.dryRun && err instanceof TransactionRollbackError)) throw err;
  });
  return { staff: found.length, rewritten };
}
