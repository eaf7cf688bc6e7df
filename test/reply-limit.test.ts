/**
 * One person may write REPLIES_PER_USER_PER_DAY replies in any 24 hours over
 * all the Linea INPS requests they may answer (3 here): beyond, 429
 * reply_limit_reached and nothing stored, over JSON and multipart alike (a
 * reply with files is refused before they are read); the request's own body
 * does not count; an employer's replies on the company's requests count; an
 * office is never limited; a day later the person may write again; 0 turns the
 * limit off. A ManualClock moves the day.
 */
import { and, count, eq, gt } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { ticketReplies } from '../schema/ticket-tables.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { injectedApp, injectForm, type InjectedApp } from './helpers/app.ts';

const clock = new ManualClock(Date.parse('2026-03-03T10:00:00Z'));
let ctx: InjectedApp;

test.before(async () => {
  ctx = await injectedApp(clock, { REPLIES_PER_USER_PER_DAY: '3' });
});

test.after(async () => {
  await ctx?.close();
});

type Claims = { role: string; sub: string; matricola?: string; sede?: string };
const token = (c: Claims) => ctx.services.dev!.issue({ province: 'MI', ...c } as never);
const worker = (sub: string): Claims => ({ role: 'worker', sub });
const office: Claims = { role: 'office', sub: 'op-mi', sede: 'SEDE-MI' };

async function post(who: Claims, url: string, payload: Record<string, unknown>) {
  const res = await ctx.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${await token(who)}` }, payload });
  return { status: res.statusCode, body: res.json() };
}

async function openRequest(who: Claims): Promise<string> {
  const res = await post(who, '/api/v1/tickets', { subject: 'Pagamento CIGO', category: 'payment', body: 'Non è arrivato.' });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body.ticket?.id ?? res.body.id;
}

const reply = async (who: Claims, id: string, text = 'Vi scrivo ancora.') => {
  const res = await post(who, `/api/v1/tickets/${id}/replies`, { body: text });
  return { status: res.status, code: res.body.error?.code as string | undefined };
};

const repliesOf = async (id: string) =>
  Number((await ctx.services.db.db.select({ n: count() }).from(ticketReplies).where(and(eq(ticketReplies.ticketId, id), gt(ticketReplies.seq, 1))))[0]!.n);

test('the fourth reply in a day is refused with reply_limit_reached and not stored, over JSON and multipart; the request body does not count', async () => {
  const first = await openRequest(worker('usr-busy'));
  const second = await openRequest(worker('usr-busy'));
  assert.is((await reply(worker('usr-busy'), first)).status, 201);
  clock.advance(3_600_000);
  assert.is((await reply(worker('usr-busy'), second)).status, 201);
  assert.is((await reply(worker('usr-busy'), first)).status, 201);
  assert.equal(await reply(worker('usr-busy'), second), { status: 429, code: 'reply_limit_reached' });
  const form = new FormData();
  form.append('body', 'Allego la busta paga.');
  form.append('files', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'busta.pdf');
  const multipart = await injectForm(ctx.app, await token(worker('usr-busy')), `/api/v1/tickets/${first}/replies`, form);
  assert.equal([multipart.statusCode, multipart.json().error.code], [429, 'reply_limit_reached']);
  assert.is((await repliesOf(first)) + (await repliesOf(second)), 3);
});

test('the sede answering, and another person writing, are not limited by someone else\'s count', async () => {
  const other = await openRequest(worker('usr-other'));
  for (let i = 0; i < 5; i++) assert.is((await reply(office, other, `Risposta ${i + 1}`)).status, 201, `office reply ${i + 1}`);
  for (let i = 0; i < 3; i++) assert.is((await reply(worker('usr-other'), other)).status, 201, `user reply ${i + 1}`);
  assert.is((await reply(worker('usr-other'), other)).status, 429);
});

test('an employer\'s replies on a request addressed to the company count toward the employer\'s limit', async () => {
  const boss: Claims = { role: 'employer', sub: 'emp-rossi', matricola: '1234567890' };
  const res = await post(office, '/api/v1/tickets', { subject: 'Documenti', category: 'cigo', body: 'Serve il modello firmato.', to: { matricola: '1234567890' } });
  assert.is(res.status, 201, JSON.stringify(res.body));
  const id = res.body.ticket?.id ?? res.body.id;
  for (let i = 0; i < 3; i++) assert.is((await reply(boss, id)).status, 201, `employer reply ${i + 1}`);
  assert.equal(await reply(boss, id), { status: 429, code: 'reply_limit_reached' });
});

test('24 hours after a reply, its place is free again', async () => {
  clock.advance(23 * 3_600_000); // 24 h after the first reply of usr-busy, 23 h after the other two
  const id = await openRequest(worker('usr-busy'));
  assert.is((await reply(worker('usr-busy'), id)).status, 429);
  clock.advance(1000);
  assert.is((await reply(worker('usr-busy'), id)).status, 201);
  assert.is((await reply(worker('usr-busy'), id)).status, 429, 'the second and third of yesterday still count');
});

test('REPLIES_PER_USER_PER_DAY: 50 by default, 0 turns it off, nothing else accepted', () => {
  assert.is(loadConfig({ AUTH_DEV: '1' }).limits.repliesPerUserPerDay, 50);
  assert.is(loadConfig({ AUTH_DEV: '1', REPLIES_PER_USER_PER_DAY: '0' }).limits.repliesPerUserPerDay, 0);
  for (const bad of ['-1', 'cinquanta', '2.5']) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', REPLIES_PER_USER_PER_DAY: bad }), (err: unknown) => err instanceof ConfigError && /REPLIES_PER_USER_PER_DAY/.test(String(err)), bad);
  }
});

test.run();
