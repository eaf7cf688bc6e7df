/**
 * Linea INPS tickets: what callers ask of the service, and the checks every
 * field passes before a rule is applied (trimmed text within its limit, a
 * known topic and province, a matricola the caller may file under, at most
 * three files). Each failure is an AppError with a stable code.
 */
import { findProvince } from '../routing/provinces.ts';
import { TOPICS, type Topic } from '../routing/types.ts';
import { ATTACHMENT_LIMITS, type NewAttachment } from './attachments.ts';
import type { Identity } from './auth.ts';
import type { ConversationRecord, StoredMessage } from './chat-store.ts';
import { AppError } from './errors.ts';
import type { AuditEntry, TicketLink, TicketNote, TicketRecord, TicketReply } from './ticket-store.ts';

export interface TicketList {
  items: TicketRecord[];
  page: number;
  pageSize: number;
  total: number;
  /** The instant `overdue` was judged at. */
  now: Date;
}

export interface TicketDetail {
  ticket: TicketRecord;
  replies: TicketReply[];
  /** Staff only. */
  audit: AuditEntry[] | null;
  /** Staff only: the internal notes. Null for users, who are never told they exist. */
  notes: TicketNote[] | null;
  /** The chat the ticket came from, when escalated. */
  transcript: { seq: number; senderId: string; senderRole: string; text: string; at: Date }[] | null;
  /** The requests that follow this one up, those the caller may open, oldest first. */
  followedBy: TicketLink[];
  /**
   * Set when an office reads another sede's request as the history of a
   * follow-up it holds (read only): that follow-up. Null for every other read.
   */
  historyOf: { id: string; protocol: string } | null;
  now: Date;
}

export interface StatusChange {
  status: string;
  outcome?: string | null;
}

export interface TransferRequest {
  /** The competent sede (`offices.code`). */
  sede: string;
  /** Why: kept in the audit trail, never in a notice. */
  reason: string;
}

export interface CreateByUserInput {
  subject: string;
  category: Topic;
  body: string;
  /** Where the request belongs; default the token's `province`. */
  province?: string;
  /** The company concerned: an employer's own, or one an intermediary represents. */
  matricola?: string;
  /**
   * A follow-up: the id of the caller's closed request this one follows up
   * (ticket-follow-up.ts). It then goes to that request's sede, with its matricola.
   */
  follows?: string;
}

export interface CreateFromEscalationInput {
  conversation: ConversationRecord;
  summary: string;
  advisor: Identity;
  transcript: StoredMessage[];
  /** Default: the first line of the summary. */
  subject?: string;
  /** The advisor's internal note for the sede, stored as note 1; the user never sees it (the summary they do). */
  note?: string;
}

export interface CreateByOfficeInput {
  to: { userId?: string; matricola?: string };
  subject: string;
  category: Topic;
  body: string;
}

export interface ListInput {
  status?: string;
  matricola?: string;
  subject?: string;
  /** Created on or after: a local date `YYYY-MM-DD` or an ISO 8601 instant. */
  from?: string;
  /** Created on or before: a local date (the whole day counts) or an instant (exclusive). */
  to?: string;
  updatedFrom?: string;
  updatedTo?: string;
  sede?: string;
  overdue?: boolean;
  /** Users only: true, the caller's own requests (`user_id` = their `sub`); false, those of others about their companies. */
  mine?: boolean;
  /** `due` (default: overdue first, then by due time) or `updated` (last change first, as a user reads their own). */
  sort?: string;
  page?: number;
  pageSize?: number;
}

/** The matricola a user may file under: an employer's own, or one an intermediary represents. */
export function matricolaFor(identity: Identity, requested: string | undefined): string | null {
  const wanted = requested === undefined ? '' : requested.trim();
  if (identity.role === 'employer') {
    if (wanted !== '' && wanted !== identity.matricola) throw new AppError('matricola_not_yours', wanted);
    return identity.matricola;
  }
  if (wanted === '') return null;
  if (identity.role === 'intermediary' && identity.matricole.includes(wanted)) return wanted;
  throw new AppError('matricola_not_yours', wanted);
}

export function provinceOf(raw: string | null | undefined): string {
  if (raw === undefined || raw === null || raw.trim() === '') throw new AppError('validation_failed', 'province is required');
  const province = findProvince(raw);
  if (!province) throw new AppError('unknown_province', raw.slice(0, 10));
  return province.code;
}

export function topic(value: unknown): Topic {
  if (typeof value !== 'string' || !(TOPICS as readonly string[]).includes(value)) {
    throw new AppError('validation_failed', `category must be one of ${TOPICS.join(', ')}`);
  }
  return value as Topic;
}

/**
 * Trimmed, with line breaks as LF: a browser sends a form's text as CRLF in
 * multipart and as LF in JSON, and the same letter must be stored, shown and
 * counted against `max` the same way whichever it came in.
 */
export function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new AppError('validation_failed', `${field} must be text`);
  const trimmed = value.replace(/\r\n?/g, '\n').trim();
  if (trimmed.length === 0) throw new AppError('validation_failed', `${field} is empty`);
  if (trimmed.length > max) throw new AppError('validation_failed', `${field} is longer than ${max} characters`);
  return trimmed;
}

export function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  return text(field, value, max);
}

export function positiveInt(field: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new AppError('validation_failed', `${field} must be an integer from 1 to ${max}`);
  return value;
}

/** At most three files a message. */
export function fileCount(attachments: readonly NewAttachment[]): readonly NewAttachment[] {
  if (attachments.length > ATTACHMENT_LIMITS.maxFiles) throw new AppError('too_many_attachments', String(ATTACHMENT_LIMITS.maxFiles));
  return attachments;
}

export function subjectFrom(summary: string): string {
  const line = summary.split(/\r?\n/)[0]!.trim();
  return line.length <= 120 ? line : `${line.slice(0, 119)}…`;
}
