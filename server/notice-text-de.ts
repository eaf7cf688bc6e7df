/**
 * A user's notice in German (notice-text.ts chooses it): for those whose token
 * says `lang: de`, in the province of Bolzano/Bozen where public offices write
 * to citizens in their language (DPR 574/1988). The same facts and the same
 * reticence as the Italian ones: the protocol number, never the thread. Formal
 * (Sie); INPS is "NISF/INPS", as in South Tyrol's German. A sede's notices stay
 * Italian.
 */
import type { NoticeFacts, NoticeWords } from './notice-text.ts';

const DAY = new Intl.DateTimeFormat('de-IT', { timeZone: 'Europe/Rome', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('de-IT', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * What follows "bis": "Donnerstag, 10. Dezember 2026, 10:00 Uhr", in Italian
 * time; a deadline at 00:00 (whole working days) is "einschließlich Mittwoch,
 * 9. Dezember 2026", the day it ends, not the day after at midnight.
 */
export function germanDueDateTime(at: Date): string {
  const time = TIME.format(at);
  if (time === '00:00') return `einschließlich ${DAY.format(new Date(at.getTime() - 1))}`;
  return `${DAY.format(at)}, ${time} Uhr`;
}

export function germanNotice(f: NoticeFacts): NoticeWords {
  const p = f.protocol;
  const sede = f.sedeName;
  let subject: string;
  let lines: string[];
  switch (f.kind) {
    case 'registered':
      if (f.interlocuzione) {
        subject = `Mitteilung ${p} von ${sede}`;
        lines = [`${sede} hat Ihnen eine Mitteilung (Nr. ${p}) gesendet, die auf Ihre Antwort wartet.`];
      } else {
        subject = `Anfrage ${p} registriert`;
        const follows = f.follows ? ` (Fortsetzung der Anfrage Nr. ${f.follows})` : '';
        lines = [`Ihre Anfrage über Linea INPS Nr. ${p}${follows} wurde registriert und an ${sede} weitergeleitet.`];
        if (f.dueAt) lines.push(`Sie erhalten eine Antwort bis ${germanDueDateTime(f.dueAt)}.`);
      }
      break;
    case 'taken_in_charge':
      subject = `Anfrage ${p} in Bearbeitung`;
      lines = [`Ihre Anfrage Nr. ${p} wird nun von ${sede} bearbeitet.`];
      break;
    case 'replied':
      subject = `Neue Antwort auf die Anfrage ${p}`;
      lines = [`${sede} hat auf Ihre Anfrage Nr. ${p} geantwortet.`];
      break;
    case 'closed':
      subject = `Anfrage ${p} abgeschlossen`;
      lines = [`Ihre Anfrage Nr. ${p} wurde von ${sede} abgeschlossen.`];
      break;
    case 'transferred':
      // Where it went, never why (as in Italian).
      subject = `Anfrage ${p} weitergeleitet`;
      lines = [f.interlocuzione ? `Die Mitteilung Nr. ${p} wurde zuständigkeitshalber an ${sede} weitergeleitet.` : `Ihre Anfrage über Linea INPS Nr. ${p} wurde zuständigkeitshalber an ${sede} weitergeleitet.`];
      break;
  }
  const read = f.kind === 'closed' ? 'Das Ergebnis können Sie nach der Anmeldung bei INFO CIG lesen' : 'Die Einzelheiten finden Sie nach der Anmeldung bei INFO CIG';
  lines.push(f.link ? `${read}: ${f.link}` : `${read}.`);
  return {
    subject,
    lines,
    greeting: 'Sehr geehrte Damen und Herren,',
    footer: [
      '--',
      'Automatische Nachricht von INFO CIG (NISF/INPS): Bitte antworten Sie nicht auf diese E-Mail.',
      'Aus Gründen des Datenschutzes enthält diese Nachricht nicht den Inhalt der Anfrage.',
    ],
  };
}
