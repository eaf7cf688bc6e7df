/**
 * Ticket attachments over HTTP (app.inject): files sent with a request or a
 * reply, stored, listed and downloaded intact; disguised, oversized or surplus
 * files refused with nothing stored; only those entitled to a ticket reach its
 * files. A minimal fastify with the ticket routes and their attachments
 * (server/http-attachments.ts), the development authenticator and a
 * throw-away seeded database (PGlite, or PostgreSQL when DATABASE_URL is set).
 */
import { createHash, randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { attachmentBlobs, ticketAttachments } from '../schema/attachment-tables.ts';
import { seed } from '../schema/seed.ts';
import { outbox, ticketAudit, ticketReplies } from '../schema/ticket-tables.ts';
import { AccessLog } from '../server/access-log.ts';
import { createSqlAttachmentStore } from '../server/attachment-store-sql.ts';
import { ATTACHMENT_LIMITS } from '../server/attachments.ts';
import { createDevAuth, type DevAuth, type DevTokenRequest } from '../server/auth-dev.ts';
import { installErrorHandling } from '../server/http-errors.ts';
import { installValidation } from '../server/http-validation.ts';
import { ticketHttpRoutes } from '../server/http-attachments.ts';
import { TicketService } from '../server/ticket-service.ts';
import { createSqlTicketStore } from '../server/ticket-store-sql.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';
import { EXE, HTML, JPEG, P7M, PDF, PNG, pdfOfSize, SVG, TEXT, ZIP } from './helpers/sample-files.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const MONDAY_10 = new Date('2026-03-02T09:00:00.000Z');

let database: TestDatabase;
let app: FastifyInstance;
let dev: DevAuth;
const clock = new ManualClock(MONDAY_10.getTime());

test.before(async () => {
  database = await testDatabase();
  await seed(database.db, { demo: false });
  dev = await createDevAuth();
  const tickets = new TicketService({ store: createSqlTicketStore(database.db), clock });
  app = Fastify({ logger: false });
  installValidation(app);
  installErrorHandling(app);
  await app.register(ticketHttpRoutes, { auth: dev.authenticator, tickets, access: new AccessLog({ db: database.db, clock, log: pino({ level: 'silent' }) }), attachments: createSqlAttachmentStore(database.db) });
  await app.ready();
});

test.after(async () => {
  await app?.close();
  await database?.cleanup();
});

type Json = Record<string, any>;
interface FilePart {
  name: string;
  content: Buffer;
  /** What the client claims; never believed. */
  type?: string;
  field?: string;
}

const token = (claims: DevTokenRequest) => dev.issue(claims);
const worker = (sub: string, province = 'MI') => token({ role: 'worker', sub, province, name: 'Mario Bianchi' });
const office = (sede: string, sub = `op-${sede}`) => token({ role: 'office', sub, sede, name: `Operatore ${sede}` });

async function form(fields: Record<string, string>, files: FilePart[] = []): Promise<{ payload: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(f.field ?? 'files', new Blob([new Uint8Array(f.content)], { type: f.type ?? 'application/octet-stream' }), f.name);
  const request = new Request('http://localhost/', { method: 'POST', body: fd });
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

async function upload(tok: string | null, url: string, fields: Record<string, string>, files: FilePart[] = []): Promise<{ status: number; body: Json }> {
  const { payload, contentType } = await form(fields, files);
  const res = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, ...(tok ? { authorization: `Bearer ${tok}` } : {}) } });
  return { status: res.statusCode, body: res.json() as Json };
}

