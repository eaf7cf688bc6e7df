/** One timer for many deadlines: never early, at most a slot late, cancelled ones never fire. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadlineWheel, type Expiring } from '../server/deadline-wheel.ts';

class Item implements Expiring {
  deadlineSlot = 0;
  firedAt: number | null = null;
  expire(): void {
    this.firedAt = Date.now();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every item fired (or 2 s): the machine may be busy, timers late. */
async function fired(items: Item[]): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 2000 && items.some((i) => i.firedAt === null); ) await sleep(10);
}

test('deadlines fire in time order, never before their time and within a slot after it', async () => {
  const wheel = new DeadlineWheel<Item>(20);
  const t0 = Date.now();
  const items = [130, 40, 90, 0].map((ms) => ({ item: new Item(), at: t0 + ms }));
  for (const { item, at } of items) wheel.schedule(item, at);
  await fired(items.map((i) => i.item));
  for (const { item, at } of items) {
    assert.ok(item.firedAt !== null, `the deadline at +${at - t0} ms fired`);
    assert.ok(item.firedAt! >= at, `not early: fired at +${item.firedAt! - t0} for +${at - t0}`);
    // A slot is 20 ms; the rest is slack for a busy machine's late timers.
    assert.ok(item.firedAt! - at < 250, `about a slot late at most: ${item.firedAt! - at} ms late`);
    assert.is(item.deadlineSlot, 0);
  }
  assert.is(wheel.size, 0);
  wheel.close();
});

test('a cancelled or rescheduled deadline does not fire at its old time', async () => {
  const wheel = new DeadlineWheel<Item>(20);
  const cancelled = new Item();
  const moved = new Item();
  const t0 = Date.now();
  wheel.schedule(cancelled, t0 + 30);
  wheel.schedule(moved, t0 + 30);
  wheel.cancel(cancelled);
  wheel.schedule(moved, t0 + 150);
  assert.is(wheel.size, 1);
  await sleep(100);
  assert.is(cancelled.firedAt, null);
  assert.is(moved.firedAt, null, 'not at its first time');
  await fired([moved]);
  assert.ok(moved.firedAt! >= t0 + 150);
  assert.is(cancelled.firedAt, null);
  wheel.close();
});

test('the wheel holds no timer while nothing is pending, and starts again for a new deadline', async () => {
  const wheel = new DeadlineWheel<Item>(20);
  const first = new Item();
  wheel.schedule(first, Date.now());
  await fired([first]);
  await sleep(30);
  assert.ok(first.firedAt !== null);
  assert.is((wheel as unknown as { timer: unknown }).timer, null, 'timer stopped when empty');
  const second = new Item();
  const at = Date.now() + 30;
  wheel.schedule(second, at);
  await fired([second]);
  assert.ok(second.firedAt !== null && second.firedAt >= at);
  wheel.close();
});

test.run();
