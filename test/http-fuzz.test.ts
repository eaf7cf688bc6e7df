/**
 * Property-based fuzzing of the HTTP API through app.inject (the routes and their
 * JSON Schemas come from the app itself, through buildApp's onRoute): for every
 * route, requests as anybody — signed out, with a garbage token, as each role — with
 * generated path parameters, query strings and bodies: mostly shaped by the route's
 * schema with some fields replaced by anything (wrong types, prototype names, NUL,
 * lone surrogates, lengths at and past the limits), or not JSON at all, or in another
 * content type. Invariants, for every answer:
 * - never a 5xx, except a documented 503 (a store or the access log not answering);
 * - every error is JSON `{ error: { code, message } }` with a registered code;
 * - no answer carries a stack trace, a source path, SQL or a driver's message;
 * - a JSON route answers JSON;
 * - nobody but the staff sees another person's ticket or chat (another company's included), nor more
 *   of who on a company's side filed a request than the role;
 * and after each request: nothing logged at error level, no token or personal data in
 * the log, no uncaught error, the built-in prototypes untouched.
 * Fixed seed by default; FUZZ_SEED and FUZZ_RUNS vary it (test/helpers/fuzz.ts); FUZZ_STATS=1
 * prints how each route answered.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { ERRORS } from '../server/errors.ts';
import { injectedApp, type InjectedApp } from './helpers/app.ts';
import { newConversation } from './helpers/conversations.ts';
import { abbreviate, anyJson, anyString, captureLog, fuzzParams, isRegisteredCode, LEAKY, mostly, NASTY_KEYS, poisoned, ownKeys, plainObjectsClean, prototypeSnapshot, shownAs, watchProcess, type CapturedLog } from './helpers/fuzz.ts';

type Schema = { type?: string | string[]; enum?: readonly unknown[]; const?: unknown; pattern?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number; maxItems?: number; items?: Schema; properties?: Record<string, Schema>; required?: readonly string[] };
interface Route {
  method: string;
  url: string;
  body?: Schema;
  querystring?: Schema;
  multipart: boolean;
}

const MARKER = 'PII-MARKER-9c1d';
const VICTIM = { sub: 'victim-w-http', name: 'Vittoria Segreta', fiscal: 'RSSMRA80A01H501U', text: 'Il mio IBAN è IT60X0542811101000000123456' };
/**
 * Another company's request (the rival's: no fuzzing user holds its matricola), and one a consultant
 * filed about the fuzzing employer's company: the employer reads that request, never who filed it
 * beyond the role (`filedBy`), so the consultant's sub and tax code are secrets to the user side too.
 */
const RIVAL = { sub: 'victim-e-http', name: 'Ditta Segreta', fiscal: 'VRDGNN75B02F205P', matricola: '9876543210', subject: 'Riservato ditta 4e7a', text: 'Cassa integrazione reparto 4e7a' };
const CONSULTANT = { sub: 'victim-cdl-http', fiscal: 'CLMLRA70A41F205Z' };
const USER_SIDE_SECRETS = [VICTIM.text, VICTIM.name, VICTIM.fiscal, RIVAL.name, RIVAL.fiscal, RIVAL.subject, RIVAL.text, CONSULTANT.sub, CONSULTANT.fiscal];
/** 503s a client is told to retry (docs/errors.md); any other 5xx is a fault. */
const RETRY_LATER = new Set(['store_unavailable', 'tickets_busy', 'access_log_unavailable', 'not_ready', 'draining']);
/** Routes whose success is not JSON. */
const NOT_JSON = /\.csv$|^\/metrics$|^\/mailbox\/?$/;

const routes: Route[] = [];
/** FUZZ_STATS=1: how each route answered, printed at the end (how deep the requests got). */
const STATS: Record<string, Record<string, number>> | null = process.env.FUZZ_STATS ? {} : null;
let app: InjectedApp;
let log: CapturedLog;
let watch: ReturnType<typeof watchProcess>;
let prototypes: string;
const tokens: Record<string, string | null> = {};
const ids: string[] = [];

