/**
 * Idempotency-Keys for what a person may have to send again (docs/tickets.md, "Retried
 * creations"): a request, a reply, a note. A form keeps the key of the message it sends until
 * the server has answered, so a retry after a lost answer is not a second message.
 */

/** A fresh key: 32 hex digits, from getRandomValues, which, unlike randomUUID, a page served over plain http has too. */
export function newIdempotencyKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One form's key. keyFor(what): `what` says what is being sent (a string: the text, the fields,
 * the files' names, sizes and dates, and where it goes); the same `what` again (sent again after
 * "Connessione assente") keeps its key, a changed one is a new message with a new key. done()
 * once the server answered it: the next message is a new one, even with the same text.
 */
export function idempotencyKeeper() {
  let sending = null;
  return {
    keyFor(what) {
      if (sending?.what !== what) sending = { key: newIdempotencyKey(), what };
      return sending.key;
    },
    done() {
      sending = null;
    },
  };
}
