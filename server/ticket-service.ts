/**
 * Linea INPS tickets: the rules. Who may open, see, answer and move a ticket;
 * which sede is competent; when it falls due. Storage is behind TicketStore
 * and time behind an injected Clock, so every rule can be tested without
 * waiting. See docs/tickets.md.
 *
 * The three ways a ticket is opened are in ticket-creation.ts; this class is
 * their entry point and holds what acts on a ticket that exists: list, read,
 * reply and internal note (written in ticket-writing.ts), change of status,
 * transfer to another sede, and the sede and due time creation asks for.
 *
 * Visibility (one function, `mayView`, for every read and every action):
 * - a user: their own tickets (`user_id` = JWT `sub`); an employer also those of
 *   its `matricola`; an intermediary also those of the matricole in its token;
 * - an office operator: the tickets of their `sede`;
 * - a supervisor: all of them (read-only);
 * - an advisor: none (they create tickets by escalating a chat, and that is all).
 * Anything not visible answers the same `not_found` as an absent id, but for one case: an office operator
 * whose sede transferred the ticket on hears `ticket_transferred` (`refusal`) — they had it, so nothing is
 * revealed, and their console can say where it went instead of "not found", which is kept for a ticket that
 * does not exist (erased by retention, or never there).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../routing/clock.ts';
import { patronDayOf } from '../routing/holidays.ts';
import { queryBoundary } from './query-dates.ts';
import { dueDate } from '../routing/working-hours.ts';
import type { NewAttachment } from './attachments.ts';
import type { Identity } from './auth.ts';
import type { ConversationRecord } from './chat-store.ts';
import { AppError } from './errors.ts';
import { createByOffice, createByUser, createFromEscalation, type CreationContext, type Opened } from './ticket-creation.ts';
import { historyAccess, openableFollowUps, type HistoryAccess } from './ticket-follow-up.ts';
import type { TicketChange, TicketUpdated } from './ticket-push.ts';
import { mayReply, writeNote, writeReply, type Noted, type Replied, type WritingContext } from './ticket-writing.ts';
import {
  positiveInt,
  text,
  type CreateByOfficeInput,
  type CreateByUserInput,
  type CreateFromEscalationInput,
  type ListInput,
  type StatusChange,
  type TicketDetail,
  type TicketList,
  type TransferRequest,
} from './ticket-input.ts';
import { actorOf, chatMatricola, isOverdue, isStaff, mayView, noticePayload, scopeOf, servedByCaller, SLA_WORKING_HOURS, TICKET_ID, TICKET_LIMITS, TICKET_TIME_ZONE, userSide, WITHDRAWN } from './ticket-rules.ts';
import {
  isTicketOrder,
  isTicketStatus,
  type NewNotice,
  type NoticeKind,
  type OfficeEntry,
  type TicketFilters,
  type TicketRecord,
  type TicketStatus,
  type TicketStore,
} from './ticket-store.ts';

// The service's vocabulary, for its callers: one import.
export type { CreateByOfficeInput, CreateByUserInput, CreateFromEscalationInput, ListInput, StatusChange, TicketDetail, TicketList, TransferRequest } from './ticket-input.ts';
export { companyMatricole, isOverdue, isStaff, mayView, SLA_WORKING_HOURS, TICKET_LIMITS, TICKET_TIME_ZONE, WITHDRAWN } from './ticket-rules.ts';

export interface TicketServiceDeps {
  store: TicketStore;
  clock: Clock;
  /** Default 48. */
  slaWorkingHours?: number;
  /** Default 'Europe/Rome'. */
  timeZone?: string;
  /** Default crypto.randomUUID. */
  newId?: () => string;
  /** Requests a user may open in 24 hours; 0 or absent: no limit. */
  dailyLimit?: number;
  /** Replies a user may write in 24 hours, over all their requests; 0 or absent: no limit. */
  dailyReplyLimit?: number;
  /** Told after a change the user side sees is committed (ticket-push.ts); never for a note. */
  onUpdated?: TicketUpdated;
}

/** Closed requests shown beside a chat: those closed in these last days. */
export const CHAT_REQUESTS_CLOSED_DAYS = 30;
/** Most requests shown beside a chat. */
export const CHAT_REQUESTS_MAX = 10;

