/**
 * Retried creations (docs/tickets.md, "Retried creations"): `POST /api/v1/tickets`,
 * `POST /api/v1/tickets/:id/replies` and `POST /api/v1/tickets/:id/notes` take an optional
 * `Idempotency-Key` header. A phone on a bad line sends a request (or a reply), loses the answer
 * and sends it again: with the same key, the second POST answers what the first one created (the
 * same ticket, the same reply) instead of writing another. Keys are the writer's own (the token's
 * `sub`: a ticket's `created_by`, a reply's or note's `author_id`, within its ticket), kept with
 * what they created, and answered for 24 hours; the same key with another request (another text,
 * subject, topic, follow-up, addressee or files) is refused, since the client is then not retrying
 * but reusing a key.
 *
 * This file holds what the three creations share: the header, the answer, the request's hash and
 * the comparison with what the key first asked. Each store keeps its keys in its own rows, under a
 * unique index that decides races across nodes.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NewAttachment } from './attachments.ts';
import { AppError } from './errors.ts';

/** How long a key answers with what it first created; after that the same key creates anew. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer that is a replay: nothing was created by this POST. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** A creation's key and the hash of what it asks. */
export interface Idempotency {
  key: string;
  hash: string;
}

/** The request's `Idempotency-Key`, checked; null when absent. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const value = request.headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !KEY.test(value)) throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');
  return value;
}

/** A replay answers 200 with the replay header; a creation 201. */
export function answerCreated(reply: FastifyReply, replayed: boolean): void {
  if (replayed) reply.code(200).header(REPLAYED_HEADER, 'true');
  else reply.code(201);
}

/**
 * The hash of a creation's normalized request: fields after trimming and case-folding (as the
 * service reads them), in a fixed order, and each file's name and content hash. Who sends it is
 * not in it: the key is already the sender's own.
 */
export function requestHash(fields: Record<string, string | null>, files: readonly NewAttachment[]): string {
  const canonical = JSON.stringify([Object.keys(fields).sort().map((k) => [k, fields[k]]), files.map((f) => [f.filename, f.sha256])]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The key and hash of a creation, or undefined without a key. */
export function idempotencyOf(key: string | null, fields: Record<string, string | null>, files: readonly NewAttachment[]): Idempotency | undefined {
  return key === null ? undefined : { key, hash: requestHash(fields, files) };
}

/** Keys used at or before this instant are free again. */
export function idempotencySince(now: Date): Date {
  return new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS);
}

/** A replay of what this key first created, if `hash` (what it first asked) is what is asked now; else idempotency_key_reused. */
export function sameRequest(hash: string | undefined, idempotency: Idempotency): void {
  if (hash !== idempotency.hash) throw new AppError('idempotency_key_reused');
}
