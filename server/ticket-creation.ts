/**
 * Linea INPS tickets: the three ways one is opened — by a user, by an advisor
 * escalating a chat, by an office writing first — each with its checks, the
 * competent sede, the SLA due time, its first reply, audit detail and
 * `registered` notice. Apart from ticket-service.ts because opening is the one
 * part that decides where a ticket goes and when it falls due, while the
 * service's other half acts on tickets that exist (read, reply, move). The
 * service hands in what it needs (CreationContext); nothing here imports back.
 */
import { localParts } from '../routing/zoned-time.ts';
import { isUserRole } from '../routing/types.ts';
import type { NewAttachment } from './attachments.ts';
import type { Identity } from './auth.ts';
import { AppError } from './errors.ts';
import {
  fileCount,
  matricolaFor,
  optionalText,
  provinceOf,
  subjectFrom,
  text,
  topic,
  type CreateByOfficeInput,
  type CreateByUserInput,
  type CreateFromEscalationInput,
} from './ticket-input.ts';
import { followedRequest } from './ticket-follow-up.ts';
import { idempotencyOf, idempotencySince, sameRequest, type Idempotency } from './ticket-idempotency.ts';
import { actorOf, chatMatricola, TICKET_LIMITS } from './ticket-rules.ts';
import type { NewNotice, TicketRecord, TicketStore } from './ticket-store.ts';

/** What opening a ticket needs from the service: its store, ids, clock, time zone and routing. */
export interface CreationContext {
  readonly store: TicketStore;
  readonly timeZone: string;
  newId(): string;
  now(): Date;
  /** The sede holding the matricola when known, else the province's. */
  competentSede(province: string, matricola: string | null): Promise<string>;
  /** The SLA due time of a ticket opened at `start` for `sede`. */
  dueFor(sede: string, start: Date): Promise<Date>;
  /** Requests one person may open in 24 hours (TICKETS_PER_USER_PER_DAY); 0: no limit. */
  readonly dailyLimit: number;
}

/** A created ticket, or with an idempotency key already used (`replayed`), the one that key created. */
export interface Opened {
  ticket: TicketRecord;
  replayed: boolean;
}

/**
 * A worker, employer or intermediary opens a request (e.g. outside service hours). With an
 * idempotency key used in the last 24 hours, the ticket it created is answered before any other
 * check (the daily limit, the follow-up's): a retry creates nothing and counts nothing.
 */
export async function createByUser(
  ctx: CreationContext,
  identity: Identity,
  input: CreateByUserInput,
  attachments: readonly NewAttachment[] = [],
  key: string | null = null,
): Promise<Opened> {
  if (!isUserRole(identity.role)) throw new AppError('forbidden', 'only users open a request this way; an office addresses one with `to`');
  const subject = text('subject', input.subject, TICKET_LIMITS.subjectMax);
  const body = text('body', input.body, TICKET_LIMITS.bodyMax);
  const category = topic(input.category);
  const fields = { subject, body, category, province: upper(input.province), matricola: input.matricola?.trim() ?? null, follows: input.follows?.trim().toLowerCase() ?? null };
  const idempotency = idempotencyOf(key, fields, attachments);
  const replay = await earlier(ctx, identity.sub, idempotency);
  if (replay) return replay;
  await withinDailyLimit(ctx, identity.sub);
  const now = ctx.now();
  // A follow-up is not routed afresh: the sede that closed the request (where it is now) and its
  // company. Its SLA starts now, like any request's: the citizen is waiting again.
  const followed = input.follows === undefined ? null : await followedRequest(ctx.store, identity, { ...input, follows: input.follows }, now);
  const { matricola, province, sede } = followed ?? (await routed(ctx, identity, input));
  const dueAt = await ctx.dueFor(sede, now);
  const follows = followed ? { id: followed.id, protocol: followed.protocol } : null;
  const author = actorOf(identity);
  const created = await ctx.store.create({
    id: ctx.newId(),
    year: yearOf(now, ctx.timeZone),
    subject,
    category,
    origin: 'user',
    userId: identity.sub,
    userRole: identity.role,
    userName: identity.name,
    userFiscalCode: identity.fiscalCode,
    matricola,
    province,
    sede,
    status: 'open',
    createdBy: author,
    createdAt: now,
    takenBy: null,
    dueAt,
    conversationId: null,
    firstReply: { author, body, attachments: fileCount(attachments) },
    ...(follows ? { follows } : {}),
    ...(idempotency ? { idempotency } : {}),
    auditDetail: { origin: 'user', province, matricola, ...(follows ? { follows: follows.id, followsProtocol: follows.protocol } : {}) },
    notice: {
      kind: 'registered',
      recipientKind: 'user',
      recipientId: identity.sub,
      // The followed request's number only: a notice never carries a request's text.
      payload: { subject, sede, dueAt: dueAt.toISOString(), ...(follows ? { follows: follows.protocol } : {}) },
    },
  });
  return opened(created, idempotency);
}