test.before(async () => {
  prototypes = prototypeSnapshot();
  watch = watchProcess();
  log = captureLog('info');
  const onRoute = (r: RouteOptions) => {
    const schema = (r.schema ?? {}) as { body?: Schema; querystring?: Schema; hide?: boolean };
    const multipart = (r.constraints as Record<string, unknown> | undefined)?.multipartBody === 'yes';
    for (const method of [r.method].flat()) {
      if (method === 'HEAD' || r.url === '/ws' || r.url === '*') continue;
      routes.push({ method, url: r.url, body: schema.body, querystring: schema.querystring, multipart });
    }
  };
  app = await injectedApp(new ManualClock(Date.parse('2026-11-23T16:00:00+01:00')), { LOG_LEVEL: 'info' }, { logger: log.logger, onRoute });
  const claims: Record<string, Record<string, unknown>> = {
    worker: { role: 'worker', sub: 'fuzz-w', name: 'Mario Fuzz', province: 'MI', fiscalCode: 'BNCMRA80A01F205X' },
    employer: { role: 'employer', sub: 'fuzz-e', name: 'Azienda Fuzz', province: 'MI', matricola: '1234567890' },
    intermediary: { role: 'intermediary', sub: 'fuzz-i', province: 'RM', matricole: ['1234567890', '5555555555'] },
    advisor: { role: 'advisor', sub: 'fuzz-a', name: 'Giulia Fuzz' },
    office: { role: 'office', sub: 'fuzz-o', sede: 'SEDE-MI' },
    supervisor: { role: 'supervisor', sub: 'fuzz-s' },
  };
  for (const [role, c] of Object.entries(claims)) tokens[role] = await app.token(c);
  tokens.anonymous = null;
  tokens.garbage = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
  // Another person's ticket and chat, whose ids the fuzzing requests use and whose content they must never see.
  const victim = await app.token({ role: 'worker', sub: VICTIM.sub, name: VICTIM.name, province: 'MI', fiscalCode: VICTIM.fiscal });
  const ticket = await app.call(victim, 'POST', '/api/v1/tickets', { subject: 'Pagamento', category: 'payment', body: VICTIM.text });
  assert.is(ticket.status, 201, ticket.raw);
  const own = await app.call(tokens.worker!, 'POST', '/api/v1/tickets', { subject: 'Mio', category: 'payment', body: 'la mia domanda' });
  const rival = await app.token({ role: 'employer', sub: RIVAL.sub, name: RIVAL.name, fiscalCode: RIVAL.fiscal, province: 'MI', matricola: RIVAL.matricola });
  const rivals = await app.call(rival, 'POST', '/api/v1/tickets', { subject: RIVAL.subject, category: 'cigo', body: RIVAL.text });
  assert.is(rivals.status, 201, rivals.raw);
  const consultant = await app.token({ role: 'intermediary', sub: CONSULTANT.sub, name: 'Studio Fuzz', fiscalCode: CONSULTANT.fiscal, province: 'MI', matricole: ['1234567890'] });
  const filed = await app.call(consultant, 'POST', '/api/v1/tickets', { subject: 'Per la ditta', category: 'cigo', body: 'Domanda dello studio', matricola: '1234567890' });
  assert.is(filed.status, 201, filed.raw);
  const conv = newConversation({ userId: VICTIM.sub, userName: VICTIM.name });
  await app.services.store.createConversation(conv);
  await app.services.store.appendMessage({ conversationId: conv.id, senderId: VICTIM.sub, senderRole: 'worker', clientMsgId: 'v1', text: VICTIM.text });
  // The fuzzing worker's own ticket thrice: requests about it get furthest.
  ids.push(ticket.body.id, rivals.body.id, filed.body.id, own.body.id, own.body.id, own.body.id, conv.id, randomUUID(), '1', 'SEDE-MI', 'MI', 'fuzz-a');
});

