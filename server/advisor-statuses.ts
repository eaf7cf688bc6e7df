/**
 * Advisors' availability for the router: the `advisor.status` frame, and an advisor
 * connecting (away, unless back within the grace period with the status they had) or
 * losing their last connection anywhere (offline: no new chats until they are back).
 */
import type { AdvisorState } from '../routing/routing-state.ts';
import type { ChatDeps } from './chat-service.ts';
import type { Client } from './client.ts';
import { AppError } from './errors.ts';

type Deps = Pick<ChatDeps, 'state' | 'fanout' | 'clock' | 'router' | 'advisors' | 'advisorGraceMs' | 'log'>;

export class AdvisorStatuses {
  /** Status of advisors whose connection dropped, restored if they are back within the grace period. */
  private readonly beforeDrop = new Map<string, { status: 'available' | 'away'; at: number }>();

  constructor(private readonly deps: Deps) {}

  async set(client: Client, frame: Record<string, unknown>): Promise<object> {
    if (client.identity.role !== 'advisor') throw new AppError('forbidden', 'only advisors set a status');
    const status = frame.status as 'available' | 'away';
    const now = this.deps.clock.now();
    let state = await this.deps.state.setAdvisorStatus(client.userId, status, now);
    if (!state) state = await this.deps.state.upsertAdvisor(await this.deps.advisors.profileOf(client.identity), status, now);
    this.deps.fanout.toUser(client.userId, { type: 'advisor.status', status: state.status, capacity: state.capacity, load: state.conversations.length });
    // What waits for them, at once: the console says it with the new status (advisor-queue-push.ts).
    void this.tellQueue(client.userId);
    void this.deps.router.dispatch();
    return { type: 'ok' };
  }

  /** Registers an advisor with the router as they connect (away until they say otherwise). */
  async connected(client: Client): Promise<AdvisorState> {
    const now = this.deps.clock.now();
    const snapshot = await this.deps.state.snapshot();
    const known = snapshot.advisors.find((a) => a.id === client.userId);
    const profile = await this.deps.advisors.profileOf(client.identity);
    // Back within the grace period (a dropped network, a reload): the status they had, not away.
    const before = this.beforeDrop.get(client.userId);
    this.beforeDrop.delete(client.userId);
    const recent = before && now - before.at <= this.deps.advisorGraceMs ? before.status : 'away';
    const status = known && known.status !== 'offline' ? known.status : recent;
    return this.deps.state.upsertAdvisor(profile, status, now);
  }

  /** The advisor's console is welcomed: it is told how many wait for them. */
  async welcomed(client: Client): Promise<void> {
    await this.tellQueue(client.userId);
  }

  /**
   * Pushes `advisor.queue` to the advisor; never throws: the status change or welcome it
   * follows has happened, and the next change in the queues pushes again. A failure (the
   * routing state not answering) is logged at debug with the advisor's staff id (their
   * pseudonym under STAFF_ID_KEY), so a console that never shows its waiting count can be explained.
   */
  private tellQueue(advisorId: string): Promise<void> {
    return this.deps.router.tellAdvisorQueue(advisorId).catch((err: unknown) => this.deps.log.debug({ err, advisorId }, 'advisor.queue not pushed'));
  }

  /** The advisor's last connection anywhere went away: no new chats until they are back. */
  async disconnected(advisorId: string): Promise<void> {
    const known = (await this.deps.state.snapshot()).advisors.find((a) => a.id === advisorId);
    if (known && known.status !== 'offline') this.beforeDrop.set(advisorId, { status: known.status, at: this.deps.clock.now() });
    await this.deps.state.setAdvisorStatus(advisorId, 'offline', this.deps.clock.now());
  }
}
