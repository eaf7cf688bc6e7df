/**
 * Service announcements ("Avvisi"): a supervisor publishes, lists and withdraws
 * them, audited like the dashboard's controls; users of the announcement's
 * provinces and audiences read it on the public route while its window is open,
 * with nothing but the allow-listed fields. Through app.inject on a ManualClock
 * (Tuesday 10 March 2026, 11:00 in Rome); a second AnnouncementService on the
 * same database stands for another node.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { ANNOUNCEMENT_CACHE_MS, AnnouncementService } from '../server/announcements.ts';
import { injectedApp, type InjectedApp, type Json } from './helpers/app.ts';

const START = new Date('2026-03-10T10:00:00Z').getTime();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = new ManualClock(START);
let app: InjectedApp;
let supervisor: string;

test.before(async () => {
  app = await injectedApp(clock);
  supervisor = await app.token({ role: 'supervisor', sub: 'sup-1', name: 'Sara Bianchi' });
});
test.after(async () => {
  await app?.close();
});
test.before.each(() => clock.set(START));

const iso = (ms: number) => new Date(ms).toISOString();

/** A valid announcement for the next day, with `over` on top. */
function draft(over: Json = {}): Json {
  return {
    title: { it: 'Pagamenti di febbraio in ritardo' },
    text: { it: 'I pagamenti diretti di febbraio arriveranno entro il 20 marzo.' },
    severity: 'info',
    endsAt: iso(clock.now() + DAY),
    ...over,
  };
}

async function publish(over: Json = {}): Promise<Json> {
  const res = await app.call(supervisor, 'POST', '/api/v1/announcements', draft(over));
  assert.is(res.status, 201, res.raw);
  return res.body;
}

async function withdraw(id: number): Promise<void> {
  const res = await app.call(supervisor, 'POST', `/api/v1/announcements/${id}/withdraw`);
  assert.is(res.status, 200, res.raw);
}

async function shown(query: string): Promise<Json[]> {
  const res = await app.call(null, 'GET', `/api/v1/announcements/current${query ? `?${query}` : ''}`);
  assert.is(res.status, 200, res.raw);
  return res.body.items;
}
const ids = (items: Json[]) => items.map((i) => i.id);

async function listed(): Promise<Json[]> {
  const res = await app.call(supervisor, 'GET', '/api/v1/announcements');
  assert.is(res.status, 200, res.raw);
  return res.body.items;
}

test('only a supervisor publishes, lists and withdraws announcements: others are forbidden, the signed-out unauthenticated', async () => {
  const a = await publish();
  for (const claims of [{ role: 'worker', province: 'MI' }, { role: 'employer', province: 'MI', matricola: '1234567890' }, { role: 'advisor' }, { role: 'office', sede: 'SEDE-MI' }]) {
    const tok = await app.token({ sub: `x-${claims.role}`, ...claims });
    for (const [method, url, body] of [['POST', '/api/v1/announcements', draft()], ['GET', '/api/v1/announcements', undefined], ['POST', `/api/v1/announcements/${a.id}/withdraw`, undefined]] as const) {
      const res = await app.call(tok, method, url, body);
      assert.is(res.status, 403, `${claims.role} ${method} ${url}`);
      assert.is(res.body.error.code, 'forbidden');
    }
  }
  assert.is((await app.call(null, 'POST', '/api/v1/announcements', draft())).body.error.code, 'unauthenticated');
  assert.is((await app.call(null, 'GET', '/api/v1/announcements')).status, 401);
  assert.ok(ids(await shown('province=MI&audience=worker')).includes(a.id), 'still shown: nobody else could withdraw it');
  await withdraw(a.id);
});

