/**
 * Who on the institute's side saw whose data (docs/access-log.md). A public
 * administration must be able to say which operator opened a citizen's chat or
 * request, and when; the `access_log` table (schema/access-tables.ts) answers.
 *
 * `record` is called by a route before it sends personal data to a staff
 * member (advisor, office operator, supervisor), and resolves once the row is
 * committed: no row, no data. When the write fails the route answers 503
 * `access_log_unavailable` and sends nothing. People reading their own chats and
 * requests are not recorded. Rows are append-only (a trigger refuses UPDATE,
 * DELETE and TRUNCATE); supervisors read them with `list`.
 */
import { and, count, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { isStaffRole, isUserRole } from '../routing/types.ts';
import { accessLog, type AccessLogRow } from '../schema/access-tables.ts';
import type { Identity } from './auth.ts';
import type { Db } from './db.ts';
import { csvCell } from './csv.ts';
import { AppError } from './errors.ts';
import type { StaffIdOf } from './staff-ids.ts';
import { companyMatricole } from './ticket-rules.ts';

export const ACCESS_ACTIONS = ['conversation.read', 'conversation.list', 'ticket.read', 'attachment.read', 'ticket.search', 'ticket.list', 'access_log.export', 'access_log.erase'] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];
/** The reads a person is shown under one of their requests (`mine` with `ticket`): each needs words in the chat's strings. */
export const REQUEST_READ_ACTIONS = ['ticket.read', 'attachment.read', 'ticket.list'] as const satisfies readonly AccessAction[];

export interface AccessEntry {
  action: AccessAction;
  /** What is read: a conversation, ticket or attachment id, or the matricola searched. */
  subjectId: string;
  /** Whose data it is: a user id, or `matricola:<m>` for a company (`ownerOfTicket`, `companyOwner`). */
  ownerId: string | null;
  /** Who else it belongs to, as the owner does: a chat's advisor reloading the chat they serve is not reading someone's file. */
  participants?: readonly string[];
  detail?: Record<string, string | number>;
}

export interface AccessQuery {
  /** Who read: the id as stored, or, with STAFF_ID_KEY, also the provider `sub` whose pseudonym it is. */
  actor?: string;
  owner?: string;
  subject?: string;
  action?: AccessAction;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export interface AccessView {
  at: string;
  actor: { id: string; role: string; sede: string | null };
  action: string;
  subjectId: string;
  ownerId: string | null;
  requestId: string | null;
  detail: Record<string, string | number>;
}

/** What a person is shown of the reads of their own data: when, what, and which office, never which employee. */
export interface OwnAccessView {
  at: string;
  action: string;
  subjectId: string;
  /** The request read (a ticket, or the ticket of a file); null for a chat. */
  ticketId: string | null;
  /** Read by another sede as the history of a follow-up it holds (`detail.followUp`, docs/tickets.md). */
  forFollowUp: boolean;
  by: { role: string; sede: string | null };
}

export const ACCESS_PAGE_MAX = 200;
/** Rows in one CSV export; more must be narrowed by days or filters. */
export const ACCESS_CSV_MAX = 50_000;

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** The owner of a company's data in the log: its employer and its intermediaries see these rows. */
export const companyOwner = (matricola: string) => `matricola:${matricola}`;

/** Whose a ticket is: the person who opened it, else the company it was opened for (by an office). */
export const ownerOfTicket = (t: { userId: string | null; matricola: string | null }): string | null =>
  t.userId ?? (t.matricola === null ? null : companyOwner(t.matricola));

/** Whether this read is recorded: staff are, the owner and the participants reading what is theirs are not. */
function isRecorded(identity: Identity, entry: AccessEntry): boolean {
  return isStaffRole(identity.role) && identity.sub !== entry.ownerId && !entry.participants?.includes(identity.sub);
}

export class AccessLog {
  /** `staffIdOf`: given only with STAFF_ID_KEY, so that `actor` may be typed as the provider `sub` too. */
  constructor(private readonly deps: { db: Db; clock: Clock; log: Logger; staffIdOf?: StaffIdOf }) {}

  /** Stores one access before the data leaves; rejects with `access_log_unavailable` when it cannot. */
  async record(identity: Identity, entry: AccessEntry, requestId?: string): Promise<void> {
    await this.recordAll(identity, [entry], requestId);
  }

  /**
   * One read of several people's data (a person's and a company's requests in one
   * list): one row per owner, all in one statement, so either all are stored or
   * none is and nothing is sent.
   */
  async recordAll(identity: Identity, entries: readonly AccessEntry[], requestId?: string): Promise<void> {
    const recorded = entries.filter((entry) => isRecorded(identity, entry));
    if (recorded.length === 0) return;
    const at = new Date(this.deps.clock.now());
    try {
      await this.deps.db.insert(accessLog).values(
        recorded.map((entry) => ({
          at,
          actorId: identity.sub,
          actorRole: identity.role,
          actorSede: identity.sede,
          action: entry.action,
          subjectId: entry.subjectId,
          ownerId: entry.ownerId,
          requestId: requestId ?? null,
          detail: entry.detail ?? {},
        })),
      );
    } catch (err) {
      this.deps.log.error({ err, action: recorded[0]!.action, actor: identity.sub }, 'access log not written: the data was not sent');
      throw new AppError('access_log_unavailable');
    }
  }

