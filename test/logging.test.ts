/** Logs are pino JSON lines that never carry tokens, tax codes or message text. */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { loggerOptions } from '../server/logger.ts';
import { createServices } from '../server/services.ts';
import { testDatabase } from './helpers/db.ts';
import { TestSocket } from './helpers/ws-client.ts';

function capture(level = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino(loggerOptions(level), stream), lines };
}

/** A server logging at debug level into `lines`. */
async function debugServer(env: Record<string, string> = {}) {
  const { logger, lines } = capture('debug');
  const db = await testDatabase();
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'debug', ...env });
  const services = await createServices(config, { db, logger });
  const app = await buildApp(services);
  return { lines, db, services, app };
}

const SECRET_TEXT = 'Il mio IBAN è IT60X0542811101000000123456';
const FISCAL = 'RSSMRA80A01H501U';

test('tokens, tax codes and message text are redacted wherever they sit in a logged object', () => {
  const { logger, lines } = capture();
  logger.info({ token: 'eyJsecret', fiscalCode: FISCAL, text: SECRET_TEXT, frame: { token: 'eyJsecret', text: SECRET_TEXT }, user: { identity: { fiscalCode: FISCAL } } }, 'hello');
  logger.info({ req: { headers: { authorization: 'Bearer eyJsecret' } } }, 'request');
  const all = lines.join('\n');
  for (const secret of ['eyJsecret', FISCAL, SECRET_TEXT]) assert.not.ok(all.includes(secret), `${secret} leaked: ${all}`);
  assert.ok(all.includes('[redacted]'));
  for (const line of lines) JSON.parse(line);
});

test('a database error logged with err keeps its first line and code but not the query parameters after it', () => {
  const { logger, lines } = capture();
  const cause = Object.assign(new Error('connection terminated unexpectedly'), { code: '57P01' });
  const err = new Error(`Failed query: insert into "messages" values ($1, $2)\nparams: c1,${SECRET_TEXT},${FISCAL}`, { cause });
  logger.error({ err }, 'message not stored');
  const entry = JSON.parse(lines[0]!);
  assert.is(entry.err.message, 'Failed query: insert into "messages" values ($1, $2)');
  assert.is(entry.err.cause.code, '57P01');
  assert.not.ok(lines[0]!.includes(SECRET_TEXT));
  assert.not.ok(lines[0]!.includes(FISCAL));
});

test('a whole chat at debug level logs nothing of the token, the tax code or the text', async () => {
  const { lines, db, services, app } = await debugServer();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `ws://127.0.0.1:${port}/ws`;
  try {
    const advisorToken = await services.dev!.issue({ role: 'advisor', sub: 'adv-log' } as never);
    const workerToken = await services.dev!.issue({ role: 'worker', sub: 'w-log', province: 'MI', fiscalCode: `TINIT-${FISCAL}` } as never);
    const [advisor] = await TestSocket.signIn(url, advisorToken);
    await advisor.request({ type: 'advisor.status', status: 'available' });
    const [worker] = await TestSocket.signIn(url, workerToken);
    worker.send({ type: 'chat.request', topic: 'payment' });
    const { conversationId } = await worker.next('conversation.assigned');
    await worker.request({ type: 'message.send', conversationId, clientMsgId: randomUUID(), text: SECRET_TEXT });
    await fetch(`http://127.0.0.1:${port}/api/v1/conversations/${conversationId}`, { headers: { authorization: `Bearer ${workerToken}` } });
    worker.drop();
    advisor.drop();
  } finally {
    await app.close();
    await db.cleanup();
  }
  assert.ok(lines.length > 0, 'something was logged at debug level');
  const all = lines.join('\n');
  for (const secret of [SECRET_TEXT, FISCAL, 'eyJ']) assert.not.ok(all.includes(secret), `${secret.slice(0, 12)}… appears in the logs`);
});

test('request lines at debug level keep the path but not the query, where searches carry names, tax codes and addresses', async () => {
  const { lines, db, services, app } = await debugServer();
  try {
    const office = await services.dev!.issue({ role: 'office', sub: 'off-log', sede: 'SEDE-MI' } as never);
    const supervisor = await services.dev!.issue({ role: 'supervisor', sub: 'sup-log' } as never);
    const asked = [
      [office, `/api/v1/tickets?subject=${encodeURIComponent(SECRET_TEXT)}`],
      [supervisor, `/api/v1/access-log?owner=${FISCAL}`],
      [supervisor, `/api/v1/dashboard/audit?target=${FISCAL}`],
      [null, '/mailbox/?to=mario.rossi%40example.org'],
    ] as const;
    for (const [token, url] of asked) {
      const res = await app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
      assert.ok(res.statusCode < 500, `${url} answered ${res.statusCode}`);
    }
  } finally {
    await app.close();
    await db.cleanup();
  }
  const requestLines = lines.map((l) => JSON.parse(l) as { req?: { url?: string } }).filter((l) => l.req?.url);
  const urls = requestLines.map((l) => l.req!.url!);
  for (const path of ['/api/v1/tickets?', '/api/v1/access-log?', '/api/v1/dashboard/audit?', '/mailbox/?']) {
    assert.ok(urls.includes(`${path}[redacted]`), `${path} is logged with its query redacted (${urls.join(', ')})`);
  }
  const all = lines.join('\n');
  for (const secret of ['IBAN', FISCAL, 'mario.rossi']) assert.not.ok(all.includes(secret), `${secret} appears in the logs`);
});

test('what the gateway logs about a socket carries its request id, and its session id once signed in', async () => {
  const { lines, db, services, app } = await debugServer({ MAX_FRAME_BYTES: '1024' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  try {
    const [socket, welcome] = await TestSocket.signIn(`ws://127.0.0.1:${port}/ws`, await services.dev!.issue({ role: 'worker', sub: 'w-reqid' } as never));
    // A frame over the limit: ws reports it as a socket error, which the gateway logs.
    socket.send({ type: 'ping', pad: 'x'.repeat(2000) });
    await socket.closed;
    await new Promise((r) => setTimeout(r, 50));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const upgrade = entries.find((e) => e.msg === 'incoming request' && (e.req as { url?: string } | undefined)?.url === '/ws');
    const error = entries.find((e) => e.msg === 'socket error');
    assert.ok(upgrade?.reqId, 'the upgrade request is logged with its id');
    assert.ok(error, 'the socket error is logged');
    assert.is(error!.reqId, upgrade!.reqId);
    assert.is(error!.sessionId, welcome.sessionId);
  } finally {
    await app.close();
    await db.cleanup();
  }
});

test.run();
