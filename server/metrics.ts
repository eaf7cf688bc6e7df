/**
 * Prometheus metrics. Counters and histograms are updated where things happen;
 * gauges of state (queues, advisors, tickets) are read at scrape time, so they can
 * never drift from the truth. Labels are bounded: provinces, audiences, statuses,
 * sedi — never user ids.
 */
import { sql } from 'drizzle-orm';
import client from 'prom-client';
import type { Clock } from '../routing/clock.ts';
import type { RoutingSnapshot, RoutingState } from '../routing/routing-state.ts';
import { queryRows, type Db } from './db.ts';
import type { StoreBatchStats } from './chat-store-sql.ts';
import type { GroupCommitStats } from './group-commit.ts';
import type { Hub } from './hub.ts';

/**
 * One read shared by the gauges of a scrape: prom-client collects them all at once,
 * so they join the read in flight; the next scrape reads afresh.
 */
function perScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => {
    inFlight ??= read().finally(() => setImmediate(() => (inFlight = null)));
    return inFlight;
  };
}

/**
 * Why /ws refused a connection: the close reason the client reads (4401 `hello_required`,
 * `token_invalid`, `token_expired`, `hello_timeout`; 4429 `too_many_sockets`; 4500
 * `unavailable`) or the upgrade's HTTP error (403 `forbidden` origin, 503 `draining`).
 * Anything else is counted as `other`, so the label stays bounded whatever an authenticator throws.
 */
export const SOCKET_REFUSALS = ['forbidden', 'draining', 'hello_required', 'token_invalid', 'token_expired', 'hello_timeout', 'too_many_sockets', 'unavailable', 'other'] as const;
/**
 * Which limit refused a frame with `rate_limited`: the person's message budget
 * (MESSAGES_PER_SECOND, MESSAGE_BURST), their frame budget (FRAMES_PER_SECOND, FRAME_BURST),
 * or the socket's frames or messages still in flight.
 */
export const FRAME_LIMITS = ['messages', 'frames', 'in_flight'] as const;
export type FrameLimit = (typeof FRAME_LIMITS)[number];

/** What the /ws gateway counts of what it refuses (server/ws-gateway.ts, server/ws-connection.ts). */
export interface WsRefusals {
  socket(reason: string): void;
  frame(limit: FrameLimit): void;
}

interface TicketCount {
  sede: string;
  status: string;
  n: number;
  overdue: number;
}

