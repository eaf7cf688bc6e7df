/**
 * A routing state whose whole-state reads are shared. Every `chat.request` reads the
 * state several times (admission before closing, the position it is told, the
 * routing run it starts, the positions pushed to the others), and so does every
 * routing run and sweep: under a burst — hundreds of people asking at 15:00 with
 * thousands of advisors online — each of those reads decoded the whole state
 * on its own.
 *
 * Invariant (read-your-writes): a `snapshot()` is answered by a read that STARTED
 * AFTER the call, so it reflects every write the caller finished before asking.
 * At most one read is in flight; callers arriving meanwhile share the one that
 * starts when it ends. Writes go straight through. The snapshot returned is shared
 * between callers: they must not mutate it (none does; they copy before sorting).
 */
import type { RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import { ForwardingRoutingState } from './routing-state-forwarding.ts';

export class CoalescingRoutingState extends ForwardingRoutingState {
  private inFlight: Promise<RoutingSnapshot> | null = null;
  private next: Promise<RoutingSnapshot> | null = null;
  /** Reads made of the underlying state, for tests and metrics. */
  reads = 0;

  constructor(inner: RoutingState) {
    super(inner);
  }

  override snapshot(): Promise<RoutingSnapshot> {
    if (!this.inFlight) return this.read();
    // The read in flight began before this call and may miss the caller's own writes.
    this.next ??= this.inFlight.then(
      () => this.afterCurrent(),
      () => this.afterCurrent(),
    );
    return this.next;
  }

  private afterCurrent(): Promise<RoutingSnapshot> {
    this.next = null;
    return this.read();
  }

  private read(): Promise<RoutingSnapshot> {
    this.reads++;
    const reading = this.inner.snapshot().finally(() => {
      if (this.inFlight === reading) this.inFlight = null;
    });
    this.inFlight = reading;
    return reading;
  }
}
