/**
 * The edges of /ws: the handshake, bad frames, limits and origins. Every bad
 * frame gets an `error` with a stable code and the connection goes on; only
 * sign-in failures and oversized frames close it, with documented codes.
 */
import { randomUUID } from 'node:crypto';
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { wsGateway } from '../server/ws-gateway.ts';
import { ManualClock, startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;
const clock = new ManualClock(Date.parse('2026-11-21T15:30:00+01:00')); // a Saturday afternoon

test.before(async () => {
  server = await startServer({
    env: { SERVICE_HOURS: '', HELLO_TIMEOUT_MS: '300', MAX_TEXT_LENGTH: '50', MAX_FRAME_BYTES: '4096', MESSAGES_PER_SECOND: '1', MESSAGE_BURST: '3' },
    clock,
  });
});
test.after(async () => {
  await server.close();
});

async function signedIn(claims: Record<string, unknown> & { role: string }) {
  const [socket] = await TestSocket.signIn(server.wsUrl, await server.token(claims));
  return socket;
}

test('a socket that says nothing is closed with 4401 after the hello timeout', async () => {
  const socket = await TestSocket.open(server.wsUrl);
  assert.is(await socket.closed, 4401);
  assert.is(socket.closeReason, 'hello_timeout');
});

test('a signed-in socket that stops answering pings is dropped by the heartbeat; one that answers stays', async () => {
  // The same services behind a second gateway with a 100 ms heartbeat (25 s in production).
  const s = server.services;
  const app = Fastify();
  await app.register(fastifyWebsocket);
  await app.register(wsGateway, {
    config: s.config,
    auth: s.auth,
    chat: s.chat,
    hub: s.hub,
    dashboardFeed: s.dashboardFeed,
    originAllowed: () => true,
    connected: (c, first) => s.sessions.connected(c, first),
    disconnected: (c, last) => s.sessions.disconnected(c, last),
    heartbeatMs: 100,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const open = async (sub: string, autoPong: boolean) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { autoPong });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const welcome = new Promise((resolve) => ws.on('message', (d) => JSON.parse(d.toString()).type === 'welcome' && resolve(true)));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', token: await server.token({ role: 'worker', sub }) }));
    await welcome;
    return { ws, closed };
  };
  try {
    const silent = await open('no-pong', false);
    const lively = await open('pongs', true);
    const code = await Promise.race([silent.closed, new Promise((r) => setTimeout(() => r('still open'), 2000))]);
    assert.is(code, 1006, 'terminated without a close frame');
    await new Promise((r) => setTimeout(r, 500)); // five more heartbeats
    assert.is(lively.ws.readyState, WebSocket.OPEN, 'the socket that answers pings stays');
    lively.ws.close();
  } finally {
    await app.close();
  }
});

test('a bad token, a garbage token and a first frame that is not hello all close with 4401', async () => {
  for (const first of [
    { type: 'hello', token: 'not-a-jwt' },
    { type: 'hello', token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6IndvcmtlciJ9.' },
    { type: 'chat.request', topic: 'cigo' },
    'plain text',
  ]) {
    const socket = await TestSocket.open(server.wsUrl);
    socket.send(first);
    assert.is(await socket.closed, 4401, JSON.stringify(first));
  }
});

test('frames sent right after hello, while the token is verified, are handled in order and not lost', async () => {
  const socket = await TestSocket.open(server.wsUrl);
  socket.send({ type: 'hello', token: await server.token({ role: 'worker', sub: 'eager' }) });
  socket.send({ type: 'ping', id: 'p1' });
  socket.send({ type: 'ping', id: 'p2' });
  await socket.next('welcome');
  assert.is((await socket.next('pong', (f) => f.re === 'p1')).re, 'p1');
  assert.is((await socket.next('pong', (f) => f.re === 'p2')).re, 'p2');
  socket.drop();
});

test('the welcome names the companies an employer or an intermediary acts for, to ask which one a chat is about; a worker gets none', async () => {
  const welcomeOf = async (claims: Record<string, unknown> & { role: string }) => {
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'hello', token: await server.token(claims) });
    const welcome = await socket.next('welcome');
    socket.drop();
    return welcome.user as { matricole?: string[] };
  };
  assert.equal((await welcomeOf({ role: 'intermediary', sub: 'studio-1', province: 'MI', matricole: ['1234567890', '9876543210'] })).matricole, ['1234567890', '9876543210']);
  assert.equal((await welcomeOf({ role: 'employer', sub: 'azienda-1', province: 'MI', matricola: '5555555555' })).matricole, ['5555555555']);
  assert.is((await welcomeOf({ role: 'worker', sub: 'lavoratore-1', province: 'MI', matricola: '5555555555' })).matricole, undefined);
});

