/**
 * The pages' WebSocket client (widgets/lib/chat-client.js) run in Node against a
 * real server, with `ws` as its WebSocket: what it learns from the welcome, and
 * what it does when the server closes with 1009 (a frame over MAX_FRAME_BYTES).
 * A message over the limit is given up once, with `failed: too_big`, and the
 * client comes back; it never resends it into a loop of 1009 closes, also when
 * the text is short in characters but long in UTF-8 bytes (the server counts bytes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
// @ts-expect-error plain browser module, no types
import { ChatClient } from '../widgets/lib/chat-client.js';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer;

test.before(async () => {
  server = await startServer({ env: { MAX_FRAME_BYTES: '2048' } });
});

test.after(async () => {
  await server?.close();
});

interface Seen {
  welcomes: number;
  failed: { clientMsgId: string; code: string }[];
}

async function connected(sub: string): Promise<{ client: any; seen: Seen }> {
  const token = await server.token({ role: 'worker', sub, name: 'Mario Rossi', province: 'MI' });
  const client = new ChatClient({ baseUrl: server.url, getToken: async () => token, WebSocket, baseDelayMs: 20, maxDelayMs: 50 });
  const seen: Seen = { welcomes: 0, failed: [] };
  client.on('welcome', () => seen.welcomes++);
  client.on('failed', (f: Seen['failed'][number]) => seen.failed.push(f));
  client.connect();
  await until(() => seen.welcomes === 1);
  return { client, seen };
}

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the welcome tells the client the server’s limits', async () => {
  const { client } = await connected('usr-limits');
  assert.equal(client.limits, { maxTextLength: 4000, maxFrameBytes: 2048 });
  client.close();
});

test('a message whose UTF-8 bytes pass MAX_FRAME_BYTES is given up once (too_big) after the 1009, and the client is back: no resend loop', async () => {
  const { client, seen } = await connected('usr-too-big');
  // 1,500 characters, 3,000 bytes: under any character limit, over 2,048 bytes.
  const id = client.sendMessage('00000000-0000-4000-8000-000000000000', 'è'.repeat(1500));
  await until(() => seen.failed.length > 0);
  assert.equal(seen.failed.map((f) => [f.clientMsgId, f.code]), [[id, 'too_big']]);
  await until(() => client.status === 'open');
  await new Promise((r) => setTimeout(r, 300));
  assert.is(seen.welcomes, 2, 'one 1009, one reconnect, and no more');
  assert.is(client.outbox.waiting().length, 0);
  client.close();
});

test('without a known limit, each 1009 gives up the largest waiting message, so it cannot loop', async () => {
  const { client, seen } = await connected('usr-no-limit');
  client.limits = null;
  client.sendMessage('00000000-0000-4000-8000-000000000001', 'x'.repeat(3000));
  await until(() => seen.failed.length > 0);
  await until(() => client.status === 'open');
  await new Promise((r) => setTimeout(r, 300));
  assert.is(seen.failed.length, 1);
  assert.is(seen.welcomes, 2);
  client.close();
});

test.run();
