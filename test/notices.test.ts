/**
 * Notices: the outbox dispatcher against a real SMTP server (smtp-server on a
 * free port), the local mailbox and its page, SMS behind its interface, and
 * the contacts taken from the token. Tickets are made over HTTP (app.inject)
 * with tokens signed by a key of this file, so they can carry `email` and
 * `phone_number` claims. PGlite, or PostgreSQL when DATABASE_URL is set.
 */
import type { AddressInfo } from 'node:net';
import { and, eq, isNull, sql } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { mailbox, noticeContacts } from '../schema/attachment-tables.ts';
import { seed } from '../schema/seed.ts';
import { offices } from '../schema/tables.ts';
import { outbox, tickets as ticketsTable } from '../schema/ticket-tables.ts';
import { AccessLog } from '../server/access-log.ts';
import { createSqlAttachmentStore } from '../server/attachment-store-sql.ts';
import { createJwtAuthenticator } from '../server/auth-jwks.ts';
import { installErrorHandling } from '../server/http-errors.ts';
import { ticketHttpRoutes } from '../server/http-attachments.ts';
import { mailboxRoutes } from '../server/http-mailbox.ts';
import { createSmtpChannel, LocalMailbox, MemorySmsChannel, smtpFailure, type EmailChannel } from '../server/notice-channels.ts';
import { composeNotice, ContactBook, contactFromClaims, italianDateTime, maskAddresses, NoticeDispatcher, type NoticeDispatcherOptions } from '../server/notices.ts';
import { TicketService } from '../server/ticket-service.ts';
import { createSqlTicketStore } from '../server/ticket-store-sql.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');
const SECOND = 1000;

type Json = Record<string, any>;

// ---------------------------------------------------------------------------
// A real SMTP server that records what it accepts

interface Received {
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

class TestSmtp {
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

// ---------------------------------------------------------------------------
// Set-up

let database: TestDatabase;
let app: FastifyInstance;
let smtp: TestSmtp;
let email: EmailChannel;
let sign: (claims: Json) => Promise<string>;
const clock = new ManualClock(MONDAY_10.getTime());
const localMailbox = () => new LocalMailbox(database.db);

function dispatcher(o: Partial<NoticeDispatcherOptions> = {}): NoticeDispatcher {
  return new NoticeDispatcher({
    db: database.db,
    clock,
    email,
    mailbox: localMailbox(),
    random: () => 0.5, // no jitter: exact backoff
    publicUrl: 'https://info-cig.example',
    ...o,
  });
}

test.before(async () => {
  database = await testDatabase();
  await seed(database.db, { demo: false });
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256' };
  const auth = createJwtAuthenticator(createLocalJWKSet({ keys: [jwk] }), { issuer: 'test-idp', audience: 'info-cig', algorithms: ['ES256'], clockToleranceSeconds: 30 });
  sign = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setIssuer('test-idp')
      .setAudience('info-cig')
      .setSubject(String(claims.sub))
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey as CryptoKey);
  const tickets = new TicketService({ store: createSqlTicketStore(database.db), clock });
  app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } } });
  installErrorHandling(app);
  await app.register(ticketHttpRoutes, { auth, tickets, access: new AccessLog({ db: database.db, clock, log: pino({ level: 'silent' }) }), attachments: createSqlAttachmentStore(database.db), contacts: new ContactBook(database.db, clock) });
  await app.register(mailboxRoutes, { mailbox: localMailbox() });
  await app.ready();
  smtp = new TestSmtp();
  await smtp.listen();
  email = createSmtpChannel({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'INFO CIG – INPS <noreply@info-cig.example>' });
});

test.after(async () => {
  await email?.close();
  await smtp?.close();
  await app?.close();
  await database?.cleanup();
});

test.before.each(() => {
  smtp.reset();
});

