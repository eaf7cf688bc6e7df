/**
 * Linea INPS tickets over HTTP, with attachments (docs/tickets.md).
 *
 * `ticketHttpRoutes` is the plugin to register for tickets: it registers the
 * JSON routes of http-tickets.ts, the transfer of http-ticket-transfer.ts and
 * the internal notes of http-ticket-notes.ts in its own context and adds,
 * around them:
 *
 *   POST /api/v1/tickets                              multipart/form-data: the request with up to 3 files
 *   POST /api/v1/tickets/:id/replies                  multipart/form-data: a reply with up to 3 files
 *   GET  /api/v1/tickets/:id/attachments/:attachmentId  one file, as a download
 *
 * and lists each reply's files in `GET /api/v1/tickets/:id` (`attachments`
 * on every reply). JSON bodies keep going to the routes of http-tickets.ts:
 * the multipart routes are the same paths with a route constraint on the
 * request's Content-Type, so each kind of body reaches its own handler.
 *
 * Multipart fields: `body` (a reply); `subject`, `category`, `body`,
 * `province`?, `matricola`?, `follows`? (a user's request) or `to.userId`?/`to.matricola`?
 * instead of those three (an office's); files under the field name `files`,
 * repeated. An empty file input (no file chosen) is ignored.
 *
 * Every file is read in full, sniffed and checked (attachments.ts, through
 * http-multipart.ts) before anything is written; the message and its files
 * are then stored in one transaction. One refused file, and nothing is stored.
 *
 * It also records the caller's contact (`email`, `phone_number` claims of the
 * verified token) when a ticket is opened, for the notices (notices.ts).
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { isUserRole, TOPICS, type Topic } from '../routing/types.ts';
import { ATTACHMENT_LIMITS, contentDisposition, servedContentType, type AttachmentMeta, type NewAttachment } from './attachments.ts';
import { readMessage } from './http-multipart.ts';
import { ownerOfTicket, type AccessLog } from './access-log.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { bearerToken, type Authenticator, type Identity } from './auth.ts';
import { AppError } from './errors.ts';
import { errorSchema } from './http-errors.ts';
import { signedIn } from './http-auth.ts';
import { ticketNoteRoutes } from './http-ticket-notes.ts';
import { ticketTransferRoutes } from './http-ticket-transfer.ts';
import { idParams, threadEntrySchema } from './http-ticket-schemas.ts';
import type { Opened } from './ticket-creation.ts';
import { answerCreated, idempotencyKeyOf } from './ticket-idempotency.ts';
import { replyView, ticketView, type OfficeName } from './http-ticket-views.ts';
import { ticketRoutes } from './http-tickets.ts';
import { contactFromClaims, pageLang, type ContactBook } from './notices.ts';
import { TICKET_LIMITS, type TicketService } from './ticket-service.ts';

export interface TicketHttpOptions {
  auth: Authenticator;
  tickets: TicketService;
  /** Staff reads (tickets, files, matricola searches) are recorded here before the answer leaves. */
  access: AccessLog;
  attachments: AttachmentStore;
  /** Where to record the contact claims of those who open tickets; absent: not recorded. */
  contacts?: ContactBook | null;
  officeName?: OfficeName;
}

/** The route constraint that sends multipart bodies to the handlers below. */
const MULTIPART = 'multipartBody';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A whole message: three files, their part headers and the text fields. */
const MULTIPART_BODY_LIMIT = ATTACHMENT_LIMITS.maxFiles * ATTACHMENT_LIMITS.maxBytes + 1024 * 1024;

const attachmentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    n: { type: 'integer' },
    filename: { type: 'string' },
    mediaType: { type: 'string' },
    size: { type: 'integer' },
    href: { type: 'string' },
  },
} as const;

/** A reply as it is answered to its POST: the thread entry and its files. */
const replyWithFilesSchema = {
  type: 'object',
  properties: { ...threadEntrySchema.properties, attachments: { type: 'array', items: attachmentSchema } },
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema } as const;

/** The fields of an attachment anyone entitled to the ticket sees. */
export function attachmentView(ticketId: string, a: Pick<AttachmentMeta, 'id' | 'n' | 'filename' | 'mediaType' | 'size'>): Record<string, unknown> {
  return { id: a.id, n: a.n, filename: a.filename, mediaType: a.mediaType, size: a.size, href: `/api/v1/tickets/${ticketId}/attachments/${a.id}` };
}

function newFilesView(ticketId: string, files: readonly NewAttachment[]): Record<string, unknown>[] {
  return files.map((f, i) => attachmentView(ticketId, { ...f, n: i + 1 }));
}

