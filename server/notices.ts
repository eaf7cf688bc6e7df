/**
 * The notice dispatcher: drains the transactional outbox (docs/notices.md).
 *
 * Each change to a ticket writes its notice into `outbox` in the change's own
 * transaction. The dispatcher delivers them:
 *
 * 1. **Claim** (one short statement): the due rows, `sent_at is null`,
 *    `attempts < maxAttempts`, `next_attempt_at` null or past, are locked
 *    with `FOR UPDATE SKIP LOCKED` and, in the same statement, given a lease:
 *    `attempts + 1` and `next_attempt_at = now + lease`. Two dispatchers (two
 *    nodes on one PostgreSQL) never claim the same row: the second skips the
 *    rows the first has locked, and once the first commits the lease keeps
 *    the rows out of everyone's query. The new `attempts` value is the
 *    claim's fencing token.
 * 2. **Deliver**, outside any transaction: an SMTP exchange can take seconds,
 *    and holding a row lock (and, on PGlite, the whole database) over the
 *    network would stall every other writer. The lease (5 min) is far longer
 *    than an SMTP send can take (nodemailer timeouts: 50 s at most); a row
 *    whose lease runs short before its turn is given back untouched.
 * 3. **Mark**: `sent_at = now` where the row still carries our fencing token.
 *    A failure instead sets `last_error` and `next_attempt_at = now + backoff`
 *    (30 s, 1 min, 2 min … capped at 1 h, ±20 % jitter). A permanent refusal
 *    (the server rejected this recipient or message for good) or the last of
 *    `maxAttempts` (10) stops the retries: `attempts = maxAttempts`,
 *    `sent_at` still null, `last_error` says why. Such rows stay visible.
 *
 * Why claim, send, then mark (and not mark, then send): marking first would
 * lose a notice for good whenever the process died mid-send. Marking after
 * means the one way to send twice is a crash (or a lost database) between the
 * SMTP server accepting the message and the mark: the lease then expires and
 * the row is sent again. That at-least-once window is accepted; the e-mail's
 * Message-ID is the row id both times, so mail stores can fold the two.
 *
 * The local mailbox is a table, so there the delivery and the mark are one
 * transaction and a notice lands exactly once.
 *
 * Where a notice goes:
 * - a user: their e-mail from `notice_contacts` (the verified token's `email`
 *   claim, recorded when they open a ticket); else their phone (`phone_number`)
 *   when an SMS channel is configured; else the local mailbox (`utente:<id>`);
 * - a matricola: the local mailbox (`matricola:<m>`), which stands for the
 *   company's Cassetto previdenziale;
 * - a sede: `offices.email`; else the local mailbox (`sede:<code>`).
 * E-mail without SMTP_URL goes to the local mailbox under the e-mail address.
 *
 * Messages are short, in Italian (in German to a user whose token said `lang:
 * de`), and carry the protocol number but never the thread, the subject or the
 * outcome: "there is news, sign in to read it".
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql, TransactionRollbackError } from 'drizzle-orm';
import type { Clock } from '../routing/clock.ts';
import { noticeContacts, type MailboxChannelValue } from '../schema/attachment-tables.ts';
import { offices } from '../schema/tables.ts';
import { outbox, tickets, type OutboxRow } from '../schema/ticket-tables.ts';
import type { Db } from './db.ts';
import { DeliveryError, SMTP_SEND_BUDGET_MS, type EmailChannel, type LocalMailbox, type OutgoingNotice, type SmsChannel } from './notice-channels.ts';
import { composeDigest, composeNotice, maskAddresses } from './notice-text.ts';
import type { DigestPayload } from './sede-digest.ts';
import type { NoticeKind } from './ticket-store.ts';

// Callers import the notices' whole vocabulary from here.
export { composeNotice, italianDateTime, maskAddresses, type NoticeFacts } from './notice-text.ts';
export { ContactBook, contactFromClaims, pageLang, type Contact } from './notice-contacts.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface NoticeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface NoticeDispatcherOptions {
  db: Db;
  clock: Clock;
  /** null: no SMTP_URL, e-mail goes to the local mailbox. */
  email: EmailChannel | null;
  /** null: no SMS; users without an e-mail address get the local mailbox. */
  sms?: SmsChannel | null;
  mailbox: LocalMailbox;
  log?: NoticeLogger;
  /** Where people sign in, for the links in the messages (PUBLIC_URL). */
  publicUrl?: string | null;
  /** Rows claimed at a time. Default 20. */
  batchSize?: number;
  /** How long a claim keeps a row from other dispatchers. Default 5 min. */
  leaseMs?: number;
  /** Attempts before giving up. Default 10. */
  maxAttempts?: number;
  /** Backoff after the first failure, doubled after each. Default 30 s. */
  backoffBaseMs?: number;
  /** Longest backoff. Default 1 h. */
  backoffMaxMs?: number;
  /** The longest one send may take; a row whose lease has less left is given back. Default the SMTP timeouts. */
  sendBudgetMs?: number;
  /** [0, 1): jitter source. Default Math.random. */
  random?: () => number;
}

