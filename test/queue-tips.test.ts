/**
 * "Mentre aspetti": the public entries of the advisors' ready answers, shown to
 * a waiting user for their topic and audience (GET /api/v1/tips); a user who
 * found the answer leaves the queue with chat.cancel reason self_served, counted
 * apart. A public answer cannot carry placeholders (no advisor yet to fill them).
 * Over a real server and sockets.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CannedResponsesError, tipsFor, validateCannedResponses } from '../server/canned-responses.ts';
import { loadConfig } from '../server/config.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server?.close();
});

const tips = (query: string) => fetch(`${server.url}/api/v1/tips?${query}`);

test('a worker asking about payment is offered the payment answers, in Italian, German and English, and the answer may be cached', async () => {
  const res = await tips('topic=payment&audience=worker');
  assert.is(res.status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
  const { items } = (await res.json()) as { items: { id: string; title: { it: string; de?: string; en?: string }; text: { it: string; de?: string } }[] };
  assert.equal(items.map((i) => i.id), ['pagamento-diretto-tempi', 'pagamento-stato', 'iban']);
  assert.match(items[0]!.text.it, /UniEmens-Cig/);
  assert.ok(items.every((i) => i.title.en), 'each has its English title');
  assert.ok(items.every((i) => i.title.de && i.text.de), 'each has its German title and text, for South Tyrol');
  assert.match(items[0]!.text.de!, /Direktzahlung/);
  assert.not.ok(items.some((i) => /\{\w*\}/.test(i.text.it)), 'no placeholder reaches a user');
});

test('an employer asking about CIGO is offered the company answers, not the worker ones; a greeting is never a tip', async () => {
  const { items } = (await (await tips('topic=cigo&audience=employer')).json()) as { items: { id: string }[] };
  assert.equal(items.map((i) => i.id), ['domanda-azienda']);
  const worker = (await (await tips('topic=cigo&audience=worker')).json()) as { items: { id: string }[] };
  assert.not.ok(worker.items.some((i) => i.id === 'domanda-azienda' || i.id === 'saluto' || i.id === 'chiusura'));
});

test('an unknown topic or audience, or a missing one, is refused with validation_failed', async () => {
  for (const query of ['topic=pensione&audience=worker', 'topic=payment&audience=advisor', 'topic=payment', 'audience=worker', 'topic=payment&audience=worker&x=1']) {
    const res = await tips(query);
    assert.is(res.status, 400, query);
    assert.is(((await res.json()) as { error: { code: string } }).error.code, 'validation_failed', query);
  }
});

test('a waiting user who found the answer leaves with reason self_served, counted apart from other departures', async () => {
  const metric = async (reason: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`infocig_queue_abandoned_total{reason="${reason}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const [socket] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub: 'tip-reader', province: 'PD' }));
  try {
    socket.send({ type: 'chat.request', topic: 'payment' });
    const joined = await socket.next('queue.joined');
    assert.is(joined.topic, 'payment', 'the page knows which tips to show');
    const refused = await socket.request({ type: 'chat.cancel', reason: 'bored' });
    assert.is(refused.code, 'validation_failed');
    const before = { self: await metric('self_served'), cancelled: await metric('cancelled') };
    assert.is((await socket.request({ type: 'chat.cancel', reason: 'self_served' })).type, 'ok');
    assert.is((await socket.next('queue.left')).reason, 'cancelled');
    assert.is(await metric('self_served'), before.self + 1);
    assert.is(await metric('cancelled'), before.cancelled);
  } finally {
    socket.drop();
  }
});

test('a public answer with a placeholder, or an unknown audience, stops the start naming the entry', () => {
  const entry = (extra: Record<string, unknown>) => [{ id: 'x', topics: ['payment'], title: { it: 'T' }, text: { it: 'Gentile {nome}, ...' }, ...extra }];
  assert.throws(() => validateCannedResponses(entry({ public: true })), (e: unknown) => e instanceof CannedResponsesError && /\[0\]\.text\.it.*placeholders/.test(String(e)));
  assert.throws(() => validateCannedResponses(entry({ audiences: ['advisor'] })), (e: unknown) => e instanceof CannedResponsesError && /\[0\]\.audiences/.test(String(e)));
  assert.throws(() => validateCannedResponses(entry({ public: 'yes' })), (e: unknown) => e instanceof CannedResponsesError && /\[0\]\.public/.test(String(e)));
  assert.equal(validateCannedResponses(entry({})).map((r) => r.public), [undefined], 'advisor-only by default');
});

test('the project file has a tip for every topic a worker may pick except "other", none with a placeholder', () => {
  const responses = loadConfig({ AUTH_DEV: '1' }).cannedResponses;
  for (const topic of ['cigo', 'fis', 'solidarity_fund', 'payment'] as const) assert.ok(tipsFor(responses, topic, 'worker').length > 0, topic);
  assert.equal(tipsFor(responses, 'other', 'worker'), []);
});

test.run();
