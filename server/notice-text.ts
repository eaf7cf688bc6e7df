/**
 * What a notice says (notices.ts sends it): short, with the protocol number
 * and never the thread, the subject or the outcome — "there is news, sign in
 * to read it". In Italian; to a user whose token said German (South Tyrol), in
 * German (notice-text-de.ts). Also the masking of addresses in log lines.
 */
import { germanNotice } from './notice-text-de.ts';
import type { NoticeKind } from './ticket-store.ts';

/** E-mail addresses and phone numbers replaced, for log lines. */
export function maskAddresses(text: string): string {
  return text
    .replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '<address>')
    .replace(/\+?\d[\d .-]{6,}\d/g, (m) => (m.replace(/\D/g, '').length >= 8 ? '<number>' : m));
}

export interface NoticeFacts {
  kind: NoticeKind;
  recipientKind: 'user' | 'matricola' | 'sede';
  protocol: string;
  sedeName: string;
  /** An office's own request to the user (origin `office`). */
  interlocuzione: boolean;
  dueAt: Date | null;
  /** Closed by the user (outcome `withdrawn`). */
  withdrawn: boolean;
  /** A follow-up: the protocol number of the request it follows (never its text). */
  follows?: string | null;
  /** Where to sign in, if known. */
  link: string | null;
  /** A short form for SMS. */
  sms?: boolean;
  /** The language the recipient reads, when known ('de': German; anything else: Italian). */
  lang?: string | null;
}

/** A notice's words before the envelope: the subject, the lines, and the greeting and footer of an e-mail. */
export interface NoticeWords {
  subject: string;
  lines: string[];
  greeting: string;
  footer: string[];
}

const ROME_DATE = new Intl.DateTimeFormat('it-IT', {
  timeZone: 'Europe/Rome',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * "giovedì 10 dicembre 2026 alle 10:00", in Italian time. A deadline at 00:00
 * (the SLA counts whole working days) is "la fine di giovedì 10 dicembre 2026":
 * "alle 00:00" of the next day reads as the wrong day.
 */
export function italianDateTime(at: Date): string {
  const parts = Object.fromEntries(ROME_DATE.formatToParts(at).map((p) => [p.type, p.value]));
  if (parts.hour === '00' && parts.minute === '00') {
    const before = Object.fromEntries(ROME_DATE.formatToParts(new Date(at.getTime() - 1)).map((p) => [p.type, p.value]));
    return `la fine di ${before.weekday} ${before.day} ${before.month} ${before.year}`;
  }
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year} alle ${parts.hour}:${parts.minute}`;
}

/**
 * The message for one notice: short, with the protocol number and nothing of
 * the thread (no text, no subject, no outcome). A sede's are always Italian.
 */
export function composeNotice(f: NoticeFacts): { subject: string; text: string } {
  const w = f.lang === 'de' && f.recipientKind !== 'sede' ? germanNotice(f) : italianNotice(f);
  if (f.sms) return { subject: `INFO CIG – ${w.subject}`, text: `INFO CIG: ${w.lines.join(' ')}` };
  return { subject: `INFO CIG – ${w.subject}`, text: [w.greeting, '', ...w.lines, '', ...w.footer].join('\n') };
}

function italianNotice(f: NoticeFacts): NoticeWords {
  const p = f.protocol;
  const toSede = f.recipientKind === 'sede';
  let subject: string;
  let lines: string[];
  switch (f.kind) {
    case 'registered':
      if (toSede) {
        subject = `Nuova richiesta ${p}`;
        lines = [f.follows ? `È stata registrata la richiesta n. ${p} per la sua sede, a seguito della richiesta n. ${f.follows}.` : `È stata registrata la richiesta n. ${p} per la sua sede.`];
      } else if (f.interlocuzione) {
        subject = `Comunicazione ${p} da ${f.sedeName}`;
        lines = [`${f.sedeName} le ha inviato una comunicazione (n. ${p}) che attende la sua risposta.`];
      } else {
        subject = `Richiesta ${p} registrata`;
        const follows = f.follows ? `, collegata alla richiesta n. ${f.follows},` : '';
        lines = [`La sua richiesta Linea INPS n. ${p}${follows} è stata registrata e assegnata a ${f.sedeName}.`];
        if (f.dueAt) lines.push(`Sarà ricontattato entro ${italianDateTime(f.dueAt)}.`);
      }
      break;
    case 'taken_in_charge':
      subject = `Richiesta ${p} presa in carico`;
      lines = [`La sua richiesta n. ${p} è stata presa in carico da ${f.sedeName}.`];
      break;
    case 'replied':
      if (toSede) {
        subject = `Nuovo messaggio sulla richiesta ${p}`;
        lines = [`L'utente ha scritto un nuovo messaggio sulla richiesta n. ${p}.`];
      } else {
        subject = `Nuova risposta alla richiesta ${p}`;
        lines = [`${f.sedeName} ha risposto alla sua richiesta n. ${p}.`];
      }
      break;
    case 'closed':
      if (toSede) {
        subject = f.withdrawn ? `Richiesta ${p} ritirata` : `Richiesta ${p} chiusa`;
        lines = [f.withdrawn ? `L'utente ha ritirato la richiesta n. ${p}.` : `La richiesta n. ${p} è stata chiusa.`];
      } else {
        subject = `Richiesta ${p} chiusa`;
        lines = [`La sua richiesta n. ${p} è stata chiusa da ${f.sedeName}.`];
      }
      break;
    case 'transferred':
      // Where it went, never why: the reason is thread-like text, kept in the audit trail.
      subject = `Richiesta ${p} trasferita`;
      if (toSede) lines = [`La richiesta n. ${p} è stata trasferita per competenza alla sua sede.`];
      else if (f.interlocuzione) lines = [`La comunicazione n. ${p} è stata trasferita per competenza a ${f.sedeName}.`];
      else lines = [`La sua richiesta Linea INPS n. ${p} è stata trasferita per competenza a ${f.sedeName}.`];
      break;
  }
  const where = toSede ? 'nella console della sede' : 'accedendo a INFO CIG';
  const read = f.kind === 'closed' && !toSede ? `Può leggere l'esito ${where}` : `Trova i dettagli ${where}`;
  lines.push(f.link ? `${read}: ${f.link}` : `${read}.`);
  return {
    subject,
    lines,
    greeting: toSede ? `Alla ${f.sedeName},` : 'Gentile utente,',
    footer: ['--', 'Messaggio automatico di INFO CIG (INPS): non risponda a questa e-mail.', 'Per riservatezza il messaggio non riporta il contenuto della richiesta.'],
  };
}