export interface DispatchReport {
  sent: number;
  failed: number;
  gaveUp: number;
  /** Claimed but not sent this run: given back because the lease ran short, or left to a dispatcher that took it over. */
  released: number;
}

/** Where one notice goes. */
export interface Route {
  via: 'smtp' | 'sms' | 'mailbox';
  /** For the local mailbox: how it would have travelled. */
  channel: MailboxChannelValue;
  to: string;
  /** The language a user reads (their token's `lang`, from `notice_contacts`), when known. */
  lang?: string | null;
}

const noop: NoticeLogger = { info() {}, warn() {}, error() {} };

export class NoticeDispatcher {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly email: EmailChannel | null;
  private readonly sms: SmsChannel | null;
  private readonly mailbox: LocalMailbox;
  private readonly log: NoticeLogger;
  private readonly publicUrl: string | null;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly sendBudgetMs: number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DispatchReport> | null = null;
  private stopped = false;

  constructor(o: NoticeDispatcherOptions) {
    this.db = o.db;
    this.clock = o.clock;
    this.email = o.email;
    this.sms = o.sms ?? null;
    this.mailbox = o.mailbox;
    this.log = o.log ?? noop;
    this.publicUrl = o.publicUrl ? o.publicUrl.replace(/\/+$/, '') : null;
    this.batchSize = o.batchSize ?? 20;
    this.leaseMs = o.leaseMs ?? 5 * 60_000;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.backoffBaseMs = o.backoffBaseMs ?? 30_000;
    this.backoffMaxMs = o.backoffMaxMs ?? 60 * 60_000;
    this.sendBudgetMs = o.sendBudgetMs ?? SMTP_SEND_BUDGET_MS;
    this.random = o.random ?? Math.random;
    if (this.sendBudgetMs >= this.leaseMs) throw new Error('the lease must be longer than one send may take');
  }

