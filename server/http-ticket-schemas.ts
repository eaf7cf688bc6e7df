/**
 * The JSON Schema pieces every ticket route shares (http-tickets.ts,
 * http-attachments.ts, http-ticket-notes.ts, http-ticket-transfer.ts): the `:id`
 * parameter, the `{ body }` of a reply or note, and an entry of a ticket's threads — a reply or an internal note,
 * which have the same shape (who wrote it, when, what). One definition, so the
 * routes cannot drift apart; a module of its own, so they import it without
 * importing one another.
 */
import { TICKET_LIMITS } from './ticket-rules.ts';

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['id'],
  additionalProperties: false,
} as const;

/** The request of a reply or a note written as JSON: `{ body }`, the same limit as a request's body. */
export const entryBodySchema = {
  type: 'object',
  properties: { body: { type: 'string', minLength: 1, maxLength: TICKET_LIMITS.bodyMax } },
  required: ['body'],
  additionalProperties: false,
} as const;

/**
 * A reply or a note: its number in its thread, its author (id, role, name: staff; role, name and
 * `mine`, whether the caller wrote it: users), its text and time.
 */
export const threadEntrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    author: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' }, name: { type: ['string', 'null'] }, mine: { type: 'boolean' } } },
    body: { type: 'string' },
    at: { type: 'string' },
  },
  required: ['seq', 'author', 'body', 'at'],
} as const;
