/**
 * Notices in the user's language: a worker of Bolzano/Bozen whose token says
 * `lang: de-IT` gets their Linea INPS notices in German, by e-mail or in the
 * local mailbox; the sede's notice about the same request stays Italian, and a
 * user whose token names no language keeps Italian. Over HTTP and a real SMTP
 * server (test/helpers/notice-api.ts). PGlite, or PostgreSQL when DATABASE_URL is set.
 */
import { eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mailbox } from '../schema/attachment-tables.ts';
import { noticeApi } from './helpers/notice-api.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const api = noticeApi(test);
const { smtp, dispatcher, call, workerToken, officeToken, open, outboxOf, drainOthers } = api;

test(`a German reader's notices are German, the sede's about the same request Italian (${kind})`, async () => {
  await drainOthers();
  const w = await workerToken('w-hofer', { province: 'BZ', name: 'Maria Hofer', email: 'maria.hofer@example.it', lang: 'de-IT' });
  const t = await open(w);
  const bz = await officeToken('SEDE-BZ');
  assert.is((await call(bz, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Antwort des Sitzes.' })).status, 201);
  assert.is((await call(w, 'POST', `/api/v1/tickets/${t.id}/replies`, { body: 'Danke.' })).status, 201);
  assert.equal(await dispatcher().runOnce(), { sent: 3, failed: 0, gaveUp: 0, released: 0 });
  const rows = await outboxOf(t.id);
  const mail = (kind: string, to: string) => smtp.byId(rows.find((r) => r.kind === kind && r.recipientKind === to)!.id)[0]!;
  assert.equal(rows.map((r) => `${r.kind}/${r.recipientKind}`).sort(), ['registered/user', 'replied/sede', 'replied/user']);
  const toUser = [mail('registered', 'user'), mail('replied', 'user')];
  assert.is(toUser[0]!.subject, `INFO CIG – Anfrage ${t.protocol} registriert`);
  assert.match(toUser[0]!.text, /^Sehr geehrte Damen und Herren,\n\nIhre Anfrage über Linea INPS Nr\. \S+ wurde registriert und an INPS Sede di Bolzano\/Bozen weitergeleitet\.\nSie erhalten eine Antwort bis Mittwoch, 4\. März 2026, 10:00 Uhr\.\n/);
  assert.is(toUser[1]!.subject, `INFO CIG – Neue Antwort auf die Anfrage ${t.protocol}`);
  const toSede = mail('replied', 'sede');
  assert.equal(toSede.to, ['sede.bz@inps.example']);
  assert.is(toSede.subject, `INFO CIG – Nuovo messaggio sulla richiesta ${t.protocol}`, 'the office reads Italian');
});

test(`without an e-mail address the German notice lands in the mailbox in German; without a language, Italian (${kind})`, async () => {
  await drainOthers();
  const de = await open(await workerToken('w-gruber', { province: 'BZ', lang: 'de' }));
  const it = await open(await workerToken('w-rossi-bz', { province: 'BZ' }));
  await dispatcher({ email: null }).runOnce();
  const [german] = await api.database.db.select().from(mailbox).where(eq(mailbox.ticketId, de.id));
  assert.is(german!.recipient, 'utente:w-gruber');
  assert.is(german!.subject, `INFO CIG – Anfrage ${de.protocol} registriert`);
  const [italian] = await api.database.db.select().from(mailbox).where(eq(mailbox.ticketId, it.id));
  assert.is(italian!.subject, `INFO CIG – Richiesta ${it.protocol} registrata`);
});

test(`the page's language picks the notices' (X-InfoCig-Lang of the chat's calls), before the token's; anything else is ignored (${kind})`, async () => {
  await drainOthers();
  const openAs = async (tok: string, lang: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { authorization: `Bearer ${tok}`, 'x-infocig-lang': lang },
      payload: { subject: 'Pagamento CIGO di gennaio', category: 'payment', body: 'Testo riservato del thread.' },
    });
    assert.is(res.statusCode, 201, res.body);
    return res.json() as { id: string; protocol: string };
  };
  const german = await openAs(await workerToken('w-page-de', { province: 'BZ' }), 'de');
  const italian = await openAs(await workerToken('w-page-it', { province: 'BZ', lang: 'de-IT' }), 'it');
  const unknown = await openAs(await workerToken('w-page-xx', { province: 'BZ', lang: 'de' }), 'x<script>');
  await dispatcher({ email: null }).runOnce();
  const subject = async (t: { id: string }) => (await api.database.db.select().from(mailbox).where(eq(mailbox.ticketId, t.id)))[0]!.subject;
  assert.is(await subject(german), `INFO CIG – Anfrage ${german.protocol} registriert`, 'a German page, no claim: German');
  assert.is(await subject(italian), `INFO CIG – Richiesta ${italian.protocol} registrata`, 'an Italian page wins over the claim');
  assert.is(await subject(unknown), `INFO CIG – Anfrage ${unknown.protocol} registriert`, 'an unknown value leaves the claim');
});

test.run();
