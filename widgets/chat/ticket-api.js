/**
 * The ticket API as the chat app calls it: every request carries the chat
 * client's Bearer token (after a 401, one retry with a fresh token from its
 * token provider), and every refusal becomes `{ code, message, status }` and
 * words for the user (the chat's own for the refusals of a request, else
 * widgets/lib/error-words.js's), its code apart.
 *
 * Separate from the views because the list, the thread, the forms and file
 * downloads all go through this one function: how the token is found and
 * renewed, and how an error reads, is reviewed in one place.
 */
import { lang, t } from '../i18n.js';
import { refusedFile } from '../lib/dev-token.js';
import { errorNodes } from '../lib/error-words.js';

const AUTH = ['unauthenticated', 'token_invalid', 'token_expired', 'token_unavailable'];

/** () → ChatClient */
let clientOf;
/** The last token minted here; the client's own is used until then. */
let fresh = null;

/** client: () → ChatClient */
export function initTicketApi(client) {
  clientOf = client;
}

/**
 * Whether a request failed for want of a connection while the chat's socket is reconnecting (a server
 * restart): the page says "reconnecting…" and reads again once connected (ticket-live.js), rather than
 * "Connessione assente", which it keeps for a browser offline or many failed tries (ChatConnection.lost()).
 */
export function reconnecting(err) {
  const client = clientOf?.();
  return err?.code === 'network' && !!client && ['reconnecting', 'connecting'].includes(client.status) && !client.lost();
}

/** extra: more request headers (e.g. the Idempotency-Key of a new request). */
export async function api(path, { method = 'GET', json, form, raw = false, headers: extra = {} } = {}) {
  const client = clientOf();
  for (let attempt = 0; ; attempt++) {
    const token = await tokenFor(client, attempt);
    // The language the person reads the page in: their Linea INPS notices follow it (German in South Tyrol).
    const headers = { ...extra, authorization: `Bearer ${token}`, 'x-infocig-lang': lang() };
    let body;
    if (json) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) body = form;
    let res;
    try {
      res = await fetch(new URL(path.replace(/^\//, ''), client.httpBase), { method, headers, body, cache: 'no-store' });
    } catch {
      throw { code: 'network' };
    }
    if (res.status === 401 && attempt === 0) continue;
    if (!res.ok) {
      const b = await res.json().catch(() => null);
      throw { code: b?.error?.code ?? `http_${res.status}`, message: b?.error?.message ?? '', status: res.status, file: refusedFile(b) };
    }
    return raw ? res : res.json();
  }
}

async function tokenFor(client, attempt) {
  const token = fresh ?? client.token;
  if (attempt === 0 && token) return token;
  try {
    return (fresh = await client.opts.getToken());
  } catch {
    throw { code: 'token_unavailable' };
  }
}

/** The chat's own words for a refusal about requests (tk.err.<code>), or undefined for the shared ones. */
function ticketWords(code, err) {
  if (AUTH.includes(code)) return t('tk.err.auth');
  // Which file, when the server said: "Il file «scan.png» è stato rifiutato: …".
  if (err?.file && t(`tk.err.${code}.file`) !== `tk.err.${code}.file`) return t(`tk.err.${code}.file`, { file: err.file });
  const key = `tk.err.${code}`;
  const s = t(key);
  return s === key ? undefined : s;
}

/** A refusal in words, then `tail` (e.g. "your text is kept"), then its code apart: for replaceChildren() or fail(). */
export function errNodes(err, tail = '') {
  return errorNodes(err, { own: ticketWords, tail });
}
