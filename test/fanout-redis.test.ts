/**
 * The Redis fan-out on its own: what a node learns when its subscription drops.
 * Pub/sub keeps nothing, so events published while a node was not subscribed are
 * lost to it; the node must be told, so that it stops trusting what those events
 * would have corrected (cached participants).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ticketEvent } from '../server/fanout.ts';
import { decode, encode, RedisFanout } from '../server/fanout-redis.ts';
import { Hub } from '../server/hub.ts';
import { createRedis, waitReady } from '../server/redis-connection.ts';
import { redisAnswersSync, redisUrl, skipLine } from './helpers/routing-state-contract.ts';

const available = redisAnswersSync(redisUrl);
if (!available) console.log(skipLine(redisUrl, 'the Redis fan-out tests'));
const run = available ? test : test.skip;

async function node(prefix: string, name: string) {
  const pub = createRedis(redisUrl, { name: `${name}-pub` });
  const sub = createRedis(redisUrl, { name: `${name}-sub` });
  await Promise.all([waitReady(pub, 5000), waitReady(sub, 5000)]);
  const fanout = await RedisFanout.start({ hub: new Hub(), pub, sub, prefix, node: name, log: pino({ level: 'silent' }) });
  return {
    fanout,
    sub,
    close: async () => {
      await fanout.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const start = Date.now(); !ok(); ) {
    if (Date.now() - start > ms) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

run('a node whose subscription dropped and came back is told that it may have missed events, and receives the next ones', async () => {
  const prefix = `test:${randomUUID()}`;
  const a = await node(prefix, 'node-a');
  const b = await node(prefix, 'node-b');
  try {
    let missed = 0;
    const followed: string[] = [];
    b.fanout.onMissed(() => missed++);
    b.fanout.onFollow((id) => followed.push(id));

    a.fanout.follow(['someone'], 'conv-1', 0);
    await until('the first follow event', () => followed.includes('conv-1'));
    assert.is(missed, 0, 'nothing missed while the subscription held');

    b.sub.disconnect(true); // drops the connection; ioredis reconnects and subscribes again
    await until('the missed-events signal', () => missed === 1);

    a.fanout.follow(['someone'], 'conv-2', 0);
    await until('a follow event after the reconnect', () => followed.includes('conv-2'));
    assert.is(missed, 1);
  } finally {
    await a.close();
    await b.close();
  }
});

run('a node does not apply its own events twice, and tells nobody of missed events when nothing dropped', async () => {
  const prefix = `test:${randomUUID()}`;
  const a = await node(prefix, 'node-a');
  try {
    let missed = 0;
    const followed: string[] = [];
    a.fanout.onMissed(() => missed++);
    a.fanout.onFollow((id) => followed.push(id));
    a.fanout.follow(['someone'], 'conv-own', 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(followed, ['conv-own'], 'applied once, locally');
    assert.is(missed, 0);
  } finally {
    await a.close();
  }
});

test("a ticket's update travels with only the facts the visibility rule reads, and a node keeps it only when someone here may be meant", () => {
  const frame = { type: 'ticket.updated', ticketId: 't-1' };
  const owned = ticketEvent({ userId: 'i-owner', matricola: 'M1', sede: 'SEDE-MI', subject: 'not to travel' } as never, frame);
  const companyOnly = ticketEvent({ userId: null, matricola: 'M2', sede: 'SEDE-RM' }, frame);
  const raw = `node-a\n${encode(owned)}${encode(companyOnly)}["t",["a","b"],"M3","S"]\n{}\n["t",[],5,"S"]\n{}\n`;
  const asked: unknown[] = [];
  const all = decode(raw, { people: () => false, ticket: (t) => (asked.push(t), true) });
  assert.equal(all, [
    { kind: 'ticket', ticket: { userId: 'i-owner', matricola: 'M1', sede: 'SEDE-MI' }, frame: JSON.stringify(frame) },
    { kind: 'ticket', ticket: { userId: null, matricola: 'M2', sede: 'SEDE-RM' }, frame: JSON.stringify(frame) },
  ]);
  assert.is(asked.length, 2, 'malformed headers are skipped before asking');
  assert.equal(decode(raw, { people: () => true, ticket: (t) => t.matricola === 'M2' }).length, 1);
});

test.run();
