/**
 * Group commit: callers submit one item each and get one promise each; the items
 * are written together, many per transaction, by a `commit` function that
 * returns one outcome per item.
 *
 * The classic pattern:
 * - an idle committer flushes at once — a lone item never waits for a timer
 *   (only for the end of the current event-loop turn, so items submitted in the
 *   same turn share a transaction);
 * - while `maxInFlight` commits are in flight, arrivals queue; when one finishes
 *   the queue is flushed, up to `maxRows` items per batch. With `maxWaitMs` > 0 a
 *   batch that is not full may linger until its oldest item has waited that long,
 *   so batches grow under load; it never lingers once it holds `maxRows` items;
 * - with more than one commit in flight, the queue is split evenly over the free
 *   slots (a burst is written by several connections at once), and items of one
 *   lane (`laneOf`, e.g. a conversation) are never in two batches in flight: a
 *   lane's items wait for its batch, so they commit in submission order;
 * - the queue is bounded (`maxQueued`): past it, a submit is refused at once
 *   with `GroupCommitOverloaded` instead of growing memory while the database
 *   is slow or gone.
 *
 * A promise settles only after its batch's commit settled: resolved means
 * committed. When `commit` rejects (the transaction failed), every item of the
 * batch is rejected with that error.
 */

export interface GroupCommitOptions {
  /** Most items in one batch (one transaction). */
  maxRows: number;
  /** How long a non-full batch may wait for more items while the committer is busy. 0: never waits. */
  maxWaitMs: number;
  /** Most items waiting (not yet in a batch); beyond it submits are refused. Default 20 × maxRows. */
  maxQueued?: number;
  /** Most batches committing at once. Default 1; above 1 needs `laneOf`. */
  maxInFlight?: number;
}

/** Items with one lane commit in submission order: never two of its batches in flight. */
export interface Lanes<T> {
  laneOf?: (item: T) => string;
}

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Every item succeeded with its value (a `commit` whose statement answers for all, or fails for all). */
export function allOk<R>(values: R[]): Outcome<R>[] {
  return values.map((value) => ({ ok: true, value }));
}

export interface GroupCommitStats {
  batches: number;
  items: number;
  largestBatch: number;
  queued: number;
  inFlight: number;
}

/** Refused at submit: too many items already waiting. Nothing was written. */
export class GroupCommitOverloaded extends Error {
  constructor(queued: number) {
    super(`group commit queue full (${queued} waiting)`);
    this.name = 'GroupCommitOverloaded';
  }
}

interface Pending<T, R> {
  item: T;
  at: number;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private readonly maxQueued: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  /** Lanes with a batch in flight. */
  private readonly busy = new Set<string>();
  private scheduled: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | null = null;
  private batches = 0;
  private items = 0;
  private largestBatch = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly commit: (items: T[]) => Promise<Outcome<R>[]>,
    private readonly options: GroupCommitOptions & Lanes<T>,
  ) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1) throw new RangeError('maxRows must be a positive integer');
    if (!(options.maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be >= 0');
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new RangeError('maxInFlight must be a positive integer');
    if (this.maxInFlight > 1 && !options.laneOf) throw new RangeError('maxInFlight > 1 needs laneOf (order within a lane)');
    this.maxQueued = options.maxQueued ?? options.maxRows * 20;
  }

  submit(item: T): Promise<R> {
    if (this.queue.length >= this.maxQueued) return Promise.reject(new GroupCommitOverloaded(this.queue.length));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  stats(): GroupCommitStats {
    return { batches: this.batches, items: this.items, largestBatch: this.largestBatch, queued: this.queue.length, inFlight: this.inFlight };
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Decides when the next batch goes: at the end of this turn, or — only right
   * after a commit, when items queued behind it (load) — once the oldest has
   * waited `maxWaitMs`. Nothing goes while every slot has a commit in flight.
   */
  private schedule(afterCommit = false): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxRows) {
      this.cancelScheduled();
      this.scheduled = { immediate: setImmediate(() => this.flush()) };
      return;
    }
    if (this.scheduled) return;
    const linger = afterCommit ? this.options.maxWaitMs - (performance.now() - this.queue[0]!.at) : 0;
    this.scheduled = linger >= 1 ? { timeout: setTimeout(() => this.flush(), linger) } : { immediate: setImmediate(() => this.flush()) };
  }

  private cancelScheduled(): void {
    if (!this.scheduled) return;
    if ('timeout' in this.scheduled) clearTimeout(this.scheduled.timeout);
    else clearImmediate(this.scheduled.immediate);
    this.scheduled = null;
  }

  /** Starts batches while slots are free and items can go: the queue shared evenly over the free slots. */
  private flush(): void {
    this.scheduled = null;
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const share = Math.ceil(this.queue.length / (this.maxInFlight - this.inFlight));
      const batch = this.take(Math.min(this.options.maxRows, share));
      if (batch.length === 0) return; // all waiting on lanes in flight: a finishing batch reschedules
      this.start(batch);
    }
  }

  /**
   * About `n` items, in queue order. With lanes: whole lanes (all their queued
   * items, as they could not go in another batch meanwhile anyway), the first
   * free ones in queue order, until the batch holds `n` (at most maxRows);
   * items of busy or unchosen lanes stay queued, in order.
   */
  private take(n: number): Pending<T, R>[] {
    const laneOf = this.options.laneOf;
    if (!laneOf) return this.queue.splice(0, n);
    const queued = new Map<string, number>();
    for (const p of this.queue) {
      const lane = laneOf(p.item);
      if (!this.busy.has(lane)) queued.set(lane, (queued.get(lane) ?? 0) + 1);
    }
    const chosen = new Set<string>();
    let size = 0;
    for (const [lane, count] of queued) {
      if (size >= n) break;
      chosen.add(lane);
      size += count;
    }
    const batch: Pending<T, R>[] = [];
    const rest: Pending<T, R>[] = [];
    for (const p of this.queue) (batch.length < this.options.maxRows && chosen.has(laneOf(p.item)) ? batch : rest).push(p);
    this.queue = rest;
    return batch;
  }

  private start(batch: Pending<T, R>[]): void {
    const lanes = this.options.laneOf ? new Set(batch.map((p) => this.options.laneOf!(p.item))) : null;
    for (const lane of lanes ?? []) this.busy.add(lane);
    this.inFlight++;
    this.batches++;
    this.items += batch.length;
    this.largestBatch = Math.max(this.largestBatch, batch.length);
    Promise.resolve()
      .then(() => this.commit(batch.map((p) => p.item)))
      .then(
        (outcomes) => {
          batch.forEach((p, i) => {
            const outcome = outcomes[i];
            if (!outcome) p.reject(new Error(`group commit: no outcome for item ${i} of ${batch.length}`));
            else if (outcome.ok) p.resolve(outcome.value);
            else p.reject(outcome.error);
          });
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        for (const lane of lanes ?? []) this.busy.delete(lane);
        if (this.queue.length > 0) this.schedule(true);
        else if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }
}