async function call(tok: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json): Promise<{ status: number; body: Json }> {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${tok}` }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() as Json };
}

async function download(tok: string, href: string) {
  return app.inject({ method: 'GET', url: href, headers: { authorization: `Bearer ${tok}` } });
}

async function open(tok: string, files: FilePart[] = []): Promise<Json> {
  const res = await upload(tok, '/api/v1/tickets', { subject: 'Documenti CIGO', category: 'cigo', body: 'Allego i documenti richiesti.' }, files);
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** What a refused upload must leave unchanged. */
async function footprint(ticketId: string) {
  const n = async (table: typeof ticketReplies | typeof ticketAudit | typeof outbox | typeof ticketAttachments) =>
    Number((await database.db.select({ n: count() }).from(table).where(eq(table.ticketId, ticketId)))[0]!.n);
  const blobs = Number((await database.db.select({ n: count() }).from(attachmentBlobs))[0]!.n);
  return { replies: await n(ticketReplies), audit: await n(ticketAudit), outbox: await n(outbox), attachments: await n(ticketAttachments), blobs };
}

test(`a worker opens a ticket with a PDF and a PNG; both are listed with the first message and download intact (${kind})`, async () => {
  const w = await worker('w-att-open');
  const t = await open(w, [
    { name: 'domanda.pdf', content: PDF, type: 'application/pdf' },
    { name: 'foto documento.png', content: PNG, type: 'image/png' },
  ]);
  assert.is(t.sede, 'SEDE-MI');
  assert.is(t.mine, true);
  assert.equal(t.attachments.map((a: Json) => [a.n, a.filename, a.mediaType, a.size]), [
    [1, 'domanda.pdf', 'application/pdf', PDF.length],
    [2, 'foto documento.png', 'image/png', PNG.length],
  ]);

  const detail = await call(w, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.status, 200);
  assert.equal(detail.body.replies[0].attachments, t.attachments);
  const mi = await office('SEDE-MI');
  const staff = await call(mi, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(staff.body.replies[0].attachments, t.attachments);
  assert.equal(staff.body.audit[0].detail.attachments.map((a: Json) => a.mediaType), ['application/pdf', 'image/png']);

  for (const tok of [w, mi]) {
    const res = await download(tok, t.attachments[1].href);
    assert.is(res.statusCode, 200);
    assert.equal(res.rawPayload, PNG);
    assert.is(res.headers['content-type'], 'image/png');
    assert.is(res.headers['content-disposition'], `attachment; filename="foto documento.png"; filename*=UTF-8''foto%20documento.png`);
    assert.is(res.headers['x-content-type-options'], 'nosniff');
    assert.is(res.headers['cache-control'], 'private, no-store');
    assert.is(res.headers['content-length'], String(PNG.length));
  }
  const [row] = await database.db.select().from(ticketAttachments).where(eq(ticketAttachments.id, t.attachments[0].id));
  assert.is(row!.sha256, createHash('sha256').update(PDF).digest('hex'));
  assert.is.not(row!.storageKey, row!.id, 'the content is stored under its own random key');
  assert.not.match(row!.storageKey, /domanda/);
});

test('the office answers with a file; the thread shows each reply with its own files; JSON replies still work', async () => {
  const w = await worker('w-att-thread');
  const t = await open(w);
  const mi = await office('SEDE-MI', 'op-thread');
  const answer = await upload(mi, `/api/v1/tickets/${t.id}/replies`, { body: 'Ecco il modulo da compilare.' }, [{ name: 'modulo SR41.pdf', content: PDF }]);
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.is(answer.body.seq, 2);
  assert.is(answer.body.author.id, 'op-thread');
  assert.equal(answer.body.attachments.map((a: Json) => a.filename), ['modulo SR41.pdf']);

  const plain = await call(w, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Grazie, lo compilo.' });
  assert.is(plain.status, 201);
  assert.is(plain.body.seq, 3);
  const back = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Modulo compilato e busta paga.' }, [
    { name: 'SR41 firmato.pdf.p7m', content: P7M },
    { name: 'busta.jpg', content: JPEG },
    { name: 'note.txt', content: TEXT, type: 'text/html' },
  ]);
  assert.is(back.status, 201, JSON.stringify(back.body));
  assert.is(back.body.author.id, undefined, 'users see roles and names, not ids');

  const detail = await call(w, 'GET', `/api/v1/tickets/${t.id}`);
  assert.equal(
    detail.body.replies.map((r: Json) => [r.seq, r.attachments.map((a: Json) => a.mediaType)]),
    [
      [1, []],
      [2, ['application/pdf']],
      [3, []],
      [4, ['application/pkcs7-mime', 'image/jpeg', 'text/plain']],
    ],
  );
  const txt = await download(mi, detail.body.replies[3].attachments[2].href);
  assert.is(txt.headers['content-type'], 'text/plain; charset=utf-8', 'the sniffed type, not the claimed text/html');
  assert.is(txt.payload, TEXT.toString());
});

test('line breaks of a form sent as multipart (CRLF, as browsers encode them) are stored as in JSON (LF), and counted once', async () => {
  const w = await worker('w-att-lines');
  const t = await open(w);
  const raw = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Riga uno\r\nRiga due\rRiga tre' });
  assert.is(raw.status, 201, JSON.stringify(raw.body));
  assert.is(raw.body.body, 'Riga uno\nRiga due\nRiga tre');
  const detail = await call(w, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.body.replies.at(-1).body, 'Riga uno\nRiga due\nRiga tre');
  // 10,000 characters with LF; the same text sent with CRLF would have been 10,999 and refused.
  const long = Array.from({ length: 1000 }, () => '123456789').join('\r\n') + '0';
  assert.is((await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: long })).status, 201);
});

test('a PNG called scan.pdf is stored and served as an image named scan.pdf.png', async () => {
  const w = await worker('w-att-rename');
  const t = await open(w, [{ name: 'scan.pdf', content: PNG, type: 'application/pdf' }]);
  assert.is(t.attachments[0].mediaType, 'image/png');
  assert.is(t.attachments[0].filename, 'scan.pdf.png');
  const res = await download(w, t.attachments[0].href);
  assert.is(res.headers['content-type'], 'image/png');
  assert.match(String(res.headers['content-disposition']), /filename\*=UTF-8''scan\.pdf\.png$/);
});

test('a disguised file (HTML, SVG or a program called .pdf) is 415 attachment_type_refused naming the file, and nothing is stored, not even the good file next to it', async () => {
  const w = await worker('w-att-evil');
  const t = await open(w);
  const before = await footprint(t.id);
  for (const evil of [
    { name: 'evil.pdf', content: HTML, type: 'application/pdf' },
    { name: 'logo.png', content: SVG, type: 'image/png' },
    { name: 'ricevuta.pdf', content: EXE, type: 'application/pdf' },
    { name: 'archivio.pdf', content: ZIP },
    { name: 'note.txt', content: Buffer.from('<html><body>ciao</body></html>'), type: 'text/plain' },
  ]) {
    const res = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Allegato' }, [{ name: 'buono.pdf', content: PDF }, evil]);
    assert.is(res.status, 415, evil.name);
    assert.is(res.body.error.code, 'attachment_type_refused');
    assert.ok(res.body.error.message.includes(evil.name), res.body.error.message);
    assert.is(res.body.error.file, evil.name, 'the body names the file refused, for the page to say which');
  }
  assert.equal(await footprint(t.id), before);
  const detail = await call(w, 'GET', `/api/v1/tickets/${t.id}`);
  assert.is(detail.body.replyCount, 1);

  // the same on ticket creation: no ticket at all
  const mine = async () => (await call(w, 'GET', '/api/v1/tickets?pageSize=100')).body.total as number;
  const n = await mine();
  const refused = await upload(w, '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y' }, [{ name: 'evil.pdf', content: HTML }]);
  assert.is(refused.status, 415);
  assert.is(await mine(), n);
});

test('a file over 5 MiB is 413 attachment_too_large; exactly 5 MiB is accepted', async () => {
  const w = await worker('w-att-size');
  const t = await open(w);
  const before = await footprint(t.id);
  const big = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Troppo grande' }, [
    { name: 'piccolo.pdf', content: PDF },
    { name: 'grande.pdf', content: pdfOfSize(ATTACHMENT_LIMITS.maxBytes + 1) },
  ]);
  assert.is(big.status, 413);
  assert.is(big.body.error.code, 'attachment_too_large');
  assert.equal(await footprint(t.id), before);

  const edge = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Al limite' }, [{ name: 'limite.pdf', content: pdfOfSize(ATTACHMENT_LIMITS.maxBytes) }]);
  assert.is(edge.status, 201, JSON.stringify(edge.body));
  assert.is(edge.body.attachments[0].size, ATTACHMENT_LIMITS.maxBytes);
});

test('a fourth file is 400 too_many_attachments and nothing is stored', async () => {
  const w = await worker('w-att-four');
  const t = await open(w);
  const before = await footprint(t.id);
  const four = [1, 2, 3, 4].map((i) => ({ name: `doc${i}.pdf`, content: PDF }));
  const res = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Quattro file' }, four);
  assert.is(res.status, 400);
  assert.is(res.body.error.code, 'too_many_attachments');
  assert.equal(await footprint(t.id), before);
  const created = await upload(w, '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y' }, four);
  assert.is(created.status, 400);
  assert.is(created.body.error.code, 'too_many_attachments');
  const three = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Tre file' }, four.slice(0, 3));
  assert.is(three.status, 201);
  assert.equal(three.body.attachments.map((a: Json) => a.n), [1, 2, 3]);
});

test('an empty file input is ignored; an empty named file, an unknown field or a file under another name are 400', async () => {
  const w = await worker('w-att-shape');
  const t = await open(w);
  const none = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Nessun file scelto' }, [{ name: '', content: Buffer.alloc(0) }]);
  assert.is(none.status, 201, JSON.stringify(none.body));
  assert.equal(none.body.attachments, []);
  const before = await footprint(t.id);
  const empty = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'x' }, [{ name: 'vuoto.pdf', content: Buffer.alloc(0) }]);
  assert.is(empty.status, 400);
  assert.is(empty.body.error.code, 'validation_failed');
  const unknown = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'x', status: 'closed' });
  assert.is(unknown.status, 400);
  assert.is(unknown.body.error.code, 'validation_failed');
  const otherField = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'x' }, [{ name: 'a.pdf', content: PDF, field: 'allegato' }]);
  assert.is(otherField.status, 400);
  const noBody = await upload(w, `/api/v1/tickets/${t.id}/replies`, {}, [{ name: 'a.pdf', content: PDF }]);
  assert.is(noBody.status, 400);
  const twice = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'x' });
  assert.is(twice.status, 201, 'control: a plain multipart reply works');
  assert.equal((await footprint(t.id)).attachments, before.attachments);
});

test('only those entitled to the ticket reach its files: others get the same 404, also for an id from another ticket', async () => {
  const w = await worker('w-att-owner');
  const t = await open(w, [{ name: 'privato.pdf', content: PDF }]);
  const other = await open(await worker('w-att-other'), [{ name: 'altro.pdf', content: PDF }]);
  const href: string = t.attachments[0].href;
  const strangers = [await worker('w-att-stranger'), await office('SEDE-RM'), await token({ role: 'advisor', sub: 'adv-att' })];
  const answers: unknown[] = [];
  for (const tok of strangers) {
    const res = await download(tok, href);
    assert.is(res.statusCode, 404);
    answers.push(res.json());
  }
  // this ticket's id with another ticket's attachment id, an absent id, a malformed id
  for (const url of [
    `/api/v1/tickets/${t.id}/attachments/${other.attachments[0].id}`,
    `/api/v1/tickets/${t.id}/attachments/${randomUUID()}`,
    `/api/v1/tickets/${t.id}/attachments/not-a-uuid`,
    `/api/v1/tickets/${randomUUID()}/attachments/${t.attachments[0].id}`,
  ]) {
    const res = await download(w, url);
    assert.is(res.statusCode, 404, url);
    answers.push(res.json());
  }
  for (const a of answers) assert.equal(a, { error: { code: 'not_found', message: 'Not found' } });
  const anonymous = await app.inject({ method: 'GET', url: href });
  assert.is(anonymous.statusCode, 401);
  const sup = await token({ role: 'supervisor', sub: 'sup-att' });
  assert.is((await download(sup, href)).statusCode, 200, 'a supervisor reads everything');

  // nor can they post files to it
  const intruder = await upload(strangers[0]!, `/api/v1/tickets/${t.id}/replies`, { body: 'x' }, [{ name: 'a.pdf', content: PDF }]);
  assert.is(intruder.status, 404);
  const supReply = await upload(sup, `/api/v1/tickets/${t.id}/replies`, { body: 'x' }, [{ name: 'a.pdf', content: PDF }]);
  assert.is(supReply.status, 403);
  const noToken = await upload(null, `/api/v1/tickets/${t.id}/replies`, { body: 'x' }, [{ name: 'a.pdf', content: PDF }]);
  assert.is(noToken.status, 401);
  assert.is(noToken.body.error.code, 'unauthenticated');
});

test('files to a closed ticket are 409 ticket_closed, with nothing stored', async () => {
  const w = await worker('w-att-closed');
  const t = await open(w);
  const mi = await office('SEDE-MI');
  assert.is((await call(mi, 'PATCH', `/api/v1/tickets/${t.id}`, { status: 'closed', outcome: 'Risolto' })).status, 200);
  const before = await footprint(t.id);
  const res = await upload(w, `/api/v1/tickets/${t.id}/replies`, { body: 'Un ultimo documento' }, [{ name: 'a.pdf', content: PDF }]);
  assert.is(res.status, 409);
  assert.is(res.body.error.code, 'ticket_closed');
  assert.equal(await footprint(t.id), before);
});

test('an office writes first to a matricola with a document; the employer downloads it and answers with its own', async () => {
  const ve = await office('SEDE-VE', 'op-ve-att');
  const created = await upload(ve, '/api/v1/tickets', { subject: 'Richiesta accordi sindacali', category: 'cigo', body: 'Compili il modulo allegato.', 'to.matricola': '7700000099' }, [
    { name: 'modulo.pdf', content: PDF },
  ]);
  assert.is(created.status, 201, JSON.stringify(created.body));
  assert.is(created.body.origin, 'office');
  assert.is(created.body.takenBy, 'op-ve-att');
  const employer = await token({ role: 'employer', sub: 'emp-att', province: 'VE', matricola: '7700000099' });
  const detail = await call(employer, 'GET', `/api/v1/tickets/${created.body.id}`);
  assert.is(detail.status, 200);
  const file = await download(employer, detail.body.replies[0].attachments[0].href);
  assert.equal(file.rawPayload, PDF);
  const answer = await upload(employer, `/api/v1/tickets/${created.body.id}/replies`, { body: 'In allegato.' }, [{ name: 'accordo.pdf', content: PDF }]);
  assert.is(answer.status, 201);
  const wrongShape = await upload(ve, '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', province: 'MI' });
  assert.is(wrongShape.status, 400, 'an office addresses with to.*, not province');
});

test('JSON creation still works next to multipart, and a user cannot smuggle fields through either', async () => {
  const w = await worker('w-att-json');
  const res = await call(w, 'POST', '/api/v1/tickets', { subject: 'Solo testo', category: 'fis', body: 'Nessun allegato.' });
  assert.is(res.status, 201);
  const detail = await call(w, 'GET', `/api/v1/tickets/${res.body.id}`);
  assert.equal(detail.body.replies[0].attachments, []);
  const smuggled = await upload(w, '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y', 'to.userId': 'someone' });
  assert.is(smuggled.status, 400);
  const badCategory = await upload(w, '/api/v1/tickets', { subject: 'x', category: 'nope', body: 'y' });
  assert.is(badCategory.status, 400);
  const advisor = await upload(await token({ role: 'advisor', sub: 'adv-x' }), '/api/v1/tickets', { subject: 'x', category: 'cigo', body: 'y' });
  assert.is(advisor.status, 403);
});

test.run();