const upper = (value: string | undefined): string | null => value?.trim().toUpperCase() ?? null;

/** The ticket this creator's key made in the last 24 hours, if any (refused when asked for something else). */
async function earlier(ctx: CreationContext, createdBy: string, idempotency: Idempotency | undefined): Promise<Opened | null> {
  if (!idempotency) return null;
  const found = await ctx.store.byIdempotencyKey(createdBy, idempotency.key, idempotencySince(ctx.now()));
  return found ? replayed(found.ticket, found.hash, idempotency) : null;
}

function replayed(ticket: TicketRecord, hash: string | undefined, idempotency: Idempotency): Opened {
  sameRequest(hash, idempotency);
  return { ticket, replayed: true };
}

/** What the store did: created, or (a creation with the same key committed first) that one's ticket. */
function opened(created: { ticket: TicketRecord; created: boolean; idempotencyHash?: string }, idempotency: Idempotency | undefined): Opened {
  if (created.created || !idempotency) return { ticket: created.ticket, replayed: false };
  return replayed(created.ticket, created.idempotencyHash, idempotency);
}

/** Where a new request goes: the company's sede when known, else the province's (docs/tickets.md, "Routing to the sede"). */
async function routed(ctx: CreationContext, identity: Identity, input: CreateByUserInput): Promise<{ matricola: string | null; province: string; sede: string }> {
  const matricola = matricolaFor(identity, input.matricola);
  const province = provinceOf(input.province ?? identity.province);
  return { matricola, province, sede: await ctx.competentSede(province, matricola) };
}

/**
 * A sede must not drown in one person's requests (a script with a valid token, a
 * page stuck resending): past the daily limit a user is refused and told to write
 * in one they have. Counted, not locked: two requests at the very same moment may
 * both pass the last place, which is harmless at this scale.
 */
async function withinDailyLimit(ctx: CreationContext, userId: string): Promise<void> {
  if (ctx.dailyLimit <= 0) return;
  const opened = await ctx.store.openedBy(userId, new Date(ctx.now().getTime() - 86_400_000));
  if (opened >= ctx.dailyLimit) throw new AppError('ticket_limit_reached', String(ctx.dailyLimit));
}

/**
 * An advisor escalates a chat (WebSocket `conversation.escalate`). The
 * summary is the first reply; the ticket keeps the conversation id, through
 * which its transcript is read. The advisor's optional `note` for the sede
 * becomes the ticket's first internal note, in the same transaction (staff
 * only; the user reads the summary). Idempotent per conversation: escalating
 * the same chat again returns the ticket made the first time, note unchanged.
 */