export class TicketService {
  private readonly store: TicketStore;
  private readonly clock: Clock;
  private readonly slaHours: number;
  readonly timeZone: string;
  private readonly newId: () => string;
  /** What the three ways of opening a ticket take from the service. */
  private readonly creation: CreationContext;
  /** What replies and notes take from it. */
  private readonly writing: WritingContext;
  private readonly onUpdated: TicketUpdated;

  constructor(deps: TicketServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.slaHours = deps.slaWorkingHours ?? SLA_WORKING_HOURS;
    this.timeZone = deps.timeZone ?? TICKET_TIME_ZONE;
    this.newId = deps.newId ?? randomUUID;
    this.onUpdated = deps.onUpdated ?? (() => {});
    this.creation = {
      store: this.store,
      timeZone: this.timeZone,
      newId: () => this.newId(),
      now: () => this.now(),
      competentSede: (province, matricola) => this.competentSede(province, matricola),
      dueFor: (sede, start) => this.dueFor(sede, start),
      dailyLimit: deps.dailyLimit ?? 0,
    };
    this.writing = {
      store: this.store,
      now: () => this.now(),
      visible: (identity, id) => this.visible(identity, id),
      dailyReplyLimit: deps.dailyReplyLimit ?? 0,
      updated: (ticket, change) => this.updated(ticket, change),
    };
  }

  /** A worker, employer or intermediary opens a request (ticket-creation.ts); with an idempotency key, perhaps a replay. */
  async createByUser(identity: Identity, input: CreateByUserInput, attachments: readonly NewAttachment[] = []): Promise<TicketRecord> {
    return (await createByUser(this.creation, identity, input, attachments)).ticket;
  }
  async openByUser(identity: Identity, input: CreateByUserInput, attachments: readonly NewAttachment[], key: string | null): Promise<Opened> {
    return createByUser(this.creation, identity, input, attachments, key);
  }

  /** An advisor escalates a chat; idempotent per conversation (ticket-creation.ts). */
  async createFromEscalation(input: CreateFromEscalationInput): Promise<TicketRecord> {
    return createFromEscalation(this.creation, input);
  }

  /** An office operator writes first, to a user and/or a matricola (ticket-creation.ts). */
  async createByOffice(identity: Identity, input: CreateByOfficeInput, attachments: readonly NewAttachment[] = []): Promise<TicketRecord> {
    return (await createByOffice(this.creation, identity, input, attachments)).ticket;
  }
  async openByOffice(identity: Identity, input: CreateByOfficeInput, attachments: readonly NewAttachment[], key: string | null): Promise<Opened> {
    return createByOffice(this.creation, identity, input, attachments, key);
  }

  /**
   * The tickets the caller may see, filtered, overdue first, then by due time
   * (or the last change first with `sort: 'updated'`). Filters narrow the
   * caller's scope, never widen it: a matricola or a sede outside it gives an
   * empty page, as an absent one would.
   */
  async list(identity: Identity, input: ListInput = {}): Promise<TicketList> {
    let scope = scopeOf(identity);
    const page = positiveInt('page', input.page, 1, 1_000_000);
    const pageSize = positiveInt('pageSize', input.pageSize, TICKET_LIMITS.pageSizeDefault, TICKET_LIMITS.pageSizeMax);
    const filters: TicketFilters = {};
    if (input.status !== undefined) {
      if (!isTicketStatus(input.status)) throw new AppError('validation_failed', `status must be open, in_progress or closed`);
      filters.status = input.status;
    }
    if (input.matricola !== undefined) filters.matricola = input.matricola.trim();
    if (input.subject !== undefined && input.subject.trim() !== '') filters.subject = input.subject.trim();
    if (input.sede !== undefined) filters.sede = input.sede.trim();
    if (input.overdue !== undefined) filters.overdue = input.overdue;
    if (input.mine !== undefined) {
      // Whose a request is means something on the user side only; an office's "mine" would be another question.
      if (scope.kind !== 'user') throw new AppError('validation_failed', 'mine is for users: their own requests or those of their companies');
      if (input.mine) scope = { ...scope, matricole: [] };
      else filters.notUser = scope.userId;
    }
    if (input.from !== undefined) filters.createdFrom = this.boundary('from', input.from, 'start');
    if (input.to !== undefined) filters.createdBefore = this.boundary('to', input.to, 'end');
    if (input.updatedFrom !== undefined) filters.updatedFrom = this.boundary('updatedFrom', input.updatedFrom, 'start');
    if (input.updatedTo !== undefined) filters.updatedBefore = this.boundary('updatedTo', input.updatedTo, 'end');
    const order = input.sort ?? 'due';
    if (!isTicketOrder(order)) throw new AppError('validation_failed', 'sort must be due or updated');
    const now = this.now();
    const { items, total } = await this.store.list(scope, filters, now, { offset: (page - 1) * pageSize, limit: pageSize, order });
    return { items, page, pageSize, total, now };
  }

