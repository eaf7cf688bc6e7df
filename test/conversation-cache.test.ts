/**
 * The participants cache of the message hot path: how long an entry is trusted,
 * and what makes it go.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConversationRecord } from '../server/chat-store.ts';
import { ConversationCache } from '../server/conversation-cache.ts';

const conv = (id: string, status: 'open' | 'closed' = 'open') => ({ id, status, userId: 'u', advisorId: 'a' }) as ConversationRecord;

test('an entry is trusted for a minute from its read, however often it is used', () => {
  const cache = new ConversationCache();
  cache.set(conv('c1'), 0);
  for (let t = 0; t <= 60_000; t += 10_000) assert.is(cache.get('c1', t)?.id, 'c1', `used at ${t} ms`);
  assert.is(cache.get('c1', 60_001), null, 'use does not extend its life: a lost event costs at most a minute');
});

test('a closed conversation is never cached, and forget or clear drop entries at once', () => {
  const cache = new ConversationCache();
  cache.set(conv('c1'), 0);
  cache.set(conv('c1', 'closed'), 1);
  assert.is(cache.get('c1', 2), null);
  cache.set(conv('c2'), 0);
  cache.set(conv('c3'), 0);
  cache.forget('c2');
  assert.equal([cache.get('c2', 1), cache.get('c3', 1)?.id], [null, 'c3']);
  cache.clear();
  assert.is(cache.size, 0);
});

test('past its size the oldest entry goes first', () => {
  const cache = new ConversationCache(60_000, 2);
  for (const id of ['c1', 'c2', 'c3']) cache.set(conv(id), 0);
  assert.equal(['c1', 'c2', 'c3'].map((id) => cache.get(id, 1)?.id ?? null), [null, 'c2', 'c3']);
});

test.run();
