/**
 * Turning STAFF_ID_KEY on over a sede's work (server/staff-id-migration.ts): a Linea INPS
 * request taken, answered with a file, noted and closed by an office operator, opened by an
 * office for a company, and announcements a supervisor made and withdrew. Every staff column
 * is rewritten to the pseudonym; the user's ids, and the user's own reply and file, are not.
 * (The chats' side is in test/staff-ids.test.ts.)
 */
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { announcements } from '../schema/announcement-tables.ts';
import { ticketAttachments } from '../schema/attachment-tables.ts';
import { ticketAudit, ticketNotes, ticketReplies, tickets } from '../schema/ticket-tables.ts';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createServices, type Services } from '../server/services.ts';
import { migrateStaffIds } from '../server/staff-id-migration.ts';
import { staffIdOf, staffPseudonym } from '../server/staff-ids.ts';
import { injectForm, type Json } from './helpers/app.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const KEY = 'c0ffee5e2b8f4d6a9e1b7c3d5f0a2e4c6b8d0f1a3c5e7b9d';
const OPERATOR_SUB = 'TINIT-BNCPLA75C03F205X';
const SUPERVISOR_SUB = 'TINIT-VRDNNA70A41H501K';
const WORKER = 'worker-request';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const operatorClaims = { role: 'office', sub: OPERATOR_SUB, sede: 'SEDE-MI', name: 'Paolo Bianchi' };
const supervisorClaims = { role: 'supervisor', sub: SUPERVISOR_SUB, name: 'Anna Verdi' };
const workerClaims = { role: 'worker', sub: WORKER, province: 'MI', name: 'Luca Neri' };

interface Node {
  app: FastifyInstance;
  services: Services;
  call(claims: Json, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json): Promise<Json>;
  form(claims: Json, url: string, fields: Record<string, string>, file: string): Promise<Json>;
}

async function node(db: TestDatabase, env: Record<string, string> = {}): Promise<Node> {
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent', ...env });
  const services = await createServices(config, { db, logger: pino({ level: 'silent' }), notices: false, retentionTimer: false });
  const app = await buildApp(services);
  await app.ready();
  const token = (claims: Json) => services.dev!.issue(claims as never);
  const ok = (status: number, body: string) => {
    assert.ok(status < 300, `${status} ${body}`);
    return JSON.parse(body) as Json;
  };
  return {
    app,
    services,
    async call(claims, method, url, payload) {
      const res = await app.inject({ method, url, headers: { authorization: `Bearer ${await token(claims)}` }, ...(payload ? { payload } : {}) });
      return ok(res.statusCode, res.body);
    },
    async form(claims, url, fields, file) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('files', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), file);
      const res = await injectForm(app, await token(claims), url, fd);
      return ok(res.statusCode, res.body);
    },
  };
}

