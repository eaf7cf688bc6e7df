/**
 * One timer for many deadlines: a hashed wheel of coarse slots. A `setTimeout`
 * per socket (hello timeout, token expiry) costs a Timeout object, its closure
 * and its context, ~300 B for as long as the socket lives; here a deadline is one
 * entry in its slot's Set and a small integer on the item itself.
 *
 * Deadlines fire up to one slot late (never early). The wheel's timer runs only
 * while some deadline is pending, and never keeps the process alive.
 */
export interface Expiring {
  /** The slot this item waits in, 0 when none (a scheduled slot is always ≥ 1): kept on the item, so no map is needed to find it. */
  deadlineSlot: number;
  /** Called once when the deadline passes (the item has already left the wheel). */
  expire(): void;
}

/** Slots are counted from here, so they stay small integers (no heap number per item). */
const EPOCH = Date.now();

export class DeadlineWheel<T extends Expiring> {
  private readonly slots = new Map<number, Set<T>>();
  /** Every slot up to this one has fired. */
  private done: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly slotMs = 250,
    private readonly now: () => number = Date.now,
  ) {
    this.done = this.slotOf(this.now());
  }

  /** (Re)schedules `item` to expire at `at` (ms since the epoch); a past time expires at the next tick. */
  schedule(item: T, at: number): void {
    this.cancel(item);
    this.arm();
    // Rounded up: a deadline never fires early. A past one goes to the next slot to fire.
    const slot = Math.max(Math.ceil((at - EPOCH) / this.slotMs), this.done + 1);
    let set = this.slots.get(slot);
    if (!set) this.slots.set(slot, (set = new Set()));
    set.add(item);
    item.deadlineSlot = slot;
  }

  cancel(item: T): void {
    const slot = item.deadlineSlot;
    if (slot === 0) return;
    item.deadlineSlot = 0;
    const set = this.slots.get(slot);
    if (!set) return;
    set.delete(item);
    if (set.size === 0) this.slots.delete(slot);
  }

  get size(): number {
    let n = 0;
    for (const set of this.slots.values()) n += set.size;
    return n;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.slots.clear();
  }

  /** The last slot whose time has fully passed at `ms`. */
  private slotOf(ms: number): number {
    return Math.floor((ms - EPOCH) / this.slotMs);
  }

  private arm(): void {
    if (this.timer) return;
    // Idle until now: nothing is pending, so the slots passed meanwhile need no walk.
    this.done = Math.max(this.done, this.slotOf(this.now()));
    this.timer = setInterval(() => this.tick(), this.slotMs);
    this.timer.unref();
  }

  private tick(): void {
    const upTo = this.slotOf(this.now());
    // Usually one slot per tick; after a stalled event loop, every slot missed meanwhile.
    while (this.done < upTo) {
      const slot = ++this.done;
      const set = this.slots.get(slot);
      if (!set) continue;
      this.slots.delete(slot);
      for (const item of set) {
        item.deadlineSlot = 0;
        item.expire();
      }
    }
    if (this.slots.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