test.after(async () => {
  for (const [route, counts] of Object.entries(STATS ?? {})) console.log(route.padEnd(56), JSON.stringify(counts));
  await app.close();
  watch.stop();
});

/**
 * Values for a schema. `clean`: valid ones, at the limits too (so that requests get past
 * validation, to the handlers and the database); else mostly valid, strings sometimes
 * anything, and just past the limits.
 */
function valueFor(s: Schema | undefined, clean: boolean, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 3) return clean ? fc.string({ maxLength: 5 }) : anyJson;
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const type = [s.type ?? 'any'].flat()[0];
  const bounds = (lo: number | undefined, hi: number | undefined) => [lo, hi].filter((v): v is number => v !== undefined);
  switch (type) {
    case 'string': {
      const min = s.minLength ?? 0;
      const plain = s.pattern
        ? fc.stringMatching(new RegExp(s.pattern), { size: 'small' }).filter((v) => v.length <= (s.maxLength ?? Infinity) && v.length >= min)
        : fc.string({ minLength: min, maxLength: Math.max(Math.min(s.maxLength ?? 40, 40), min) }).map((v) => (min > 0 && v.trim() === '' ? 'x'.repeat(min) : v));
      const atMax = s.maxLength !== undefined && s.maxLength <= 20_000 && !s.pattern ? [fc.constant(`${MARKER}${'x'.repeat(Math.max(0, s.maxLength - MARKER.length))}`.slice(0, s.maxLength))] : [];
      const fits = ids.filter((id) => id.length >= min && id.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern).test(id)));
      if (clean) return fc.oneof({ weight: 4, arbitrary: plain }, ...(fits.length ? [fc.constantFrom(...fits)] : []), ...atMax);
      return fc.oneof(mostly(plain), fc.constantFrom(...ids), ...atMax, ...(s.maxLength !== undefined ? [fc.constant('x'.repeat(s.maxLength + 1))] : []));
    }
    case 'integer': {
      const valid = fc.integer({ min: s.minimum ?? -10, max: s.maximum ?? 100 });
      return clean ? valid : fc.oneof(valid, fc.constantFrom(0, -1, 2 ** 31, ...bounds(s.minimum, s.maximum).flatMap((v) => [v - 1, v + 1])));
    }
    case 'number': return fc.oneof(fc.double({ noNaN: true }), fc.integer());
    case 'boolean': return fc.boolean();
    case 'array': return fc.array(valueFor(s.items, clean, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'object': return objectFor(s, clean, depth);
    default: return clean ? fc.string({ maxLength: 5 }) : anyJson;
  }
}

