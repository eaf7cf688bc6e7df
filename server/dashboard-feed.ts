/**
 * The dashboard over the WebSocket: a signed-in supervisor or office operator
 * sends `dashboard.subscribe` and gets a `dashboard.update` frame with the live
 * view (the same JSON as GET /api/v1/dashboard/live) at once and then every
 * `intervalMs` (2 s), until `dashboard.unsubscribe` or the socket closes.
 *
 * The timer runs only while someone is subscribed. Each tick computes one view
 * per scope (all, or one per sede) whatever the number of subscribers, so fifty
 * supervisors cost what one does. Each node serves its own sockets and reads the
 * shared routing state and database, so it works the same with several nodes.
 *
 * Wiring (server/ws-frames.ts, server/ws-gateway.ts): two frame schemas and two
 * handler lines calling `subscribe` and `unsubscribe` (docs/dashboard.md).
 */
import type { Logger } from 'pino';
import type { Identity } from './auth.ts';
import type { DashboardService } from './dashboard-service.ts';
import type { DashboardScope, LiveView } from './dashboard-views.ts';

/** What the feed needs of a connection (server/client.ts's Client has it). */
export interface FeedClient {
  readonly sessionId: string;
  readonly identity: Identity;
  readonly closed: boolean;
  send(frame: object): void;
}

export interface DashboardFeedOptions {
  dashboard: DashboardService;
  log?: Pick<Logger, 'warn'>;
  /** Default 2000. */
  intervalMs?: number;
}

interface Subscription {
  client: FeedClient;
  scope: DashboardScope;
}

const scopeKey = (s: DashboardScope) => (s.kind === 'all' ? 'all' : `sede:${s.sede}`);

export class DashboardFeed {
  private readonly subs = new Map<string, Subscription>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(private readonly o: DashboardFeedOptions) {}

  /** Handler of `dashboard.subscribe`: forbidden for other roles; answers with the first update. */
  async subscribe(client: FeedClient): Promise<object> {
    const scope = await this.o.dashboard.scopeOf(client.identity);
    const live = await this.o.dashboard.liveFor(scope);
    this.subs.set(client.sessionId, { client, scope });
    this.arm();
    return { type: 'dashboard.update', live };
  }

  /** Handler of `dashboard.unsubscribe` (also fine to call on disconnect). */
  async unsubscribe(client: Pick<FeedClient, 'sessionId'>): Promise<object> {
    this.subs.delete(client.sessionId);
    if (this.subs.size === 0) this.disarm();
    return { type: 'ok' };
  }

  get subscribers(): number {
    return this.subs.size;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  close(): void {
    this.subs.clear();
    this.disarm();
  }

  /** One round of updates (the timer calls it; tests may too). */
  async tick(): Promise<void> {
    if (this.ticking) return; // a slow round is not overtaken by the next one
    this.ticking = true;
    try {
      for (const [id, s] of this.subs) if (s.client.closed) this.subs.delete(id);
      if (this.subs.size === 0) return this.disarm();
      const views = new Map<string, Promise<LiveView | null>>();
      for (const s of this.subs.values()) {
        const key = scopeKey(s.scope);
        if (!views.has(key)) {
          views.set(
            key,
            this.o.dashboard.liveFor(s.scope).catch((err: unknown) => {
              this.o.log?.warn({ err }, 'dashboard update failed');
              return null;
            }),
          );
        }
      }
      for (const s of this.subs.values()) {
        const live = await views.get(scopeKey(s.scope))!;
        if (live && !s.client.closed) s.client.send({ type: 'dashboard.update', live });
      }
    } finally {
      this.ticking = false;
    }
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 2000);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
