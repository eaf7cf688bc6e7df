/**
 * /metrics counts what /ws refuses: sockets by reason (`infocig_ws_sockets_refused_total`)
 * and frames refused `rate_limited` by the limit that refused them
 * (`infocig_ws_frames_refused_total`), over real sockets. Labels are reason codes, never who.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;
test.before(async () => {
  server = await startServer({
    env: { HELLO_TIMEOUT_MS: '200', SOCKETS_PER_USER: '1', MESSAGES_PER_SECOND: '1', MESSAGE_BURST: '1', FRAMES_PER_SECOND: '1', FRAME_BURST: '1' },
  });
});
test.after(async () => {
  await server.close();
});

async function scrape(): Promise<{ values: Map<string, number>; text: string }> {
  const res = await fetch(`${server.url}/metrics`);
  assert.is(res.status, 200);
  const text = await res.text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { values, text };
}

const refusedSockets = (m: Map<string, number>, reason: string) => m.get(`infocig_ws_sockets_refused_total{reason="${reason}"}`);
const refusedFrames = (m: Map<string, number>, limit: string) => m.get(`infocig_ws_frames_refused_total{reason="rate_limited",limit="${limit}"}`);

test('every reason and limit is exported at 0 before anything is refused, as counters', async () => {
  const { values, text } = await scrape();
  for (const reason of ['forbidden', 'draining', 'hello_required', 'token_invalid', 'token_expired', 'hello_timeout', 'too_many_sockets', 'unavailable', 'other']) {
    assert.is(refusedSockets(values, reason), 0, reason);
  }
  for (const limit of ['messages', 'frames', 'in_flight']) assert.is(refusedFrames(values, limit), 0, limit);
  assert.match(text, /^# TYPE infocig_ws_sockets_refused_total counter$/m);
  assert.match(text, /^# TYPE infocig_ws_frames_refused_total counter$/m);
});

test('sockets refused at the upgrade and the hello are counted once each, by the reason the client is told', async () => {
  // A foreign origin: 403 at the upgrade.
  await TestSocket.open(server.wsUrl, { origin: 'https://evil.example' }).then(
    () => assert.unreachable('a foreign origin was let in'),
    (err: Error) => assert.match(err.message, /403/),
  );
  // Silent past HELLO_TIMEOUT_MS.
  const silent = await TestSocket.open(server.wsUrl);
  assert.is(await silent.closed, 4401);
  assert.is(silent.closeReason, 'hello_timeout');
  // A first frame that is not a hello, then a token that does not verify.
  const chatty = await TestSocket.open(server.wsUrl);
  chatty.send({ type: 'ping' });
  assert.is(await chatty.closed, 4401);
  assert.is(chatty.closeReason, 'hello_required');
  const forged = await TestSocket.open(server.wsUrl);
  forged.send({ type: 'hello', token: 'not-a-token' });
  assert.is(await forged.closed, 4401);
  assert.is(forged.closeReason, 'token_invalid');
  // SOCKETS_PER_USER 1: the person's second socket.
  const token = await server.token({ role: 'worker', sub: 'usr-refused-second', province: 'MI' });
  const [first] = await TestSocket.signIn(server.wsUrl, token);
  const second = await TestSocket.open(server.wsUrl);
  second.send({ type: 'hello', token });
  assert.is(await second.closed, 4429);

  const { values, text } = await scrape();
  assert.is(refusedSockets(values, 'forbidden'), 1);
  assert.is(refusedSockets(values, 'hello_timeout'), 1, 'counted once, though the socket then closes');
  assert.is(refusedSockets(values, 'hello_required'), 1);
  assert.is(refusedSockets(values, 'token_invalid'), 1);
  assert.is(refusedSockets(values, 'too_many_sockets'), 1);
  assert.is(refusedSockets(values, 'token_expired'), 0);
  assert.not.ok(text.includes('usr-refused-second'), 'no user ids in labels');
  first.drop();
});

test('frames refused rate_limited are counted by the limit that refused them: the message budget, the frame budget; ping never', async () => {
  const [socket] = await TestSocket.signIn(server.wsUrl, await server.token({ role: 'worker', sub: 'usr-refused-frames', province: 'MI' }));
  const send = () => ({ type: 'message.send', conversationId: randomUUID(), clientMsgId: randomUUID(), text: 'ciao' });
  const typing = () => ({ type: 'typing', conversationId: randomUUID(), active: true });
  assert.is((await socket.request(send())).code, 'not_participant', 'the burst of 1');
  assert.is((await socket.request(send())).code, 'rate_limited');
  assert.is((await socket.request(send())).code, 'rate_limited');
  assert.is((await socket.request(typing())).code, 'not_participant', 'the frame budget is apart');
  assert.is((await socket.request(typing())).code, 'rate_limited');
  socket.send({ type: 'ping', id: 'p' });
  await socket.nextWhere((f) => f.re === 'p');

  const { values, text } = await scrape();
  assert.is(refusedFrames(values, 'messages'), 2);
  assert.is(refusedFrames(values, 'frames'), 1);
  assert.is(refusedFrames(values, 'in_flight'), 0);
  assert.not.ok(text.includes('usr-refused-frames'), 'no user ids in labels');
  socket.drop();
});

test('a draining node counts the sockets it sends elsewhere (last: the node stays draining)', async () => {
  server.services.lifecycle.drain();
  await TestSocket.open(server.wsUrl).then(
    () => assert.unreachable('a draining node let a socket in'),
    (err: Error) => assert.match(err.message, /503/),
  );
  assert.is(refusedSockets((await scrape()).values, 'draining'), 1);
});

test.run();