async function call(tok: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json): Promise<{ status: number; body: Json }> {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${tok}` }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() as Json };
}

const workerToken = (sub: string, extra: Json = {}) => sign({ sub, role: 'worker', province: 'MI', name: 'Mario Bianchi', ...extra });
const officeToken = (sede: string) => sign({ sub: `op-${sede}`, role: 'office', sede, name: `Operatore ${sede}` });

async function open(tok: string, fields: Json = {}): Promise<Json> {
  const res = await call(tok, 'POST', '/api/v1/tickets', { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Testo riservato del thread.', ...fields });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function outboxOf(ticketId: string) {
  return database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt, outbox.id);
}

/** Every notice still pending, from every test so far, marked sent: each test starts from a drained outbox. */
async function drainOthers(): Promise<void> {
  await database.db.update(outbox).set({ sentAt: new Date(clock.now()) }).where(isNull(outbox.sentAt));
}

// ---------------------------------------------------------------------------
// Pure parts

test('messages are short, Italian, carry the protocol number and nothing of the thread', () => {
  const due = new Date('2026-12-10T09:00:00Z');
  assert.is(italianDateTime(due), 'giovedì 10 dicembre 2026 alle 10:00');
  assert.is(italianDateTime(new Date('2026-12-10T23:00:00Z')), 'la fine di giovedì 10 dicembre 2026', 'a deadline at 00:00 in Rome is the end of the day before');
  const registered = composeNotice({ kind: 'registered', recipientKind: 'user', protocol: 'LINPS-2026-000042', sedeName: 'INPS Sede di Milano', interlocuzione: false, dueAt: due, withdrawn: false, link: 'https://x.example/' });
  assert.is(registered.subject, 'INFO CIG – Richiesta LINPS-2026-000042 registrata');
  assert.match(registered.text, /^Gentile utente,\n\nLa sua richiesta Linea INPS n\. LINPS-2026-000042 è stata registrata e assegnata a INPS Sede di Milano\.\nSarà ricontattato entro giovedì 10 dicembre 2026 alle 10:00\.\nTrova i dettagli accedendo a INFO CIG: https:\/\/x\.example\/\n/);
  const closed = composeNotice({ kind: 'closed', recipientKind: 'user', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: false, link: null });
  assert.match(closed.text, /è stata chiusa da S\.\nPuò leggere l'esito accedendo a INFO CIG\./);
  const withdrawn = composeNotice({ kind: 'closed', recipientKind: 'sede', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: true, link: null });
  assert.is(withdrawn.subject, 'INFO CIG – Richiesta P ritirata');
  const toOffice = composeNotice({ kind: 'replied', recipientKind: 'sede', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: false, link: 'https://x.example/office/' });
  assert.match(toOffice.text, /^Alla S,/);
  assert.match(toOffice.text, /console della sede: https:\/\/x\.example\/office\//);
  const sms = composeNotice({ kind: 'taken_in_charge', recipientKind: 'user', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: false, link: null, sms: true });
  assert.ok(sms.text.length < 160, sms.text);
  assert.not.match(sms.text, /\n/);
});

test('contacts come from the token only when well formed and not marked unverified', () => {
  assert.equal(contactFromClaims({ email: 'Mario.Rossi@Example.IT' }), { email: 'Mario.Rossi@example.it', phone: null });
  assert.equal(contactFromClaims({ email: 'mario@example.it', email_verified: false }), { email: null, phone: null });
  assert.equal(contactFromClaims({ email: 'not an address' }), { email: null, phone: null });
  assert.equal(contactFromClaims({ email: 'a@b.it\r\nBcc: x@y.it' }), { email: null, phone: null }, 'no header injection');
  assert.equal(contactFromClaims({ email: ['a@b.it'] }), { email: null, phone: null });
  assert.equal(contactFromClaims({ phone_number: '+39 333 123 4567' }), { email: null, phone: '+393331234567' });
  assert.equal(contactFromClaims({ phone_number: '+39333', phone_number_verified: false }), { email: null, phone: null });
});

test('log lines lose e-mail addresses and phone numbers', () => {
  assert.is(maskAddresses('550 5.1.1 <gone@example.it>: Recipient address rejected'), '550 5.1.1 <<address>>: Recipient address rejected');
  assert.is(maskAddresses('sms to +39 333 123 4567 failed'), 'sms to <number> failed');
  assert.is(maskAddresses('smtp 451 EMESSAGE (DATA): Try again later'), 'smtp 451 EMESSAGE (DATA): Try again later');
});

test('SMTP refusals: 5xx to the recipient or the message is permanent; 4xx, timeouts and authentication trouble are not', () => {
  assert.is(smtpFailure({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, permanent: true, message: 'x' }).permanent, true);
  assert.is(smtpFailure({ code: 'EMESSAGE', command: 'DATA', responseCode: 554, permanent: true, message: 'x' }).permanent, true);
  assert.is(smtpFailure({ code: 'EMESSAGE', command: 'DATA', responseCode: 451, permanent: false, message: 'x' }).permanent, false);
  assert.is(smtpFailure({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, permanent: true, message: 'x' }).permanent, false);
  assert.is(smtpFailure({ code: 'ESOCKET', message: 'ECONNREFUSED' }).permanent, false);
});

// ---------------------------------------------------------------------------
// The dispatcher and SMTP

test(`every notice of a ticket's life arrives by e-mail exactly once, and a second run sends nothing (${kind})`, async () => {
  await drainOthers();
  const w = await workerToken('w-life', { email: 'mario.bianchi@example.it' });
  const t = await open(w);
  const mi = await officeToken('SEDE-MI');
  const minute = () => clock.advance(60 * SECOND);
  minute();
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'in_progress' })).status, 200);
  minute();
  assert.is((await call(mi, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Risposta riservata della sede.' })).status, 201);
  minute();
  assert.is((await call(w, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Altro testo riservato.' })).status, 201);
  minute();
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Esito riservato' })).status, 200);

  const d = dispatcher();
  const report = await d.runOnce();
  assert.equal(report, { sent: 5, failed: 0, gaveUp: 0, released: 0 });
  const rows = await outboxOf(t.id);
  assert.equal(rows.map((r) => [r.kind, r.recipientKind]), [
    ['registered', 'user'],
    ['taken_in_charge', 'user'],
    ['replied', 'user'],
    ['replied', 'sede'],
    ['closed', 'user'],
  ]);
  for (const row of rows) {
    assert.ok(row.sentAt, `${row.kind} is marked sent`);
    assert.is(row.attempts, 1);
    assert.is(row.lastError, null);
    const got = smtp.byId(row.id);
    assert.is(got.length, 1, `${row.kind} arrived once`);
    assert.is(got[0]!.notice, row.kind);
    assert.equal(got[0]!.to, [row.recipientKind === 'sede' ? 'sede.mi@inps.example' : 'mario.bianchi@example.it']);
    assert.ok(got[0]!.text.includes(t.protocol), `${row.kind} names the protocol: ${got[0]!.text}`);
    assert.ok(got[0]!.subject.startsWith('INFO CIG – '), got[0]!.subject);
    for (const secret of ['Testo riservato', 'Risposta riservata', 'Altro testo riservato', 'Esito riservato', 'Pagamento CIGO']) {
      assert.not.ok(got[0]!.raw.includes(secret) || got[0]!.text.includes(secret), `${row.kind} leaks "${secret}"`);
    }
  }
  assert.is(smtp.byId(rows[0]!.id)[0]!.subject, `INFO CIG – Richiesta ${t.protocol} registrata`);
  assert.match(smtp.byId(rows[0]!.id)[0]!.text, /assegnata a INPS Sede di Milano\.\nSarà ricontattato entro mercoledì 4 marzo 2026 alle 10:00\./);
  assert.is(smtp.byId(rows[2]!.id)[0]!.subject, `INFO CIG – Nuova risposta alla richiesta ${t.protocol}`);
  assert.is(smtp.byId(rows[4]!.id)[0]!.subject, `INFO CIG – Richiesta ${t.protocol} chiusa`);

  const total = smtp.received.length;
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  clock.advance(24 * 3600 * SECOND);
  assert.equal(await dispatcher().runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'a new dispatcher finds nothing either');
  assert.is(smtp.received.length, total, 'nothing re-sent');
});

test('a notice the SMTP server first refuses with 451 is retried after the backoff and then arrives once', async () => {
  await drainOthers();
  smtp.refuseFirst = true;
  const t = await open(await workerToken('w-451', { email: 'w451@example.it' }));
  const [row] = await outboxOf(t.id);
  const d = dispatcher();

  assert.equal(await d.runOnce(), { sent: 0, failed: 1, gaveUp: 0, released: 0 });
  let [after] = await outboxOf(t.id);
  assert.is(after!.sentAt, null);
  assert.is(after!.attempts, 1);
  assert.match(after!.lastError ?? '', /451/);
  assert.is(after!.nextAttemptAt?.getTime(), clock.now() + 30 * SECOND, 'first backoff: 30 s');
  assert.is(smtp.byId(row!.id).length, 0);

  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'not due yet');
  clock.advance(29 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'still not due');
  clock.advance(1 * SECOND);
  assert.equal(await d.runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  [after] = await outboxOf(t.id);
  assert.ok(after!.sentAt);
  assert.is(after!.attempts, 2);
  assert.is(after!.lastError, null);
  assert.is(smtp.byId(row!.id).length, 1);

  clock.advance(3600 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  assert.is(smtp.byId(row!.id).length, 1, 'exactly once');
});

test('backoff doubles from 30 s up to 1 h, and after the last attempt the notice is given up, visibly', async () => {
  const d = dispatcher({ maxAttempts: 4 });
  assert.equal([1, 2, 3, 4, 5, 7, 8, 20].map((n) => d.backoff(n) / SECOND), [30, 60, 120, 240, 480, 1920, 3600, 3600]);
  const jitter = dispatcher({ random: () => 0 });
  assert.is(jitter.backoff(1), 24 * SECOND, '-20 %');

  await drainOthers();
  smtp.refuseAll = true;
  const t = await open(await workerToken('w-giveup', { email: 'giveup@example.it' }));
  const reports = [];
  for (let i = 0; i < 4; i++) {
    reports.push(await d.runOnce());
    clock.advance(3600 * SECOND);
  }
  assert.equal(reports.map((r) => [r.failed, r.gaveUp]), [[1, 0], [1, 0], [1, 0], [0, 1]]);
  const [row] = await outboxOf(t.id);
  assert.is(row!.sentAt, null);
  assert.is(row!.attempts, 4);
  assert.is(row!.nextAttemptAt, null);
  assert.match(row!.lastError ?? '', /^gave up after attempt 4: smtp 451/);
  smtp.refuseAll = false;
  clock.advance(24 * 3600 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 }, 'a given-up notice is not taken again');
});

test('a permanent refusal (550 for the recipient) is not retried', async () => {
  await drainOthers();
  smtp.rejectRecipients.add('gone@example.it');
  const t = await open(await workerToken('w-550', { email: 'gone@example.it' }));
  const lines: string[] = [];
  const log = { info: (o: object) => void lines.push(JSON.stringify(o)), warn: (o: object) => void lines.push(JSON.stringify(o)), error: (o: object) => void lines.push(JSON.stringify(o)) };
  const d = dispatcher({ log });
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 1, released: 0 });
  const [row] = await outboxOf(t.id);
  assert.is(row!.attempts, d.maxAttempts);
  assert.match(row!.lastError ?? '', /gave up after attempt 1: permanent: smtp 550/);
  assert.ok(lines.length > 0);
  assert.not.ok(lines.some((l) => l.includes('gone@example.it')), `no address in the logs: ${lines.join('\n')}`);
  clock.advance(24 * 3600 * SECOND);
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
});

test('two dispatchers draining at once never send the same notice twice', async () => {
  await drainOthers();
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const t = await open(await workerToken(`w-race-${i}`, { email: `race${i}@example.it` }));
    ids.push((await outboxOf(t.id))[0]!.id);
  }
  const a = dispatcher({ batchSize: 3 });
  const b = dispatcher({ batchSize: 3 });
  const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
  assert.is(ra.sent + rb.sent, 12, JSON.stringify([ra, rb]));
  for (const id of ids) assert.is(smtp.byId(id).length, 1, id);
  assert.is(new Set(smtp.received.map((m) => m.messageId)).size, smtp.received.length, 'no Message-ID twice');
});

test('stopping a dispatcher mid-run delivers the batch it holds and claims no more: the rest stay pending, unclaimed', async () => {
  await drainOthers();
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const t = await open(await workerToken(`w-stop-${i}`, { email: `stop${i}@example.it` }));
    ids.push((await outboxOf(t.id))[0]!.id);
  }
  let stopping: Promise<void> | null = null;
  let d: NoticeDispatcher;
  const stopOnFirstSend: EmailChannel = {
    name: 'stop-on-first-send',
    send: async (notice) => {
      stopping ??= d.stop();
      await email.send(notice);
    },
    close: async () => {},
  };
  d = dispatcher({ batchSize: 2, email: stopOnFirstSend });
  const report = await d.runOnce();
  await stopping;
  assert.equal(report, { sent: 2, failed: 0, gaveUp: 0, released: 0 });
  const pending = await database.db.select().from(outbox).where(isNull(outbox.sentAt));
  assert.is(pending.length, 4);
  for (const row of pending) assert.equal([ids.includes(row.id), row.attempts], [true, 0], 'pending and never claimed');
});

