/**
 * One person may open TICKETS_PER_USER_PER_DAY Linea INPS requests in any 24
 * hours (3 here): beyond, 429 ticket_limit_reached and nothing stored, over JSON
 * and multipart alike; another person is not affected; a day later the same
 * person may again; requests opened from an escalation or by an office do not
 * count; 0 turns the limit off. A ManualClock moves the day.
 */
import { count, eq } from 'drizzle-orm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { tickets } from '../schema/ticket-tables.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { injectedApp, injectForm, type InjectedApp } from './helpers/app.ts';

const clock = new ManualClock(Date.parse('2026-03-03T10:00:00Z'));
let ctx: InjectedApp;

test.before(async () => {
  ctx = await injectedApp(clock, { TICKETS_PER_USER_PER_DAY: '3' });
});

test.after(async () => {
  await ctx?.close();
});

const token = (sub: string, role = 'worker') => ctx.services.dev!.issue({ role, sub, province: 'MI', ...(role === 'office' ? { sede: 'SEDE-MI' } : {}) } as never);

async function open(sub: string) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: { authorization: `Bearer ${await token(sub)}` },
    payload: { subject: 'Pagamento CIGO', category: 'payment', body: 'Non è arrivato.' },
  });
  return { status: res.statusCode, code: res.json().error?.code as string | undefined };
}

const stored = async (sub: string) => Number((await ctx.services.db.db.select({ n: count() }).from(tickets).where(eq(tickets.userId, sub)))[0]!.n);

test('the fourth request in a day is refused with ticket_limit_reached and not stored; over multipart too; someone else is not affected', async () => {
  for (let i = 0; i < 3; i++) {
    if (i > 0) clock.advance(3_600_000); // 10:00, 11:00, 12:00
    assert.is((await open('usr-busy')).status, 201, `request ${i + 1}`);
  }
  assert.equal(await open('usr-busy'), { status: 429, code: 'ticket_limit_reached' });
  const form = new FormData();
  form.append('subject', 'Ancora il pagamento');
  form.append('category', 'payment');
  form.append('body', 'Scrivo di nuovo.');
  const multipart = await injectForm(ctx.app, await token('usr-busy'), '/api/v1/tickets', form);
  assert.equal([multipart.statusCode, multipart.json().error.code], [429, 'ticket_limit_reached']);
  assert.is(await stored('usr-busy'), 3);
  assert.is((await open('usr-other')).status, 201);
});

test('24 hours after the first, a place is free again', async () => {
  clock.advance(21 * 3_600_000); // the next day at 09:00: all three are within 24 hours
  assert.is((await open('usr-busy')).status, 429);
  clock.advance(3_600_000 + 1000);
  assert.is((await open('usr-busy')).status, 201);
  assert.is((await open('usr-busy')).status, 429, 'the second and third of the first day still count');
});

test('an office writing to the person does not use up their places', async () => {
  const office = await token('op-mi', 'office');
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: { authorization: `Bearer ${office}` },
    payload: { subject: 'Documenti', category: 'cigo', body: 'Serve il modello firmato.', to: { userId: 'usr-fresh' } },
  });
  assert.is(res.statusCode, 201, res.body);
  for (let i = 0; i < 3; i++) assert.is((await open('usr-fresh')).status, 201);
});

test('TICKETS_PER_USER_PER_DAY: 20 by default, 0 turns it off, nothing else accepted', () => {
  assert.is(loadConfig({ AUTH_DEV: '1' }).limits.ticketsPerUserPerDay, 20);
  assert.is(loadConfig({ AUTH_DEV: '1', TICKETS_PER_USER_PER_DAY: '0' }).limits.ticketsPerUserPerDay, 0);
  for (const bad of ['-1', 'venti', '2.5']) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', TICKETS_PER_USER_PER_DAY: bad }), (err: unknown) => err instanceof ConfigError && /TICKETS_PER_USER_PER_DAY/.test(String(err)), bad);
  }
});

test.run();