test('an announcement is shown in its provinces and to its audiences only; an empty scope is everyone', async () => {
  const milan = await publish({ provinces: ['MI', 'mb'], audiences: ['worker'] });
  assert.equal([milan.provinces, milan.audiences], [['MB', 'MI'], ['worker']], 'codes in capitals, sorted');
  const national = await publish({ title: { it: 'Procedura non disponibile' }, severity: 'warning' });
  assert.equal(ids(await shown('province=MI&audience=worker')), [national.id, milan.id], 'the warning first');
  assert.equal(ids(await shown('province=mb&audience=worker')), [national.id, milan.id]);
  assert.equal(ids(await shown('province=RM&audience=worker')), [national.id], 'another province');
  assert.equal(ids(await shown('province=MI&audience=employer')), [national.id], 'another audience');
  assert.equal(ids(await shown('')), [national.id], 'no province nor audience: the national one for all only');
  const employers = await publish({ audiences: ['employer', 'intermediary'] });
  assert.equal(ids(await shown('province=NA&audience=intermediary')), [national.id, employers.id]);
  assert.equal(ids(await shown('province=NA')), [national.id]);
  for (const a of [milan, national, employers]) await withdraw(a.id);
});

test('the public read carries only the allow-listed fields, in every language given, and may be cached a little', async () => {
  const a = await publish({
    title: { it: 'Pagamenti in ritardo', de: 'Verspätete Zahlungen', en: 'Late payments' },
    text: { it: 'Arriveranno entro il 20.\nGrazie.', de: 'Sie kommen bis zum 20.', en: 'They will arrive by the 20th.' },
    provinces: ['BZ'],
  });
  const res = await app.call(null, 'GET', '/api/v1/announcements/current?province=BZ&audience=worker');
  const [item] = res.body.items as Json[];
  assert.equal(Object.keys(item!).sort(), ['endsAt', 'id', 'severity', 'startsAt', 'text', 'title']);
  assert.equal(item!.title, { it: 'Pagamenti in ritardo', de: 'Verspätete Zahlungen', en: 'Late payments' });
  assert.is(item!.text.it, 'Arriveranno entro il 20.\nGrazie.', 'line breaks kept');
  assert.not.match(res.raw, /sup-1|Sara|BZ|worker/, 'no author, no scope');
  const headers = (await app.app.inject({ method: 'GET', url: '/api/v1/announcements/current?province=BZ' })).headers;
  assert.match(String(headers['cache-control']), /^public, max-age=([1-9]|[1-5]\d|60)$/, 'a minute at most');
  await withdraw(a.id);
});

