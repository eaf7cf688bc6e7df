/**
 * Group commit of appends, the batcher on its own (server/group-commit.ts):
 * when a batch goes (at once when idle, full, or after maxWaitMs under load),
 * how large it may grow, what a refusal or a failed commit rejects, the
 * bounded queue, and several commits in flight with lanes kept in order. The
 * SQL store on top of it: group-commit-store.test.ts and
 * group-commit-faults.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GroupCommit, GroupCommitOverloaded, type Outcome } from '../server/group-commit.ts';
import { sleep } from './helpers/append-store.ts';

const unit = suite('GroupCommit (the batcher)');

/** A commit function that records its batches and waits for `release()` when gated. */
function recorder(gated = false) {
  const batches: number[][] = [];
  let open: () => void = () => {};
  let gate = gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  return {
    batches,
    release() {
      open();
      gate = Promise.resolve();
    },
    commit: async (items: number[]): Promise<Outcome<number>[]> => {
      batches.push(items);
      await gate;
      return items.map((n) => (n < 0 ? { ok: false, error: new Error(`refused ${n}`) } : { ok: true, value: n * 10 }));
    },
  };
}

unit('a lone item on an idle committer goes at once, even with a long maxWaitMs', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.commit, { maxRows: 100, maxWaitMs: 5_000 });
  const started = performance.now();
  assert.is(await gc.submit(1), 10);
  assert.ok(performance.now() - started < 100, 'no timer waited');
  await sleep(5);
  assert.is(await gc.submit(2), 20);
  assert.equal(r.batches, [[1], [2]]);
});

unit('items submitted in one turn share a batch; arrivals during a commit form the next one, in order', async () => {
  const r = recorder(true);
  const gc = new GroupCommit(r.commit, { maxRows: 100, maxWaitMs: 0 });
  const first = [1, 2, 3].map((n) => gc.submit(n));
  await sleep(5);
  const second = [4, 5].map((n) => gc.submit(n));
  await sleep(5);
  assert.equal(r.batches, [[1, 2, 3]], 'nothing else goes while a commit is in flight');
  r.release();
  assert.equal(await Promise.all([...first, ...second]), [10, 20, 30, 40, 50]);
  assert.equal(r.batches, [[1, 2, 3], [4, 5]]);
});

unit('a batch never exceeds maxRows; the rest follows in order', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.commit, { maxRows: 4, maxWaitMs: 0 });
  const all = await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i + 1)));
  assert.equal(all, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.equal(r.batches, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  assert.equal(gc.stats(), { batches: 3, items: 10, largestBatch: 4, queued: 0, inFlight: 0 });
});

unit('under load, maxWaitMs lets a batch fill; a full batch does not wait', async () => {
  const r = recorder(true);
  const gc = new GroupCommit(r.commit, { maxRows: 3, maxWaitMs: 40 });
  const p1 = gc.submit(1);
  await sleep(2);
  const p2 = gc.submit(2); // queued behind the commit in flight
  r.release();
  await p1;
  await sleep(10);
  assert.equal(r.batches, [[1]], 'the batch of one lingers for company');
  const p3 = gc.submit(3);
  await sleep(5);
  assert.equal(r.batches, [[1]]);
  const p4 = gc.submit(4);
  await Promise.all([p2, p3, p4]);
  assert.equal(r.batches, [[1], [2, 3, 4]], 'full at 3: gone without waiting the whole 40 ms');
});

unit('per-item refusals reject only their item; a failed commit rejects the whole batch', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.commit, { maxRows: 10, maxWaitMs: 0 });
  const results = await Promise.allSettled([1, -2, 3].map((n) => gc.submit(n)));
  assert.equal(results.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
  const boom = new Error('transaction failed');
  const failing = new GroupCommit<number, number>(async () => {
    throw boom;
  }, { maxRows: 10, maxWaitMs: 0 });
  const failed = await Promise.allSettled([1, 2, 3].map((n) => failing.submit(n)));
  assert.ok(failed.every((x) => x.status === 'rejected' && x.reason === boom));
});

unit('the queue is bounded: past maxQueued a submit is refused at once', async () => {
  const r = recorder(true);
  const gc = new GroupCommit(r.commit, { maxRows: 2, maxWaitMs: 0, maxQueued: 3 });
  const inFlight = gc.submit(1);
  await sleep(2);
  const queued = [2, 3, 4].map((n) => gc.submit(n));
  let refused: unknown;
  await gc.submit(5).catch((err) => (refused = err));
  assert.instance(refused, GroupCommitOverloaded);
  r.release();
  assert.equal(await Promise.all([inFlight, ...queued]), [10, 20, 30, 40]);
  await gc.idle();
});

unit('with several commits in flight a burst is split over the free slots; a lane waits for its batch, other lanes go past', async () => {
  // Items are [lane, n]; each batch waits for its own release.
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const gc = new GroupCommit<[string, number], string>(
    async (items) => {
      batches.push(items.map(([lane, n]) => `${lane}${n}`));
      await new Promise<void>((r) => gates.push(r));
      return items.map(([lane, n]) => ({ ok: true, value: `${lane}${n}` }));
    },
    { maxRows: 100, maxWaitMs: 0, maxInFlight: 3, laneOf: ([lane]) => lane },
  );
  const burst = (['a1', 'b1', 'c1', 'a2', 'd1', 'e1'] as const).map((x) => gc.submit([x.slice(0, 1), Number(x.slice(1))]));
  await sleep(5);
  assert.equal(batches, [['a1', 'a2'], ['b1', 'c1'], ['d1', 'e1']], 'three slots, split evenly by whole lanes');
  assert.is(gc.stats().inFlight, 3);
  gates.shift()!(); // a1, a2 committed
  await Promise.all([burst[0], burst[3]]);
  const later = [gc.submit(['a', 3]), gc.submit(['c', 2]), gc.submit(['f', 1])];
  await sleep(5);
  assert.equal(batches.at(-1), ['a3', 'f1'], 'c has a batch in flight: c2 waits, the others go past it');
  gates.shift()!(); // b1, c1 committed
  await sleep(5);
  assert.equal(batches.at(-1), ['c2'], 'its lane free again, c2 goes');
  while (gates.length) gates.shift()!();
  assert.equal(await Promise.all([...burst, ...later]), ['a1', 'b1', 'c1', 'a2', 'd1', 'e1', 'a3', 'c2', 'f1']);
  assert.throws(() => new GroupCommit(async () => [], { maxRows: 1, maxWaitMs: 0, maxInFlight: 2 }), RangeError, 'order needs lanes');
});

unit.run();