test('bad frames get an error with a stable code and the re of the frame, and the connection goes on ', async () => {
  const socket = await signedIn({ role: 'worker', sub: 'bad-frames-2', province: 'MI' });
  socket.send('{not json');
  assert.is((await socket.next('error')).code, 'not_json');
  socket.send('[1,2,3]');
  assert.is((await socket.next('error')).code, 'not_json');
  const cases: [Record<string, unknown>, string][] = [
    [{ type: 'teleport' }, 'unknown_type'],
    [{ type: '__proto__' }, 'unknown_type'],
    [{ type: 'constructor' }, 'unknown_type'],
    [{ type: 'message.send', conversationId: 'c' }, 'validation_failed'],
    [{ type: 'message.send', conversationId: 'c', clientMsgId: 'm', text: { $ne: 1 } }, 'validation_failed'],
    [{ type: 'chat.request', topic: 'lottery' }, 'validation_failed'],
    [{ type: 'chat.request', topic: 'cigo', extra: true }, 'validation_failed'],
    [{ type: 'message.send', conversationId: 'c', clientMsgId: 'm', text: 'x'.repeat(51) }, 'text_too_long'],
    [{ type: 'hello', token: 'again' }, 'bad_request'],
    [{ type: 'advisor.status', status: 'available' }, 'forbidden'],
  ];
  let n = 0;
  for (const [frame, code] of cases) {
    const id = `f${n++}`;
    socket.send({ ...frame, id });
    const err = await socket.next('error', (f) => f.re === id);
    assert.is(err.code, code, JSON.stringify(frame));
    assert.type(err.message, 'string');
  }
  socket.send({ type: 'ping', id: 'last' });
  assert.is((await socket.next('pong', (f) => f.re === 'last')).type, 'pong', 'still connected and answering');
  socket.drop();
});

test('a frame over the size limit closes the socket with 1009', async () => {
  const socket = await signedIn({ role: 'worker', sub: 'big-frame' });
  socket.send({ type: 'ping', pad: 'x'.repeat(5000) });
  assert.is(await socket.closed, 1009);
});

test('a socket from a foreign origin is refused at the upgrade', async () => {
  try {
    await TestSocket.open(server.wsUrl, { origin: 'https://evil.example' });
    assert.unreachable('the upgrade should be refused');
  } catch (err) {
    assert.match((err as Error).message, /403/);
  }
  const same = await TestSocket.open(server.wsUrl, { origin: server.url });
  same.drop();
});

test('outside service hours a chat request says the service is closed and when it opens', async () => {
  const socket = await signedIn({ role: 'worker', sub: 'saturday', province: 'MI' });
  const err = await socket.request({ type: 'chat.request', topic: 'payment' });
  assert.is(err.code, 'service_closed');
  assert.is(err.reason, 'weekend');
  assert.is(err.opensAt, '2026-11-23T14:00:00.000Z', 'Monday 15:00 in Rome');
  socket.drop();
});

test('an unknown province in a chat request is refused with unknown_province', async () => {
  clock.set(Date.parse('2026-11-23T16:00:00+01:00'));
  const socket = await signedIn({ role: 'worker', sub: 'nowhere', province: 'MI' });
  const err = await socket.request({ type: 'chat.request', topic: 'payment', province: 'ZZ' });
  assert.is(err.code, 'unknown_province');
  socket.drop();
});

test('message.send beyond the rate limit is refused with rate_limited', async () => {
  const socket = await signedIn({ role: 'worker', sub: 'flood' });
  const codes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const reply = await socket.request({ type: 'message.send', conversationId: randomUUID(), clientMsgId: `m${i}`, text: 'hi' });
    codes.push(reply.code as string);
  }
  assert.equal(codes.slice(3), ['rate_limited', 'rate_limited']);
  assert.equal(codes.slice(0, 3), ['not_participant', 'not_participant', 'not_participant']);
  socket.drop();
});

test('the availability endpoint answers for any instant and refuses bad input with stable codes', async () => {
  const get = async (q: string) => {
    const res = await fetch(`${server.url}/api/v1/availability?${q}`);
    return { status: res.status, body: await res.json() };
  };
  const open = await get('province=MI&audience=worker&at=2026-11-23T16:00:00%2B01:00');
  assert.equal([open.status, open.body.open, open.body.closesAt], [200, true, '2026-11-23T17:00:00.000Z']);
  const easterMonday = await get('province=RM&at=2026-04-06T15:30:00%2B02:00');
  assert.equal([easterMonday.body.open, easterMonday.body.reason, easterMonday.body.opensAt], [false, 'holiday', '2026-04-07T13:00:00.000Z']);
  const summer = await get('province=NA&at=2026-07-01T12:59:00Z');
  assert.equal([summer.body.open, summer.body.reason], [false, 'outside_hours'], '14:59 in Rome in summer');
  const summerOpen = await get('province=NA&at=2026-07-01T13:00:00Z');
  assert.is(summerOpen.body.open, true, '15:00 in Rome in summer');
  const employer = await get('province=TO&audience=employer&at=2023-02-10T15:30:00%2B01:00');
  assert.equal([employer.body.open, employer.body.reason], [false, 'not_rolled_out']);
  const noDefaultDate = await get('province=MI');
  assert.is(noDefaultDate.status, 200, '`at` defaults to now');
  const unknown = await get('province=ZZ');
  assert.equal([unknown.status, unknown.body.error.code], [400, 'unknown_province']);
  const badAt = await get('province=MI&at=31/12/2026');
  assert.equal([badAt.status, badAt.body.error.code], [400, 'invalid_instant']);
  const badAudience = await get('province=MI&audience=king');
  assert.equal([badAudience.status, badAudience.body.error.code], [400, 'validation_failed']);
  const missing = await get('');
  assert.equal([missing.status, missing.body.error.code], [400, 'validation_failed']);
});

test('health answers while the process lives and ready while its database and state answer', async () => {
  assert.equal(await (await fetch(`${server.url}/health`)).json(), { status: 'ok' });
  const ready = await fetch(`${server.url}/ready`);
  assert.is(ready.status, 200);
});

test.run();
