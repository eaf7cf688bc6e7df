/**
 * Whose a company's request is, as the user side reads it (docs/tickets.md, "Who sees and does
 * what"): an employer lists the requests its labour consultant filed about the company beside its
 * own, and reads which are which (`filedBy`: the filer's role, never who), in the list and in one
 * request, down to whose each reply is (`author.mine`); `mine=true` / `mine=false` narrow the list
 * to the caller's own or to the others'. Minimal fastify with the ticket routes and a throw-away
 * seeded database (test/helpers/ticket-api.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ids, ticketApi, type Json } from './helpers/ticket-api.ts';

const api = ticketApi(test);
const { call, token, office, open } = api;

/**
 * An employer, its consultant (who also holds another company) and the requests of both companies:
 * the employer's, the consultant's for each, the sede's to the company. Each test its own companies.
 */
async function company(suffix: string, n: number) {
  const [COMPANY, OTHER] = [`560000001${n}`, `560000002${n}`];
  const employer = await token({ role: 'employer', sub: `emp-${suffix}`, name: 'Ditta Rossi', province: 'PV', matricola: COMPANY });
  const consultant = await token({ role: 'intermediary', sub: `cdl-${suffix}`, name: 'Studio Colombo', fiscalCode: 'CLMLRA70A41F205Z', province: 'PV', matricole: [COMPANY, OTHER] });
  const own = await open(employer, { subject: `Della ditta ${suffix}` });
  const byConsultant = await open(consultant, { subject: `Dello studio ${suffix}`, matricola: COMPANY });
  const consultantsOther = await open(consultant, { subject: `Altra ditta ${suffix}`, matricola: OTHER });
  const fromSede = await call(await office('SEDE-PV'), 'POST', '/api/v1/tickets', { subject: `Dalla sede ${suffix}`, category: 'cigo', body: 'Servono i documenti.', to: { matricola: COMPANY } });
  assert.is(fromSede.status, 201, JSON.stringify(fromSede.body));
  return { employer, consultant, own, byConsultant, consultantsOther, fromSede: fromSede.body };
}

const list = async (tok: string, query = '') => {
  const res = await call(tok, 'GET', `/api/v1/tickets?pageSize=100${query}`);
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body;
};

test('an employer reads which of its company\'s requests its labour consultant filed (the role, never who), in the list and in the request; its own and the sede\'s name no filer', async () => {
  const c = await company('a', 1);
  const byId = new Map<string, Json>((await list(c.employer)).items.map((t: Json) => [t.id, t]));
  assert.equal([...byId.keys()].sort(), [c.own.id, c.byConsultant.id, c.fromSede.id].sort(), 'the consultant\'s other company stays out');
  assert.equal([byId.get(c.own.id)!.mine, byId.get(c.own.id)!.filedBy], [true, null]);
  assert.equal([byId.get(c.byConsultant.id)!.mine, byId.get(c.byConsultant.id)!.filedBy], [false, 'intermediary']);
  assert.equal([byId.get(c.fromSede.id)!.mine, byId.get(c.fromSede.id)!.filedBy], [false, null], 'the sede wrote it: nobody of the company filed it');

  const one = await call(c.employer, 'GET', `/api/v1/tickets/${c.byConsultant.id}`);
  assert.is(one.body.filedBy, 'intermediary');
  // Nothing of the consultant beyond the role and the name their reply is signed with.
  const said = JSON.stringify(one.body);
  for (const secret of ['cdl-a', 'CLMLRA70A41F205Z']) assert.not.ok(said.includes(secret), `${secret} is not sent`);
  assert.is(one.body.user, undefined);
  assert.is(one.body.createdBy, undefined);

  // The consultant, the other way round: the company filed that one.
  const seen = new Map<string, Json>((await list(c.consultant)).items.map((t: Json) => [t.id, t]));
  assert.equal([seen.get(c.own.id)!.filedBy, seen.get(c.byConsultant.id)!.filedBy], ['employer', null]);
  // Staff read the person, not this field.
  const asOffice = await call(await office('SEDE-PV'), 'GET', `/api/v1/tickets/${c.byConsultant.id}`);
  assert.equal(['filedBy' in asOffice.body, asOffice.body.user.id], [false, 'cdl-a']);
});

test('in a request of the company, each reply says whether the reader wrote it: the consultant\'s is not the employer\'s own', async () => {
  const c = await company('b', 2);
  assert.is((await call(c.employer, 'POST', `/api/v1/tickets/${c.byConsultant.id}/replies`, { body: 'Confermo quanto scritto dallo studio.' })).status, 201);
  const authors = async (tok: string) =>
    (await call(tok, 'GET', `/api/v1/tickets/${c.byConsultant.id}`)).body.replies.map((r: Json) => [r.author.role, r.author.name, r.author.mine]);
  assert.equal(await authors(c.employer), [['intermediary', 'Studio Colombo', false], ['employer', 'Ditta Rossi', true]]);
  assert.equal(await authors(c.consultant), [['intermediary', 'Studio Colombo', true], ['employer', 'Ditta Rossi', false]]);
});

test('mine=true lists only the caller\'s own requests and mine=false only the others\' about its companies, totals included; staff are refused', async () => {
  const c = await company('c', 3);
  const own = await list(c.employer, '&mine=true');
  assert.equal(ids(own), [c.own.id]);
  assert.is(own.total, 1);
  const others = await list(c.employer, '&mine=false');
  assert.equal(ids(others).sort(), [c.byConsultant.id, c.fromSede.id].sort());
  assert.is(others.total, 2);
  assert.equal(ids(await list(c.consultant, '&mine=true')).sort(), [c.byConsultant.id, c.consultantsOther.id].sort());
  assert.equal(ids(await list(c.consultant, '&mine=false')).sort(), [c.own.id, c.fromSede.id].sort());
  const refused = await call(await office('SEDE-PV'), 'GET', '/api/v1/tickets?mine=true');
  assert.is(refused.status, 400);
  assert.is(refused.body.error.code, 'validation_failed');
});

test.run();
