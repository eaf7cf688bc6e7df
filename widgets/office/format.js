/**
 * How the office console words a file size and a failed API call, in the
 * chosen language. Separate from office.js because the list, the ticket view
 * and the forms all show these, and none of them owns the others.
 */
import { lang } from '../i18n.js';
import { tr } from './strings.js';

export function formatSize(bytes) {
  const loc = lang() === 'en' ? 'en-GB' : 'it-IT';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${new Intl.NumberFormat(loc, { maximumFractionDigits: 0 }).format(bytes / 1024)} KB`;
  return `${new Intl.NumberFormat(loc, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} MB`;
}

export function errorText(err) {
  const code = err?.code ?? 'error';
  const key = `off.err.${code}`;
  const s = tr(key, { message: err?.message ?? '' });
  return s === key ? tr('off.err.generic', { code }) : s;
}