test('a bad announcement is refused with a stable code and nothing is stored', async () => {
  const before = (await listed()).length;
  const refusals: [Json, string, RegExp?][] = [
    [draft({ title: { de: 'Nur Deutsch' } }), 'validation_failed'],
    [draft({ title: { it: '' } }), 'validation_failed'],
    [draft({ title: { it: 'x'.repeat(121) } }), 'validation_failed'],
    [draft({ text: { it: 'x'.repeat(1001) } }), 'validation_failed'],
    [draft({ title: { it: '   ' } }), 'validation_failed', /title\.it is empty/],
    [draft({ title: { it: 'Riga uno\nriga due' } }), 'validation_failed', /title\.it has control characters or line breaks/],
    [draft({ text: { it: 'Campanello\u0007' } }), 'validation_failed', /text\.it/],
    [draft({ title: { it: 'Titolo', de: 'Titel' } }), 'validation_failed', /title\.de and text\.de go together/],
    [draft({ text: { it: 'Testo', en: 'Text' } }), 'validation_failed', /title\.en and text\.en/],
    [draft({ text: { it: 'Vedi <a href="https://x">qui</a>' } }), 'markup_not_allowed', /text\.it/],
    [draft({ title: { it: 'Ritardi &amp; disservizi' } }), 'markup_not_allowed', /title\.it/],
    [draft({ title: { it: 'Titolo', en: 'Title' }, text: { it: 'Testo', en: '<!-- x --> Text' } }), 'markup_not_allowed', /text\.en/],
    [draft({ severity: 'critical' }), 'validation_failed'],
    [draft({ audiences: ['advisor'] }), 'validation_failed'],
    [draft({ audiences: ['worker', 'worker'] }), 'validation_failed'],
    [draft({ provinces: ['ZZ'] }), 'unknown_province'],
    [draft({ provinces: ['Milano'] }), 'validation_failed'],
    [draft({ creator: 'someone' }), 'validation_failed'],
    [{ title: { it: 'T' }, text: { it: 'T' }, severity: 'info' }, 'validation_failed', /endsAt/],
    [draft({ endsAt: '2026-03-11' }), 'invalid_instant', /endsAt/],
    [draft({ endsAt: 'domani alle 18' }), 'invalid_instant'],
    [draft({ startsAt: '2026-03-10T25:00:00Z' }), 'invalid_instant', /startsAt/],
    [draft({ endsAt: iso(START - 1000) }), 'announcement_window_invalid', /already past/],
    [draft({ startsAt: iso(START + 2 * DAY), endsAt: iso(START + DAY) }), 'announcement_window_invalid', /not after startsAt/],
    [draft({ startsAt: iso(START + DAY), endsAt: iso(START + DAY) }), 'announcement_window_invalid'],
    [draft({ endsAt: iso(START + 30 * DAY + 1000) }), 'announcement_window_invalid', /30 days/],
    [draft({ startsAt: iso(START + 91 * DAY), endsAt: iso(START + 92 * DAY) }), 'announcement_window_invalid', /90 days/],
  ];
  for (const [body, code, message] of refusals) {
    const res = await app.call(supervisor, 'POST', '/api/v1/announcements', body);
    assert.is(res.body.error?.code, code, `${JSON.stringify(body)} → ${res.raw}`);
    assert.is(res.status, 400);
    if (message) assert.match(res.body.error.message, message);
  }
  assert.is((await listed()).length, before, 'nothing stored');
  const ok = await publish({ title: { it: 'Importi < 5 euro: nessun pagamento' }, endsAt: iso(START + 30 * DAY) });
  assert.is(ok.title.it, 'Importi < 5 euro: nessun pagamento', 'a "<" that opens no tag is plain text');
  await withdraw(ok.id);
});

test('an announcement shows from its start to its end, by the clock; a start in the past means now', async () => {
  const later = await publish({ startsAt: iso(START + 2 * HOUR), endsAt: iso(START + 5 * HOUR), provinces: ['TO'] });
  const now = await publish({ startsAt: iso(START - DAY), endsAt: iso(START + HOUR), provinces: ['TO'] });
  assert.is(now.startsAt, iso(START), 'backdating is not recorded');
  assert.equal(ids(await shown('province=TO&audience=worker')), [now.id]);
  const status = async () => Object.fromEntries((await listed()).filter((a) => [later.id, now.id].includes(a.id)).map((a) => [a.id, a.status]));
  assert.equal(await status(), { [later.id]: 'scheduled', [now.id]: 'current' });
  clock.set(START + 2 * HOUR);
  assert.equal(ids(await shown('province=TO&audience=worker')), [later.id], 'the first ended at 12:00, the second started');
  assert.equal(await status(), { [later.id]: 'current', [now.id]: 'ended' });
  clock.set(START + 5 * HOUR);
  assert.equal(await shown('province=TO&audience=worker'), []);
  assert.equal(await status(), { [later.id]: 'ended', [now.id]: 'ended' });
});

test('a withdrawn announcement is shown no more: at once on this node, within the cache time on another', async () => {
  const otherNode = new AnnouncementService({ db: app.services.db.db, clock });
  const a = await publish({ provinces: ['GE'] });
  assert.equal(ids(await otherNode.current({ province: 'GE', audience: 'worker' })), [a.id]);
  await withdraw(a.id);
  assert.equal(await shown('province=GE&audience=worker'), [], 'this node');
  assert.equal(ids(await otherNode.current({ province: 'GE', audience: 'worker' })), [a.id], 'the other node still answers from memory');
  clock.advance(ANNOUNCEMENT_CACHE_MS);
  assert.equal(await otherNode.current({ province: 'GE', audience: 'worker' }), [], 'and re-reads within the cache time');
  const b = await publish({ provinces: ['GE'] });
  clock.advance(ANNOUNCEMENT_CACHE_MS);
  assert.equal(ids(await otherNode.current({ province: 'GE', audience: 'worker' })), [b.id], 'a new one reaches it the same way');
  const [row] = (await listed()).filter((x) => x.id === a.id);
  assert.is(row!.status, 'withdrawn');
  assert.is(row!.withdrawnBy, 'sup-1');
  await withdraw(b.id);
});

