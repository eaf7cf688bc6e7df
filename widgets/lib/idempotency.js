/**
 * A fresh Idempotency-Key for one request the user may have to send again
 * (docs/tickets.md, "Retried creations"): 32 hex digits, kept by the form until
 * the server has answered, so a retry after a lost answer is not a second request.
 * From getRandomValues, which, unlike randomUUID, a page served over plain http has too.
 */
export function newIdempotencyKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
