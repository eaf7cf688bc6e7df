/**
 * The one registry of error codes. Every HTTP error body and every WebSocket
 * `error` frame carries one of these codes; docs/errors.md is checked against
 * this table by test/errors-doc.test.ts, so add a row there when adding one here.
 */
import createError from '@fastify/error';

export interface ErrorSpec {
  status: number;
  message: string;
}

export const ERRORS = {
  // request shape
  bad_request: { status: 400, message: 'The request is malformed: %s' },
  validation_failed: { status: 400, message: 'A field is missing or wrong: %s' },
  unknown_province: { status: 400, message: 'Unknown province code: %s' },
  invalid_instant: { status: 400, message: 'Not a readable ISO 8601 instant: %s' },
  // sign-in
  unauthenticated: { status: 401, message: 'Sign in first: %s' },
  token_invalid: { status: 401, message: 'The sign-in token was refused: %s' },
  token_expired: { status: 401, message: 'The sign-in token has expired' },
  forbidden: { status: 403, message: 'Your role may not do this: %s' },
  not_found: { status: 404, message: 'Not found' },
  // chat
  service_closed: { status: 409, message: 'The service is closed: %s' },
  already_in_conversation: { status: 409, message: 'You already have an open conversation' },
  not_waiting: { status: 409, message: 'You are not waiting in any queue' },
  closing_soon: { status: 409, message: 'The expected wait runs past closing time (%s): leave a Linea INPS request instead, or wait anyway' },
  transfer_target_unavailable: { status: 409, message: 'That advisor cannot take the chat now: %s' },
  conversation_closed: { status: 409, message: 'The conversation is closed' },
  not_participant: { status: 404, message: 'No such conversation for you' },
  // the user's rating after the close (chat-rating.ts)
  conversation_open: { status: 409, message: 'The conversation is still open: rate it once it has ended' },
  already_rated: { status: 409, message: 'This conversation was already rated (%s): a rating cannot be changed' },
  rating_window_expired: { status: 409, message: 'The conversation ended more than %s hours ago: it can no longer be rated' },
  unknown_type: { status: 400, message: 'Unknown frame type: %s' },
  not_json: { status: 400, message: 'The frame is not a JSON object' },
  text_too_long: { status: 413, message: 'The text is longer than %s characters' },
  rate_limited: { status: 429, message: 'Too many messages: slow down' },
  too_many_sockets: { status: 429, message: 'Too many chat windows are open on this server for one person: close one, then connect again' },
  store_unavailable: { status: 503, message: 'Messages cannot be stored right now; nothing was saved' },
  // refused by node's HTTP parser, before routing (http-client-errors.ts)
  request_timeout: { status: 408, message: 'The request did not arrive in time: the connection is closed' },
  payload_too_large: { status: 413, message: 'The request body is too large' },
  headers_too_large: { status: 431, message: 'The request headers are larger than 16 KiB: the connection is closed' },
  unsupported_media_type: { status: 415, message: 'Send JSON with Content-Type: application/json' },
  // tickets
  illegal_transition: { status: 409, message: 'This status change is not allowed: %s' },
  reply_limit_reached: { status: 429, message: 'You have written %s replies in the last 24 hours, the most one person may: the sede will answer what you have sent' },
  ticket_limit_reached: { status: 429, message: 'You have opened %s Linea INPS requests in the last 24 hours, the most one person may: write in one of them instead' },
  ticket_closed: { status: 409, message: 'The ticket is closed: nothing more can be added to it or done with it' },
  matricola_not_yours: { status: 403, message: 'You do not act for this matricola: %s' },
  no_competent_office: { status: 422, message: 'No territorial office is competent for %s' },
  tickets_busy: { status: 503, message: 'Too many requests are being recorded right now; nothing was saved, try again in a moment' },
  unknown_sede: { status: 400, message: 'No territorial office has this code: %s' },
  same_sede: { status: 400, message: 'The ticket is already at %s' },
  ticket_transferred: { status: 409, message: 'The ticket was transferred to another sede meanwhile; nothing was changed' },
  ticket_not_closed: { status: 409, message: 'The request %s is not closed: write in it instead of opening a follow-up' },
  follow_up_window_expired: { status: 409, message: 'The request was closed more than %s days ago: open a new request instead of a follow-up' },
  follow_up_withdrawn: { status: 409, message: 'The request %s was withdrawn by its writer, so the sede never answered it: open a new request instead of a follow-up' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was already used for a different request: send a new key for a new request' },
  follow_up_matricola_mismatch: { status: 422, message: 'A follow-up stays with the company of the request it follows: %s' },
  // ticket attachments and notices
  attachment_type_refused: { status: 415, message: 'This file type is not accepted (PDF, PNG, JPEG, P7M or plain text only): %s' },
  attachment_too_large: { status: 413, message: 'A file is larger than 5 MiB: %s' },
  too_many_attachments: { status: 400, message: 'At most %s files a message' },
  // dashboard
  ticket_only: { status: 409, message: 'This province takes Linea INPS requests only for now: %s' },
  snapshot_day_erased: { status: 409, message: 'The chats and requests of %s have been erased by the retention period: its recorded figures stay as they are' },
  // announcements
  announcement_window_invalid: { status: 400, message: 'The announcement cannot be shown in this window: %s' },
  markup_not_allowed: { status: 400, message: 'Plain text only: %s looks like markup (a tag or an entity)' },
  // access log
  access_log_unavailable: { status: 503, message: 'The access could not be recorded, so nothing is shown; try again in a moment' },
  // server
  not_ready: { status: 503, message: 'Not ready: %s' },
  draining: { status: 503, message: 'This node is shutting down: connect again (the load balancer sends you to another)' },
  internal: { status: 500, message: 'Something went wrong on our side' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An error that knows its stable code, its HTTP status and a message for people. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Fields the answer carries beside code and message (docs/errors.md names them per code). */
  extra?: Record<string, unknown>;
  constructor(code: ErrorCode, detail?: string) {
    const spec: ErrorSpec = ERRORS[code];
    super(spec.message.includes('%s') ? spec.message.replace('%s', detail ?? '') : spec.message);
    this.code = code;
    this.statusCode = spec.status;
  }
}

/** fastify-style constructors, one per code, for routes that prefer them. */
export const HttpErrors = Object.fromEntries(
  Object.entries(ERRORS).map(([code, spec]) => [code, createError(code, spec.message, spec.status)]),
) as { [K in ErrorCode]: ReturnType<typeof createError> };

/** The body every HTTP error answers with. */
export function errorBody(code: string, message: string, extra?: Record<string, unknown>) {
  return { error: { ...extra, code, message } };
}

/** An error with fields beside code and message: on a WebSocket `error` frame, and in an HTTP body's `error`. */
export function withExtra(err: AppError, extra: Record<string, unknown>): AppError {
  err.extra = extra;
  return err;
}