  /** Runs every `intervalMs` until stop(); a run never overlaps the previous one. */
  start(intervalMs: number): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      if (this.running) return;
      void this.runOnce().catch((err: unknown) => this.log.error({ err }, 'notice dispatch failed'));
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    setImmediate(tick);
  }

  /** Stops the timer and waits for a run in progress to finish the batch it holds. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Delivers every due notice (batch after batch) and reports what happened. */
  runOnce(): Promise<DispatchReport> {
    if (this.running) return this.running;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, failed: 0, gaveUp: 0, released: 0 };
    // A bounded number of batches a run, so one run cannot spin forever.
    // Stopping ends the run after the batch in hand (its rows are leased to us), not after 50.
    for (let batch = 0; batch < 50 && !this.stopped; batch++) {
      const claimed = await this.claim();
      if (claimed.rows.length === 0) break;
      for (const row of claimed.rows) {
        if (this.clock.now() + this.sendBudgetMs > claimed.leaseUntil.getTime()) {
          await this.release(row);
          report.released++;
          continue;
        }
        const outcome = await this.deliver(row);
        report[outcome]++;
      }
      if (claimed.rows.length < this.batchSize || report.released > 0) break;
    }
    return report;
  }

  /** Locks the due rows (skipping rows another dispatcher holds) and leases them, in one statement. */
  private async claim(): Promise<{ rows: OutboxRow[]; leaseUntil: Date }> {
    const now = new Date(this.clock.now());
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const due = this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          isNull(outbox.sentAt),
          lt(outbox.attempts, this.maxAttempts),
          or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, now)),
        ),
      )
      .orderBy(asc(outbox.createdAt), asc(outbox.id))
      .limit(this.batchSize)
      .for('update', { skipLocked: true });
    const rows = await this.db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: leaseUntil })
      .where(inArray(outbox.id, due))
      .returning();
    rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    return { rows, leaseUntil };
  }

  /** Gives a claimed row back as it was, for the next run. */
  private async release(row: OutboxRow): Promise<void> {
    await this.db
      .update(outbox)
      .set({ attempts: row.attempts - 1, nextAttemptAt: null })
      .where(and(eq(outbox.id, row.id), isNull(outbox.sentAt), eq(outbox.attempts, row.attempts)));
  }

  private async deliver(row: OutboxRow): Promise<'sent' | 'failed' | 'gaveUp' | 'released'> {
    let route: Route;
    let notice: OutgoingNotice;
    try {
      route = await this.route(row);
      notice = await this.compose(row, route);
    } catch (err) {
      return this.failed(row, new DeliveryError(`cannot compose: ${(err as Error).message}`, false));
    }
    if (route.via === 'mailbox') {
      // One transaction: stored and marked together, so exactly once.
      try {
        await this.db.transaction(async (tx) => {
          await this.mailbox.deliver(tx, notice, route.channel, new Date(this.clock.now()));
          if (!(await this.markSent(tx, row))) tx.rollback();
        });
      } catch (err) {
        if (!isRollback(err)) return this.failed(row, new DeliveryError(`mailbox: ${(err as Error).message}`, false));
        this.log.warn({ notice: row.id }, 'notice lease lost before delivery; left to its new holder');
        return 'released';
      }
      return 'sent';
    }
    try {
      if (route.via === 'smtp') await this.email!.send(notice);
      else await this.sms!.send(notice);
    } catch (err) {
      return this.failed(row, err instanceof DeliveryError ? err : new DeliveryError(String((err as Error)?.message ?? err), false));
    }
    // The at-least-once window: a crash here, and the row is sent again once its lease ends.
    if (!(await this.markSent(this.db, row))) this.log.warn({ notice: row.id }, 'notice sent after its lease was lost: it may go out twice');
    this.log.info({ notice: row.id, kind: row.kind, via: route.via, attempt: row.attempts }, 'notice delivered');
    return 'sent';
  }

  private async markSent(db: Db | Tx, row: OutboxRow): Promise<boolean> {
    const done = await db
      .update(outbox)
      .set({ sentAt: new Date(this.clock.now()), nextAttemptAt: null, lastError: null })
      .where(and(eq(outbox.id, row.id), isNull(outbox.sentAt), eq(outbox.attempts, row.attempts)))
      .returning({ id: outbox.id });
    return done.length === 1;
  }

  private async failed(row: OutboxRow, err: DeliveryError): Promise<'failed' | 'gaveUp'> {
    const last = err.permanent || row.attempts >= this.maxAttempts;
    const now = this.clock.now();
    const message = `${err.permanent ? 'permanent: ' : ''}${err.message}`.slice(0, 1000);
    await this.db
      .update(outbox)
      .set(
        last
          ? { attempts: this.maxAttempts, nextAttemptAt: null, lastError: `gave up after attempt ${row.attempts}: ${message}`.slice(0, 1000) }
          : { nextAttemptAt: new Date(now + this.backoff(row.attempts)), lastError: message },
      )
      .where(and(eq(outbox.id, row.id), isNull(outbox.sentAt), eq(outbox.attempts, row.attempts)));
    // Servers quote the recipient in their replies: the log gets the error without addresses (personal data).
    const error = maskAddresses(message);
    if (last) this.log.error({ notice: row.id, kind: row.kind, attempts: row.attempts, error }, 'notice given up');
    else this.log.warn({ notice: row.id, kind: row.kind, attempt: row.attempts, error }, 'notice delivery failed; will retry');
    return last ? 'gaveUp' : 'failed';
  }

  /** Delay before the next try after `attempt` failures: 30 s, 1 min, 2 min … capped, ±20 %. */
  backoff(attempt: number): number {
    const base = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  /** Where the notice goes (see the file comment). */
  async route(row: Pick<OutboxRow, 'recipientKind' | 'recipientId'>): Promise<Route> {
    const viaEmail = (address: string): Route => (this.email ? { via: 'smtp', channel: 'email', to: address } : { via: 'mailbox', channel: 'email', to: address });
    switch (row.recipientKind) {
      case 'user': {
        const [contact] = await this.db.select().from(noticeContacts).where(eq(noticeContacts.userId, row.recipientId)).limit(1);
        const lang = contact?.lang ?? null;
        if (contact?.email) return { ...viaEmail(contact.email), lang };
        if (contact?.phone && this.sms) return { via: 'sms', channel: 'sms', to: contact.phone, lang };
        return { via: 'mailbox', channel: 'inbox', to: `utente:${row.recipientId}`, lang };
      }
      case 'sede': {
        const [office] = await this.db.select({ email: offices.email }).from(offices).where(eq(offices.code, row.recipientId)).limit(1);
        if (office?.email) return viaEmail(office.email);
        return { via: 'mailbox', channel: 'inbox', to: `sede:${row.recipientId}` };
      }
      case 'matricola':
        return { via: 'mailbox', channel: 'inbox', to: `matricola:${row.recipientId}` };
    }
  }

  private async compose(row: OutboxRow, route: Route): Promise<OutgoingNotice> {
    if (row.ticketId === null) return this.composeDigest(row, route);
    // The sede the event happened at (the payload's), not the ticket's today: a
    // notice still waiting when the ticket is transferred names the office that acted.
    const eventSede = typeof row.payload.sede === 'string' ? row.payload.sede : null;
    const [ticket] = await this.db
      .select({ protocol: tickets.protocol, origin: tickets.origin, sede: tickets.sede, dueAt: tickets.dueAt, sedeName: offices.name })
      .from(tickets)
      .leftJoin(offices, eventSede === null ? eq(offices.code, tickets.sede) : eq(offices.code, eventSede))
      .where(eq(tickets.id, row.ticketId))
      .limit(1);
    if (!ticket) throw new Error('the ticket is gone');
    const { subject, text } = composeNotice({
      // A row with a ticket is one of the ticket's notices (the table's check: ticket_id is null exactly for a digest).
      kind: row.kind as NoticeKind,
      recipientKind: row.recipientKind,
      protocol: ticket.protocol,
      sedeName: ticket.sedeName ?? eventSede ?? ticket.sede,
      interlocuzione: ticket.origin === 'office',
      dueAt: ticket.dueAt,
      withdrawn: row.payload.outcome === 'withdrawn',
      follows: typeof row.payload.follows === 'string' ? row.payload.follows : null,
      link: this.publicUrl === null ? null : `${this.publicUrl}${row.recipientKind === 'sede' ? '/office/' : '/'}`,
      sms: route.via === 'sms',
      lang: route.lang ?? null,
    });
    return { id: row.id, ticketId: row.ticketId, kind: row.kind, to: route.to, subject, text };
  }

  /** A sede's morning digest: everything it says is in the payload, written when it was collected. */
  private async composeDigest(row: OutboxRow, route: Route): Promise<OutgoingNotice> {
    const p = row.payload as unknown as DigestPayload;
    if (row.kind !== 'digest' || !Array.isArray(p.items)) throw new Error('an outbox row without a ticket that is not a digest');
    const [office] = await this.db.select({ name: offices.name }).from(offices).where(eq(offices.code, row.recipientId)).limit(1);
    const link = this.publicUrl === null ? null : `${this.publicUrl}/office/`;
    const { subject, text } = composeDigest({ sedeName: office?.name ?? row.recipientId, overdue: p.overdue, dueToday: p.dueToday, items: p.items, link });
    return { id: row.id, ticketId: null, kind: row.kind, to: route.to, subject, text };
  }
}

function isRollback(err: unknown): boolean {
  return err instanceof TransactionRollbackError;
}
