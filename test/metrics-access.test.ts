/**
 * Who may read GET /metrics (queue sizes, advisor counts, error rates): without
 * METRICS_TOKEN this machine only, never through a proxy; with it, whoever presents it.
 * Real sockets, also from another interface than loopback where the machine has one.
 */
import { networkInterfaces } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../server/config.ts';
import { isLoopback } from '../server/http-metrics.ts';
import { parseAnswer, rawExchange, startRawServer } from './helpers/raw-http.ts';

const TOKEN = 'metrics-5f0c2a9e71d84b36a0e2c4f1';

/** An address of this machine that is not loopback: connections from it are remote to the server. */
const external = Object.values(networkInterfaces()).flat().find((nic) => nic && !nic.internal && nic.family === 'IPv4')?.address ?? null;

type Server = Awaited<ReturnType<typeof startRawServer>>;

/** Without METRICS_TOKEN, on every interface so that another than loopback reaches it. */
let open: Server;
test.before(async () => {
  open = await startRawServer({ host: '0.0.0.0' });
});
test.after(async () => {
  await open.close();
});

/** GET /metrics with these headers, from loopback or (remote) from the external interface; through inject where the machine has none. */
async function scrape(s: Server, headers: Record<string, string> = {}, remote = false) {
  if (remote && external === null) {
    const res = await s.app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress: '203.0.113.7' });
    return { status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body };
  }
  const host = remote ? external! : '127.0.0.1';
  const lines = Object.entries({ Host: host, Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const raw = await rawExchange(s.port, (socket) => socket.write(`GET /metrics HTTP/1.1\r\n${lines}\r\n`), { host, from: remote ? external! : undefined });
  return parseAnswer(raw);
}

function assertRefused(answer: Awaited<ReturnType<typeof scrape>>, status: number, code: string, what: string) {
  assert.is(answer.status, status, what);
  assert.is((JSON.parse(answer.body) as { error: { code: string } }).error.code, code, what);
  assert.not.match(answer.body, /infocig_/, `${what}: no figure leaks`);
}

function assertFigures(answer: Awaited<ReturnType<typeof scrape>>, what: string) {
  assert.is(answer.status, 200, what);
  assert.match(answer.body, /^# HELP infocig_/m, what);
}

test('without METRICS_TOKEN, /metrics answers this machine and refuses others 403 forbidden', async () => {
  assertFigures(await scrape(open), 'from loopback');
  assertRefused(await scrape(open, {}, true), 403, 'forbidden', `from ${external ?? 'a remote address (inject)'}`);
});

test('a forged or a proxy’s X-Forwarded-For never makes a request local: refused from another address and through a proxy on this machine', async () => {
  const forged: Record<string, string>[] = [{ 'X-Forwarded-For': '127.0.0.1' }, { 'X-Forwarded-For': '::1' }, { Forwarded: 'for=127.0.0.1' }, { 'X-Real-IP': '127.0.0.1' }];
  for (const forwarded of forged) assertRefused(await scrape(open, forwarded, true), 403, 'forbidden', `remote, ${JSON.stringify(forwarded)}`);
  // A reverse proxy on this machine connects from loopback and says whom it forwards.
  assertRefused(await scrape(open, { 'X-Forwarded-For': '198.51.100.4' }), 403, 'forbidden', 'through a local proxy');
});

test('with METRICS_TOKEN, /metrics wants that bearer token: 401 without it or with another, the figures with it, from anywhere', async () => {
  const s = await startRawServer({ host: '0.0.0.0', env: { METRICS_TOKEN: TOKEN } });
  try {
    const missing = await scrape(s);
    assertRefused(missing, 401, 'unauthenticated', 'no token, even from loopback');
    assert.is(missing.headers['www-authenticate'], 'Bearer realm="metrics"');
    assertRefused(await scrape(s, { Authorization: `Bearer ${TOKEN}x` }), 401, 'token_invalid', 'a longer token');
    assertRefused(await scrape(s, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }), 401, 'token_invalid', 'a shorter token');
    assertRefused(await scrape(s, { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }), 401, 'unauthenticated', 'another scheme');
    assertFigures(await scrape(s, { Authorization: `Bearer ${TOKEN}` }), 'the token, from loopback');
    assertFigures(await scrape(s, { Authorization: `bearer ${TOKEN}`, 'X-Forwarded-For': '198.51.100.4' }, true), 'the token, from elsewhere through a proxy');
  } finally {
    await s.close();
  }
});

test('loopback is 127.0.0.0/8, ::1 and IPv4 loopback mapped into IPv6; nothing else', () => {
  for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(address), address);
  for (const address of [undefined, '', '128.0.0.1', '10.0.0.1', '::ffff:10.0.0.1', '::2', 'fe80::1', '127.0.0.1.example', '0.0.0.0', '::']) assert.not.ok(isLoopback(address), String(address));
});

test('a METRICS_TOKEN too short, with whitespace or other characters stops the start naming the variable, never quoting the secret', () => {
  for (const bad of ['short-token', ' metrics-5f0c2a9e71d84b36a0e2', 'metrics 5f0c2a9e71d84b36a0e2c', 'metrics-5f0c2a9e71d84b36a0e2\n', 'metrics"5f0c2a9e71d84b36a0e2c4']) {
    let message = 'accepted';
    try {
      loadConfig({ AUTH_DEV: '1', METRICS_TOKEN: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /^Invalid configuration METRICS_TOKEN: /, JSON.stringify(bad));
    assert.not.ok(message.includes(bad.trim()), `${JSON.stringify(bad)} is not quoted`);
  }
  assert.is(loadConfig({ AUTH_DEV: '1', METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
  assert.is(loadConfig({ AUTH_DEV: '1' }).metricsToken, null);
});

test.run();