export async function createFromEscalation(ctx: CreationContext, input: CreateFromEscalationInput): Promise<TicketRecord> {
  const { conversation, advisor } = input;
  if (advisor.role !== 'advisor' || advisor.sub !== conversation.advisorId) throw new AppError('not_found');
  const summary = text('summary', input.summary, TICKET_LIMITS.bodyMax);
  const note = optionalText('note', input.note, TICKET_LIMITS.bodyMax);
  const existing = await ctx.store.byConversation(conversation.id);
  if (existing) return existing;
  const subject = input.subject !== undefined ? text('subject', input.subject, TICKET_LIMITS.subjectMax) : subjectFrom(summary);
  const category = topic(conversation.topic);
  // The chat's context matricola is used only for company users; see docs/tickets.md.
  const matricola = chatMatricola(conversation);
  const province = provinceOf(conversation.province);
  const sede = await ctx.competentSede(province, matricola);
  const now = ctx.now();
  const dueAt = await ctx.dueFor(sede, now);
  const author = actorOf(advisor);
  const lastSeq = input.transcript.reduce((max, m) => Math.max(max, m.seq), 0);
  const { ticket } = await ctx.store.create({
    id: ctx.newId(),
    year: yearOf(now, ctx.timeZone),
    subject,
    category,
    origin: 'escalation',
    userId: conversation.userId,
    userRole: conversation.userRole,
    userName: conversation.userName,
    userFiscalCode: null,
    matricola,
    province,
    sede,
    status: 'open',
    createdBy: author,
    createdAt: now,
    takenBy: null,
    dueAt,
    conversationId: conversation.id,
    firstReply: { author, body: summary },
    ...(note === null ? {} : { firstNote: { author, body: note } }),
    auditDetail: { origin: 'escalation', conversationId: conversation.id, transcript: { messages: input.transcript.length, lastSeq } },
    notice: {
      kind: 'registered',
      recipientKind: 'user',
      recipientId: conversation.userId,
      payload: { subject, sede, dueAt: dueAt.toISOString(), conversationId: conversation.id },
    },
  });
  return ticket;
}

/**
 * An office operator writes first ("interlocuzione"): a request for more
 * information or documents, to a user and/or a matricola. It starts in
 * charge of the writer and carries no SLA (the office is waiting on the user).
 * An idempotency key works as for a user's request.
 */
export async function createByOffice(
  ctx: CreationContext,
  identity: Identity,
  input: CreateByOfficeInput,
  attachments: readonly NewAttachment[] = [],
  key: string | null = null,
): Promise<Opened> {
  if (identity.role !== 'office' || identity.sede === null) throw new AppError('forbidden', 'only an office operator writes to a user first');
  const userId = optionalText('to.userId', input.to?.userId, 200);
  const matricola = optionalText('to.matricola', input.to?.matricola, 32);
  if (userId === null && matricola === null) throw new AppError('validation_failed', 'to needs a userId or a matricola');
  const subject = text('subject', input.subject, TICKET_LIMITS.subjectMax);
  const body = text('body', input.body, TICKET_LIMITS.bodyMax);
  const category = topic(input.category);
  const idempotency = idempotencyOf(key, { to: userId, toMatricola: matricola, subject, body, category }, attachments);
  const replay = await earlier(ctx, identity.sub, idempotency);
  if (replay) return replay;
  const sede = identity.sede;
  const province = await ctx.store.provinceOfSede(sede);
  if (province === null) throw new AppError('forbidden', 'your sede is not a known office');
  const now = ctx.now();
  const author = actorOf(identity);
  const recipient: Pick<NewNotice, 'recipientKind' | 'recipientId'> =
    userId !== null ? { recipientKind: 'user', recipientId: userId } : { recipientKind: 'matricola', recipientId: matricola! };
  const created = await ctx.store.create({
    id: ctx.newId(),
    year: yearOf(now, ctx.timeZone),
    subject,
    category,
    origin: 'office',
    userId,
    userRole: null,
    userName: null,
    userFiscalCode: null,
    matricola,
    province,
    sede,
    status: 'in_progress',
    createdBy: author,
    createdAt: now,
    takenBy: identity.sub,
    dueAt: null,
    conversationId: null,
    firstReply: { author, body, attachments: fileCount(attachments) },
    ...(idempotency ? { idempotency } : {}),
    auditDetail: { origin: 'office', to: { userId, matricola } },
    notice: { kind: 'registered', ...recipient, payload: { subject, sede } },
  });
  return opened(created, idempotency);
}

/** The local year a ticket is opened in: its protocol number counts within it. */
function yearOf(at: Date, timeZone: string): number {
  return Number(localParts(at, timeZone).ymd.slice(0, 4));
}
