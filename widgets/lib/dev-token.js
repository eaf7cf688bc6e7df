/**
 * What every page's development sign-in shares: the error an API answer turns
 * into, a token from POST /dev/token, and the person picked earlier in this tab
 * (sessionStorage, so a reload resumes the same person). Pages differ only in
 * the claims they ask for and in what makes a saved choice usable.
 */
import { say } from './said.js';
import { readJson } from './tab-store.js';

/** An Error for an answer that is not ok: the server's message, the HTTP status and the stable error code. */
export function apiError(res, body) {
  return Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), {
    status: res.status,
    code: body?.error?.code ?? `http_${res.status}`,
    file: refusedFile(body),
  });
}

/**
 * The refused attachment's name an error body gives (attachment_type_refused, attachment_too_large):
 * someone's input, so only ever shown as text, and cut to 60 characters so a long name cannot push the message away.
 */
export function refusedFile(body) {
  const raw = body?.error?.file;
  if (typeof raw !== 'string' || !raw.trim()) return undefined;
  const chars = [...raw.trim()];
  return chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : chars.join('');
}

/** A token for these claims from POST /dev/token (404 when development sign-in is off). */
export async function mintDevToken(claims) {
  const res = await fetch(new URL('../dev/token', location.href), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw apiError(res, body);
  return body.token;
}

/** The choice saved under `key`, if it parses and `usable(choice)` says it is whole; otherwise null. */
export function savedChoice(key, usable) {
  try {
    const c = readJson(key);
    return c && typeof c === 'object' && typeof c.sub === 'string' && usable(c) ? c : null;
  } catch {
    return null;
  }
}

/**
 * The user code typed in a development form's `sub` field, or null once `error` says `words()` (letters, digits,
 * dot, hyphen, underscore; up to 64): said again in a new language (lib/said.js).
 */
export function formSub(fields, error, words) {
  const sub = fields.sub.value.trim();
  if (/^[A-Za-z0-9._-]{1,64}$/.test(sub)) return sub;
  say(error, words);
  fields.sub.focus();
  return null;
}
