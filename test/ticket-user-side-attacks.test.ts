/**
 * Attacks on what the user side was given in December 2026 (docs/security.md: IDOR, injection,
 * over-sharing): the list's `mine=` filter, `filedBy` and each reply's `author.mine`. `mine`
 * narrows what a caller may already see and never widens it; it takes a boolean and nothing else;
 * what a company's side reads of each other is a role and a name, never an id or a tax code.
 * Through the ticket routes as the app serves them (test/helpers/ticket-api.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ids, ticketApi, type Json } from './helpers/ticket-api.ts';

const api = ticketApi(test);
const { call, token, office, open, worker } = api;

const COMPANY = '5700000011';
const RIVAL = '5700000022';
/** Tax codes of the people below: none may reach another user. */
const FISCAL = { employer: 'RSSDTT70A01F205K', consultant: 'CLMLRA70A41F205Z', rival: 'VRDGNN75B02F205P' };

/** Two companies, their employers, a consultant of the first, a worker; each with requests. */
async function people() {
  const employer = await token({ role: 'employer', sub: 'att-emp', name: 'Ditta Rossi', fiscalCode: FISCAL.employer, province: 'PV', matricola: COMPANY });
  const consultant = await token({ role: 'intermediary', sub: 'att-cdl', name: 'Studio Colombo', fiscalCode: FISCAL.consultant, province: 'PV', matricole: [COMPANY] });
  const rival = await token({ role: 'employer', sub: 'att-rival', name: 'Ditta Verdi', fiscalCode: FISCAL.rival, province: 'PV', matricola: RIVAL });
  const lone = await worker('att-worker', 'PV');
  const t = {
    employers: await open(employer, { subject: 'Della ditta' }),
    consultants: await open(consultant, { subject: 'Dello studio', matricola: COMPANY }),
    rivals: await open(rival, { subject: 'Della ditta rivale' }),
    workers: await open(lone, { subject: 'Del lavoratore' }),
  };
  const reply = await call(await office('SEDE-PV', 'op-att'), 'POST', `/api/v1/tickets/${t.consultants.id}/replies`, { body: 'Abbiamo ricevuto la domanda.' });
  assert.is(reply.status, 201, JSON.stringify(reply.body));
  assert.is((await call(employer, 'POST', `/api/v1/tickets/${t.consultants.id}/replies`, { body: 'Confermo.' })).status, 201);
  return { employer, consultant, rival, lone, t };
}

let cast: Awaited<ReturnType<typeof people>>;
test.before(async () => {
  cast = await people();
});

const list = async (tok: string, query: string) => {
  const res = await call(tok, 'GET', `/api/v1/tickets?pageSize=100${query}`);
  assert.is(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
  return res.body;
};

test('mine= only narrows what a user may see: with true, false or none, another company\'s and another person\'s requests stay out, totals included', async () => {
  const { employer, consultant, rival, lone, t } = cast;
  const seen: [string, string, string[]][] = [
    [employer, '', [t.employers.id, t.consultants.id]],
    [employer, '&mine=true', [t.employers.id]],
    [employer, '&mine=false', [t.consultants.id]],
    [consultant, '&mine=false', [t.employers.id]],
    [rival, '&mine=false', []],
    [rival, '&mine=true', [t.rivals.id]],
    // A worker holds no company: nobody else's request is theirs to list.
    [lone, '&mine=false', []],
    [lone, '&mine=true', [t.workers.id]],
  ];
  for (const [tok, query, expected] of seen) {
    const page = await list(tok, query);
    assert.equal(ids(page).sort(), [...expected].sort(), query);
    assert.is(page.total, expected.length, `${query}: the total counts only what may be seen`);
  }
  // Combined with the other filters, still within the caller's scope.
  assert.equal(ids(await list(rival, `&mine=false&matricola=${COMPANY}`)), []);
  assert.equal(ids(await list(lone, '&mine=false&sede=SEDE-PV&status=open')), []);
});

test('mine= takes a boolean only: operator objects, SQL, arrays, repeats and empty values are 400 validation_failed, never a list', async () => {
  const hostile = ['mine=yes', 'mine=', 'mine=1%20OR%201%3D1', "mine=true'--", 'mine[$ne]=1', 'mine=%7B%22%24ne%22%3Atrue%7D', 'mine=true&mine=false', 'mine[]=true&mine[]=false', 'mine=null', 'mine=%00'];
  for (const query of hostile) {
    const res = await call(cast.employer, 'GET', `/api/v1/tickets?${query}`);
    assert.is(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
    assert.ok(['validation_failed', 'bad_request'].includes(res.body.error?.code), `${query}: ${JSON.stringify(res.body)}`);
    assert.is(res.body.items, undefined, query);
  }
  // Staff have no "mine" of the user side: refused the same way, whatever the value.
  for (const value of ['true', 'false']) {
    const res = await call(await office('SEDE-PV'), 'GET', `/api/v1/tickets?mine=${value}`);
    assert.equal([res.status, res.body.error?.code], [400, 'validation_failed']);
  }
});

/** Every string anywhere in a JSON value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

const USER_TICKET_FIELDS = ['id', 'protocol', 'subject', 'category', 'origin', 'status', 'outcome', 'sede', 'sedeName', 'matricola', 'createdAt', 'updatedAt', 'takenAt', 'closedAt', 'dueAt', 'overdue', 'conversationId', 'replyCount', 'respondedAt', 'follows', 'mine', 'filedBy', 'followUpUntil'].sort();

test('what one side of a company reads of the other is allow-listed: a role, a name and whether it is theirs, never an id or a tax code; the office\'s id neither', async () => {
  const { employer, consultant, t } = cast;
  for (const [reader, other, otherFiscal] of [[employer, 'att-cdl', FISCAL.consultant], [consultant, 'att-emp', FISCAL.employer]] as const) {
    const row = (await list(reader, '')).items.find((i: Json) => i.id === t.consultants.id || i.id === t.employers.id);
    assert.equal(Object.keys(row).sort(), USER_TICKET_FIELDS, 'a list row carries the user fields only');
    const one = await call(reader, 'GET', `/api/v1/tickets/${t.consultants.id}`);
    assert.is(one.status, 200);
    assert.equal(Object.keys(one.body).filter((k) => !['replies', 'followedBy'].includes(k)).sort(), USER_TICKET_FIELDS, 'the request carries the user fields, its thread and its follow-ups only');
    for (const r of one.body.replies) assert.equal(Object.keys(r.author).sort(), ['mine', 'name', 'role'], 'a reply names its author by role and name, and whether it is the reader');
    const said = strings(one.body).concat(strings((await list(reader, '')).items));
    for (const secret of [other, otherFiscal, 'op-att', FISCAL.rival, 'att-rival']) assert.not.ok(said.includes(secret) || said.some((s) => s.includes(secret)), `${secret} reached a user`);
  }
});

test('a request of another company, or of another person, is the 404 of an absent one whatever mine says; mine on the list does not open it', async () => {
  const { rival, lone, t } = cast;
  const absent = await call(rival, 'GET', '/api/v1/tickets/00000000-0000-4000-8000-000000000000');
  assert.is(absent.status, 404);
  for (const [tok, id] of [[rival, t.consultants.id], [rival, t.employers.id], [lone, t.consultants.id], [rival, t.workers.id]] as const) {
    for (const suffix of ['', '?mine=false', '?mine=true']) {
      const res = await call(tok, 'GET', `/api/v1/tickets/${id}${suffix}`);
      assert.is(res.status, 404, `${id}${suffix}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body, absent.body, 'the same answer as an absent id');
    }
  }
});

test.run();