export class Metrics {
  readonly registry = new client.Registry();
  readonly messages = new client.Counter({ name: 'infocig_messages_total', help: 'Messages stored and acknowledged', registers: [this.registry] });
  readonly chatRequests = new client.Counter({ name: 'infocig_chat_requests_total', help: 'Users who joined a queue', labelNames: ['audience'], registers: [this.registry] });
  readonly abandoned = new client.Counter({ name: 'infocig_queue_abandoned_total', help: 'Waiting users who cancelled or did not come back', labelNames: ['reason'], registers: [this.registry] });
  readonly departuresUnrecorded = new client.Counter({ name: 'infocig_queue_departures_unrecorded_total', help: 'Queue departures the dashboard could not store (queue_departures insert failed)', registers: [this.registry] });
  readonly routingStateRebuilds = new client.Counter({ name: 'infocig_routing_state_rebuilds_total', help: 'Times this node found the routing state lost (Redis restarted empty) and rebuilt its part', registers: [this.registry] });
  readonly routingReconciled = new client.Counter({ name: 'infocig_routing_reconciled_total', help: 'Seats the periodic reconciliation released (conversation not open) or restored (open, not held)', labelNames: ['action'], registers: [this.registry] });
  readonly conversationsClosed = new client.Counter({ name: 'infocig_conversations_closed_total', help: 'Conversations closed, by outcome', labelNames: ['outcome'], registers: [this.registry] });
  readonly escalations = new client.Counter({ name: 'infocig_escalations_total', help: 'Chats escalated to Linea INPS tickets', registers: [this.registry] });
  readonly erased = new client.Counter({ name: 'infocig_retention_erased_total', help: 'Rows erased by the retention sweep (RETENTION_DAYS, ACCESS_LOG_RETENTION_DAYS), by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly socketsRefused = new client.Counter({ name: 'infocig_ws_sockets_refused_total', help: 'WebSocket connections refused before or at the hello, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly framesRefused = new client.Counter({ name: 'infocig_ws_frames_refused_total', help: 'Frames of signed-in sockets refused, by reason and the limit that refused them', labelNames: ['reason', 'limit'], registers: [this.registry] });
  /** The gateway's side of the two counters above; reasons outside SOCKET_REFUSALS count as `other`. */
  readonly wsRefusals: WsRefusals = {
    socket: (reason) => this.socketsRefused.inc({ reason: (SOCKET_REFUSALS as readonly string[]).includes(reason) ? reason : 'other' }),
    frame: (limit) => this.framesRefused.inc({ reason: 'rate_limited', limit }),
  };
  readonly waitSeconds = new client.Histogram({
    name: 'infocig_wait_seconds',
    help: 'Time from joining a queue to being assigned',
    labelNames: ['audience'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600],
    registers: [this.registry],
  });
  readonly handleSeconds = new client.Histogram({
    name: 'infocig_handling_seconds',
    help: 'Time from assignment to close',
    buckets: [60, 120, 300, 600, 900, 1200, 1800, 3600],
    registers: [this.registry],
  });
  readonly commitSeconds = new client.Histogram({
    name: 'infocig_message_commit_seconds',
    help: 'Time to store a message before its ack',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(deps: { state: RoutingState; hub: Hub; db: Db; clock: Clock; storeBatches?: () => StoreBatchStats }) {
    const { state, hub, db, clock } = deps;
    if (deps.storeBatches) this.storeBatchMetrics(deps.storeBatches);
    // Every reason and limit at 0 from the start: an alert on their rate sees the first refusal.
    for (const reason of SOCKET_REFUSALS) this.socketsRefused.inc({ reason }, 0);
    for (const limit of FRAME_LIMITS) this.framesRefused.inc({ reason: 'rate_limited', limit }, 0);
    client.collectDefaultMetrics({ register: this.registry, prefix: 'infocig_' });
    const snapshot = perScrape(() => state.snapshot());
    const ticketCounts = perScrape(() =>
      queryRows<TicketCount & Record<string, unknown>>(
        db,
        sql`select sede, status, count(*)::int as n,
              count(*) filter (where status <> 'closed' and due_at < ${new Date(clock.now()).toISOString()}::timestamptz)::int as overdue
            from tickets group by sede, status`,
      ),
    );
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: client.Gauge, snap: RoutingSnapshot) => void) =>
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        async collect() {
          const snap = await snapshot();
          this.reset();
          fill(this, snap);
        },
      });

    gauge('infocig_queue_length', 'Users waiting', ['province', 'audience'], (g, snap) => {
      for (const [key, entries] of snap.queues) g.set(labelsOf(key), entries.length);
    });
    gauge('infocig_queue_oldest_wait_seconds', 'Wait of the longest-waiting user', ['province', 'audience'], (g, snap) => {
      for (const [key, entries] of snap.queues) g.set(labelsOf(key), Math.max(0, (clock.now() - Math.min(...entries.map((e) => e.since))) / 1000));
    });
    gauge('infocig_advisors', 'Advisors by status', ['status'], (g, snap) => {
      for (const status of ['available', 'away', 'offline']) g.set({ status }, snap.advisors.filter((a) => a.status === status).length);
    });
    gauge('infocig_conversations_active', 'Conversations held by advisors', [], (g, snap) => {
      g.set(snap.advisors.reduce((n, a) => n + a.conversations.length, 0));
    });
    gauge('infocig_advisor_occupancy_ratio', 'Chats held over seats of available advisors', [], (g, snap) => {
      const available = snap.advisors.filter((a) => a.status === 'available');
      const seats = available.reduce((n, a) => n + a.capacity, 0);
      const held = available.reduce((n, a) => n + a.conversations.length, 0);
      g.set(seats ? Math.min(1, held / seats) : 0);
    });
    new client.Gauge({
      name: 'infocig_websocket_connections',
      help: 'Open signed-in WebSocket connections on this node',
      registers: [this.registry],
      collect() {
        this.set(hub.connections);
      },
    });
    new client.Gauge({
      name: 'infocig_tickets',
      help: 'Tickets by sede and status',
      labelNames: ['sede', 'status'],
      registers: [this.registry],
      async collect() {
        const rows = await ticketCounts();
        this.reset();
        for (const r of rows) this.set({ sede: r.sede, status: r.status }, Number(r.n));
      },
    });
    new client.Gauge({
      name: 'infocig_tickets_overdue',
      help: 'Open or in-progress tickets past their due time, by sede',
      labelNames: ['sede'],
      registers: [this.registry],
      async collect() {
        const rows = await ticketCounts();
        this.reset();
        const bySede = new Map<string, number>();
        for (const r of rows) bySede.set(r.sede, (bySede.get(r.sede) ?? 0) + Number(r.overdue));
        for (const [sede, n] of bySede) this.set({ sede }, n);
      },
    });
  }

  private storeBatchMetrics(stats: () => StoreBatchStats): void {
    storeBatchMetric(this.registry, client.Counter, 'infocig_store_batches_total', 'Statements sent by the store\'s batchers', stats, (s) => s.batches);
    storeBatchMetric(this.registry, client.Counter, 'infocig_store_batch_items_total', 'Items (messages, reads) those statements carried', stats, (s) => s.items);
    storeBatchMetric(this.registry, client.Gauge, 'infocig_store_queued', 'Items waiting for a statement', stats, (s) => s.queued);
    storeBatchMetric(this.registry, client.Gauge, 'infocig_store_in_flight', 'Statements in flight', stats, (s) => s.inFlight);
  }
}

const BATCH_KINDS = { append: 'append', readMessages: 'read_messages', readOpen: 'read_open', readMarks: 'read_marks', ticketCreate: 'ticket_create' } as const;

/**
 * The stores' batchers (message appends, the reconnect reads, ticket creations), read at scrape time:
 * `queued` growing while `in_flight` stays at its maximum means the database is the
 * bottleneck (callers wait, and past the queue's bound get `store_unavailable`);
 * items over batches is the batch size that load produced.
 */
function storeBatchMetric(
  registry: client.Registry,
  Kind: typeof client.Counter | typeof client.Gauge,
  name: string,
  help: string,
  stats: () => StoreBatchStats,
  pick: (s: GroupCommitStats) => number,
) {
  new Kind({
    name,
    help,
    labelNames: ['kind'],
    registers: [registry],
    collect(this: client.Counter | client.Gauge) {
      // The batchers keep the counts: a counter is set to theirs (monotonic since start), not counted twice.
      this.reset();
      const now = stats();
      for (const [key, kind] of Object.entries(BATCH_KINDS)) {
        const s = now[key as keyof StoreBatchStats];
        if (s) this.inc({ kind }, pick(s));
      }
    },
  });
}

function labelsOf(queueKey: string) {
  const [province, audience] = queueKey.split(':') as [string, string];
  return { province, audience };
}