/** An object of the schema's properties; unless `clean`, then a few set to anything, deleted, or added (prototype names among them). */
function objectFor(s: Schema, clean: boolean, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const names = Object.keys(props);
  const field = (k: string) => (clean && HINTS[k] ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HINTS[k]!) }, valueFor(props[k], clean, depth + 1)) : valueFor(props[k], clean, depth + 1));
  const required = [...(s.required ?? [])].filter((k) => names.includes(k));
  // Clean objects mostly leave the optional fields out: each one is a chance of a refusal that stops the request short.
  const record = fc.record(Object.fromEntries(names.map((k) => [k, required.includes(k) ? field(k) : fc.option(field(k), { freq: clean ? 3 : 2, nil: undefined })]))).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
  if (clean || depth > 0) return record;
  const mutation = fc.oneof(
    fc.record({ key: fc.constantFrom(...names, ...NASTY_KEYS, 'extra'), value: anyJson.map((v) => ({ v })) }),
    fc.record({ key: fc.constantFrom(...names, 'extra'), value: fc.constant(null) }),
  );
  return fc.tuple(record, fc.array(mutation, { maxLength: 2 })).map(([obj, mutations]) => {
    const out = ownKeys(obj);
    for (const m of mutations) {
      if (m.value === null) delete out[m.key];
      else Object.defineProperty(out, m.key, { value: m.value.v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
}

/** Values that mean something here, by field name: the fuzzing people's own province, matricola, sede, ids. */
const HINTS: Record<string, unknown[]> = {
  province: ['MI', 'RM'],
  matricola: ['1234567890', RIVAL.matricola],
  sede: ['SEDE-MI', 'SEDE-RM'],
  userId: ['fuzz-w'],
  day: ['2026-11-22'],
  provinces: [['MI']],
  regions: [[]],
};

/** Clean (valid) two times in three, perturbed the third. */
function shaped(s: Schema): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof({ weight: 2, arbitrary: objectFor(s, true) }, { weight: 1, arbitrary: objectFor(s, false) });
}

/** encodeURIComponent, or UTF-8 that is not (what a lone surrogate cannot be encoded as). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function queryString(q: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    for (const item of Array.isArray(v) ? v : [v]) parts.push(`${enc(k)}=${enc(typeof item === 'string' ? item : JSON.stringify(item) ?? '')}`);
  }
  return parts.join('&');
}

interface Call {
  role: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

function callFor(route: Route): fc.Arbitrary<Call> {
  const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const param = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ids) }, { weight: 2, arbitrary: anyString }, { weight: 1, arbitrary: fc.constantFrom('%00', '%ED%A0%80', '..%2F..%2Fetc', '%', '%zz').map((raw) => ({ raw })) });
  const query = fc.oneof(
    { weight: 4, arbitrary: route.querystring ? shaped(route.querystring).map(queryString) : fc.constant('') },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('page', 'status', 'id', 'q', ...NASTY_KEYS), anyJson, { maxKeys: 3 }).map((d) => queryString(ownKeys(d))) },
    { weight: 1, arbitrary: fc.constantFrom('a=%ZZ', '%', '__proto__[isAdmin]=1', 'constructor[prototype][isAdmin]=1', 'page=1&page=2', 'x=%00', 'x=%ED%A0%80') },
  );
  const json = (v: unknown) => ({ type: 'application/json', payload: JSON.stringify(v) ?? 'null' });
  const body: fc.Arbitrary<{ type: string | null; payload: string | Buffer } | null> = route.multipart
    ? fc
        .tuple(
          // Valid fields with at most one of them replaced by anything, poisoned text more often than not.
          fc.option(fc.tuple(fc.constantFrom('subject', 'category', 'body'), fc.oneof(poisoned, anyString, fc.constant('x'.repeat(10_001)))), { nil: undefined }),
          fc.option(fc.dictionary(fc.constantFrom('province', 'matricola', 'files', '__proto__', 'extra'), mostly(fc.constantFrom('MI', '1234567890')), { maxKeys: 2 }), { freq: 2, nil: {} }),
          fc.option(fc.oneof(fc.constant(new TextEncoder().encode('Buongiorno, allego la lettera.')), fc.uint8Array({ maxLength: 64 })), { nil: undefined }),
        )
        .map(([wrong, more, bytes]) => multipart({ subject: 'Oggetto', category: 'payment', body: 'Testo', ...(wrong ? { [wrong[0]]: wrong[1] } : {}), ...more }, bytes))
    : route.method === 'GET'
      ? fc.constant(null)
      : fc.oneof(
          { weight: 6, arbitrary: route.body ? shaped(route.body).map(json) : anyJson.map(json) },
          { weight: 1, arbitrary: anyJson.map(json) },
          { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('{', '{"a":' + '['.repeat(5000), '[]', '', 'null', '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}')).map((payload) => ({ type: 'application/json', payload })) },
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data', 'application/json; charset=latin1'), fc.string({ maxLength: 30 })).map(([type, payload]) => ({ type, payload })) },
          { weight: 1, arbitrary: fc.constant({ type: null, payload: '' }) },
        );
  return fc
    .record({ role: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('worker', 'employer', 'intermediary') }, { weight: 2, arbitrary: fc.constantFrom('advisor', 'office', 'supervisor') }, { weight: 1, arbitrary: fc.constantFrom('anonymous', 'garbage') }), values: fc.array(param, { minLength: params.length, maxLength: params.length }), query, body })
    .map(({ role, values, query: q, body: b }) => {
      let url = route.url;
      params.forEach((name, i) => {
        const v = values[i]!;
        url = url.replace(`:${name}`, typeof v === 'string' ? enc(v) || 'x' : v.raw);
      });
      if (q) url += `?${q}`;
      const headers: Record<string, string> = {};
      const token = tokens[role];
      if (token) headers.authorization = `Bearer ${token}`;
      if (b?.type) headers['content-type'] = b.type;
      const call: Call = { role, url, headers, ...(b ? { payload: b.payload } : {}) };
      return shownAs(call, `${role} ${route.method} ${abbreviate(url, 200)} ${b ? `${b.type} ${abbreviate(String(b.payload), 200)}` : ''}`);
    });
}

/** A multipart/form-data body with these text fields and, unless undefined, one file of these bytes. */
function multipart(fields: Record<string, string>, bytes: Uint8Array | undefined): { type: string; payload: Buffer } {
  const boundary = 'fuzzboundary7';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (bytes) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="lettera.txt"\r\ncontent-type: text/plain\r\n\r\n`), Buffer.from(bytes), Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, payload: Buffer.concat(parts) };
}

const USER_SIDE = new Set(['anonymous', 'garbage', 'worker', 'employer', 'intermediary']);

async function check(route: Route, call: Call): Promise<void> {
  const logFrom = log.lines.length;
  const faultsFrom = watch.faults.length;
  const res = await app.app.inject({ method: route.method as 'GET', url: call.url, headers: call.headers, ...(call.payload === undefined ? {} : { payload: call.payload }) });
  const type = String(res.headers['content-type'] ?? '');
  if (STATS) {
    const outcome = res.statusCode >= 400 ? (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? res.statusCode : res.statusCode;
    const counts = (STATS[`${route.method} ${route.url}${route.multipart ? ' (multipart)' : ''}`] ??= {});
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  const what = `${route.method} ${route.url} → ${res.statusCode} ${abbreviate(res.body, 300)}`;
  if (res.statusCode >= 400) {
    assert.match(type, /^application\/json/, `an error is JSON: ${what}`);
    const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
    assert.ok(isRegisteredCode(body.error?.code), `a registered code: ${what}`);
    assert.type(body.error!.message, 'string');
    assert.is(ERRORS[body.error!.code as keyof typeof ERRORS].status, res.statusCode, `the code's status: ${what}`);
    if (res.statusCode >= 500) assert.ok(res.statusCode === 503 && RETRY_LATER.has(body.error!.code as string), `no fault: ${what}`);
  } else if (!NOT_JSON.test(route.url) && res.statusCode !== 204 && res.statusCode < 300) {
    assert.match(type, /^application\/json/, `a JSON route answers JSON: ${what}`);
  }
  assert.not.match(res.body, LEAKY, `no stack, path or SQL in the answer: ${what}`);
  if (USER_SIDE.has(call.role)) for (const secret of USER_SIDE_SECRETS) assert.not.ok(res.body.includes(secret), `another person's data: ${what}`);
  await new Promise((r) => setImmediate(r));
  assert.equal(watch.faults.slice(faultsFrom), [], 'no uncaught exception or unhandled rejection');
  assert.equal(log.errorsSince(logFrom).map((l) => `${l.msg} ${JSON.stringify((l.err as { message?: string })?.message ?? '')}`), [], `nothing logged at error level: ${what}`);
  assert.is(prototypeSnapshot(), prototypes, 'built-in prototypes untouched');
  assert.ok(plainObjectsClean(), 'no property appeared on plain objects');
}

test('the app lists its routes, with their schemas', () => {
  assert.ok(routes.length >= 30, `${routes.length} routes`);
  assert.ok(routes.some((r) => r.method === 'POST' && r.url === '/api/v1/tickets' && r.body), 'POST /api/v1/tickets with its body schema');
});

test('every route, fuzzed as anybody: no 5xx but a documented 503, errors as JSON with a registered code, nothing leaked', async () => {
  for (const route of routes) {
    await fc.assert(
      fc.asyncProperty(callFor(route), (call) => check(route, call)),
      fuzzParams(route.multipart ? 100 : route.body || route.querystring || route.url.includes(':') ? 40 : 10),
    );
  }
  const text = log.text();
  for (const secret of [MARKER, VICTIM.fiscal, VICTIM.text, RIVAL.fiscal, RIVAL.text, CONSULTANT.fiscal, 'eyJ']) assert.not.ok(text.includes(secret), `${secret} reached the log`);
});

/**
 * Each query field alone, with each of its valid values (both booleans, every enum value, the
 * hinted ones, a few samples), as each role: a list narrowed by one filter reaches all the caller
 * may see, which the fuzz's mostly-clean queries, several filters at once, seldom do; a filter that
 * widened the scope (`mine=false` without the caller's own) shows another person's data here.
 */
test('every query field alone, with each valid value, as each role: the same invariants, nothing of another person', async () => {
  for (const route of routes.filter((r) => r.method === 'GET' && r.querystring?.properties && !r.url.includes(':'))) {
    for (const [name, schema] of Object.entries(route.querystring!.properties!)) {
      const values = schema.type === 'boolean' ? [true, false] : schema.enum ? [...schema.enum] : [...(HINTS[name] ?? []), ...fc.sample(valueFor(schema, true), { numRuns: 2, seed: 7 })];
      for (const value of values) {
        for (const role of Object.keys(tokens)) {
          const token = tokens[role];
          const url = `${route.url}?${queryString({ [name]: value })}`;
          await check(route, { role, url, headers: token ? { authorization: `Bearer ${token}` } : {} });
        }
      }
    }
  }
});

/** GET over a real socket, the path sent as it is (fetch would normalise it). */
function getRaw(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the availability fast path, over a real socket, answers every query exactly as fastify does', async () => {
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.app.server.address() as AddressInfo;
  const value = (known: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: anyString.map(enc) });
  const pair = fc.oneof(
    fc.tuple(fc.constant('province'), value(['MI', 'mi', 'Bz', 'RM', 'ZZ', 'M%49', ''])),
    fc.tuple(fc.constant('audience'), value(['worker', 'employer', 'intermediary', 'king', 'WORKER'])),
    fc.tuple(fc.constantFrom('at', 'x', 'Province', '__proto__'), value(['2026-11-23T16:00:00Z', '1'])),
  );
  const query = fc.array(pair, { maxLength: 3 }).chain((pairs) => fc.constantFrom(pairs.map(([k, v]) => `${k}=${v}`).join('&'), pairs.map(([k, v]) => `${k}=${v}`).join('&') + '&', pairs.map(([k]) => k).join('&')));
  await fc.assert(
    fc.asyncProperty(query, async (q) => {
      const url = `/api/v1/availability?${q}`;
      const viaSocket = await getRaw(port, url);
      const viaInject = await app.app.inject({ method: 'GET', url });
      assert.equal([viaSocket.status, viaSocket.type, viaSocket.body], [viaInject.statusCode, String(viaInject.headers['content-type']), viaInject.body], url);
      if (viaSocket.status >= 400) assert.ok(isRegisteredCode(JSON.parse(viaSocket.body).error.code), url);
    }),
    fuzzParams(150),
  );
  assert.ok(app.app.availabilityFastPath!.hits > 0, 'the fast path answered some');
});

test.run();
