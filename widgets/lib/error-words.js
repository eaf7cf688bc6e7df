/**
 * How every page says that something was refused or failed: in words, what
 * happened and what the person can do ("Il servizio non risponde in questo
 * momento. Riprova tra qualche istante."), never a code inside a sentence —
 * "Operazione non riuscita (validation_failed)" told nobody anything. The code
 * stays for the help desk, after the sentence, in a small element of its own:
 * `<span class="error-code" data-code="validation_failed">(codice: validation_failed)</span>`.
 * A failure with no answer at all (no connection) has no code to quote: its
 * words say so ("Il collegamento al server si è interrotto.").
 *
 * The page gives its own first sentence (`lead`: "Registro degli accessi non
 * disponibile."), sometimes its own words for a code it knows better (`own`),
 * and, for validation_failed, the labels of its fields (`fields`): the server
 * names the field in its (English) message, the page says «Oggetto».
 * Texts: error-words-strings.js (it, de, en); docs/errors.md, "How the pages
 * show a code". test/error-words.test.ts keeps every code of server/errors.ts worded.
 */
import { translator } from '../i18n.js';
import { de, en, it } from './error-words-strings.js';
import { h } from './ui.js';

export const WORDS = { it, de, en };
const w = translator(WORDS);

/** Codes with words of the same name. */
const OWN_WORDS = [
  'validation_failed', 'unknown_province', 'invalid_instant', 'text_too_long', 'too_many_sockets', 'service_closed', 'closing_soon',
  'ticket_only', 'transfer_target_unavailable', 'already_in_conversation', 'not_waiting', 'conversation_closed', 'conversation_open',
  'already_rated', 'rating_window_expired', 'illegal_transition', 'ticket_closed', 'ticket_transferred', 'matricola_not_yours',
  'no_competent_office', 'unknown_sede', 'same_sede', 'ticket_limit_reached', 'reply_limit_reached', 'ticket_not_closed',
  'follow_up_window_expired', 'follow_up_withdrawn', 'follow_up_matricola_mismatch', 'attachment_type_refused', 'attachment_too_large',
  'too_many_attachments', 'snapshot_day_erased', 'announcement_window_invalid', 'markup_not_allowed', 'forbidden', 'not_found',
  'rate_limited', 'bad_request', 'internal', 'sign_in_unavailable', 'idp_unreachable', 'access_denied',
];

/** Codes that share words with others. */
const SHARED_WORDS = {
  // No answer came: the page's client says so with these (fetch threw, the socket is down, no reply in time).
  network: 'network', offline: 'network', disconnected: 'network', timeout: 'network', connect_failed: 'network',
  request_timeout: 'network',
  // A dependency down or the node going away: nothing was done, trying again shortly is safe.
  unavailable: 'service', store_unavailable: 'service', not_ready: 'service', draining: 'service',
  tickets_busy: 'busy',
  access_log_unavailable: 'access_log',
  unauthenticated: 'session', token_invalid: 'session', token_expired: 'session', token_unavailable: 'session', unauthorized: 'session',
  not_participant: 'not_found',
  // What a page sends wrong (a bug or a stale page, not the person's doing).
  not_json: 'bad_request', unknown_type: 'bad_request', unsupported_media_type: 'bad_request', headers_too_large: 'bad_request',
  idempotency_key_reused: 'bad_request',
  payload_too_large: 'too_large',
  // The identity provider's answers (widgets/lib/oidc-client.js).
  state_mismatch: 'sign_in_mismatch', nonce_mismatch: 'sign_in_mismatch', login_required: 'access_denied',
};

/** Kinds that pass by themselves: a page that tries again on its own leaves out their "try again". */
const TRANSIENT = ['network', 'service', 'internal', 'busy', 'access_log', 'rate_limited'];

/** A code for which nothing answered: there is nothing for the help desk to look up. */
const NO_ANSWER = ['network', 'offline', 'disconnected', 'timeout', 'connect_failed'];

/** Unknown codes, by their HTTP status (a proxy's 502, a new code of a newer server). */
function byStatus(status) {
  if (status === 400) return 'validation_failed';
  if (status === 401) return 'session';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408) return 'network';
  if (status === 413) return 'too_large';
  if (status === 415 || status === 431) return 'bad_request';
  if (status === 429) return 'rate_limited';
  if (status === 500) return 'internal';
  if (status >= 500) return 'service';
  return 'generic';
}

/** The code of a failure: the server's, the client's own ('disconnected'), or 'network' when fetch threw without an answer. */
export function errorCode(err) {
  if (typeof err === 'string') return err || 'error';
  if (typeof err?.code === 'string' && err.code) return err.code;
  return err?.status ? `http_${err.status}` : 'network';
}

/** Which words a code has ('generic' when none). */
export function wordsKind(code, status) {
  if (Object.hasOwn(SHARED_WORDS, code)) return SHARED_WORDS[code];
  if (OWN_WORDS.includes(code)) return code;
  const http = /^http_(\d{3})$/.exec(code);
  return byStatus(status ?? (http ? Number(http[1]) : 0));
}

/** The label of the field a validation_failed names in its message, when the page knows that field. */
function fieldOf(err, fields) {
  // "A field is missing or wrong: body/subject must NOT have more than 200 characters", "subject is empty".
  const message = String(err?.message ?? '').replace(/^[^:]*:\s*/, '').replace(/\b(body|querystring|params)\//g, '');
  for (const [name, label] of Object.entries(fields ?? {})) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[\\s'"])${escaped}(?![\\w.])`).test(message)) return label;
  }
  return null;
}

/**
 * The sentence for a failure (the code never in it). opts:
 * - lead: the page's first sentence, what did not happen ("Trascrizione non disponibile.");
 * - own(code, err): the page's own words for the codes it words better, else undefined;
 * - fields: { serverName: label } for validation_failed ("subject" → «Oggetto»);
 * - retrying: the page tries again by itself, so a "try again" is left out (not "sign in again");
 * - tail: a last sentence of the page's ("Nuovo tentativo ogni 5 secondi.").
 */
export function errorSentence(err, opts = {}) {
  const code = errorCode(err);
  const own = opts.own?.(code, err);
  let body;
  if (own) body = [own];
  else {
    const field = code === 'validation_failed' ? fieldOf(err, opts.fields) : null;
    const kind = field ? 'field' : wordsKind(code, err?.status);
    const todo = `${kind}.todo`;
    const skip = opts.retrying && TRANSIENT.includes(kind);
    body = [w(kind, { field }), !skip && Object.hasOwn(it, todo) ? w(todo) : ''];
  }
  return [opts.lead, ...body, opts.tail].filter(Boolean).join(' ');
}

/** The small "(codice: x)" after the sentence, or null when nothing answered. */
export function codeRef(err) {
  const code = errorCode(err);
  if (NO_ANSWER.includes(code)) return null;
  return h('span', { class: 'error-code', 'data-code': code }, `(${w('code', { code })})`);
}

/** The sentence and the code's element, for h() or replaceChildren(). */
export function errorNodes(err, opts) {
  const ref = codeRef(err);
  return ref ? [errorSentence(err, opts), ' ', ref] : [errorSentence(err, opts)];
}

/** Puts a failure's words, and its code apart, in `el` (an error line, a live region). */
export function showError(el, err, opts) {
  el.replaceChildren(...errorNodes(err, opts));
}
