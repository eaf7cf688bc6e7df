/** Where users are reached, and in which language: contacts recorded from their tokens' sign-ins. */
import { eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { noticeContacts } from '../schema/attachment-tables.ts';
import { ContactBook } from '../server/notice-contacts.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

let database: TestDatabase;
test.before(async () => {
  database = await testDatabase();
});
test.after(async () => {
  await database?.cleanup();
});

const row = async (userId: string) => (await database.db.select().from(noticeContacts).where(eq(noticeContacts.userId, userId)))[0] ?? null;

test('the contacts of many sign-ins at once are all recorded; a user twice keeps the later values, a missing one keeps the earlier', async () => {
  const book = new ContactBook(database.db, new ManualClock(Date.UTC(2026, 10, 23, 15)));
  await Promise.all([
    ...Array.from({ length: 40 }, (_, i) => book.rememberOnce(`u${i}`, { email: `u${i}@example.it`, phone: null, lang: null })),
    book.rememberOnce('twice', { email: 'primo@example.it', phone: '+393330000001', lang: null }),
    book.rememberOnce('twice', { email: 'secondo@example.it', phone: null, lang: null }),
    book.rememberOnce('none', { email: null, phone: null, lang: null }),
  ]);
  for (let i = 0; i < 40; i++) assert.is((await row(`u${i}`))?.email, `u${i}@example.it`);
  assert.equal(await book.get('twice'), { email: 'secondo@example.it', phone: '+393330000001', lang: null });
  assert.is(await row('none'), null, 'nothing to record, no row');
});

test('a sign-in repeating what this node recorded writes nothing; a changed contact is written', async () => {
  const book = new ContactBook(database.db, new ManualClock(Date.UTC(2026, 10, 23, 15)));
  await book.rememberOnce('again', { email: 'a@example.it', phone: null, lang: null });
  // Changed behind the node's back: a repeat of the same contact does not touch it…
  await database.db.update(noticeContacts).set({ email: 'changed@example.it' }).where(eq(noticeContacts.userId, 'again'));
  await book.rememberOnce('again', { email: 'a@example.it', phone: null, lang: null });
  assert.is((await row('again'))?.email, 'changed@example.it');
  // …a new one does, and so does the ticket path, which always writes.
  await book.rememberOnce('again', { email: 'b@example.it', phone: null, lang: null });
  assert.is((await row('again'))?.email, 'b@example.it');
  await book.remember('again', { email: 'a@example.it', phone: null, lang: null });
  assert.is((await row('again'))?.email, 'a@example.it');
});

test('the language a token names is kept with the contact; a token without one keeps it, another one replaces it', async () => {
  const book = new ContactBook(database.db, new ManualClock(Date.UTC(2026, 10, 23, 15)));
  await book.remember('hofer', { email: null, phone: null, lang: 'de' });
  assert.equal(await book.get('hofer'), { email: null, phone: null, lang: 'de' }, 'a language alone is worth a row: the mailbox notices use it');
  await book.rememberOnce('hofer', { email: 'maria.hofer@example.it', phone: null, lang: null });
  assert.equal(await book.get('hofer'), { email: 'maria.hofer@example.it', phone: null, lang: 'de' });
  await book.rememberOnce('hofer', { email: 'maria.hofer@example.it', phone: null, lang: 'it' });
  assert.is((await row('hofer'))?.lang, 'it', 'the same address, a new language: written');
});

test('a sign-in and the language of a chat, alternating, write once each: neither adds what the other did not know', async () => {
  const book = new ContactBook(database.db, new ManualClock(Date.UTC(2026, 10, 23, 15)));
  const signIn = { email: 'anna@example.it', phone: null, lang: null };
  const chat = { email: null, phone: null, lang: 'de' };
  await book.rememberOnce('alt', signIn);
  await book.rememberOnce('alt', chat);
  assert.equal(await book.get('alt'), { email: 'anna@example.it', phone: null, lang: 'de' });
  // Changed behind the node's back: repeating either no longer writes.
  await database.db.update(noticeContacts).set({ email: 'changed@example.it', lang: 'it' }).where(eq(noticeContacts.userId, 'alt'));
  await book.rememberOnce('alt', signIn);
  await book.rememberOnce('alt', chat);
  assert.equal(await book.get('alt'), { email: 'changed@example.it', phone: null, lang: 'it' }, 'nothing rewritten');
  await book.rememberOnce('alt', { email: 'anna@example.it', phone: '+393331112222', lang: null });
  assert.equal(await book.get('alt'), { email: 'anna@example.it', phone: '+393331112222', lang: 'it' }, 'a new phone is written');
});

test.run();