export async function ticketHttpRoutes(app: FastifyInstance, opts: TicketHttpOptions): Promise<void> {
  const { auth, tickets, attachments, contacts } = opts;

  await app.register(fastifyMultipart, { throwFileSizeLimit: false });
  if (!app.hasConstraintStrategy(MULTIPART)) {
    app.addConstraintStrategy({
      name: MULTIPART,
      storage() {
        const handlers = new Map<string, unknown>();
        return { get: (value: string) => (handlers.get(value) ?? null) as never, set: (value: string, store: unknown) => void handlers.set(value, store) };
      },
      deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) => (isMultipart(req.headers['content-type']) ? 'yes' : 'no'),
      mustMatchWhenDerived: false,
    });
  }

  // The contact of whoever opens a ticket, JSON or multipart: before the ticket and its notice exist.
  app.addHook('preHandler', async (request) => {
    if (!contacts || request.method !== 'POST' || request.routeOptions.url !== '/api/v1/tickets') return;
    await rememberContact(request, auth, contacts);
  });

  // The files of each reply, in GET /api/v1/tickets/:id.
  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (request.method !== 'GET' || request.routeOptions.url !== '/api/v1/tickets/:id' || reply.statusCode !== 200) return payload;
    const detail = payload as { id?: unknown; replies?: { seq: number }[] };
    if (typeof detail.id !== 'string' || !Array.isArray(detail.replies)) return payload;
    const ticketId = detail.id;
    const bySeq = new Map<number, Record<string, unknown>[]>();
    for (const a of await attachments.listByTicket(ticketId)) {
      const list = bySeq.get(a.replySeq) ?? [];
      list.push(attachmentView(ticketId, a));
      bySeq.set(a.replySeq, list);
    }
    const withFiles = { ...detail, replies: detail.replies.map((r) => ({ ...r, attachments: bySeq.get(r.seq) ?? [] })) };
    const schema = extendedDetailSchema(request.routeOptions.schema?.response);
    reply.serializer(schema ? (p: unknown) => reply.serializeInput(p as Record<string, unknown>, schema) : JSON.stringify);
    return withFiles;
  });

  const userLang = contacts ? (userId: string) => contacts.get(userId).then((c) => c?.lang ?? null) : undefined;
  await ticketRoutes(app, { auth, tickets, access: opts.access, officeName: opts.officeName, userLang });
  await ticketTransferRoutes(app, { auth, tickets, officeName: opts.officeName });
  await ticketNoteRoutes(app, { auth, tickets });

  app.post<{ Params: { id: string } }>(
    '/api/v1/tickets/:id/replies',
    {
      constraints: { [MULTIPART]: 'yes' },
      bodyLimit: MULTIPART_BODY_LIMIT,
      schema: {
        params: idParams,
        response: {
          201: replyWithFilesSchema,
          // A resent reply (same Idempotency-Key): the first one and its files.
          200: replyWithFilesSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      const key = idempotencyKeyOf(request);
      // Refuse before the files arrive: not visible, not allowed, closed (unless the key already wrote a reply here).
      const ticketId = await tickets.mayReply(identity, request.params.id, key);
      const { fields, files } = await readMessage(request, ['body']);
      if (fields.body === undefined) throw new AppError('validation_failed', 'body is required');
      const result = await tickets.reply(identity, ticketId, fields.body, files, key);
      answerCreated(reply, result.replayed);
      return { ...replyView(identity, result.reply), attachments: result.attachments.map((a) => attachmentView(ticketId, a)) };
    },
  );

  app.post(
    '/api/v1/tickets',
    {
      constraints: { [MULTIPART]: 'yes' },
      bodyLimit: MULTIPART_BODY_LIMIT,
      schema: {
        response: {
          // The ticket as http-ticket-views.ts shows it (ticketView: an allow-list per role), plus its first files.
          201: { type: 'object', additionalProperties: true, properties: { attachments: { type: 'array', items: attachmentSchema } } },
          // A replay of an earlier POST with the same Idempotency-Key: that ticket and its first files.
          200: { type: 'object', additionalProperties: true, properties: { attachments: { type: 'array', items: attachmentSchema } } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      if (identity.role !== 'office' && !isUserRole(identity.role)) throw new AppError('forbidden', 'only users and office operators open tickets');
      const key = idempotencyKeyOf(request);
      const allowed = identity.role === 'office' ? ['subject', 'category', 'body', 'to.userId', 'to.matricola'] : ['subject', 'category', 'body', 'province', 'matricola', 'follows'];
      const { fields, files } = await readMessage(request, allowed);
      for (const name of ['subject', 'category', 'body']) if (fields[name] === undefined) throw new AppError('validation_failed', `${name} is required`);
      if (!(TOPICS as readonly string[]).includes(fields.category!)) throw new AppError('validation_failed', `category must be one of ${TOPICS.join(', ')}`);
      if (fields.subject!.length > TICKET_LIMITS.subjectMax) throw new AppError('validation_failed', `subject is longer than ${TICKET_LIMITS.subjectMax} characters`);
      const common = { subject: fields.subject!, category: fields.category as Topic, body: fields.body! };
      let opened: Opened;
      if (identity.role === 'office') {
        const to = { ...(fields['to.userId'] ? { userId: fields['to.userId'] } : {}), ...(fields['to.matricola'] ? { matricola: fields['to.matricola'] } : {}) };
        opened = await tickets.openByOffice(identity, { ...common, to }, files, key);
      } else {
        if (fields.province !== undefined && !/^[A-Za-z]{2}$/.test(fields.province)) throw new AppError('validation_failed', 'province must be a two-letter code');
        opened = await tickets.openByUser(
          identity,
          {
            ...common,
            ...(fields.province ? { province: fields.province } : {}),
            ...(fields.matricola ? { matricola: fields.matricola } : {}),
            ...(fields.follows ? { follows: fields.follows } : {}),
          },
          files,
          key,
        );
      }
      const { ticket, replayed } = opened;
      answerCreated(reply, replayed);
      const firstFiles = replayed
        ? (await attachments.listByTicket(ticket.id)).filter((a) => a.replySeq === 1).map((a) => attachmentView(ticket.id, a))
        : newFilesView(ticket.id, files);
      return { ...ticketView(identity, ticket, ticket.createdAt, opts.officeName), attachments: firstFiles };
    },
  );

  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/api/v1/tickets/:id/attachments/:attachmentId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, attachmentId: { type: 'string', minLength: 1, maxLength: 64 } },
          required: ['id', 'attachmentId'],
          additionalProperties: false,
        },
        response: errors,
      },
    },
    async (request, reply) => {
      const identity = await signedIn(request, auth);
      // The files of another sede's request too, for an office holding a follow-up of it (read only).
      const { ticket, history } = await tickets.readableTicket(identity, request.params.id);
      const attachmentId = request.params.attachmentId;
      const found = UUID.test(attachmentId) ? await attachments.content(ticket.id, attachmentId.toLowerCase()) : null;
      if (!found) throw new AppError('not_found');
      const detail = { ticket: ticket.id, ...(history ? { followUp: history.followUp.id } : {}) };
      await opts.access.record(identity, { action: 'attachment.read', subjectId: attachmentId.toLowerCase(), ownerId: ownerOfTicket(ticket), detail }, request.id);
      reply
        .header('Content-Type', servedContentType(found.meta.mediaType))
        .header('Content-Length', String(found.content.length))
        .header('Content-Disposition', contentDisposition(found.meta.filename))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-store')
        .header('Content-Security-Policy', "default-src 'none'; sandbox")
        .header('Cross-Origin-Resource-Policy', 'same-origin');
      return reply.send(found.content);
    },
  );
}

