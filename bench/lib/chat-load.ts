/**
 * The chat load generator: 1:1 conversations, both participants writing.
 *
 * - closedLoop: each sender keeps `window` messages in flight (sent, not yet
 *   delivered to the peer) and sends the next as soon as one arrives: the
 *   highest rate the system sustains. Counts deliveries to the peer per second.
 * - openLoop: a fixed total rate, spread round-robin over the senders on a 1 ms
 *   clock, whatever the answers do (no coordinated omission). Latency of each
 *   message from its send to its delivery at the peer, and to its ack, in HDR
 *   histograms (µs); also from its *scheduled* send time, which adds the load
 *   generator's own timer lag.
 */
import type { Conn, Sink } from './chat-socket.ts';
import { CpuMeter, sleep } from './proc.ts';
import { Histogram, type LatencySummary } from './stats.ts';

export interface Sender {
  conn: Conn;
  conversationId: string;
}

export interface ChatSystem {
  name: string;
  senders: Sender[];
  conns: Conn[];
  /** Server processes, for their CPU use. */
  pids: number[];
  close(): Promise<void>;
}

/** ~100 characters of an ordinary chat line (JSON-safe as it is). */
export const TEXT = 'Buongiorno, vorrei sapere quando arriva il pagamento della CIGO di marzo per la mia azienda, grazie';