test('a claimed notice stays with its claimer until the lease runs out; then another dispatcher sends it (the crash window)', async () => {
  await drainOthers();
  const t = await open(await workerToken('w-lease', { email: 'lease@example.it' }));
  const [row] = await outboxOf(t.id);
  // A dispatcher claimed it (attempt 1, lease 5 min) and died before sending.
  await database.db.update(outbox).set({ attempts: 1, nextAttemptAt: new Date(clock.now() + 5 * 60 * SECOND) }).where(eq(outbox.id, row!.id));
  const d = dispatcher();
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  clock.advance(5 * 60 * SECOND);
  assert.equal(await d.runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  const [after] = await outboxOf(t.id);
  assert.is(after!.attempts, 2);
  assert.is(smtp.byId(row!.id).length, 1);
});

test('a claim whose lease would run out before its send is given back untouched', async () => {
  await drainOthers();
  const first = await open(await workerToken('w-short', { email: 'short@example.it' }));
  clock.advance(SECOND);
  const second = await open(await workerToken('w-short-2', { email: 'short2@example.it' }));
  // Each send takes 10 s of the 60 s lease; a send may need 55 s: after the first, the second is given back.
  const slow: EmailChannel = {
    name: 'slow',
    send: async (n) => {
      clock.advance(10 * SECOND);
      await email.send(n);
    },
    close: async () => {},
  };
  const report = await dispatcher({ email: slow, leaseMs: 60 * SECOND, sendBudgetMs: 55 * SECOND }).runOnce();
  assert.equal(report, { sent: 1, failed: 0, gaveUp: 0, released: 1 });
  assert.ok((await outboxOf(first.id))[0]!.sentAt);
  const [back] = await outboxOf(second.id);
  assert.is(back!.sentAt, null);
  assert.is(back!.attempts, 0, 'the attempt is given back');
  assert.is(back!.nextAttemptAt, null, 'due again at once');
  assert.equal(await dispatcher().runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is((await outboxOf(second.id))[0]!.attempts, 1);
  assert.is(smtp.byId(back!.id).length, 1);
});

// ---------------------------------------------------------------------------
// The local mailbox, SMS and where notices go

test('without SMTP, notices land in the local mailbox exactly once: e-mail addresses, users without one, matricole, sedi', async () => {
  await drainOthers();
  const withMail = await open(await workerToken('w-local-mail', { email: 'locale@example.it' }));
  const without = await open(await workerToken('w-local-none'));
  const ve = await officeToken('SEDE-VE');
  const toCompany = await call(ve, 'POST', '/api/v1/tickets', { subject: 'Documenti', category: 'cigo', body: 'Riservato.', to: { matricola: '7700000123' } });
  assert.is(toCompany.status, 201);
  await database.db.update(offices).set({ email: null }).where(eq(offices.code, 'SEDE-VE'));
  const employer = await sign({ sub: 'emp-local', role: 'employer', province: 'VE', matricola: '7700000123' });
  assert.is((await call(employer, 'POST', `/api/v1/tickets/${toCompany.body.id}/replies`, { body: 'Inviati.' })).status, 201);

  const d = dispatcher({ email: null });
  assert.equal(await d.runOnce(), { sent: 4, failed: 0, gaveUp: 0, released: 0 });
  assert.equal(await d.runOnce(), { sent: 0, failed: 0, gaveUp: 0, released: 0 });
  assert.is(smtp.received.length, 0, 'nothing went over SMTP');
  const rows = await database.db.select().from(mailbox);
  const of = (ticketId: string) => rows.filter((r) => r.ticketId === ticketId).map((r) => [r.kind, r.channel, r.recipient]);
  assert.equal(of(withMail.id), [['registered', 'email', 'locale@example.it']]);
  assert.equal(of(without.id), [['registered', 'inbox', 'utente:w-local-none']]);
  assert.equal(of(toCompany.body.id).sort(), [
    ['registered', 'inbox', 'matricola:7700000123'],
    ['replied', 'inbox', 'sede:SEDE-VE'],
  ]);
  const [company] = rows.filter((r) => r.ticketId === toCompany.body.id && r.kind === 'registered');
  assert.match(company!.subject, new RegExp(`^INFO CIG – Comunicazione ${toCompany.body.protocol} da INPS Sede di Venezia$`));
  for (const r of rows) assert.not.match(r.body, /Riservato|Inviati/);
  // every row of these tickets is marked sent, once
  for (const id of [withMail.id, without.id, toCompany.body.id]) for (const o of await outboxOf(id)) assert.ok(o.sentAt && o.attempts === 1);

  // a mailbox delivered twice (a second dispatcher after a crash) still holds one copy
  const [one] = await outboxOf(without.id);
  await database.db.update(outbox).set({ sentAt: null, nextAttemptAt: null }).where(eq(outbox.id, one!.id));
  assert.equal(await d.runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is((await database.db.select().from(mailbox).where(eq(mailbox.id, one!.id))).length, 1);
});

test('a mailbox delivery whose lease was taken over meanwhile is rolled back whole and left to the new holder', async () => {
  await drainOthers();
  const t = await open(await workerToken('w-lost-lease'));
  class TakenOver extends LocalMailbox {
    override async deliver(...args: Parameters<LocalMailbox['deliver']>): Promise<void> {
      await super.deliver(...args);
      // another dispatcher re-claims the row inside this window
      await args[0].update(outbox).set({ attempts: sql`${outbox.attempts} + 1` }).where(eq(outbox.ticketId, t.id));
    }
  }
  const report = await dispatcher({ email: null, mailbox: new TakenOver(database.db) }).runOnce();
  assert.equal(report, { sent: 0, failed: 0, gaveUp: 0, released: 1 });
  const [row] = await outboxOf(t.id);
  assert.is(row!.sentAt, null);
  assert.is(row!.attempts, 1, 'the take-over rolled back with the delivery; the claim stands');
  assert.is((await database.db.select().from(mailbox).where(eq(mailbox.ticketId, t.id))).length, 0);
  clock.advance(5 * 60 * SECOND);
  assert.equal(await dispatcher({ email: null }).runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is((await database.db.select().from(mailbox).where(eq(mailbox.ticketId, t.id))).length, 1);
});

test('GET /mailbox/ lists the local notices, newest first, escaped; ?to= narrows; the JSON twin says the same', async () => {
  const page = await app.inject({ method: 'GET', url: '/mailbox/' });
  assert.is(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<h1>Avvisi consegnati localmente<\/h1>/);
  assert.match(page.body, /utente:w-local-none/);
  assert.match(page.body, /matricola:7700000123/);
  assert.not.match(page.body, /<script|style=/);
  const only = await app.inject({ method: 'GET', url: '/mailbox/?to=utente%3Aw-local-none' });
  assert.match(only.body, /1 avviso per utente:w-local-none\./);
  assert.not.match(only.body, /matricola:7700000123<\/a>/);
  const json = await app.inject({ method: 'GET', url: '/mailbox/messages.json?to=matricola:7700000123' });
  const items = (json.json() as Json).items as Json[];
  assert.equal(items.map((i) => [i.kind, i.channel]), [['registered', 'inbox']]);
  // a hostile recipient string is shown as text
  const hostile = await app.inject({ method: 'GET', url: `/mailbox/?to=${encodeURIComponent('"><img src=x onerror=alert(1)>')}` });
  assert.is(hostile.statusCode, 200);
  assert.not.match(hostile.body, /<img src=x/);
  assert.match(hostile.body, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.is((await app.inject({ method: 'GET', url: '/mailbox' })).statusCode, 302);
});

test('a user with only a phone number gets an SMS when an SMS channel is set, else the mailbox', async () => {
  await drainOthers();
  const t = await open(await workerToken('w-sms', { phone_number: '+39 333 000 1111' }));
  const sms = new MemorySmsChannel();
  assert.equal(await dispatcher({ sms }).runOnce(), { sent: 1, failed: 0, gaveUp: 0, released: 0 });
  assert.is(sms.sent.length, 1);
  assert.is(sms.sent[0]!.to, '+393330001111');
  assert.ok(sms.sent[0]!.text.startsWith('INFO CIG: ') && sms.sent[0]!.text.includes(t.protocol), sms.sent[0]!.text);
  assert.is(smtp.received.length, 0);
});

test('the contact is taken from the token when a ticket is opened; a later token without it keeps it; unverified ones are ignored', async () => {
  await open(await workerToken('w-contact', { email: 'primo@example.it' }));
  const read = async (userId: string) => (await database.db.select().from(noticeContacts).where(eq(noticeContacts.userId, userId)))[0] ?? null;
  assert.is((await read('w-contact'))?.email, 'primo@example.it');
  await open(await workerToken('w-contact'));
  assert.is((await read('w-contact'))?.email, 'primo@example.it');
  await open(await workerToken('w-contact', { email: 'secondo@example.it' }));
  assert.is((await read('w-contact'))?.email, 'secondo@example.it');
  await open(await workerToken('w-unverified', { email: 'x@example.it', email_verified: false }));
  assert.is(await read('w-unverified'), null);
  // a reply does not touch contacts; an office operator never becomes a contact
  const mi = await officeToken('SEDE-MI');
  await call(mi, 'POST', '/api/v1/tickets', { subject: 's', category: 'cigo', body: 'b', to: { userId: 'w-contact' } });
  assert.is(await read('op-SEDE-MI'), null);
  const escalated = await database.db.select().from(ticketsTable).where(and(eq(ticketsTable.userId, 'w-contact'), eq(ticketsTable.origin, 'office')));
  assert.is(escalated.length, 1);
});

test.run();
