/**
 * A socket's delivery cursor: what it sends, in which order, and when it reads
 * the database. Messages from two nodes overtake each other; the cursor must
 * send each conversation as one gap-free sequence either way, reading the
 * database only for what does not arrive.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebSocket } from 'ws';
import type { Identity } from '../server/auth.ts';
import type { StoredMessage } from '../server/chat-store.ts';
import { Client, deliveryOf, type Delivery } from '../server/client.ts';

const CONV = 'conv-1';

function stored(seq: number): StoredMessage {
  return { conversationId: CONV, seq, senderId: 'u', senderRole: 'worker', clientMsgId: `m${seq}`, text: `t${seq}`, at: new Date(0) };
}

const message = (seq: number): Delivery => deliveryOf(stored(seq));

function harness(o: { inDatabase: number; gapWaitMs: number }) {
  const sent: number[] = [];
  const reads: number[] = [];
  const socket = { bufferedAmount: 0, send: (text: string) => sent.push(JSON.parse(text).seq as number), close: () => {} } as unknown as WebSocket;
  const readGap = async (_id: string, after: number) => {
    reads.push(after);
    return Array.from({ length: Math.max(0, o.inDatabase - after) }, (_, i) => stored(after + i + 1));
  };
  const client = new Client('s1', { sub: 'u', role: 'worker' } as Identity, socket, readGap, 1 << 20, o.gapWaitMs);
  client.follow(CONV, 0);
  return { client, sent, reads };
}

test('messages in order go out at once, with no database read', () => {
  const { client, sent, reads } = harness({ inDatabase: 3, gapWaitMs: 60_000 });
  for (const seq of [1, 2, 3]) assert.is(client.deliver(message(seq)), undefined);
  assert.equal([sent, reads], [[1, 2, 3], []]);
});

test('a message that overtook another waits for it, and both go out in order without a database read', async () => {
  const { client, sent, reads } = harness({ inDatabase: 4, gapWaitMs: 60_000 });
  client.deliver(message(1));
  const gap = client.deliver(message(3));
  client.deliver(message(4));
  assert.equal(sent, [1], 'held behind the gap');
  client.deliver(message(2));
  await gap; // settles when the gap closed; with a one-minute wait it could only close by arrival
  assert.equal([sent, reads], [[1, 2, 3, 4], []]);
  client.deliver(message(3));
  assert.equal(sent, [1, 2, 3, 4], 'a late duplicate is dropped');
});

test('a message that never arrives is read from the database after the wait, and what was held follows in order', async () => {
  const { client, sent, reads } = harness({ inDatabase: 3, gapWaitMs: 5 });
  client.deliver(message(1));
  const gap = client.deliver(message(3));
  assert.equal(sent, [1]);
  await gap;
  assert.equal([sent, reads], [[1, 2, 3], [1]]);
});

test('a second gap found after the read waits again instead of being dropped', async () => {
  const { client, sent, reads } = harness({ inDatabase: 3, gapWaitMs: 5 });
  client.deliver(message(1));
  const gap = client.deliver(message(3));
  client.deliver(message(6)); // past a second gap the read will not cover (4, 5 not yet stored)
  await gap;
  assert.equal(sent, [1, 2, 3]);
  client.deliver(message(5));
  client.deliver(message(4));
  assert.equal([sent, reads], [[1, 2, 3, 4, 5, 6], [1]]);
});

test('a gap the database cannot fill rejects once, so the hub can close the socket, and is not read again', async () => {
  const socket = { bufferedAmount: 0, send: () => {}, close: () => {} } as unknown as WebSocket;
  let reads = 0;
  const down = () => {
    reads++;
    return Promise.reject(new Error('down'));
  };
  const client = new Client('s1', { sub: 'u', role: 'worker' } as Identity, socket, down, 1 << 20, 1);
  client.follow(CONV, 0);
  const gap = client.deliver(message(3));
  client.deliver(message(4));
  await gap!.then(
    () => assert.unreachable('the read failed'),
    (err: Error) => assert.is(err.message, 'down'),
  );
  await new Promise((r) => setTimeout(r, 30));
  assert.is(reads, 1, 'what was held is dropped with the socket, not waited for again');
});

test('unfollowing while waiting stops the wait: nothing is read afterwards', async () => {
  const { client, sent, reads } = harness({ inDatabase: 3, gapWaitMs: 5 });
  client.deliver(message(2));
  client.unfollow(CONV);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal([sent, reads], [[], []]);
});

test('a socket closed while waiting reads nothing when the wait ends', async () => {
  const { client, reads } = harness({ inDatabase: 3, gapWaitMs: 5 });
  const gap = client.deliver(message(2));
  client.close(1000, 'bye');
  await gap;
  assert.equal(reads, []);
});

test.run();
