/**
 * How a notice leaves: e-mail over SMTP (nodemailer), SMS behind an interface,
 * or the local mailbox (a table, shown by GET /mailbox/ in development).
 *
 * A channel either delivers the message or throws a DeliveryError saying
 * whether trying again could help (`permanent: false`: a 4xx reply, a lost
 * connection, a timeout) or not (`permanent: true`: the server refused this
 * recipient or this message for good). The dispatcher (notices.ts) decides
 * when to retry.
 *
 * E-mail carries the outbox row id in its Message-ID (`<id@domain>`): SMTP
 * has no idempotency key, but a notice delivered twice after a crash (see
 * notices.ts) has the same Message-ID both times, which mail stores and
 * clients use to fold duplicates.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import { mailbox, type MailboxChannelValue, type MailboxRow } from '../schema/attachment-tables.ts';
import { desc, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { NoticeKindValue } from '../schema/ticket-tables.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** One composed notice, ready for a channel. */
export interface OutgoingNotice {
  /** The outbox row id: the idempotency key where a channel has one. */
  id: string;
  /** Null for a sede's digest (about several tickets). */
  ticketId: string | null;
  kind: NoticeKindValue;
  /** An e-mail address, a phone number, or an inbox address such as `matricola:1234567890`. */
  to: string;
  subject: string;
  text: string;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface EmailChannel {
  readonly name: string;
  send(notice: OutgoingNotice): Promise<void>;
  close(): Promise<void>;
}

export interface SmsChannel {
  readonly name: string;
  send(notice: OutgoingNotice): Promise<void>;
}

export interface SmtpChannelOptions {
  /** `smtp://[user:pass@]host:port` or `smtps://…`; nodemailer's URL options (e.g. `?pool=true`) apply. */
  url: string;
  /** The sender, e.g. `INFO CIG – INPS <noreply@info-cig.example>`. */
  from: string;
  /** The right-hand side of Message-IDs; default the sender's domain. */
  messageIdDomain?: string;
  /** Connection, greeting and socket timeouts in ms; default 10 s, 10 s and 30 s. */
  timeouts?: { connectionMs?: number; greetingMs?: number; socketMs?: number };
}

/** The longest an SMTP send may take with the default timeouts; the dispatcher's lease is longer. */
export const SMTP_SEND_BUDGET_MS = 10_000 + 10_000 + 30_000;

/** E-mail over SMTP through nodemailer: pooled connections, bounded timeouts. */
export function createSmtpChannel(options: SmtpChannelOptions): EmailChannel {
  const domain = options.messageIdDomain ?? (/@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'info-cig.invalid');
  const transport: Transporter = createTransport({
    url: options.url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: options.timeouts?.connectionMs ?? 10_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 10_000,
    socketTimeout: options.timeouts?.socketMs ?? 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    name: 'smtp',
    async send(notice) {
      try {
        await transport.sendMail({
          from: options.from,
          to: notice.to,
          subject: notice.subject,
          text: notice.text,
          messageId: `<${notice.id}@${domain}>`,
          headers: {
            'Auto-Submitted': 'auto-generated',
            'X-Auto-Response-Suppress': 'All',
            'X-InfoCig-Notice': notice.kind,
          },
        });
      } catch (err) {
        throw smtpFailure(err);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Permanent: the server refused this recipient or this message for good (a
 * 5xx to RCPT TO or DATA, an address nodemailer cannot use). Anything else
 * (4xx, timeouts, lost connections, authentication trouble, which is about
 * the configuration and not the message) is worth another try.
 */
export function smtpFailure(err: unknown): DeliveryError {
  const e = (err ?? {}) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : '';
  const reply = typeof e.responseCode === 'number' ? ` ${e.responseCode}` : '';
  const command = typeof e.command === 'string' ? e.command : '';
  const message = `smtp${reply} ${code}${command ? ` (${command})` : ''}: ${String(e.message ?? err).slice(0, 300)}`;
  const aboutTheMessage = command === 'RCPT TO' || command === 'DATA' || command === 'API' || code === 'EMESSAGE';
  const permanent = aboutTheMessage && (e.permanent === true || command === 'API');
  return new DeliveryError(message, permanent);
}

/** SMS that only writes a log line (development, or until a gateway is chosen). Never logs the text or the full number. */
export class LoggingSmsChannel implements SmsChannel {
  readonly name = 'sms-log';
  constructor(private readonly log: { info(obj: object, msg?: string): void }) {}
  async send(notice: OutgoingNotice): Promise<void> {
    this.log.info({ notice: notice.id, kind: notice.kind, to: maskPhone(notice.to), chars: notice.text.length }, 'sms notice (logged, not sent)');
  }
}

/** SMS kept in memory: for tests. */
export class MemorySmsChannel implements SmsChannel {
  readonly name = 'sms-memory';
  readonly sent: OutgoingNotice[] = [];
  async send(notice: OutgoingNotice): Promise<void> {
    this.sent.push(notice);
  }
}

export function maskPhone(phone: string): string {
  return phone.length <= 4 ? '****' : `${'*'.repeat(phone.length - 3)}${phone.slice(-3)}`;
}

/**
 * The local mailbox: notices stored in the `mailbox` table, keyed by the
 * outbox row id. Delivery happens inside the dispatcher's transaction that
 * also marks the row sent, so a notice lands here exactly once.
 */
export class LocalMailbox {
  constructor(private readonly db: Db) {}

  /** Stores the notice (once: a second delivery of the same row is a no-op). */
  async deliver(tx: Tx, notice: OutgoingNotice, channel: MailboxChannelValue, at: Date): Promise<void> {
    await tx
      .insert(mailbox)
      .values({ id: notice.id, ticketId: notice.ticketId, kind: notice.kind, channel, recipient: notice.to, subject: notice.subject, body: notice.text, deliveredAt: at })
      .onConflictDoNothing({ target: mailbox.id });
  }

  /** The newest messages first, optionally for one recipient. */
  async list(options: { recipient?: string; limit?: number } = {}): Promise<MailboxRow[]> {
    const limit = Math.min(Math.max(options.limit ?? 200, 1), 1000);
    const query = this.db.select().from(mailbox);
    const filtered = options.recipient ? query.where(eq(mailbox.recipient, options.recipient)) : query;
    return filtered.orderBy(desc(mailbox.deliveredAt), desc(mailbox.id)).limit(limit);
  }
}