test('publishing and withdrawing are in the dashboard audit; withdrawing twice changes nothing; an unknown one is not found', async () => {
  const a = await publish({ title: { it: 'Nuova circolare sul FIS' } });
  await withdraw(a.id);
  const again = await app.call(supervisor, 'POST', `/api/v1/announcements/${a.id}/withdraw`);
  assert.is(again.status, 200);
  assert.is(again.body.withdrawnAt, iso(START));
  const audit = (await app.call(supervisor, 'GET', `/api/v1/dashboard/audit?target=${a.id}`)).body.items as Json[];
  assert.equal(audit.map((x) => x.action), ['announcement.withdrawn', 'announcement.published'], 'one row each, the newest first');
  assert.equal(audit[1]!.actor, { id: 'sup-1', role: 'supervisor', name: 'Sara Bianchi' });
  assert.is(audit[1]!.detail.title, 'Nuova circolare sul FIS');
  assert.is(audit[0]!.detail.title, 'Nuova circolare sul FIS');
  const missing = await app.call(supervisor, 'POST', '/api/v1/announcements/999999/withdraw');
  assert.equal([missing.status, missing.body.error.code], [404, 'not_found']);
  assert.is((await app.call(supervisor, 'POST', '/api/v1/announcements/abc/withdraw')).body.error.code, 'validation_failed');
});

test('the supervisor\'s list has the current, the scheduled and those over in the last 30 days, the latest start first', async () => {
  const aosta = { provinces: ['AO'] }; // out of the other tests' way
  const old = await publish({ ...aosta, title: { it: 'Vecchio' }, endsAt: iso(START + HOUR) });
  const recent = await publish({ ...aosta, title: { it: 'Recente' }, endsAt: iso(START + 2 * HOUR) });
  const withdrawnEarly = await publish({ ...aosta, title: { it: 'Ritirato presto' }, endsAt: iso(START + 20 * DAY) });
  await withdraw(withdrawnEarly.id);
  clock.set(START + 20 * DAY);
  const scheduled = await publish({ ...aosta, title: { it: 'Futuro' }, startsAt: iso(START + 25 * DAY), endsAt: iso(START + 26 * DAY) });
  clock.set(START + 30 * DAY + 90 * 60_000); // the first ended 30 days and 30 minutes ago, the second 30 minutes less
  const mine = (await listed()).filter((a) => [old.id, recent.id, withdrawnEarly.id, scheduled.id].includes(a.id));
  assert.equal(mine.map((a) => a.title.it), ['Futuro', 'Recente']);
  assert.equal(mine.map((a) => a.status), ['ended', 'ended']);
});

test('the public read refuses an unknown province or audience and any other parameter', async () => {
  for (const [query, code] of [['province=ZZ', 'unknown_province'], ['province=Milano', 'validation_failed'], ['audience=advisor', 'validation_failed'], ['province=MI&lang=de', 'validation_failed']]) {
    const res = await app.call(null, 'GET', `/api/v1/announcements/current?${query}`);
    assert.equal([res.status, res.body.error.code], [400, code], query);
  }
});

test('a user is shown five at most, warnings first', async () => {
  const made = [];
  for (let i = 0; i < 7; i++) {
    clock.advance(1000);
    made.push(await publish({ provinces: ['PA'], severity: i === 0 ? 'warning' : 'info', endsAt: iso(START + DAY) }));
  }
  const items = await shown('province=PA&audience=worker');
  assert.equal(ids(items), [made[0]!.id, made[6]!.id, made[5]!.id, made[4]!.id, made[3]!.id]);
  for (const a of made) await withdraw(a.id);
});

test.run();
