/**
 * Notices, the pure parts (server/notices.ts, server/notice-channels.ts): what
 * a notice says (short, Italian, or German to a user who reads German, the
 * protocol number and nothing of the thread), which contacts a token's claims give, what log lines keep of an
 * address, and which SMTP refusals are permanent. No storage, no server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { smtpFailure } from '../server/notice-channels.ts';
import { composeNotice, contactFromClaims, italianDateTime, maskAddresses } from '../server/notices.ts';

test('messages are short, Italian, carry the protocol number and nothing of the thread', () => {
  const due = new Date('2026-12-10T09:00:00Z');
  assert.is(italianDateTime(due), 'giovedì 10 dicembre 2026 alle 10:00');
  assert.is(italianDateTime(new Date('2026-12-10T23:00:00Z')), 'la fine di giovedì 10 dicembre 2026', 'a deadline at 00:00 in Rome is the end of the day before');
  const registered = composeNotice({ kind: 'registered', recipientKind: 'user', protocol: 'LINPS-2026-000042', sedeName: 'INPS Sede di Milano', interlocuzione: false, dueAt: due, withdrawn: false, link: 'https://x.example/' });
  assert.is(registered.subject, 'INFO CIG – Richiesta LINPS-2026-000042 registrata');
  assert.match(registered.text, /^Gentile utente,\n\nLa sua richiesta Linea INPS n\. LINPS-2026-000042 è stata registrata e assegnata a INPS Sede di Milano\.\nSarà ricontattato entro giovedì 10 dicembre 2026 alle 10:00\.\nTrova i dettagli accedendo a INFO CIG: https:\/\/x\.example\/\n/);
  const closed = composeNotice({ kind: 'closed', recipientKind: 'user', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: false, link: null });
  assert.match(closed.text, /è stata chiusa da S\.\nPuò leggere l'esito accedendo a INFO CIG\./);
  const withdrawn = composeNotice({ kind: 'closed', recipientKind: 'sede', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: true, link: null });
  assert.is(withdrawn.subject, 'INFO CIG – Richiesta P ritirata');
  const toOffice = composeNotice({ kind: 'replied', recipientKind: 'sede', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: false, link: 'https://x.example/office/' });
  assert.match(toOffice.text, /^Alla S,/);
  assert.match(toOffice.text, /console della sede: https:\/\/x\.example\/office\//);
  const sms = composeNotice({ kind: 'taken_in_charge', recipientKind: 'user', protocol: 'P', sedeName: 'S', interlocuzione: false, dueAt: null, withdrawn: false, link: null, sms: true });
  assert.ok(sms.text.length < 160, sms.text);
  assert.not.match(sms.text, /\n/);
});

test('contacts come from the token only when well formed and not marked unverified', () => {
  assert.equal(contactFromClaims({ email: 'Mario.Rossi@Example.IT' }), { email: 'Mario.Rossi@example.it', phone: null, lang: null });
  assert.equal(contactFromClaims({ email: 'mario@example.it', email_verified: false }), { email: null, phone: null, lang: null });
  assert.equal(contactFromClaims({ email: 'not an address' }), { email: null, phone: null, lang: null });
  assert.equal(contactFromClaims({ email: 'a@b.it\r\nBcc: x@y.it' }), { email: null, phone: null, lang: null }, 'no header injection');
  assert.equal(contactFromClaims({ email: ['a@b.it'] }), { email: null, phone: null, lang: null });
  assert.equal(contactFromClaims({ phone_number: '+39 333 123 4567' }), { email: null, phone: '+393331234567', lang: null });
  assert.equal(contactFromClaims({ phone_number: '+39333', phone_number_verified: false }), { email: null, phone: null, lang: null });
});

test('to a user whose token said German the notice is German, with German dates; a sede\'s stays Italian', () => {
  const facts = { recipientKind: 'user', protocol: 'LINPS-2026-000042', sedeName: 'INPS Sede di Bolzano/Bozen', interlocuzione: false, withdrawn: false, link: 'https://x.example/', lang: 'de' } as const;
  const registered = composeNotice({ ...facts, kind: 'registered', dueAt: new Date('2026-12-10T09:00:00Z') });
  assert.is(registered.subject, 'INFO CIG – Anfrage LINPS-2026-000042 registriert');
  assert.is(
    registered.text,
    [
      'Sehr geehrte Damen und Herren,',
      '',
      'Ihre Anfrage über Linea INPS Nr. LINPS-2026-000042 wurde registriert und an INPS Sede di Bolzano/Bozen weitergeleitet.',
      'Sie erhalten eine Antwort bis Donnerstag, 10. Dezember 2026, 10:00 Uhr.',
      'Die Einzelheiten finden Sie nach der Anmeldung bei INFO CIG: https://x.example/',
      '',
      '--',
      'Automatische Nachricht von INFO CIG (NISF/INPS): Bitte antworten Sie nicht auf diese E-Mail.',
      'Aus Gründen des Datenschutzes enthält diese Nachricht nicht den Inhalt der Anfrage.',
    ].join('\n'),
  );
  const midnight = composeNotice({ ...facts, kind: 'registered', dueAt: new Date('2026-12-10T23:00:00Z') });
  assert.match(midnight.text, /Antwort bis einschließlich Donnerstag, 10\. Dezember 2026\./, '00:00 in Rome: the day before, to its end');
  assert.is(composeNotice({ ...facts, kind: 'closed', dueAt: null, link: null }).text.split('\n')[2], 'Ihre Anfrage Nr. LINPS-2026-000042 wurde von INPS Sede di Bolzano/Bozen abgeschlossen.');
  assert.match(composeNotice({ ...facts, kind: 'closed', dueAt: null, link: null }).text, /Das Ergebnis können Sie nach der Anmeldung bei INFO CIG lesen\./);
  assert.is(composeNotice({ ...facts, kind: 'registered', interlocuzione: true, dueAt: null }).subject, 'INFO CIG – Mitteilung LINPS-2026-000042 von INPS Sede di Bolzano/Bozen');
  for (const kind of ['taken_in_charge', 'replied', 'transferred'] as const) {
    const n = composeNotice({ ...facts, kind, dueAt: null });
    assert.match(n.subject, /^INFO CIG – (Anfrage|Neue Antwort auf die Anfrage) LINPS-2026-000042/, kind);
    assert.not.match(n.text, /richiesta|Gentile/, `${kind}: no Italian left`);
  }
  const sms = composeNotice({ ...facts, kind: 'replied', dueAt: null, link: null, sms: true });
  assert.is(sms.text, 'INFO CIG: INPS Sede di Bolzano/Bozen hat auf Ihre Anfrage Nr. LINPS-2026-000042 geantwortet. Die Einzelheiten finden Sie nach der Anmeldung bei INFO CIG.');
  assert.is(composeNotice({ ...facts, kind: 'replied', recipientKind: 'sede', dueAt: null }).subject, 'INFO CIG – Nuovo messaggio sulla richiesta LINPS-2026-000042', 'the sede reads Italian');
  assert.is(composeNotice({ ...facts, kind: 'closed', lang: 'en', dueAt: null }).subject, 'INFO CIG – Richiesta LINPS-2026-000042 chiusa', 'no English notices: Italian');
  assert.is(composeNotice({ ...facts, kind: 'closed', lang: null, dueAt: null }).subject, 'INFO CIG – Richiesta LINPS-2026-000042 chiusa');
});

test('the language of the notices comes from the token\'s lang claim, without its region; a malformed one is ignored', () => {
  assert.is(contactFromClaims({ lang: 'de-IT' }).lang, 'de');
  assert.is(contactFromClaims({ lang: 'DE' }).lang, 'de');
  assert.is(contactFromClaims({ lang: 'it' }).lang, 'it');
  assert.is(contactFromClaims({ lang: 'de IT; drop' }).lang, null);
  assert.is(contactFromClaims({ lang: ['de'] }).lang, null);
});

test('log lines lose e-mail addresses and phone numbers', () => {
  assert.is(maskAddresses('550 5.1.1 <gone@example.it>: Recipient address rejected'), '550 5.1.1 <<address>>: Recipient address rejected');
  assert.is(maskAddresses('sms to +39 333 123 4567 failed'), 'sms to <number> failed');
  assert.is(maskAddresses('smtp 451 EMESSAGE (DATA): Try again later'), 'smtp 451 EMESSAGE (DATA): Try again later');
});

test('SMTP refusals: 5xx to the recipient or the message is permanent; 4xx, timeouts and authentication trouble are not', () => {
  assert.is(smtpFailure({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, permanent: true, message: 'x' }).permanent, true);
  assert.is(smtpFailure({ code: 'EMESSAGE', command: 'DATA', responseCode: 554, permanent: true, message: 'x' }).permanent, true);
  assert.is(smtpFailure({ code: 'EMESSAGE', command: 'DATA', responseCode: 451, permanent: false, message: 'x' }).permanent, false);
  assert.is(smtpFailure({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, permanent: true, message: 'x' }).permanent, false);
  assert.is(smtpFailure({ code: 'ESOCKET', message: 'ECONNREFUSED' }).permanent, false);
});

test.run();