let runs = 0;
const nextTag = () => `b${(++runs).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** "<tag>.<sender>.<n>": the sender index without a lookup table. */
function senderOf(id: string, tagDot: string): number {
  if (!id.startsWith(tagDot)) return -1;
  const end = id.indexOf('.', tagDot.length);
  return Number(id.slice(tagDot.length, end));
}

export interface ThroughputResult {
  /** Messages delivered to the peer per second, measured window only. */
  rate: number;
  delivered: number;
  acked: number;
  errors: Record<string, number>;
  /** Still undelivered 10 s after the senders stopped. */
  lost: number;
  cpu: { server: number; load: number };
  latency: LatencySummary;
}

export async function closedLoop(sys: ChatSystem, o: { warmupMs: number; measureMs: number; window: number }): Promise<ThroughputResult> {
  const tag = nextTag();
  const tagDot = `${tag}.`;
  const S = sys.senders.length;
  const inflight = new Int32Array(S);
  const counter = new Int32Array(S);
  const sentAt = new Map<string, number>();
  const hist = new Histogram();
  const errors: Record<string, number> = {};
  let running = true;
  let measuring = false;
  let delivered = 0;
  let acked = 0;

  const send = (i: number) => {
    const id = `${tagDot}${i}.${counter[i]!++}`;
    inflight[i]!++;
    sentAt.set(id, performance.now());
    sys.senders[i]!.conn.sendMessage(sys.senders[i]!.conversationId, id, TEXT);
  };
  const sink: Sink = {
    message(conn, id) {
      const i = senderOf(id, tagDot);
      if (i < 0 || sys.senders[i]!.conn === conn) return; // another run's, or the sender's own copy
      const t = sentAt.get(id);
      if (t === undefined) return;
      sentAt.delete(id);
      inflight[i]!--;
      if (measuring) {
        delivered++;
        hist.record((performance.now() - t) * 1000);
      }
      if (running) send(i);
    },
    ack(_conn, id) {
      if (measuring && id.startsWith(tagDot)) acked++;
    },
    error(_conn, code) {
      errors[code] = (errors[code] ?? 0) + 1;
    },
  };
  for (const c of sys.conns) c.sink = sink;
  const meter = new CpuMeter(sys.pids);
  for (let i = 0; i < S; i++) for (let w = 0; w < o.window; w++) send(i);
  await sleep(o.warmupMs);
  measuring = true;
  meter.begin();
  const t0 = performance.now();
  await sleep(o.measureMs);
  measuring = false;
  const elapsed = performance.now() - t0;
  const cpu = meter.end();
  running = false;
  const lost = await drain(inflight, 10_000);
  for (const c of sys.conns) c.sink = null;
  const latency = hist.summaryMs();
  hist.destroy();
  return { rate: (delivered * 1000) / elapsed, delivered, acked, errors, lost, cpu, latency };
}

async function drain(inflight: Int32Array, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let left = 0;
  do {
    left = inflight.reduce((s, v) => s + v, 0);
    if (left <= 0) return 0;
    await sleep(20);
  } while (Date.now() < until);
  return left;
}

export interface LatencyResult {
  rate: number;
  sent: number;
  delivered: number;
  lost: number;
  errors: Record<string, number>;
  /** Send → delivery at the peer. */
  delivery: LatencySummary;
  /** Send → message.ack (INFO CIG: the message is committed). */
  ack: LatencySummary;
  /** Scheduled send → delivery (adds the generator's timer lag). */
  fromSchedule: LatencySummary;
  cpu: { server: number; load: number };
}

export async function openLoop(sys: ChatSystem, o: { rate: number; warmupMs: number; measureMs: number }): Promise<LatencyResult> {
  const tag = nextTag();
  const tagDot = `${tag}.`;
  const S = sys.senders.length;
  const inflight = new Int32Array(S);
  const counter = new Int32Array(S);
  /** id → [sent at, scheduled at, measured?] */
  const pending = new Map<string, { t: number; s: number; m: boolean; acked: boolean; delivered: boolean }>();
  const delivery = new Histogram();
  const ack = new Histogram();
  const fromSchedule = new Histogram();
  const errors: Record<string, number> = {};
  let measuring = false;
  let sentMeasured = 0;
  let deliveredMeasured = 0;

  const sink: Sink = {
    message(conn, id) {
      const i = senderOf(id, tagDot);
      if (i < 0 || sys.senders[i]!.conn === conn) return;
      const p = pending.get(id);
      if (!p || p.delivered) return;
      p.delivered = true;
      inflight[i]!--;
      const now = performance.now();
      if (p.m) {
        deliveredMeasured++;
        delivery.record((now - p.t) * 1000);
        fromSchedule.record((now - p.s) * 1000);
      }
      if (p.acked) pending.delete(id);
    },
    ack(_conn, id) {
      const p = pending.get(id);
      if (!p || p.acked) return;
      p.acked = true;
      if (p.m) ack.record((performance.now() - p.t) * 1000);
      if (p.delivered) pending.delete(id);
    },
    error(_conn, code) {
      errors[code] = (errors[code] ?? 0) + 1;
    },
  };
  for (const c of sys.conns) c.sink = sink;
  const meter = new CpuMeter(sys.pids);
  const total = Math.round((o.rate * (o.warmupMs + o.measureMs)) / 1000);
  const warmCount = Math.round((o.rate * o.warmupMs) / 1000);
  const interval = 1000 / o.rate;
  let k = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - t0) / interval) + 1);
      while (k < due) {
        if (k === warmCount) {
          measuring = true;
          meter.begin();
        }
        const i = k % S;
        const id = `${tagDot}${i}.${counter[i]!++}`;
        const sentAt = performance.now();
        pending.set(id, { t: sentAt, s: t0 + k * interval, m: measuring, acked: false, delivered: false });
        inflight[i]!++;
        if (measuring) sentMeasured++;
        sys.senders[i]!.conn.sendMessage(sys.senders[i]!.conversationId, id, TEXT);
        k++;
      }
      if (k >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const cpu = meter.end();
  const lost = await drain(inflight, 10_000);
  for (const c of sys.conns) c.sink = null;
  const result: LatencyResult = {
    rate: o.rate,
    sent: sentMeasured,
    delivered: deliveredMeasured,
    lost,
    errors,
    delivery: delivery.summaryMs(),
    ack: ack.summaryMs(),
    fromSchedule: fromSchedule.summaryMs(),
    cpu,
  };
  delivery.destroy();
  ack.destroy();
  fromSchedule.destroy();
  return result;
}
