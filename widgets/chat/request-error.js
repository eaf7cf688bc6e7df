/**
 * What the chat says when one of its requests over the socket (start a chat, leave the queue, close,
 * rate) fails. Without a connection the client refuses at once ('disconnected') or hears nothing back
 * ('timeout'): that is said in plain words, since 'Non è stato possibile avviare la chat (disconnected)'
 * told a user on a train nothing they could act on. Any other refusal keeps its code, for the help desk.
 */
import { t } from '../i18n.js';

const NO_CONNECTION = ['disconnected', 'timeout'];

/** True when the request failed for want of a connection (the page reconnects by itself). */
export function offline(f) {
  return NO_CONNECTION.includes(f?.code);
}

/** The message for a failed request: no connection in words, else `key` ('{code}' in it) with the code. */
export function failureText(f, key = 'error.generic') {
  return offline(f) ? t('conn.lostTryAgain') : t(key, { code: f?.code ?? 'error' });
}