  /**
   * The reads of a person's own data, newest first (`ticket`: only those of one
   * request and its files). For the people the data is about; staff get `forbidden`.
   */
  async mine(identity: Identity, q: { ticket?: string; page: number; pageSize: number }): Promise<Page<OwnAccessView>> {
    if (!isUserRole(identity.role)) throw new AppError('forbidden', 'this list is for the people the data is about');
    // Their own rows, and those of the companies they act for (an employer's, an intermediary's clients').
    const owners = [identity.sub, ...companyMatricole(identity).map(companyOwner)];
    // A list shown beside a chat names its requests in `detail.tickets` (ids, space-separated): it is a read of each.
    const where = and(
      inArray(accessLog.ownerId, owners),
      q.ticket === undefined
        ? undefined
        : or(
            and(eq(accessLog.action, 'ticket.read'), eq(accessLog.subjectId, q.ticket)),
            and(eq(accessLog.action, 'attachment.read'), sql`${accessLog.detail}->>'ticket' = ${q.ticket}`),
            and(eq(accessLog.action, 'ticket.list'), sql`(' ' || (${accessLog.detail}->>'tickets') || ' ') like ${`% ${q.ticket} %`}`),
          ),
    );
    const { rows, total } = await newestFirst(this.deps.db, where, q);
    const items = rows.map((r) => ({
      at: r.at.toISOString(),
      action: r.action,
      subjectId: r.subjectId,
      ticketId: ticketOf(r, q.ticket),
      forFollowUp: typeof r.detail.followUp === 'string',
      by: { role: r.actorRole, sede: r.actorSede },
    }));
    return { items, page: q.page, pageSize: q.pageSize, total };
  }

  /**
   * The log as CSV for an audit (supervisors), oldest first, at most ACCESS_CSV_MAX rows.
   * The export is itself recorded (`access_log.export`, with its filters and row count) before it leaves.
   */
  async csv(identity: Identity, q: Omit<AccessQuery, 'page' | 'pageSize'>, filters: string, requestId?: string): Promise<string> {
    if (identity.role !== 'supervisor') throw new AppError('forbidden', 'only supervisors read the access log');
    const where = and(...conditions({ ...q, page: 1, pageSize: 1 }, this.deps.staffIdOf));
    // One read: a row past the cap says the export would be cut, and it is refused rather than cut.
    const rows = await this.deps.db.select().from(accessLog).where(where).orderBy(accessLog.at, accessLog.id).limit(ACCESS_CSV_MAX + 1);
    if (rows.length > ACCESS_CSV_MAX) throw new AppError('validation_failed', `more than ${ACCESS_CSV_MAX} rows match, the most one export holds: narrow the days or the filters`);
    await this.record(identity, { action: 'access_log.export', subjectId: 'access_log', ownerId: null, detail: { rows: rows.length, filters } }, requestId);
    const head = ['at', 'actor_id', 'actor_role', 'actor_sede', 'action', 'subject_id', 'owner_id', 'request_id', 'detail'];
    const lines = rows.map((r) => [r.at.toISOString(), r.actorId, r.actorRole, r.actorSede, r.action, r.subjectId, r.ownerId, r.requestId, JSON.stringify(r.detail)].map(csvCell).join(','));
    return `${[head.join(','), ...lines].join('\r\n')}\r\n`;
  }

  /** The log, newest first; supervisors only. */
  async list(identity: Identity, q: AccessQuery): Promise<Page<AccessView>> {
    if (identity.role !== 'supervisor') throw new AppError('forbidden', 'only supervisors read the access log');
    const { rows, total } = await newestFirst(this.deps.db, and(...conditions(q, this.deps.staffIdOf)), q);
    return { items: rows.map(viewOf), page: q.page, pageSize: q.pageSize, total };
  }
}

/** One page of rows, newest first, and how many match in all. */
async function newestFirst(db: Db, where: SQL | undefined, q: { page: number; pageSize: number }): Promise<{ rows: AccessLogRow[]; total: number }> {
  const [rows, [totals]] = await Promise.all([
    db
      .select()
      .from(accessLog)
      .where(where)
      .orderBy(desc(accessLog.at), desc(accessLog.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ n: count() }).from(accessLog).where(where),
  ]);
  return { rows, total: Number(totals?.n ?? 0) };
}

/** The request a row is about, for a person's view: a list's row is about the one asked for, if any. */
function ticketOf(r: AccessLogRow, asked: string | undefined): string | null {
  if (r.action === 'ticket.read') return r.subjectId;
  if (r.action === 'attachment.read') return String(r.detail.ticket ?? '') || null;
  if (r.action === 'ticket.list') return asked ?? null;
  return null;
}

/**
 * The filters as SQL. With STAFF_ID_KEY (`staffIdOf`) staff rows hold pseudonyms, and a
 * supervisor asked about an operator knows their provider `sub`: `actor` matches the value
 * as typed (a pseudonym, a user's id, `retention`) or its pseudonym.
 */
function conditions(q: AccessQuery, staffIdOf?: StaffIdOf): SQL[] {
  const out: SQL[] = [];
  if (q.actor) out.push(staffIdOf ? inArray(accessLog.actorId, [q.actor, staffIdOf(q.actor)]) : eq(accessLog.actorId, q.actor));
  if (q.owner) out.push(eq(accessLog.ownerId, q.owner));
  if (q.subject) out.push(eq(accessLog.subjectId, q.subject));
  if (q.action) out.push(eq(accessLog.action, q.action));
  if (q.from) out.push(gte(accessLog.at, q.from));
  if (q.to) out.push(lt(accessLog.at, q.to));
  return out;
}

function viewOf(r: AccessLogRow): AccessView {
  return {
    at: r.at.toISOString(),
    actor: { id: r.actorId, role: r.actorRole, sede: r.actorSede },
    action: r.action,
    subjectId: r.subjectId,
    ownerId: r.ownerId,
    requestId: r.requestId,
    detail: r.detail,
  };
}
