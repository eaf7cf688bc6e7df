/**
 * Text that JSON and JavaScript allow but PostgreSQL cannot store, checked where
 * it comes in (WebSocket frames, JSON request bodies):
 * - U+0000 (`\u0000`): refused by `text` and `jsonb` alike. A message, a conversation
 *   id or a context value carrying one made its statement fail: `store_unavailable`
 *   or `internal` (inviting a retry that fails the same way), an error in the log,
 *   and, in a waiting chat request's context, every assignment of that user failed
 *   while they stayed at the head of their queue. No person types one: refused,
 *   `validation_failed`, naming the field.
 * - A lone surrogate (`\ud800` without its pair: half an emoji, cut by a client at a
 *   length limit). `text` stored it as U+FFFD, but `jsonb` refused it: the same stuck
 *   chat request, and `500 internal` for a ticket, a transfer reason or an outcome with
 *   one (they reach the notices and the audit trail as `jsonb`). It becomes U+FFFD as
 *   it comes in, so what is stored, delivered live and replayed is the same everywhere.
 * JSON strings take no raw control characters and a WebSocket text frame is valid
 * UTF-8, so both can only arrive as `\u` escapes: text without one is not walked.
 */

/** Only JSON text with one of these escapes can hold U+0000 or a surrogate. */
const ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
/** In a `u` regular expression a well-formed pair is one code point: this matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/gu;

export function mayNeedMending(json: string): boolean {
  return ESCAPE.test(json);
}

/**
 * Mends a value parsed from JSON in place (lone surrogates in strings become U+FFFD) and
 * returns null; or returns why it is refused (U+0000 in a string, or U+0000 or a lone
 * surrogate in a key), naming where. Walks with its own stack: no nesting overflows it.
 */
export function mendText(value: unknown): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? refusal('', NUL) : null;
  const stack: [Record<string, unknown> | unknown[], string][] = [];
  if (typeof value === 'object' && value !== null) stack.push([value as Record<string, unknown>, '']);
  while (stack.length > 0) {
    const [holder, path] = stack.pop()!;
    for (const key of Object.keys(holder)) {
      const at = `${path}/${key}`;
      if (key.includes('\u0000')) return refusal(at, NUL);
      if (key.search(LONE_SURROGATE) >= 0) return refusal(at, 'a broken character (a lone surrogate) in its name');
      const v = (holder as Record<string, unknown>)[key];
      if (typeof v === 'string') {
        if (v.includes('\u0000')) return refusal(at, NUL);
        if (v.search(LONE_SURROGATE) >= 0) (holder as Record<string, unknown>)[key] = v.replace(LONE_SURROGATE, '\ufffd');
      } else if (typeof v === 'object' && v !== null) stack.push([v as Record<string, unknown>, at]);
    }
  }
  return null;
}

const NUL = 'a NUL character (U+0000)';

function refusal(path: string, what: string): string {
  const where = path === '' ? 'the value' : path.slice(1, 101).replace(/\u0000/g, '\\u0000').replace(LONE_SURROGATE, '\ufffd');
  return `${where} contains ${what}`;
}
