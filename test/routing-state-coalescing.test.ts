/**
 * Whole-state reads shared between callers (server/routing-state-coalescing.ts):
 * a burst of readers costs a couple of reads, and no reader is ever answered by a
 * read that began before it asked — it always sees its own finished writes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryRoutingState } from '../routing/routing-state-memory.ts';
import type { QueueEntry, RoutingSnapshot } from '../routing/routing-state.ts';
import { CoalescingRoutingState } from '../server/routing-state-coalescing.ts';

/** A memory state whose reads take their time, taking the picture when they start (like a Lua script). */
class SlowReads extends MemoryRoutingState {
  started = 0;
  private gates: (() => void)[] = [];
  override async snapshot(): Promise<RoutingSnapshot> {
    this.started++;
    const picture = await super.snapshot();
    await new Promise<void>((r) => this.gates.push(r));
    return picture;
  }
  finishReads(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

const entry = (userId: string): QueueEntry => ({
  userId, province: 'MI', audience: 'worker', topic: 'cigo', lang: 'it', entry: 'other', context: {}, priority: 0, since: 0,
}) as QueueEntry;

const tick = () => new Promise((r) => setImmediate(r));
const waitingIds = (s: RoutingSnapshot) => [...s.queues.values()].flat().map((e) => e.userId).sort();

test('a hundred readers at once share two reads', async () => {
  const slow = new SlowReads();
  const state = new CoalescingRoutingState(slow);
  const first = state.snapshot();
  const rest = Array.from({ length: 99 }, () => state.snapshot());
  await tick();
  slow.finishReads();
  await first;
  await tick();
  slow.finishReads();
  const all = await Promise.all(rest);
  assert.is(slow.started, 2);
  assert.ok(all.every((s) => s === all[0]), 'the late ones share one read');
});

test('a reader who asks after writing sees the write, even with a read already in flight', async () => {
  const slow = new SlowReads();
  const state = new CoalescingRoutingState(slow);
  const early = state.snapshot(); // in flight, its picture taken before the write
  await tick();
  await state.enqueue(entry('u-late'));
  const mine = state.snapshot();
  slow.finishReads();
  assert.equal(waitingIds(await early), [], 'the early read is what it was');
  await tick();
  slow.finishReads();
  assert.equal(waitingIds(await mine), ['u-late'], 'the later reader sees its own write');
});

test('a failed read fails its readers only, and the next readers get a fresh one', async () => {
  let fail = true;
  const inner = new MemoryRoutingState();
  const flaky = Object.assign(Object.create(inner) as MemoryRoutingState, {
    snapshot: async () => {
      if (fail) throw new Error('state not answering');
      return inner.snapshot();
    },
  });
  const state = new CoalescingRoutingState(flaky);
  const failing = state.snapshot();
  const waiting = state.snapshot();
  fail = false;
  let error: unknown;
  await failing.catch((err) => (error = err));
  assert.instance(error, Error);
  assert.equal((await waiting).advisors, [], 'the reader behind the failed one got a read of its own');
});

test.run();