function isMultipart(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && /^\s*multipart\/form-data\s*(;|$)/i.test(contentType);
}

/** GET /api/v1/tickets/:id's response schema with `attachments` on each reply (built once per schema). */
const extendedSchemas = new WeakMap<object, Record<string, unknown>>();
function extendedDetailSchema(response: unknown): Record<string, unknown> | null {
  const base = (response as Record<string, unknown> | undefined)?.['200'] as
    | { properties?: { replies?: { items?: { properties?: Record<string, unknown> } } } }
    | undefined;
  const replyProps = base?.properties?.replies?.items?.properties;
  if (!base || !replyProps) return null;
  let schema = extendedSchemas.get(base);
  if (!schema) {
    schema = {
      ...base,
      properties: {
        ...base.properties,
        replies: { ...base.properties!.replies, items: { ...base.properties!.replies!.items, properties: { ...replyProps, attachments: { type: 'array', items: attachmentSchema } } } },
      },
    };
    extendedSchemas.set(base, schema);
  }
  return schema;
}

async function rememberContact(request: FastifyRequest, auth: Authenticator, contacts: ContactBook): Promise<void> {
  const token = bearerToken(request.headers.authorization);
  if (!token) return;
  let identity: Identity;
  try {
    identity = await auth.verify(token);
  } catch {
    return; // the route answers 401
  }
  if (!isUserRole(identity.role)) return;
  try {
    // The token was verified just above: its other claims can be read as they are.
    const contact = contactFromClaims(decodeJwt(token));
    // The page's language, when it says one, before the token's claim: the person chose it.
    const lang = pageLang(request.headers['x-infocig-lang']);
    await contacts.remember(identity.sub, lang ? { ...contact, lang } : contact);
  } catch (err) {
    request.log.warn({ err }, 'could not record the contact of a ticket author; notices will go to the local mailbox');
  }
}
