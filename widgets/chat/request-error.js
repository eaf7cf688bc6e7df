/**
 * What the chat says when one of its requests over the socket (start a chat, leave the queue, close,
 * rate, send) fails. Without a connection the client refuses at once ('disconnected') or hears nothing
 * back ('timeout'): that is said in the chat's own words (the page reconnects by itself), since
 * 'Non è stato possibile avviare la chat (disconnected)' told a user on a train nothing they could act
 * on. Any other refusal is worded by widgets/lib/error-words.js, its code apart for the help desk.
 */
import { t } from '../i18n.js';
import { sayError } from '../lib/said.js';

const NO_CONNECTION = ['disconnected', 'timeout'];

/** True when the request failed for want of a connection (the page reconnects by itself). */
export function offline(f) {
  return NO_CONNECTION.includes(f?.code);
}

/**
 * Says on `el` why a request failed: the sentence of `leadKey` (what did not happen), if any, then
 * why and what to do; said again in a new language (lib/said.js).
 */
export function showFailure(el, f, leadKey) {
  sayError(el, f, () => ({ lead: leadKey ? t(leadKey) : '', own: (code) => (NO_CONNECTION.includes(code) ? t('conn.lostTryAgain') : undefined) }));
}
