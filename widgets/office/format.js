/**
 * How the office console words a failed API call, in the chosen language.
 * Separate from office.js because the list, the ticket view and the forms all
 * show these, and none of them owns the others.
 */
import { tr } from './strings.js';

export function errorText(err) {
  const code = err?.code ?? 'error';
  // Which file, when the server said (a refused attachment).
  if (err?.file && tr(`off.err.${code}.file`) !== `off.err.${code}.file`) return tr(`off.err.${code}.file`, { file: err.file });
  const key = `off.err.${code}`;
  const s = tr(key, { message: err?.message ?? '' });
  return s === key ? tr('off.err.generic', { code }) : s;
}
