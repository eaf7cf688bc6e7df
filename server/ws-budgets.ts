/**
 * What one person's sockets on this node share: how many they hold, and their two rate
 * limits (message.send; every other frame but ping). Per person, not per socket: a
 * person who opened more tabs, or a script holding one valid token and opening sockets,
 * had as many budgets as sockets, and nothing bounded the sockets.
 *
 * One flat object per person connected here, found by their `sub` and dropped with
 * their last socket; a connection holds one reference to it. It replaced two bucket
 * objects per socket, so an idle connection costs no more than before.
 */
import { isUserRole } from '../routing/types.ts';
import type { Limits } from './config.ts';

interface Rate {
  perSecond: number;
  burst: number;
}

/** A token bucket's tokens at `now`: `at` 0 means never used (it starts full). */
function refill(tokens: number, at: number, now: number, rate: Rate): number {
  return at === 0 ? tokens : Math.min(rate.burst, tokens + ((now - at) / 1000) * rate.perSecond);
}

/** The shared limits of one person's sockets on this node. */
export class Budget {
  /** Sockets of this person here that passed the hello (and have not closed). */
  sockets = 1;
  private messageTokens: number;
  private messagesAt = 0;
  private frameTokens: number;
  private framesAt = 0;

  constructor(
    readonly sub: string,
    private readonly budgets: Budgets,
  ) {
    this.messageTokens = budgets.messages.burst;
    this.frameTokens = budgets.frames.burst;
  }

  /** A message.send may go: MESSAGES_PER_SECOND, MESSAGE_BURST over all the person's sockets here. */
  takeMessage(now: number): boolean {
    const tokens = refill(this.messageTokens, this.messagesAt, now, this.budgets.messages);
    this.messagesAt = now;
    this.messageTokens = tokens >= 1 ? tokens - 1 : tokens;
    return tokens >= 1;
  }

  /** Any other frame but ping may go: FRAMES_PER_SECOND, FRAME_BURST over all the person's sockets here. */
  takeFrame(now: number): boolean {
    const tokens = refill(this.frameTokens, this.framesAt, now, this.budgets.frames);
    this.framesAt = now;
    this.frameTokens = tokens >= 1 ? tokens - 1 : tokens;
    return tokens >= 1;
  }
}

/** Every person's Budget on this node, by `sub`. */
export class Budgets {
  readonly messages: Rate;
  readonly frames: Rate;
  private readonly socketsPerUser: number;
  private readonly socketsPerStaff: number;
  private readonly byPerson = new Map<string, Budget>();

  constructor(limits: Limits) {
    this.messages = { perSecond: limits.messagesPerSecond, burst: limits.messageBurst };
    this.frames = { perSecond: limits.framesPerSecond, burst: limits.frameBurst };
    this.socketsPerUser = limits.socketsPerUser;
    this.socketsPerStaff = limits.socketsPerStaff;
  }

  /**
   * A socket of this person passed its hello: their budget, or null when they already
   * hold as many sockets here as their role may (SOCKETS_PER_USER, SOCKETS_PER_STAFF).
   * Counted at once, before the welcome's reads, so that hellos arriving together
   * cannot all slip under the cap.
   */
  join(sub: string, role: string): Budget | null {
    const budget = this.byPerson.get(sub);
    if (!budget) {
      const fresh = new Budget(sub, this);
      this.byPerson.set(sub, fresh);
      return fresh;
    }
    if (budget.sockets >= (isUserRole(role) ? this.socketsPerUser : this.socketsPerStaff)) return null;
    budget.sockets++;
    return budget;
  }

  /** One of the person's sockets closed; with the last one their budget goes. */
  leave(budget: Budget): void {
    if (--budget.sockets === 0 && this.byPerson.get(budget.sub) === budget) this.byPerson.delete(budget.sub);
  }

  /** People holding a budget here (for tests). */
  get people(): number {
    return this.byPerson.size;
  }
}
