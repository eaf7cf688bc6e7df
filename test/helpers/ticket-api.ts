/**
 * The Linea INPS ticket routes over HTTP (app.inject) for the ticket suites: a
 * minimal fastify with the ticket routes, the development authenticator and a
 * throw-away seeded database (PGlite, or PostgreSQL when DATABASE_URL is set),
 * on a manual clock set back to Monday 10:00 before each test. Several suites
 * read the same tickets the same way, so the set-up and the calls live here once.
 */
import { eq } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../routing/clock.ts';
import { seed } from '../../schema/seed.ts';
import { outbox, ticketAudit } from '../../schema/ticket-tables.ts';
import { AccessLog } from '../../server/access-log.ts';
import { createDevAuth, type DevAuth, type DevTokenRequest } from '../../server/auth-dev.ts';
import { installErrorHandling } from '../../server/http-errors.ts';
import { installValidation } from '../../server/http-validation.ts';
import { ticketRoutes } from '../../server/http-tickets.ts';
import { TicketService } from '../../server/ticket-service.ts';
import { createSqlTicketStore } from '../../server/ticket-store-sql.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export type Json = Record<string, any>;

/** Monday 2 March 2026, 10:00 in Rome. */
export const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');

export interface TicketApi {
  /** At MONDAY_10 when each test starts. */
  clock: ManualClock;
  /** Live from the suite's `before` on. */
  readonly database: TestDatabase;
  readonly tickets: TicketService;
  token(claims: DevTokenRequest): Promise<string>;
  call(tok: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<{ status: number; body: Json }>;
  /** A worker of the province (Mario Bianchi, with a fiscal code). */
  worker(sub: string, province?: string): Promise<string>;
  office(sede: string, sub?: string): Promise<string>;
  /** Opens a ticket (a payment question unless `fields` say otherwise) and expects 201. */
  open(tok: string, fields?: Json): Promise<Json>;
  auditCount(ticketId: string): Promise<number>;
  /** The ticket's outbox rows, oldest first. */
  notices(ticketId: string): Promise<(typeof outbox.$inferSelect)[]>;
}

/** Registers the suite's before/after hooks on `test` and answers the calls they make possible. */
export function ticketApi(test: Test): TicketApi {
  const clock = new ManualClock(MONDAY_10.getTime());
  let database: TestDatabase;
  let app: FastifyInstance;
  let dev: DevAuth;
  let tickets: TicketService;

  test.before(async () => {
    database = await testDatabase();
    await seed(database.db, { demo: false });
    dev = await createDevAuth();
    tickets = new TicketService({ store: createSqlTicketStore(database.db), clock });
    app = Fastify({ logger: false });
    installValidation(app);
    installErrorHandling(app);
    await app.register(ticketRoutes, { auth: dev.authenticator, tickets, access: new AccessLog({ db: database.db, clock, log: pino({ level: 'silent' }) }) });
    await app.ready();
  });

  test.after(async () => {
    await app?.close();
    await database?.cleanup();
  });

  test.before.each(() => {
    clock.set(MONDAY_10);
  });

  const token = async (claims: DevTokenRequest) => dev.issue(claims);
  const call: TicketApi['call'] = async (tok, method, url, payload) => {
    const res = await app.inject({
      method,
      url,
      headers: tok ? { authorization: `Bearer ${tok}` } : {},
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
    return { status: res.statusCode, body: res.json() as Json };
  };

  return {
    clock,
    get database() {
      return database;
    },
    get tickets() {
      return tickets;
    },
    token,
    call,
    worker: (sub, province = 'MI') => token({ role: 'worker', sub, province, name: 'Mario Bianchi', fiscalCode: 'BNCMRA80A01F205X' }),
    office: (sede, sub = `op-${sede}`) => token({ role: 'office', sub, sede, name: `Operatore ${sede}` }),
    async open(tok, fields = {}) {
      const res = await call(tok, 'POST', '/api/v1/tickets', { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Non ho ricevuto il pagamento.', ...fields });
      assert.is(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    async auditCount(ticketId) {
      return (await database.db.select().from(ticketAudit).where(eq(ticketAudit.ticketId, ticketId))).length;
    },
    async notices(ticketId) {
      return database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(outbox.createdAt);
    },
  };
}

/** The ids of a list answer, in its order. */
export function ids(list: Json): string[] {
  return (list.items as Json[]).map((t) => t.id as string);
}
