/**
 * Requests node's HTTP parser refuses before any route (or the availability fast path)
 * sees them are answered in the registry's shape, `{ error: { code, message } }`, with
 * `Connection: close`, and the connection is closed. Raw bytes over node:net: fetch
 * would never send them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAnswer, rawExchange, SHORT_TIMEOUTS, startRawServer } from './helpers/raw-http.ts';

type Server = Awaited<ReturnType<typeof startRawServer>>;
let s: Server;
test.before(async () => {
  s = await startRawServer({ httpTimeouts: SHORT_TIMEOUTS });
});
test.after(async () => {
  await s.close();
});

/** The server's answer to these bytes, sent at once, and whether it then closed the connection (rawExchange waits for the close). */
async function answerTo(bytes: string) {
  const raw = await rawExchange(s.port, (socket) => socket.write(bytes));
  assert.is.not(raw, 'still open', 'the server closes the connection');
  return parseAnswer(raw);
}

function assertRefused(answer: ReturnType<typeof parseAnswer>, status: number, code: string, what: string) {
  assert.is(answer.status, status, what);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/, what);
  assert.is(answer.headers.connection, 'close', what);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  assert.is(body.error.code, code, what);
  assert.type(body.error.message, 'string');
  assert.is(Number(answer.headers['content-length']), Buffer.byteLength(answer.body), what);
}

test('a malformed request line or header is answered 400 bad_request in the registry shape, and the connection is closed', async () => {
  const malformed = {
    'no method': '/health HTTP/1.1\r\nHost: x\r\n\r\n',
    'a space in the target': 'GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n',
    'an unknown HTTP version': 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
    'a header name with a space': 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n',
    'a control byte in a header value': 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n',
    'Content-Length and Transfer-Encoding both (smuggling)': 'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'a Content-Length that is not a number': 'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 4x\r\n\r\n',
  };
  for (const [what, bytes] of Object.entries(malformed)) assertRefused(await answerTo(bytes), 400, 'bad_request', what);
});

test('headers over node’s 16 KiB are answered 431 headers_too_large in the registry shape', async () => {
  const answer = await answerTo(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
  assertRefused(answer, 431, 'headers_too_large', 'a 20 KiB header');
});

test('a request that stalls past the header time is answered 408 request_timeout in the registry shape', async () => {
  // The request line and one header, then nothing: the parser still waits for the rest when the time is up.
  const answer = await answerTo('GET /health HTTP/1.1\r\nHost: x\r\n');
  assertRefused(answer, 408, 'request_timeout', 'a stalled request');
});

test('on a connection the availability fast path has answered, a malformed next request gets the same 400', async () => {
  const fastPathHits = s.app.availabilityFastPath!.hits;
  const raw = await rawExchange(s.port, (socket) => {
    socket.write('GET /api/v1/availability?province=MI HTTP/1.1\r\nHost: x\r\n\r\n');
    // The bad request only once the first is answered: one answer, then the parser's refusal.
    socket.once('data', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'));
  });
  assert.is(s.app.availabilityFastPath!.hits, fastPathHits + 1, 'the first request took the fast path');
  const second = raw.indexOf('HTTP/1.1 400 ');
  assert.ok(raw.startsWith('HTTP/1.1 200 ') && second > 0, raw.slice(0, 200));
  assertRefused(parseAnswer(raw.slice(second)), 400, 'bad_request', 'after a fast-path answer');
});

test.run();