test('the migration rewrites every staff column of requests, notes, files, their audit and announcements, and leaves the user’s ids alone', async () => {
  const db = await testDatabase();
  let before: Node | null = null;
  let after: Node | null = null;
  try {
    before = await node(db);
    // The worker's request, with a file of their own; the operator takes it, answers with a file, notes, the worker replies, the operator closes it.
    const request = await before.form(workerClaims, '/api/v1/tickets', { subject: 'Pagamento FIS di ottobre', category: 'payment', body: 'Quando arriva?' }, 'lettera.pdf');
    const id = request.id as string;
    assert.is((await before.call(operatorClaims, 'PATCH', `/api/v1/tickets/${id}`, { status: 'in_progress' })).takenBy, OPERATOR_SUB);
    await before.form(operatorClaims, `/api/v1/tickets/${id}/replies`, { body: 'Allego il prospetto.' }, 'prospetto.pdf');
    await before.call(operatorClaims, 'POST', `/api/v1/tickets/${id}/notes`, { body: 'Verificato con la sede.' });
    await before.call(workerClaims, 'POST', `/api/v1/tickets/${id}/replies`, { body: 'Grazie.' });
    await before.call(operatorClaims, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed', outcome: 'Pagamento disposto' });
    // A request the office opened for a company, with a file: created, taken and first answered by the operator.
    const forCompany = await before.form(operatorClaims, '/api/v1/tickets', { subject: 'Documenti mancanti', category: 'cigo', body: 'Mancano i prospetti.', 'to.matricola': '1234567890' }, 'elenco.pdf');
    // A supervisor's announcements, one withdrawn.
    const notice = { title: { it: 'Manutenzione' }, text: { it: 'Il servizio sarà sospeso.' }, severity: 'info', endsAt: new Date(Date.now() + 86_400_000).toISOString() };
    await before.call(supervisorClaims, 'POST', '/api/v1/announcements', notice);
    const withdrawn = await before.call(supervisorClaims, 'POST', '/api/v1/announcements', notice);
    await before.call(supervisorClaims, 'POST', `/api/v1/announcements/${withdrawn.id}/withdraw`);
    await before.app.close();
    before = null;

    const migrated = await migrateStaffIds(db.db, staffIdOf(KEY));
    // The operator, the supervisor and the demo directory's three advisors (the seed, written before the key).
    assert.is(migrated.staff, 5, JSON.stringify(migrated));
    const { ['advisors.id']: demo, ...rest } = migrated.rewritten;
    assert.is(demo, 3);
    assert.equal(rest, {
      'tickets.created_by': 1, // the company's request; the worker's is theirs
      'tickets.taken_by': 2,
      'tickets.closed_by': 1,
      'ticket_replies.author_id': 2, // the operator's answer and the company request's first message; not the worker's two
      'ticket_notes.author_id': 1,
      'ticket_audit.actor_id': 5, // taken, answered, noted, closed; the company request's creation
      'ticket_attachments.uploaded_by': 2, // the operator's two files; not the worker's
      'dashboard_audit.actor_id': 3, // the announcements' audit
      'announcements.created_by': 2,
      'announcements.withdrawn_by': 1,
    });

    const operator = staffPseudonym(KEY, OPERATOR_SUB);
    const supervisor = staffPseudonym(KEY, SUPERVISOR_SUB);
    const ids = (rows: { who: string | null; role?: string | null }[]) => rows.map((r) => (r.role === undefined ? r.who : `${r.role}:${r.who}`));
    const [userTicket] = await db.db.select().from(tickets).where(eq(tickets.id, id));
    assert.equal([userTicket?.userId, userTicket?.createdBy, userTicket?.takenBy, userTicket?.closedBy], [WORKER, WORKER, operator, operator]);
    const [companyTicket] = await db.db.select().from(tickets).where(eq(tickets.id, forCompany.id as string));
    assert.equal([companyTicket?.createdBy, companyTicket?.takenBy, companyTicket?.matricola], [operator, operator, '1234567890']);
    const replies = await db.db.select({ who: ticketReplies.authorId, role: ticketReplies.authorRole }).from(ticketReplies).where(eq(ticketReplies.ticketId, id)).orderBy(ticketReplies.seq);
    assert.equal(ids(replies), [`worker:${WORKER}`, `office:${operator}`, `worker:${WORKER}`]);
    const notes = await db.db.select({ who: ticketNotes.authorId }).from(ticketNotes).where(eq(ticketNotes.ticketId, id));
    assert.equal(ids(notes), [operator]);
    const files = await db.db.select({ who: ticketAttachments.uploadedBy, seq: ticketAttachments.replySeq }).from(ticketAttachments).where(eq(ticketAttachments.ticketId, id)).orderBy(ticketAttachments.replySeq);
    assert.equal(files.map((f) => [f.seq, f.who]), [[1, WORKER], [2, operator]], 'the worker’s file stays theirs, the operator’s is rewritten');
    const [companyFile] = await db.db.select({ who: ticketAttachments.uploadedBy }).from(ticketAttachments).where(eq(ticketAttachments.ticketId, forCompany.id as string));
    assert.is(companyFile?.who, operator);
    const audit = await db.db.select({ who: ticketAudit.actorId, role: ticketAudit.actorRole }).from(ticketAudit);
    assert.ok(audit.length >= 6, `${audit.length} audit rows`);
    for (const row of audit) assert.is(row.who, row.role === 'office' ? operator : WORKER, JSON.stringify(row));
    const made = await db.db.select().from(announcements).orderBy(announcements.id);
    assert.equal(made.map((a) => [a.createdBy, a.withdrawnBy]), [[supervisor, null], [supervisor, supervisor]]);
    const everything = JSON.stringify([userTicket, companyTicket, replies, notes, files, audit, made]);
    for (const sub of [OPERATOR_SUB, SUPERVISOR_SUB]) assert.not.ok(everything.includes(sub), `${sub} left behind`);
    assert.is((await migrateStaffIds(db.db, staffIdOf(KEY))).staff, 0, 'a second run finds nothing left');

    // With the key on, the operator signs in as the pseudonym and still holds their requests; the worker still sees theirs.
    after = await node(db, { STAFF_ID_KEY: KEY });
    const held = await after.call(operatorClaims, 'GET', `/api/v1/tickets/${forCompany.id}`);
    assert.is(held.takenBy, operator);
    const mine = await after.call(workerClaims, 'GET', `/api/v1/tickets/${id}`);
    assert.is(mine.status, 'closed');
    assert.not.ok(JSON.stringify(mine).includes(OPERATOR_SUB), 'the worker is never told the operator’s sub');
  } finally {
    await before?.app.close();
    await after?.app.close();
    await db.cleanup();
  }
});

test.run();
