/**
 * Notices, the pure parts (server/notices.ts, server/notice-channels.ts): what
 * a notice says (short, Italian, the protocol number and nothing of the
 * thread), which contacts a token's claims give, what log lines keep of an
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
  assert.equal(contactFromClaims({ email: 'Mario.Rossi@Example.IT' }), { email: 'Mario.Rossi@example.it', phone: null });
  assert.equal(contactFromClaims({ email: 'mario@example.it', email_verified: false }), { email: null, phone: null });
  assert.equal(contactFromClaims({ email: 'not an address' }), { email: null, phone: null });
  assert.equal(contactFromClaims({ email: 'a@b.it\r\nBcc: x@y.it' }), { email: null, phone: null }, 'no header injection');
  assert.equal(contactFromClaims({ email: ['a@b.it'] }), { email: null, phone: null });
  assert.equal(contactFromClaims({ phone_number: '+39 333 123 4567' }), { email: null, phone: '+393331234567' });
  assert.equal(contactFromClaims({ phone_number: '+39333', phone_number_verified: false }), { email: null, phone: null });
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