  /**
   * The Linea INPS requests of a chat's user, for the advisor serving the chat now:
   * so they neither open a second request for the same thing nor leave the user
   * without news of the first. The one exception to "advisors see no tickets", and
   * a narrow one: only the chat's current advisor, only while it is open; anyone
   * else (another advisor, the user, an office, the same advisor once the chat
   * closed or moved on) gets not_found, as for an absent chat. The user's own
   * requests, and those of the company the chat is about (`chatMatricola`), never
   * another company the user holds: not closed, or closed in the last
   * CHAT_REQUESTS_CLOSED_DAYS; newest activity first, at most CHAT_REQUESTS_MAX.
   */
  async ofChat(identity: Identity, chat: ConversationRecord | null): Promise<{ conversation: ConversationRecord; items: TicketRecord[]; matricola: string | null }> {
    const conv = servedByCaller(identity, chat);
    const matricola = chatMatricola(conv);
    const closedSince = new Date(this.clock.now() - CHAT_REQUESTS_CLOSED_DAYS * 86_400_000);
    const items = await this.store.ofChatUser({ userId: conv.userId, matricola, company: conv.userRole !== 'worker', closedSince, limit: CHAT_REQUESTS_MAX });
    return { conversation: conv, items, matricola };
  }

  /**
   * One ticket with its thread and the follow-ups the caller may open (another
   * person's follow-up of a company's request is theirs only when they hold
   * the company); staff also get its audit trail and internal notes. An office
   * reading another sede's request as the history of a follow-up it holds
   * (`historyOf`) gets the thread, transcript and files, not that sede's notes
   * nor its audit trail: those are the other sede's working papers.
   */
  async get(identity: Identity, id: string): Promise<TicketDetail> {
    const { ticket, history } = await this.readableTicket(identity, id);
    const sedeStaff = isStaff(identity) && history === null;
    const [replies, audit, notes, transcript, followUps] = await Promise.all([
      this.store.replies(ticket.id),
      sedeStaff ? this.store.audit(ticket.id) : Promise.resolve(null),
      sedeStaff ? this.store.notes(ticket.id) : Promise.resolve(null),
      ticket.conversationId !== null ? this.store.transcript(ticket.conversationId) : Promise.resolve(null),
      this.store.followUps(ticket.id),
    ]);
    const followedBy = await openableFollowUps(this.store, identity, ticket, followUps, history);
    return { ticket, replies, audit, notes, transcript, followedBy, historyOf: history?.followUp ?? null, now: this.now() };
  }

  /** An internal note for colleagues (ticket-writing.ts); with an idempotency key, perhaps a replay. */
  async addNote(identity: Identity, id: string, bodyInput: string, key: string | null = null): Promise<Noted> {
    return writeNote(this.writing, identity, id, bodyInput, key);
  }

  /** A chained reply with up to three files (ticket-writing.ts); with an idempotency key, perhaps a replay. */
  async reply(identity: Identity, id: string, bodyInput: string, attachments: readonly NewAttachment[] = [], key: string | null = null): Promise<Replied> {
    return writeReply(this.writing, identity, id, bodyInput, attachments, key);
  }

