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
 *      no ticket left.
 * Open chats and tickets are never touched, however old. Each step deletes at
 * most `batch` rows per statement, picked with SKIP LOCKED, so two nodes
 * sweeping at once share the work instead of waiting on each other, and a
 * statement never holds many locks for long. The access log is not erased
 * here: it is append-only (docs/access-log.md).
 */
import { and, eq, exists, inArray, lt, not, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { noticeContacts } from '../schema/attachment-tables.ts';
import { conversations } from '../schema/tables.ts';
import { tickets } from '../schema/ticket-tables.ts';
import type { Db } from './db.ts';

export interface Erased {
  tickets: number;
  conversations: number;
  contacts: number;
}

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  days: number;
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

  /** The instant before which closed chats and tickets are erased. */
  cutoff(): Date {
    return new Date(this.deps.clock.now() - this.deps.days * DAY_MS);
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
    const erased: Erased = {
      tickets: await this.repeat(() => this.eraseTickets(before)),
      conversations: await this.repeat(() => this.eraseConversations(before)),
      contacts: await this.repeat(() => this.eraseContacts(before)),
    };
    if (erased.tickets + erased.conversations + erased.contacts > 0) {
      this.deps.log.info({ ...erased, closedBefore: before.toISOString(), days: this.deps.days }, 'retention: erased what was closed before the cut-off');
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

  /** Deletes up to `batch` rows matching `where`, picked SKIP LOCKED; how many it deleted. */
  private async eraseBatch(table: PgTable, key: PgColumn, where: SQL | undefined): Promise<number> {
    const { db } = this.deps;
    const picked = db.select({ key }).from(table).where(where).limit(this.batch).for('update', { skipLocked: true });
    const rows = await db.delete(table).where(inArray(key, picked)).returning({ key });
    return rows.length;
  }
}
