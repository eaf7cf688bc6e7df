/**
 * Erasing what the service no longer needs (RETENTION_DAYS; docs/retention.md).
 * Personal data is kept no longer than its purpose: a chat or a Linea INPS
 * request closed more than `days` ago is erased, with everything that hangs on
 * it (messages and waits; replies, files, audit rows, notices), and so is the
 * contact address of a person who has nothing left here.
 *
 * Order and guarantees:
 *   1. tickets closed before the cut-off (cascades: replies → attachments →
 *      blobs, audit, outbox, mailbox);
 *   2. chats closed before the cut-off that no ticket still refers to (an
 *      escalated chat stays as long as its ticket: it is the ticket's
 *      transcript; cascades: messages, waits);
 *   3. contacts not refreshed since the cut-off whose person has no chat and
 *      no ticket left;
 *   4. sedi's morning digests written before the cut-off (they hang on no
 *      ticket, so nothing cascades to them).
 * Open chats and tickets are never touched, however old. Each step deletes at
 * most `batch` rows per statement, picked with SKIP LOCKED, so two nodes
 * sweeping at once share the work instead of waiting on each other, and a
 * statement never holds many locks for long.
 *
 * The access log has its own period (ACCESS_LOG_RETENTION_DAYS, at least 180):
 * who saw a citizen's data must stay answerable for a while after the data
 * itself is gone. It is append-only in the database; a DELETE passes only in a
 * transaction that names its cut-off (migration 0007), which the database also
 * refuses when it is less than 180 days ago. Each batch erased leaves one
 * `access_log.erase` row in the same transaction: the log says when it was cut.
 */
import { and, eq, exists, inArray, isNull, lt, not, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { mailbox, noticeContacts } from '../schema/attachment-tables.ts';
import { accessLog } from '../schema/access-tables.ts';
import { conversations } from '../schema/tables.ts';
import { outbox, tickets } from '../schema/ticket-tables.ts';
import type { Db } from './db.ts';

export interface Erased {
  tickets: number;
  conversations: number;
  contacts: number;
  /** Sedi's morning digests (outbox rows and local-mailbox copies) older than the cut-off. */
  digests: number;
  accessLog: number;
}

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  /** Days after closing that chats and tickets are erased; null: kept. */
  days: number | null;
  /** Days the access log is kept (≥ 180); null or absent: kept. */
  accessLogDays?: number | null;
  log: Logger;
  /** Rows per DELETE statement. */
  batch?: number;
  /** Told what each sweep erased (metrics). */
  onErased?: (erased: Erased) => void;
}

const DAY_MS = 86_400_000;

export class Retention {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<Erased> | null = null;
  private readonly batch: number;

  constructor(private readonly deps: RetentionDeps) {
    this.batch = deps.batch ?? 500;
  }

  /** The instant before which closed chats and tickets are erased (null: they are kept). */
  cutoff(): Date | null {
    return this.before(this.deps.days);
  }

  /** The instant before which access-log rows are erased (null: they are kept). */
  accessLogCutoff(): Date | null {
    return this.before(this.deps.accessLogDays ?? null);
  }

  private before(days: number | null): Date | null {
    return days === null ? null : new Date(this.deps.clock.now() - days * DAY_MS);
  }

  /** One whole sweep; a call while one runs joins it. */
  sweep(): Promise<Erased> {
    this.running ??= this.sweepOnce().finally(() => (this.running = null));
    return this.running;
  }

  /** Sweeps soon after start, then every `intervalMs`; failures are logged and retried at the next turn. */
  start(intervalMs = 3_600_000, firstAfterMs = 60_000): void {
    const run = () => void this.sweep().catch((err) => this.deps.log.warn({ err }, 'retention sweep failed; retried at the next turn'));
    this.timers = [setTimeout(run, firstAfterMs), setInterval(run, intervalMs)];
    for (const t of this.timers) t.unref();
  }

