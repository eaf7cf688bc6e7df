/**
 * A real SMTP server (smtp-server on a free port) that records the messages it
 * accepts, decoded enough to read nodemailer's output, and can refuse them on
 * demand: 451 to a message's first try or to every try, 550 to chosen
 * recipients. For the suites that send notices by e-mail.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface Received {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  notice: string;
  raw: string;
}

/** Quoted-printable and RFC 2047 encoded words, enough for nodemailer's output. */
function decodeQp(s: string): string {
  const bytes: number[] = [];
  const joined = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQp(text.replace(/_/g, ' ')),
    );
}

function parseMessage(raw: string, rcpt: string[]): Received {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head!.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = rest.join('\n\n');
  const cte = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte === 'quoted-printable') body = decodeQp(body);
  else if (cte === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return {
    messageId: headers.get('message-id') ?? '',
    to: rcpt,
    subject: decodeHeader(headers.get('subject') ?? ''),
    text: body.replace(/\r\n/g, '\n'),
    notice: headers.get('x-infocig-notice') ?? '',
    raw,
  };
}

export class TestSmtp {
  readonly received: Received[] = [];
  /** Answer 451 to the first DATA of every message (by Message-ID). */
  refuseFirst = false;
  /** Answer 451 to every DATA. */
  refuseAll = false;
  readonly rejectRecipients = new Set<string>();
  private readonly seen = new Set<string>();
  readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        if (this.rejectRecipients.has(address.address)) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (d: Buffer) => chunks.push(d));
        stream.on('end', () => {
          const message = parseMessage(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address));
          if (this.refuseAll || (this.refuseFirst && !this.seen.has(message.messageId))) {
            this.seen.add(message.messageId);
            return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          }
          this.received.push(message);
          callback();
        });
      },
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.received.length = 0;
    this.refuseFirst = false;
    this.refuseAll = false;
    this.rejectRecipients.clear();
    this.seen.clear();
  }

  byId(outboxId: string): Received[] {
    return this.received.filter((m) => m.messageId === `<${outboxId}@info-cig.example>`);
  }
}