  /** The checks a reply passes before its files arrive (ticket-writing.ts): the ticket's id, normalized. */
  async mayReply(identity: Identity, id: string, key: string | null = null): Promise<string> {
    return mayReply(this.writing, identity, id, key);
  }

  /**
   * One ticket the caller may read, or not_found (absent and "not yours"
   * alike): one it may see (`mayView`), or for an office another sede's
   * request that a follow-up at its sede follows, read only (`history`, see
   * ticket-follow-up.ts). Reads only: every action goes through `visible`.
   */
  async readableTicket(identity: Identity, id: string): Promise<{ ticket: TicketRecord; history: HistoryAccess | null }> {
    if (typeof id !== 'string' || !TICKET_ID.test(id)) throw new AppError('not_found');
    const ticket = await this.store.get(id.toLowerCase());
    if (!ticket) throw new AppError('not_found');
    if (mayView(identity, ticket)) return { ticket, history: null };
    const history = await historyAccess(this.store, identity, ticket);
    if (history === null) throw await this.refusal(identity, ticket);
    return { ticket, history };
  }

  /**
   * open → in_progress (office: take in charge), in_progress → closed and
   * open → closed (office, with an outcome); open → closed by the user who
   * opened it (withdrawn). Anything else: illegal_transition, nothing changed.
   */
  async changeStatus(identity: Identity, id: string, change: StatusChange): Promise<TicketRecord> {
    if (!isTicketStatus(change.status)) throw new AppError('validation_failed', 'status must be open, in_progress or closed');
    const to: TicketStatus = change.status;
    const ticket = await this.visible(identity, id);
    if (identity.role === 'supervisor') throw new AppError('forbidden', 'supervisors read tickets; the sede moves them');
    const from = ticket.status;
    const requested = change.outcome === undefined || change.outcome === null ? null : text('outcome', change.outcome, TICKET_LIMITS.outcomeMax);
    const illegal = () => new AppError('illegal_transition', `from ${from} to ${to}`);
    let outcome: string | null = null;
    if (identity.role === 'office') {
      const legal = (from === 'open' && to === 'in_progress') || (from !== 'closed' && to === 'closed');
      if (!legal) throw illegal();
      if (to === 'closed') {
        if (requested === null) throw new AppError('validation_failed', 'an outcome is required to close a ticket');
        outcome = requested;
      } else if (requested !== null) {
        throw new AppError('validation_failed', 'an outcome is given only when closing');
      }
    } else {
      // the user side: only the one who opened it, only to withdraw an open request
      if (!(ticket.userId === identity.sub && from === 'open' && to === 'closed')) throw illegal();
      if (requested !== null && requested !== WITHDRAWN) throw new AppError('validation_failed', `a user closes a request only as ${WITHDRAWN}`);
      outcome = WITHDRAWN;
    }
    const action = to === 'in_progress' ? 'taken_in_charge' : 'closed';
    const kind: NoticeKind = action;
    const notice: NewNotice = {
      kind,
      ...(identity.role === 'office' ? userSide(ticket) : { recipientKind: 'sede', recipientId: ticket.sede }),
      payload: { ...noticePayload(ticket), status: to, ...(outcome === null ? {} : { outcome }) },
    };
    const fromOffice = identity.role === 'office';
    const changed = await this.store.transition(ticket.id, { from, to, actor: actorOf(identity), at: this.now(), outcome, action, notice, ...(fromOffice ? { atSede: ticket.sede } : {}) });
    if (changed) {
      this.updated(changed, { reason: 'status', by: fromOffice ? 'office' : 'user' });
      return changed;
    }
    // someone else moved it first (or sent it to another sede)
    const current = await this.store.get(ticket.id);
    if (fromOffice && current !== null && current.sede !== ticket.sede) throw new AppError('ticket_transferred');
    throw new AppError('illegal_transition', `from ${current?.status ?? from} to ${to}`);
  }