  /** No sweep starts after this (the first one included); resolves when a running one has finished. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.running?.catch(() => {});
  }

  private async sweepOnce(): Promise<Erased> {
    const before = this.cutoff();
    const logBefore = this.accessLogCutoff();
    const erased: Erased = {
      tickets: before ? await this.repeat(() => this.eraseTickets(before)) : 0,
      conversations: before ? await this.repeat(() => this.eraseConversations(before)) : 0,
      contacts: before ? await this.repeat(() => this.eraseContacts(before)) : 0,
      digests: before ? (await this.repeat(() => this.eraseDigests(before))) + (await this.repeat(() => this.eraseDigestCopies(before))) : 0,
      accessLog: logBefore ? await this.repeat(() => this.eraseAccessLog(logBefore)) : 0,
    };
    if (Object.values(erased).some((n) => n > 0)) {
      const cutoffs = { closedBefore: before?.toISOString(), accessLogBefore: logBefore?.toISOString() };
      this.deps.log.info({ ...erased, ...cutoffs, days: this.deps.days, accessLogDays: this.deps.accessLogDays }, 'retention: erased what was older than the cut-off');
    }
    this.deps.onErased?.(erased);
    return erased;
  }

  /** Runs a batch step until it erases less than a full batch; the rows erased in all. */
  private async repeat(step: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < this.batch) return total;
    }
  }

  private eraseTickets(before: Date): Promise<number> {
    return this.eraseBatch(tickets, tickets.id, and(eq(tickets.status, 'closed'), lt(tickets.closedAt, before)));
  }

  private eraseConversations(before: Date): Promise<number> {
    const { db } = this.deps;
    const referenced = exists(db.select({ one: sql`1` }).from(tickets).where(eq(tickets.conversationId, conversations.id)));
    return this.eraseBatch(conversations, conversations.id, and(eq(conversations.status, 'closed'), lt(conversations.closedAt, before), not(referenced)));
  }

  private eraseContacts(before: Date): Promise<number> {
    const { db } = this.deps;
    const hasChat = exists(db.select({ one: sql`1` }).from(conversations).where(eq(conversations.userId, noticeContacts.userId)));
    const hasTicket = exists(db.select({ one: sql`1` }).from(tickets).where(eq(tickets.userId, noticeContacts.userId)));
    return this.eraseBatch(noticeContacts, noticeContacts.userId, and(lt(noticeContacts.updatedAt, before), not(hasChat), not(hasTicket)));
  }

  /** A digest names protocol numbers: it goes with the period, like the requests it lists (it hangs on no ticket to cascade from). */
  private eraseDigests(before: Date): Promise<number> {
    return this.eraseBatch(outbox, outbox.id, and(isNull(outbox.ticketId), lt(outbox.createdAt, before)));
  }

  private eraseDigestCopies(before: Date): Promise<number> {
    return this.eraseBatch(mailbox, mailbox.id, and(isNull(mailbox.ticketId), lt(mailbox.deliveredAt, before)));
  }

  /**
   * Up to `batch` access-log rows older than `before`, and one `access_log.erase`
   * row saying so, in one transaction: the cut is recorded exactly when it happens.
   */
  private eraseAccessLog(before: Date): Promise<number> {
    return this.deps.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('infocig.access_log_erase_before', ${before.toISOString()}, true)`);
      const picked = tx.select({ id: accessLog.id }).from(accessLog).where(lt(accessLog.at, before)).orderBy(accessLog.at).limit(this.batch).for('update', { skipLocked: true });
      const rows = await tx.delete(accessLog).where(inArray(accessLog.id, picked)).returning({ id: accessLog.id });
      if (rows.length > 0) {
        await tx.insert(accessLog).values({
          at: new Date(this.deps.clock.now()),
          actorId: 'retention',
          actorRole: 'system',
          action: 'access_log.erase',
          subjectId: 'access_log',
          ownerId: null,
          detail: { rows: rows.length, before: before.toISOString(), days: this.deps.accessLogDays ?? 0 },
        });
      }
      return rows.length;
    });
  }

  /** Deletes up to `batch` rows matching `where`, picked SKIP LOCKED; how many it deleted. */
  private async eraseBatch(table: PgTable, key: PgColumn, where: SQL | undefined): Promise<number> {
    const { db } = this.deps;
    const picked = db.select({ key }).from(table).where(where).limit(this.batch).for('update', { skipLocked: true });
    const rows = await db.delete(table).where(inArray(key, picked)).returning({ key });
    return rows.length;
  }
}
