/**
 * The set-up of the notice suites: tickets made over HTTP (app.inject, the
 * ticket and mailbox routes) with tokens signed by a key of the suite, so they
 * can carry `email` and `phone_number` claims; a throw-away seeded database
 * (PGlite, or PostgreSQL when DATABASE_URL is set); a real SMTP server
 * (./smtp.ts), emptied before each test; and dispatchers over all of it on a
 * manual clock, which runs on from test to test.
 */
import { eq, isNull } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pino from 'pino';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../routing/clock.ts';
import { seed } from '../../schema/seed.ts';
import { outbox } from '../../schema/ticket-tables.ts';
import { AccessLog } from '../../server/access-log.ts';
import { createSqlAttachmentStore } from '../../server/attachment-store-sql.ts';
import { createJwtAuthenticator } from '../../server/auth-jwks.ts';
import { ticketHttpRoutes } from '../../server/http-attachments.ts';
import { installErrorHandling } from '../../server/http-errors.ts';
import { installValidation } from '../../server/http-validation.ts';
import { mailboxRoutes } from '../../server/http-mailbox.ts';
import { createSmtpChannel, LocalMailbox, type EmailChannel } from '../../server/notice-channels.ts';
import { ContactBook, NoticeDispatcher, type NoticeDispatcherOptions } from '../../server/notices.ts';
import { TicketService } from '../../server/ticket-service.ts';
import { createSqlTicketStore } from '../../server/ticket-store-sql.ts';
import { testDatabase, type TestDatabase } from './db.ts';
import { TestSmtp } from './smtp.ts';

export type Json = Record<string, any>;

/** Monday 2 March 2026, 10:00 in Rome. */
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');

export interface NoticeApi {
  /** From MONDAY_10 on; never set back. */
  clock: ManualClock;
  smtp: TestSmtp;
  /** Live from the suite's `before` on. */
  readonly database: TestDatabase;
  readonly app: FastifyInstance;
  /** The SMTP channel to `smtp`. */
  readonly email: EmailChannel;
  /** A token of the suite's key, with any claims. */
  sign(claims: Json): Promise<string>;
  /** A dispatcher to `email` and the local mailbox, without jitter (exact backoff); `o` over that. */
  dispatcher(o?: Partial<NoticeDispatcherOptions>): NoticeDispatcher;
  call(tok: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json): Promise<{ status: number; body: Json }>;
  workerToken(sub: string, extra?: Json): Promise<string>;
  officeToken(sede: string): Promise<string>;
  /** Opens a ticket whose text must never reach a notice, and expects 201. */
  open(tok: string, fields?: Json): Promise<Json>;
  outboxOf(ticketId: string): Promise<(typeof outbox.$inferSelect)[]>;
  /** Every notice still pending, from every test so far, marked sent: each test starts from a drained outbox. */
  drainOthers(): Promise<void>;
}

/** Registers the suite's before/after hooks on `test` and answers what they set up. */
export function noticeApi(test: Test): NoticeApi {
  const clock = new ManualClock(MONDAY_10.getTime());
  const smtp = new TestSmtp();
  let database: TestDatabase;
  let app: FastifyInstance;
  let email: EmailChannel;
  let sign: (claims: Json) => Promise<string>;
  const localMailbox = () => new LocalMailbox(database.db);

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
    app = Fastify({ logger: false });
    installValidation(app);
    installErrorHandling(app);
    await app.register(ticketHttpRoutes, { auth, tickets, access: new AccessLog({ db: database.db, clock, log: pino({ level: 'silent' }) }), attachments: createSqlAttachmentStore(database.db), contacts: new ContactBook(database.db, clock) });
    await app.register(mailboxRoutes, { mailbox: localMailbox() });
    await app.ready();
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

  const call: NoticeApi['call'] = async (tok, method, url, payload) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${tok}` }, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() as Json };
  };
  const tokenOf = (claims: Json) => sign(claims);

  return {
    clock,
    smtp,
    get database() {
      return database;
    },
    get app() {
      return app;
    },
    get email() {
      return email;
    },
    sign: tokenOf,
    dispatcher(o = {}) {
      return new NoticeDispatcher({
        db: database.db,
        clock,
        email,
        mailbox: localMailbox(),
        random: () => 0.5, // no jitter: exact backoff
        publicUrl: 'https://info-cig.example',
        ...o,
      });
    },
    call,
    workerToken: (sub, extra = {}) => tokenOf({ sub, role: 'worker', province: 'MI', name: 'Mario Bianchi', ...extra }),
    officeToken: (sede) => tokenOf({ sub: `op-${sede}`, role: 'office', sede, name: `Operatore ${sede}` }),
    async open(tok, fields = {}) {
      const res = await call(tok, 'POST', '/api/v1/tickets', { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Testo riservato del thread.', ...fields });
      assert.is(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    async outboxOf(ticketId) {
      return database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt, outbox.id);
    },
    async drainOthers() {
      await database.db.update(outbox).set({ sentAt: new Date(clock.now()) }).where(isNull(outbox.sentAt));
    },
  };
}
