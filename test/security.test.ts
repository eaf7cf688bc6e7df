/**
 * Defences of docs/security.md that no other suite pinned: slow clients, headers of pages
 * reached through dot segments, no compression on the socket, no token in a URL, the
 * Redis client's failover options, no HTML sinks in the page scripts.
 * Raw TCP where fetch would tidy the request up before sending it.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import type { HttpTimeouts } from '../server/app.ts';
import { redisOptions } from '../server/redis-connection.ts';
import { FAILSAFE_MS, parseAnswer, rawExchange, SHORT_TIMEOUTS, startRawServer } from './helpers/raw-http.ts';
import { TestSocket } from './helpers/ws-client.ts';

const start = (httpTimeouts?: HttpTimeouts) => startRawServer({ httpTimeouts });

test('a client that sends its headers a line at a time is answered 408 and cut off once the header time is up', async () => {
  const s = await start(SHORT_TIMEOUTS);
  try {
    const answer = await rawExchange(s.port, (socket) => {
      socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // One more header line now and then, never the blank line that ends them (slowloris).
      const trickle = setInterval(() => (socket.writable ? socket.write('X-Slow: 1\r\n') : clearInterval(trickle)), 50);
      socket.on('close', () => clearInterval(trickle));
    });
    assert.match(answer, /^HTTP\/1\.1 408 /);
  } finally {
    await s.close();
  }
});

test('a connection that never sends a byte is closed', async () => {
  const s = await start(SHORT_TIMEOUTS);
  try {
    // node counts the header time from the connection: 408, or nothing if the idle timer is first.
    assert.match(await rawExchange(s.port, () => {}), /^(HTTP\/1\.1 408 [^]*)?$/);
  } finally {
    await s.close();
  }
});

test('a page reached through dot segments carries the headers of the page served: a console is never framable nor without its policy', async () => {
  const s = await start();
  try {
    const headersOf = async (path: string) => {
      const answer = await rawExchange(s.port, (socket) => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
      const head = answer.split('\r\n\r\n')[0]!;
      return {
        status: head.split(' ')[1],
        csp: /^content-security-policy: (.*)$/im.exec(head)?.[1] ?? null,
        frameOptions: /^x-frame-options: (.*)$/im.exec(head)?.[1] ?? null,
      };
    };
    for (const path of ['/api/%2e%2e/advisor/', '/api/../dashboard/index.html', '/chat/%2e%2e/advisor/', '/chat/../office/index.html']) {
      const page = await headersOf(path);
      assert.is(page.status, '200', path);
      assert.match(page.csp ?? '', /frame-ancestors 'none'/, path);
      assert.match(page.csp ?? '', /script-src 'self'/, path);
      assert.is(page.frameOptions, 'DENY', path);
    }
    const chat = await headersOf('/chat/');
    assert.match(chat.csp ?? '', /frame-ancestors 'self'/);
    assert.is(chat.frameOptions, null);
  } finally {
    await s.close();
  }
});

test('no spelling of a path reaches a file outside the pages: the sources, package.json and the data stay unserved', async () => {
  const s = await start();
  try {
    const probes = [
      '/package.json',
      '/server/app.ts',
      '/../package.json',
      '/%2e%2e/package.json',
      '/chat/..%2f..%2fpackage.json',
      '/chat/%2e%2e/%2e%2e/package.json',
      '/chat/..%5c..%5cpackage.json',
      '/..%252fpackage.json',
      '/chat/%2e%2e%2f%2e%2e%2fserver%2fapp.ts',
    ];
    for (const probe of probes) {
      const answer = parseAnswer(await rawExchange(s.port, (socket) => socket.write(`GET ${probe} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)));
      assert.ok(answer.status >= 300, `${probe} answered ${answer.status}`);
      assert.not.ok(/"dependencies"|import .* from/.test(answer.body), `${probe} served a file from outside widgets/`);
    }
  } finally {
    await s.close();
  }
});

test('the socket upgrade negotiates no compression, even when the client offers permessage-deflate', async () => {
  const s = await start();
  try {
    const socket = new WebSocket(`ws://127.0.0.1:${s.port}/ws`, { perMessageDeflate: true });
    let offered: unknown = 'no upgrade';
    socket.on('upgrade', (res) => (offered = res.headers['sec-websocket-extensions']));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    assert.is(offered, undefined);
    assert.is(socket.extensions, '');
    socket.terminate();
  } finally {
    await s.close();
  }
});

test('a token in the query string signs nobody in: HTTP answers 401 and a socket still needs its hello', async () => {
  const s = await start();
  try {
    const token = await s.services.dev!.issue({ role: 'worker', sub: 'w-query-token', province: 'MI' } as never);
    // Routes without a query schema: one with a strict schema refuses the parameter before sign-in is even asked.
    for (const route of [`/api/v1/tickets/${randomUUID()}`, `/api/v1/conversations/${randomUUID()}`]) {
      for (const name of ['token', 'access_token', 'authorization']) {
        const res = await fetch(`${s.url}${route}?${name}=${token}`);
        assert.is(res.status, 401, `${route}?${name}`);
        assert.is((await res.json()).error.code, 'unauthenticated');
      }
    }
    const socket = await TestSocket.open(`ws://127.0.0.1:${s.port}/ws?token=${token}&access_token=${token}`);
    socket.send({ type: 'ping' });
    assert.is(await Promise.race([socket.closed, new Promise((r) => setTimeout(() => r('still open'), FAILSAFE_MS))]), 4401);
    assert.is(socket.closeReason, 'hello_required');
  } finally {
    await s.close();
  }
});

test('a signed-in API answer is never stored by a browser or a proxy: personal data is Cache-Control no-store', async () => {
  const s = await start();
  try {
    const worker = await s.services.dev!.issue({ role: 'worker', sub: 'w-no-store', province: 'MI', fiscalCode: 'RSSMRA80A01H501U' } as never);
    const office = await s.services.dev!.issue({ role: 'office', sub: 'o-no-store', sede: 'SEDE-MI' } as never);
    const supervisor = await s.services.dev!.issue({ role: 'supervisor', sub: 's-no-store' } as never);
    const created = await fetch(`${s.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${worker}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Pagamento CIGO', category: 'payment', body: 'Quando arriva il pagamento?' }),
    });
    assert.is(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    const reads: [string, string, string][] = [
      [worker, `/api/v1/tickets/${id}`, 'the requester reading their request'],
      [worker, '/api/v1/tickets', 'the requester\'s list'],
      [worker, '/api/v1/access-log/mine', 'who read the requester\'s data'],
      [worker, `/api/v1/conversations/${randomUUID()}`, 'a 404 for a chat'],
      [office, `/api/v1/tickets/${id}`, 'the sede reading it, with the tax code'],
      [office, '/api/v1/tickets', 'the sede\'s list'],
      [supervisor, '/api/v1/access-log', 'the access log'],
    ];
    assert.is(created.headers.get('cache-control'), 'no-store', 'the answer to the POST that opened it');
    for (const [token, url, what] of reads) {
      const res = await fetch(`${s.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
      assert.ok(res.status === 200 || res.status === 404, `${what}: ${res.status}`);
      assert.is(res.headers.get('cache-control'), 'no-store', what);
    }
    // Public answers keep their own caching: the policy is for what a signed-in request gets.
    const tips = await fetch(`${s.url}/api/v1/tips?topic=payment&audience=worker`);
    assert.match(tips.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
  } finally {
    await s.close();
  }
});

test('typing and read frames are rate limited per person like messages: a flood neither reaches the other side nor the database', async () => {
  const s = await start();
  const url = `ws://127.0.0.1:${s.port}/ws`;
  try {
    const [advisor] = await TestSocket.signIn(url, await s.services.dev!.issue({ role: 'advisor', sub: 'adv-flood' } as never));
    await advisor.request({ type: 'advisor.status', status: 'available' });
    const [worker] = await TestSocket.signIn(url, await s.services.dev!.issue({ role: 'worker', sub: 'w-flood', province: 'MI' } as never));
    worker.send({ type: 'chat.request', topic: 'payment' });
    const { conversationId } = await worker.next('conversation.assigned');
    const reads: number[] = [];
    const markRead = s.services.store.markRead.bind(s.services.store);
    s.services.store.markRead = (id, side, seq) => {
      reads.push(seq);
      return markRead(id, side, seq);
    };
    // A second of frames, paced so that none waits in the socket's queue of frames in flight.
    for (let batch = 0; batch < 50; batch++) {
      for (let i = 0; i < 10; i++) {
        worker.send({ type: 'typing', conversationId, active: i % 2 === 0 });
        worker.send({ type: 'read', conversationId, seq: batch * 10 + i });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    const relayed = advisor.all('typing').length + advisor.all('read').length;
    assert.ok(relayed <= 80, `${relayed} of 1000 typing and read frames reached the advisor`);
    assert.ok(reads.length <= 80, `${reads.length} read positions written to the database`);
    const refused = worker.all('error');
    assert.ok(refused.length >= 900 && refused.every((e) => e.code === 'rate_limited'), `the rest refused rate_limited (${refused.length})`);
    // The bucket refills: after a pause the socket is served again.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = advisor.all('typing').length;
    worker.send({ type: 'typing', conversationId, active: true });
    for (let i = 0; i < 50 && advisor.all('typing').length === before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.is(advisor.all('typing').length, before + 1, 'a typing frame after the pause reaches the advisor');
    advisor.drop();
    worker.drop();
  } finally {
    await s.close();
  }
});

test('after a Redis failover a READONLY reply makes the client reconnect and is not resent; nothing waits in an offline queue', () => {
  const options = redisOptions({ name: 'node a' });
  const reconnect = options.reconnectOnError as (err: Error) => boolean | 1 | 2;
  // 1: reconnect, the failed command rejected; 2 would resend it to whichever server answers next.
  assert.is(reconnect(new Error("READONLY You can't write against a read only replica.")), 1);
  assert.is(reconnect(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')), false);
  assert.is(options.enableOfflineQueue, false);
  assert.is(options.maxRetriesPerRequest, 1);
});

/** Every script of the pages. */
function widgetScripts(dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../widgets')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? widgetScripts(p) : name.endsWith('.js') ? [p] : [];
  });
}

test('no page script turns text into markup or code: no innerHTML, insertAdjacentHTML, document.write, eval or new Function', () => {
  // Messages, names, subjects and file names reach the page as text nodes (widgets/lib/ui.js h());
  // the CSP (script-src 'self') is the second line, this the first.
  const sinks = /\.(inner|outer)HTML\s*=|insertAdjacentHTML\s*\(|document\.write(ln)?\s*\(|\beval\s*\(|new\s+Function\s*\(|\.srcdoc\s*=|createContextualFragment\s*\(/;
  const scripts = widgetScripts();
  assert.ok(scripts.length > 20, 'the widget scripts are found');
  const found = scripts.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => (sinks.test(line) ? `${path.relative(process.cwd(), file)}:${i + 1}: ${line.trim()}` : null))
      .filter((hit): hit is string => hit !== null),
  );
  assert.equal(found, []);
});

test.run();
