/** /metrics speaks Prometheus text and agrees with what the server is doing. */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.close();
});

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

test('queues, advisors, connections, messages and tickets show up in /metrics as they happen', async () => {
  const [advisor] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'advisor', sub: 'adv-m' }));
  const [waiting] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub: 'w-wait', province: 'GE' }));
  waiting.send({ type: 'chat.request', topic: 'fis' });
  await waiting.next('queue.joined');
  let m = await scrape();
  assert.is(m.get('infocig_queue_length{province="GE",audience="worker"}'), 1);
  assert.is(m.get('infocig_advisors{status="away"}'), 1);
  assert.is(m.get('infocig_websocket_connections'), 2);

  await advisor.request({ type: 'advisor.status', status: 'available' });
  const { conversationId } = await waiting.next('conversation.assigned');
  await waiting.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'uno' });
  await advisor.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: 'due' });
  await advisor.request({ type: 'conversation.escalate', conversationId, summary: 'da verificare in sede' });
  const ticket = await fetch(`${server.url}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.token({ role: 'worker', sub: 'w-ticket', province: 'GE' })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'Pagamento', category: 'cigo', body: 'Quando arriva?' }),
  });
  assert.is(ticket.status, 201, await ticket.clone().text());
  m = await scrape();
  assert.is(m.get('infocig_queue_length{province="GE",audience="worker"}'), undefined, 'the queue is empty now');
  assert.is(m.get('infocig_store_batch_items_total{kind="ticket_create"}'), 1, 'the ticket opened over HTTP went through the creation batches (the escalated one alone)');
  assert.is(m.get('infocig_messages_total'), 2);
  assert.is(m.get('infocig_escalations_total'), 1);
  assert.is(m.get('infocig_conversations_closed_total{outcome="escalated"}'), 1);
  assert.is(m.get('infocig_wait_seconds_count{audience="worker"}'), 1);
  assert.is(m.get('infocig_tickets{sede="SEDE-GE",status="open"}'), 2);
  assert.ok(m.has('infocig_nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
  // The store's batchers: the two messages went through the group commit, each sign-in read its open conversations.
  assert.is(m.get('infocig_store_batch_items_total{kind="append"}'), 2);
  const appendBatches = m.get('infocig_store_batches_total{kind="append"}') ?? 0;
  assert.ok(appendBatches >= 1 && appendBatches <= 2, `${appendBatches} append statements`);
  assert.ok((m.get('infocig_store_batch_items_total{kind="read_open"}') ?? 0) >= 2, 'a read of open conversations per sign-in');
  const text = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(text, /^# TYPE infocig_store_batches_total counter$/m);
  assert.match(text, /^# TYPE infocig_store_queued gauge$/m);
  for (const kind of ['append', 'read_messages', 'read_open', 'read_marks', 'ticket_create']) {
    assert.is(m.get(`infocig_store_queued{kind="${kind}"}`), 0, `nothing left waiting (${kind})`);
    assert.is(m.get(`infocig_store_in_flight{kind="${kind}"}`), 0, `nothing left in flight (${kind})`);
  }
  const labels = [...m.keys()].join('\n');
  assert.not.ok(labels.includes('w-wait') || labels.includes('adv-m'), 'no user ids in labels');
  waiting.drop();
  advisor.drop();
});

test.run();
