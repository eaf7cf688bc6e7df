/** Sessions that outlive their token, readiness when a dependency fails, security headers, availability at a minute's edge, request loggers. */
import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import { defaultScheduleConfig } from '../routing/schedule.ts';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import { availabilityRoutes } from '../server/http-availability.ts';
import { lazyChildLogger } from '../server/lazy-request-logger.ts';
import { startRawServer } from './helpers/raw-http.ts';
import { TestSocket } from './helpers/ws-client.ts';

/** A routing state whose ping can be made to fail, like a Redis that stopped answering. */
class FlakyState extends MemoryRoutingState {
  down = false;
  override async ping(): Promise<void> {
    if (this.down) throw new Error('routing state not answering');
  }
}

/** A server on a free port whose routing state's ping can be made to fail. */
async function start() {
  const state = new FlakyState();
  return { ...(await startRawServer({ overrides: { state } })), state };
}

test('a socket is closed with 4401 when its token expires, even while in use', async () => {
  const s = await start();
  try {
    const verify = s.services.auth.verify.bind(s.services.auth);
    s.services.auth.verify = async (token: string) => ({ ...(await verify(token)), exp: Math.floor(Date.now() / 1000) + 1 });
    const token = await s.services.dev!.issue({ role: 'worker', sub: 'short-lived' } as never);
    const [socket] = await TestSocket.signIn(s.url.replace('http', 'ws') + '/ws', token);
    const code = await Promise.race([socket.closed, new Promise((r) => setTimeout(() => r('still open'), 3000))]);
    assert.is(code, 4401);
    assert.is(socket.closeReason, 'token_expired');
  } finally {
    await s.close();
  }
});

test('/ready answers 503 naming what does not answer, and 200 again when it does; /health stays 200', async () => {
  const s = await start();
  try {
    assert.is((await fetch(`${s.url}/ready`)).status, 200);
    s.state.down = true;
    const down = await fetch(`${s.url}/ready`);
    assert.is(down.status, 503);
    const body = await down.json();
    assert.is(body.error.code, 'not_ready');
    assert.match(body.error.message, /routing state/);
    assert.is((await fetch(`${s.url}/health`)).status, 200);
    s.state.down = false;
    assert.is((await fetch(`${s.url}/ready`)).status, 200);
  } finally {
    await s.close();
  }
});

test('pages carry a strict Content-Security-Policy; only the chat app may be framed; API errors are JSON with nosniff', async () => {
  const s = await start();
  try {
    const demo = await fetch(`${s.url}/demo/`);
    assert.is(demo.status, 200);
    const csp = demo.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.not.match(csp, /unsafe-inline|unsafe-eval|https?:\/\//);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.is(demo.headers.get('x-frame-options'), 'DENY');
    const chat = await fetch(`${s.url}/chat/`);
    assert.match(chat.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    assert.is(chat.headers.get('x-frame-options'), null);
    const missing = await fetch(`${s.url}/api/v1/nothing-here`);
    assert.is(missing.status, 404);
    assert.is((await missing.json()).error.code, 'not_found');
    assert.is(missing.headers.get('x-content-type-options'), 'nosniff');
    const badJson = await fetch(`${s.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":' });
    assert.is(badJson.status, 400);
    assert.is((await badJson.json()).error.code, 'bad_request');
    const notJson = await fetch(`${s.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<role>worker</role>' });
    assert.is(notJson.status, 415);
    assert.is((await notJson.json()).error.code, 'unsupported_media_type');
  } finally {
    await s.close();
  }
});


test('every page names an icon, and every stylesheet, script and icon it names is served', async () => {
  const s = await start();
  try {
    for (const page of ['/', '/demo/', '/chat/', '/advisor/', '/office/', '/dashboard/', '/mailbox/']) {
      const res = await fetch(`${s.url}${page}`);
      assert.is(res.status, 200, page);
      const html = await res.text();
      // Without an icon of its own a page makes the browser ask for /favicon.ico: a 404 in every console.
      assert.match(html, /<link rel="icon" href="[^"]+"/, `${page} names no icon`);
      const refs = [...html.matchAll(/<(?:link[^>]*\shref|script[^>]*\ssrc)="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(refs.length >= 2, page);
      for (const ref of refs) {
        const asset = await fetch(new URL(ref, `${s.url}${page}`));
        assert.is(asset.status, 200, `${page} names ${ref}, which answers ${asset.status}`);
        await asset.arrayBuffer();
      }
    }
  } finally {
    await s.close();
  }
});

test('the availability for now turns at the closing minute even when asked again and again within it', async () => {
  const clock = new ManualClock(Date.parse('2026-11-23T16:59:00.000Z')); // 17:59 in Milan, a Monday
  const app = Fastify();
  await app.register(availabilityRoutes, { schedule: defaultScheduleConfig(), now: () => clock.now() });
  const ask = async (province = 'MI') => (await app.inject({ url: `/api/v1/availability?province=${province}` })).json();
  try {
    assert.equal(await ask(), { open: true, closesAt: '2026-11-23T17:00:00.000Z', province: 'MI', audience: 'worker' });
    clock.set(Date.parse('2026-11-23T16:59:59.999Z'));
    assert.is((await ask()).open, true, 'the last millisecond before closing');
    clock.set(Date.parse('2026-11-23T17:00:00.000Z'));
    const closed = await ask();
    assert.equal([closed.open, closed.reason, closed.opensAt], [false, 'outside_hours', '2026-11-24T14:00:00.000Z']);
    assert.is((await ask('mi')).open, false, 'the same province however spelled');
    clock.set(Date.parse('2026-11-23T16:59:30.000Z'));
    assert.is((await ask()).open, true, 'a clock set back gets the answer of its own minute');
  } finally {
    await app.close();
  }
});

test('a request that logs writes lines with its request id, its children too; levels below the logger stay silent', async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: lazyChildLogger });
  app.get('/quiet', async () => ({ ok: true }));
  app.get('/loud', async (request) => {
    request.log.debug('not at info');
    request.log.warn({ what: 'x' }, 'first');
    request.log.child({ part: 'inner' }).info('second');
    return { level: request.log.level };
  });
  try {
    await app.inject({ url: '/quiet' });
    assert.is(lines.length, 0);
    const res = await app.inject({ url: '/loud' });
    assert.equal(res.json(), { level: 'info' });
    assert.equal(lines.map((l) => [l.msg, l.reqId, l.part ?? null, l.what ?? null]), [
      ['first', 'req-2', null, 'x'],
      ['second', 'req-2', 'inner', null],
    ]);
  } finally {
    await app.close();
  }
});

test.run();
