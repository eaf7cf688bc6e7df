/**
 * The /ws limits are per person on a node, not per socket: all of one person's
 * sockets draw from one message budget and one frame budget, and one person holds
 * at most SOCKETS_PER_USER sockets (staff SOCKETS_PER_STAFF); one more is closed at
 * its hello with 4429 too_many_sockets, and the pages' client does not come back on it.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../server/config.ts';
import { Budgets } from '../server/ws-budgets.ts';
import { CLOSE, shouldReconnect } from '../server/ws-close-codes.ts';
// @ts-expect-error plain browser module, no types
import { ChatClient } from '../widgets/lib/chat-client.js';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

let server: TestServer;

test.before(async () => {
  // The socket caps are left at their defaults (10 and 20): the tests check those.
  server = await startServer({ env: { MESSAGES_PER_SECOND: '1', MESSAGE_BURST: '3', FRAMES_PER_SECOND: '1', FRAME_BURST: '4' } });
});
test.after(async () => {
  await server.close();
});

async function signedIn(sub: string, role = 'worker'): Promise<TestSocket> {
  const [socket] = await TestSocket.signIn(server.wsUrl, await server.token({ role, sub, province: 'MI' }));
  return socket;
}

/** The codes answering `n` frames sent one after the other. */
async function codes(socket: TestSocket, n: number, frame: () => Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await socket.request(frame())).code as string);
  return out;
}

/** The socket's close code, or null if it is still open after `ms` (a test fails rather than hangs). */
function closedWithin(socket: TestSocket, ms: number): Promise<number | null> {
  return Promise.race([socket.closed, new Promise<null>((r) => setTimeout(() => r(null), ms).unref())]);
}

const send = () => ({ type: 'message.send', conversationId: randomUUID(), clientMsgId: randomUUID(), text: 'ciao' });
const typing = () => ({ type: 'typing', conversationId: randomUUID(), active: true });

/** Opens `n` sockets of one person at once; each either welcomed or closed. */
async function openAtOnce(n: number, token: string): Promise<{ welcomed: TestSocket[]; refused: TestSocket[] }> {
  const sockets = await Promise.all(Array.from({ length: n }, () => TestSocket.open(server.wsUrl)));
  for (const s of sockets) s.send({ type: 'hello', token });
  const outcomes = await Promise.all(sockets.map((s) => Promise.race([s.next('welcome', undefined, 5000).then(() => true), s.closed.then(() => false)])));
  return { welcomed: sockets.filter((_, i) => outcomes[i]), refused: sockets.filter((_, i) => !outcomes[i]) };
}

test('two sockets of one person share the message budget: once the first has spent it, the second is refused; another person is not', async () => {
  const first = await signedIn('usr-shared-msg');
  const second = await signedIn('usr-shared-msg');
  assert.equal(await codes(first, 3, send), ['not_participant', 'not_participant', 'not_participant'], 'the burst of 3, spent on the first socket');
  const refused = await second.request(send(), 'over');
  assert.equal(refused, { type: 'error', code: 'rate_limited', message: 'rate_limited', re: 'over' }, 'the second socket has no budget of its own; the refusal as before');
  const other = await signedIn('usr-shared-msg-other');
  assert.equal(await codes(other, 3, send), ['not_participant', 'not_participant', 'not_participant'], 'another person has a budget of their own');
  for (const s of [first, second, other]) s.drop();
});

test('two sockets of one person share the frame budget for typing, read and the rest; ping is never counted', async () => {
  const first = await signedIn('usr-shared-frames');
  const second = await signedIn('usr-shared-frames');
  assert.equal(await codes(first, 4, typing), ['not_participant', 'not_participant', 'not_participant', 'not_participant']);
  assert.is((await second.request(typing())).code, 'rate_limited');
  second.send({ type: 'ping', id: 'p1' });
  assert.is((await second.nextWhere((f) => f.re === 'p1')).type, 'pong', 'ping is answered, not refused');
  const other = await signedIn('usr-shared-frames-other');
  assert.is((await other.request(typing())).code, 'not_participant', 'another person is not affected');
  for (const s of [first, second, other]) s.drop();
});