/** What a sede's morning digest says (sede-digest.ts): counts, then protocol numbers and due times, nothing else. */
export function composeDigest(d: { sedeName: string; overdue: number; dueToday: number; items: { protocol: string; dueAt: string; overdue: boolean }[]; link: string | null }): { subject: string; text: string } {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    d.overdue > 0 ? n(d.overdue, 'in ritardo', 'in ritardo') : null,
    d.dueToday > 0 ? n(d.dueToday, 'in scadenza oggi', 'in scadenza oggi') : null,
  ].filter((p) => p !== null);
  const lines = [`Richieste Linea INPS della sede ancora senza risposta e in scadenza entro oggi:`, ''];
  if (d.overdue > 0) lines.push(`- ${n(d.overdue, 'richiesta oltre la scadenza', 'richieste oltre la scadenza')};`);
  if (d.dueToday > 0) lines.push(`- ${n(d.dueToday, 'richiesta da ricontattare entro oggi', 'richieste da ricontattare entro oggi')}.`);
  lines.push('', d.items.length < d.overdue + d.dueToday ? `Le ${d.items.length} più urgenti:` : 'Per scadenza:');
  for (const it of d.items) lines.push(`${it.protocol} – ${it.overdue ? 'scaduta' : 'scade'} ${italianDateTime(new Date(it.dueAt))}`);
  lines.push('', d.link ? `Le trova nella console della sede: ${d.link}` : 'Le trova nella console della sede.');
  const footer = ['--', 'Messaggio automatico di INFO CIG (INPS): non risponda a questa e-mail.', 'Per riservatezza il messaggio non riporta il contenuto delle richieste.'];
  return { subject: `INFO CIG – ${d.sedeName}: richieste ${parts.join(', ')}`, text: [`Alla ${d.sedeName},`, '', ...lines, '', ...footer].join('\n') };
}
