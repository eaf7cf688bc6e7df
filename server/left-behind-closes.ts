/**
 * Closing the chat of a user who left the queue unserved (`left_queue`: their grace ran out, they waited too
 * long), and closing it again later when the database refused it then. Left open, the chat names no advisor
 * and nobody is in it until the user's next visit; so a failed close is kept on this node and each routing
 * sweep retries those due (router-sweep.ts), with a backoff, until one goes through.
 *
 * - Idempotent: the store closes only an open chat (`closeConversation`), so a close that did commit but
 *   whose answer was lost is not closed twice; the closing time is the first attempt's.
 * - The user came back meanwhile (waiting again with this chat, or served in it): the chat is theirs again,
 *   the close is dropped, never retried over them.
 * - Bounded: at most MAX_KEPT chats kept (the oldest given up past it), attempts spaced by a backoff doubling
 *   up to MAX_BACKOFF_MS, given up after MAX_ATTEMPTS; each give-up is logged as an error with the chat's id.
 * - One retry pass at a time, not awaited by the sweep: a database that does not answer (a partition waits
 *   for the query timeout) does not hold up the sweep's other duties.
 * A node that stops forgets what it kept: the chat then stays open until its user's next visit, as before.
 */
import { AppError } from './errors.ts';
import type { RouterDeps } from './router-service.ts';

export const MAX_KEPT = 10_000;
export const MAX_ATTEMPTS = 60;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

interface KeptClose {
  userId: string;
  closedBy: string;
  /** When the user left: the chat's closing time, whichever attempt stores it. */
  at: number;
  attempts: number;
  nextAt: number;
}

export class LeftBehindCloses {
  private readonly kept = new Map<string, KeptClose>();
  private retrying: Promise<void> | null = null;

  constructor(private readonly deps: Pick<RouterDeps, 'store' | 'state' | 'clock' | 'log' | 'metrics'>) {}

  /** Closes the chat `left_queue` now; refused by an outage, keeps it for the sweeps to retry. */
  async close(conversationId: string, userId: string, closedBy: string): Promise<void> {
    const at = this.deps.clock.now();
    const outcome = await this.attempt(conversationId, closedBy, at);
    if (outcome !== 'failed') return;
    this.deps.log.warn({ conversationId }, 'a chat whose user left the queue could not be closed; kept to be closed again at the next sweeps');
    if (this.kept.size >= MAX_KEPT) this.giveUp(this.kept.keys().next().value!, 'too many kept');
    this.kept.set(conversationId, { userId, closedBy, at, attempts: 1, nextAt: at + FIRST_BACKOFF_MS });
  }

  /** Retries the closes that are due (each sweep); a pass still running is not doubled. */
  retry(): Promise<void> {
    if (this.kept.size === 0) return Promise.resolve();
    this.retrying ??= this.retryDue()
      .catch((err: unknown) => this.deps.log.warn({ err }, 'retrying the closes of chats left behind failed'))
      .finally(() => (this.retrying = null));
    return this.retrying;
  }

  /** How many closes wait to be retried (metrics, tests). */
  get size(): number {
    return this.kept.size;
  }

  private async retryDue(): Promise<void> {
    const { state, clock, log } = this.deps;
    for (const [conversationId, close] of [...this.kept]) {
      if (clock.now() < close.nextAt) continue;
      if ((await state.waitingEntry(close.userId))?.conversationId === conversationId || (await state.conversationOf(close.userId)) === conversationId) {
        this.kept.delete(conversationId);
        log.info({ conversationId }, 'the user of a chat left behind came back before it could be closed; it stays theirs');
        continue;
      }
      const outcome = await this.attempt(conversationId, close.closedBy, close.at);
      if (outcome !== 'failed') {
        this.kept.delete(conversationId);
        log.info({ conversationId, attempts: close.attempts + 1, outcome }, 'a chat left behind closed on a later sweep');
        continue;
      }
      close.attempts++;
      if (close.attempts >= MAX_ATTEMPTS) this.giveUp(conversationId, 'attempts exhausted');
      else close.nextAt = clock.now() + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (close.attempts - 1));
    }
  }

  /**
   * 'closed' when this call closed it, 'gone' when there is nothing to close (closed already, by its user or an
   * earlier attempt whose answer was lost; erased), 'failed' when the store did not answer.
   */
  private async attempt(conversationId: string, closedBy: string, at: number): Promise<'closed' | 'gone' | 'failed'> {
    try {
      const closed = await this.deps.store.closeConversation(conversationId, { outcome: 'left_queue', rating: null, closedBy, at: new Date(at) });
      // Counted once: an earlier attempt that committed without answering left this very close (same time, same outcome).
      if (closed.outcome !== 'left_queue' || closed.closedAt?.getTime() !== at) return 'gone';
      this.deps.metrics.conversationsClosed.inc({ outcome: 'left_queue' });
      return 'closed';
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return 'gone';
      this.deps.log.warn({ err, conversationId }, 'closing a chat left behind failed');
      return 'failed';
    }
  }

  private giveUp(conversationId: string, why: string): void {
    this.kept.delete(conversationId);
    this.deps.log.error({ conversationId, why }, 'gave up closing a chat whose user left the queue: it stays open, naming no advisor, until its user comes back');
  }
}