test('one person holds at most 10 sockets on a node: of 12 hellos at once 10 are welcomed, 2 closed 4429 too_many_sockets; a closed one frees its place', async () => {
  const token = await server.token({ role: 'worker', sub: 'usr-many-tabs', province: 'MI' });
  const { welcomed, refused } = await openAtOnce(12, token);
  assert.is(welcomed.length, 10);
  assert.is(refused.length, 2);
  for (const s of refused) assert.equal([s.closeCode, s.closeReason], [4429, 'too_many_sockets']);
  assert.is(shouldReconnect(CLOSE.tooManySockets), false, 'a 40xx code: the client must not reconnect by itself');
  const eleventh = await TestSocket.open(server.wsUrl);
  eleventh.send({ type: 'hello', token });
  assert.is(await closedWithin(eleventh, 3000), 4429, 'the 11th, one after the other, is refused too');
  const other = await signedIn('usr-many-tabs-other');
  assert.ok(other.ws.readyState === WebSocket.OPEN, 'another person is let in');
  await welcomed[0]!.close();
  const again = await signedIn('usr-many-tabs');
  assert.ok(again.ws.readyState === WebSocket.OPEN, 'with one socket closed, a new one is let in');
  for (const s of [...welcomed, again, other]) s.drop();
  // With every socket gone the person's budget and count go with them: ten are let in again.
  await new Promise((r) => setTimeout(r, 100));
  const after = await openAtOnce(10, token);
  assert.is(after.welcomed.length, 10);
  for (const s of after.welcomed) s.drop();
});

test('staff may hold 20 sockets on a node, the 21st is refused 4429', async () => {
  const token = await server.token({ role: 'supervisor', sub: 'sup-many-tabs' });
  const { welcomed, refused } = await openAtOnce(21, token);
  assert.equal([welcomed.length, refused.length], [20, 1]);
  assert.equal([refused[0]!.closeCode, refused[0]!.closeReason], [4429, 'too_many_sockets']);
  for (const s of welcomed) s.drop();
});

test('the pages’ client, refused 4429, stops at once: no reconnect, no retry with a fresh token; it connects again when asked', async () => {
  const token = await server.token({ role: 'worker', sub: 'usr-client-cap', province: 'MI' });
  const held = (await openAtOnce(10, token)).welcomed;
  let tokens = 0;
  const errors: { code: string; closeCode?: number }[] = [];
  const client = new ChatClient({
    baseUrl: server.url,
    getToken: async () => (tokens++, token),
    WebSocket,
    baseDelayMs: 10,
    maxDelayMs: 20,
  });
  client.on('error', (f: { code: string; closeCode?: number }) => errors.push(f));
  client.connect();
  const end = Date.now() + 3000;
  while (client.status !== 'closed' && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 300));
  assert.is(client.status, 'closed');
  assert.equal(errors, [{ code: 'too_many_sockets', closeCode: 4429, message: 'too_many_sockets' }]);
  assert.is(tokens, 1, 'one hello, no second try');
  held[0]!.drop();
  await new Promise((r) => setTimeout(r, 100));
  let welcomed = false;
  client.on('welcome', () => (welcomed = true));
  client.connect();
  while (!welcomed && Date.now() < end + 3000) await new Promise((r) => setTimeout(r, 10));
  assert.ok(welcomed, 'connect() after a tab closed is let in');
  client.close();
  for (const s of held) s.drop();
});

test('a person’s budget is dropped with their last socket, never before', () => {
  const budgets = new Budgets(loadConfig({ AUTH_DEV: '1', SOCKETS_PER_USER: '2' }).limits);
  const a = budgets.join('usr-x', 'worker')!;
  const b = budgets.join('usr-x', 'worker')!;
  assert.is(a, b, 'one budget for both sockets');
  assert.is(budgets.join('usr-x', 'worker'), null, 'the third is over SOCKETS_PER_USER=2');
  assert.is(budgets.people, 1);
  budgets.leave(a);
  assert.is(budgets.people, 1);
  budgets.leave(b);
  assert.is(budgets.people, 0);
});

test('SOCKETS_PER_USER and SOCKETS_PER_STAFF must be integers from 1 to 1000: anything else stops the start naming the variable', () => {
  const limits = loadConfig({ AUTH_DEV: '1' }).limits;
  assert.equal([limits.socketsPerUser, limits.socketsPerStaff], [10, 20]);
  for (const name of ['SOCKETS_PER_USER', 'SOCKETS_PER_STAFF']) {
    for (const bad of ['0', '-1', '1001', '2.5', 'dieci']) {
      assert.throws(
        () => loadConfig({ AUTH_DEV: '1', [name]: bad }),
        (err: unknown) => err instanceof ConfigError && err.message === `Invalid configuration ${name}: expected an integer from 1 to 1000, got "${bad}"`,
        `${name}=${bad}`,
      );
    }
  }
});

test.run();