  /**
   * An office operator hands a ticket of their sede, not closed, to the
   * competent sede ("trasferimento per competenza"): it goes back to `open`
   * with nobody in charge, keeps its due time (see ticket-store-sql.ts), and
   * the user side is told where it went. The reason goes to the audit trail
   * only. Of two transfers at once, or a transfer and a close, one wins; the
   * other gets ticket_transferred (or ticket_closed).
   */
  async transfer(identity: Identity, id: string, input: TransferRequest): Promise<TicketRecord> {
    const ticket = await this.visible(identity, id);
    if (identity.role !== 'office') throw new AppError('forbidden', 'only an office operator of the ticket\'s sede transfers it');
    if (ticket.status === 'closed') throw new AppError('ticket_closed');
    const reason = text('reason', input.reason, TICKET_LIMITS.transferReasonMax);
    const to = typeof input.sede === 'string' ? input.sede.trim() : '';
    if (to === ticket.sede) throw new AppError('same_sede', to);
    if (to === '' || (await this.store.provinceOfSede(to)) === null) throw new AppError('unknown_sede', to);
    const notice: NewNotice = { kind: 'transferred', ...userSide(ticket), payload: { ...noticePayload(ticket), sede: to, from: ticket.sede, status: 'open' } };
    const moved = await this.store.transfer(ticket.id, { from: ticket.sede, to, actor: actorOf(identity), at: this.now(), reason, notice });
    if (moved) {
      this.updated(moved, { reason: 'transfer', by: 'office' });
      return moved;
    }
    const current = await this.store.get(ticket.id);
    if (current === null) throw new AppError('not_found');
    throw new AppError(current.status === 'closed' ? 'ticket_closed' : 'ticket_transferred');
  }

  /** The territorial offices, for staff choosing where a ticket goes. */
  async offices(identity: Identity): Promise<OfficeEntry[]> {
    if (!isStaff(identity)) throw new AppError('forbidden', 'the list of offices is for office staff');
    return this.store.offices();
  }

  /** Whether a ticket is past its due time without the office having answered. */
  isOverdue(ticket: TicketRecord, now: Date = this.now()): boolean {
    return isOverdue(ticket, now);
  }

  /** The SLA due time of a ticket opened at `start` for `sede`. */
  async dueFor(sede: string, start: Date): Promise<Date> {
    const province = await this.store.provinceOfSede(sede);
    const patronDay = province === null ? undefined : patronDayOf(province);
    return dueDate(start, this.slaHours, { timeZone: this.timeZone, ...(patronDay === undefined ? {} : { patronDay }) });
  }

  /** The sede holding the matricola when known, else the province's. */
  async competentSede(province: string, matricola: string | null): Promise<string> {
    const byMatricola = matricola === null ? null : await this.store.sedeOfMatricola(matricola);
    const sede = byMatricola ?? (await this.store.sedeOfProvince(province));
    if (sede === null) throw new AppError('no_competent_office', province);
    return sede;
  }

  private async visible(identity: Identity, id: string): Promise<TicketRecord> {
    if (typeof id !== 'string' || !TICKET_ID.test(id)) throw new AppError('not_found');
    const ticket = await this.store.get(id.toLowerCase());
    if (!ticket) throw new AppError('not_found');
    if (!mayView(identity, ticket)) throw await this.refusal(identity, ticket);
    return ticket;
  }

  /**
   * Why an existing ticket is refused to `identity`: `ticket_transferred` to an office operator whose sede
   * transferred it on (its audit says so), the `not_found` of an absent id to anyone else.
   */
  private async refusal(identity: Identity, ticket: TicketRecord): Promise<AppError> {
    if (identity.role === 'office' && identity.sede !== null) {
      const from = identity.sede;
      const audit = await this.store.audit(ticket.id);
      if (audit.some((e) => e.action === 'transferred' && e.detail.from === from)) return new AppError('ticket_transferred');
    }
    return new AppError('not_found');
  }

  /** After the commit; a push that fails must not turn a stored change into an error. */
  private updated(ticket: TicketRecord, change: TicketChange): void {
    try {
      this.onUpdated(ticket, change);
    } catch {
      // best-effort: the pages refresh on reconnect and when shown again
    }
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  /** A local date (whole day) or an ISO instant, as the start or the exclusive end of a range. */
  private boundary(field: string, value: string, side: 'start' | 'end'): Date {
    return queryBoundary(field, value, side, this.timeZone);
  }

}
