/**
 * A simulated afternoon of INFO CIG, so the dashboard and /metrics have something
 * to show. Starts nothing itself: it drives a running server (started with
 * SERVICE_HOURS=always and development sign-in on) over WebSockets, with tokens
 * from POST /dev/token.
 *
 *   SERVICE_HOURS=always npm start                       # in one terminal
 *   npx tsx scripts/simulate-afternoon.ts http://127.0.0.1:8080 --users 60 --advisors 4 --minutes 2
 *
 * Advisors sign in (some national, some regional, some for one province) and go
 * available. Users arrive over the run in several provinces (workers, employers,
 * intermediaries), ask for a chat and wait; assigned chats exchange a few
 * messages; then the advisor closes (most), escalates to a Linea INPS ticket
 * (some) or the user closes with a rating (the rest); most users asked to rate a
 * chat the advisor ended (`rateUntil`) do so. Some users give up while
 * waiting. A user refused a place (service closed, province switched to ticket
 * only, wait past closing) opens a Linea INPS request instead.
 *
 * At the end it prints a summary and, at one instant, the dashboard's live
 * numbers next to /metrics (read with METRICS_TOKEN as its bearer token when that is
 * set in this script's environment too, as the server wants; else from this machine). With --keep the sockets stay open (users still
 * waiting stay in their queues) until Ctrl-C.
 *
 * Options: --users N (60) --advisors M (4) --minutes X (2) --handle S (mean
 * seconds an advisor spends on a chat, 20) --seed K (1) --keep. The defaults
 * bring more users than the advisors can serve at once, so queues form.
 */
import WebSocket from 'ws';

interface Options {
  base: string;
  users: number;
  advisors: number;
  minutes: number;
  handleSeconds: number;
  seed: number;
  keep: boolean;
}

type Frame = Record<string, unknown> & { type: string };

function parseArgs(argv: string[]): Options {
  const args = argv.slice(2);
  const base = args.find((a) => /^https?:\/\//.test(a));
  if (!base) {
    console.error('usage: npx tsx scripts/simulate-afternoon.ts <server URL> [--users N] [--advisors M] [--minutes X] [--handle S] [--seed K] [--keep]');
    process.exit(2);
  }
  const num = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(args[i + 1]);
    if (!Number.isFinite(v) || v <= 0) {
      console.error(`--${name} needs a positive number`);
      process.exit(2);
    }
    return v;
  };
  return {
    base: base.replace(/\/+$/, ''),
    users: Math.round(num('users', 60)),
    advisors: Math.round(num('advisors', 4)),
    minutes: num('minutes', 2),
    handleSeconds: num('handle', 20),
    seed: Math.round(num('seed', 1)),
    keep: args.includes('--keep'),
  };
}

/** mulberry32: a small seeded generator, so a run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const stats = {
  requested: 0,
  joined: 0,
  assigned: 0,
  messages: 0,
  acks: 0,
  closedByAdvisor: 0,
  closedByUser: 0,
  escalated: 0,
  cancelled: 0,
  timedOut: 0,
  refused: new Map<string, number>(),
  ticketsInstead: 0,
  errors: new Map<string, number>(),
};
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** One signed-in socket: hello/welcome, requests with ids, and a handler per frame. */
class SimSocket {
  private seq = 0;
  private readonly calls = new Map<string, (f: Frame) => void>();
  onFrame: (f: Frame) => void = () => {};
  private constructor(private readonly ws: WebSocket) {}

  static open(wsUrl: string, token: string): Promise<SimSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      const s = new SimSocket(ws);
      const timer = setTimeout(() => reject(new Error('no welcome within 10 s')), 10_000);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token })));
      ws.on('error', (err) => reject(err));
      ws.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`closed ${code}`));
      });
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as Frame;
        if (f.type === 'welcome') {
          clearTimeout(timer);
          resolve(s);
          return;
        }
        if (typeof f.re === 'string' && s.calls.has(f.re)) {
          s.calls.get(f.re)!(f);
          s.calls.delete(f.re);
        }
        s.onFrame(f);
      });
    });
  }

  request(frame: Record<string, unknown>): Promise<Frame> {
    const id = `r${++this.seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        resolve({ type: 'error', code: 'timeout' });
      }, 15_000);
      this.calls.set(id, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ ...frame, id }));
      else resolve({ type: 'error', code: 'disconnected' });
    });
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }
}

const PROVINCES: [string, number][] = [
  ['MI', 8], ['RM', 8], ['NA', 6], ['TO', 5], ['GE', 3], ['BO', 3], ['FI', 3], ['BA', 3], ['PA', 3], ['VE', 2], ['BS', 2], ['CT', 2], ['VR', 1], ['PD', 1],
];
const TOPICS = ['cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'payment', 'payment', 'other'];
const FIRST = ['Mario', 'Giulia', 'Luca', 'Francesca', 'Marco', 'Chiara', 'Andrea', 'Sara', 'Paolo', 'Elena', 'Davide', 'Anna'];
const LAST = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo'];
const ADVISOR_SKILLS: string[][] = [[], ['region:Lombardia'], ['province:RM', 'province:NA'], [], ['region:Piemonte', 'region:Liguria'], ['employer', 'intermediary'], ['region:Sicilia', 'region:Puglia'], []];
const QUESTIONS = [
  'Buongiorno, quando arriva il pagamento della cassa integrazione di questo mese?',
  'La mia azienda ha presentato la domanda di CIGO: come verifico lo stato?',
  'Ho ricevuto un importo diverso da quello atteso, potete controllare?',
  'Sono un consulente del lavoro: la domanda FIS risulta ancora in istruttoria.',
];
const ANSWERS = [
  'Buongiorno, verifico subito la sua posizione.',
  'La domanda risulta autorizzata; il pagamento è in lavorazione.',
  'Le indico i passaggi per consultare lo stato nel Cassetto previdenziale.',
];

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  const random = rng(o.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const weighted = (list: [string, number][]) => {
    let r = random() * list.reduce((n, [, w]) => n + w, 0);
    for (const [v, w] of list) if ((r -= w) < 0) return v;
    return list[0]![0];
  };
  const wsUrl = `${o.base.replace(/^http/, 'ws')}/ws`;
  const runMs = o.minutes * 60_000;
  const started = Date.now();
  const run = `${started.toString(36)}`;

  async function token(claims: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${o.base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
    if (res.status === 404) throw new Error('development sign-in is off on this server (AUTH_DEV=1)');
    const body = (await res.json()) as { token?: string; error?: { message: string } };
    if (!res.ok || !body.token) throw new Error(`POST /dev/token: ${res.status} ${body.error?.message ?? ''}`);
    return body.token;
  }

  const health = await fetch(`${o.base}/health`).catch(() => null);
  if (!health?.ok) throw new Error(`no INFO CIG server answers at ${o.base}`);
  console.log(`Simulating an afternoon at ${o.base}: ${o.users} users, ${o.advisors} advisors, ${o.minutes} min (seed ${o.seed})`);

  const sockets: SimSocket[] = [];
  const pending: Promise<unknown>[] = [];
  const handle = () => (o.handleSeconds * (0.5 + random())) * 1000;

  // Advisors: they answer each assigned chat, then close it, escalate it, or wait for the user to close.
  for (let i = 0; i < o.advisors; i++) {
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const skills = ADVISOR_SKILLS[i % ADVISOR_SKILLS.length]!;
    const s = await SimSocket.open(wsUrl, await token({ role: 'advisor', sub: `sim-adv-${run}-${i + 1}`, name, ...(skills.length ? { skills } : {}), ttlSeconds: 86_400 }));
    sockets.push(s);
    s.onFrame = (f) => {
      if (f.type !== 'conversation.assigned') return;
      const conversationId = f.conversationId as string;
      pending.push(
        (async () => {
          await sleep(500 + random() * 1500);
          const sent = await s.request({ type: 'message.send', conversationId, clientMsgId: `a-${conversationId}-1`, text: pick(ANSWERS) });
          stats.messages++;
          if (sent.type === 'message.ack') stats.acks++;
          await sleep(handle());
          const roll = random();
          if (roll < 0.55) {
            const outcome = pick(['resolved', 'info_given']);
            const r = await s.request({ type: 'conversation.close', conversationId, outcome });
            if (r.type === 'ok' && r.outcome === outcome) stats.closedByAdvisor++;
          } else if (roll < 0.78) {
            const r = await s.request({ type: 'conversation.escalate', conversationId, summary: 'Verifica della domanda e dei pagamenti da parte della sede.' });
            if (r.type === 'ok') stats.escalated++;
            else if (r.code !== 'conversation_closed') bump(stats.errors, `escalate:${String(r.code)}`);
          }
          // otherwise the user closes it
        })(),
      );
    };
    const r = await s.request({ type: 'advisor.status', status: 'available' });
    if (r.type !== 'ok') bump(stats.errors, `advisor.status:${String(r.code)}`);
  }

  // Users arrive over the run.
  const arrivals = Array.from({ length: o.users }, () => random() * runMs * 0.8).sort((a, b) => a - b);
  const users = arrivals.map((at, i) =>
    (async () => {
      await sleep(at);
      const r = random();
      const role = r < 0.7 ? 'worker' : r < 0.9 ? 'employer' : 'intermediary';
      const province = weighted(PROVINCES);
      const name = `${pick(FIRST)} ${pick(LAST)}`;
      const matricola = String(1_000_000_000 + Math.floor(random() * 8_999_999_999));
      const claims = { role, sub: `sim-user-${run}-${i + 1}`, name, province, ttlSeconds: 86_400, ...(role === 'employer' ? { matricola } : role === 'intermediary' ? { matricole: [matricola] } : {}) };
      const userToken = await token(claims);
      const s = await SimSocket.open(wsUrl, userToken);
      sockets.push(s);
      const givesUpAfter = random() < 0.12 ? 3000 + random() * 20_000 : Infinity;
      let assigned = false;
      s.onFrame = (f) => {
        if (f.type === 'queue.left' && f.reason !== 'cancelled') stats.timedOut++;
        // Asked after an advisor's close or an escalation: most answer, as the closed view asks them to.
        if (f.type === 'conversation.closed' && typeof f.rateUntil === 'string' && random() < 0.6) {
          const rating = { type: 'conversation.rate', conversationId: f.conversationId, rating: 1 + Math.floor(random() * 5) };
          pending.push(s.request(rating).then((r) => r.type === 'ok' || bump(stats.errors, `rate:${String(r.code)}`)));
        }
        if (f.type !== 'conversation.assigned') return;
        assigned = true;
        stats.assigned++;
        const conversationId = f.conversationId as string;
        pending.push(
          (async () => {
            const sent = await s.request({ type: 'message.send', conversationId, clientMsgId: `u-${conversationId}-1`, text: pick(QUESTIONS) });
            stats.messages++;
            if (sent.type === 'message.ack') stats.acks++;
            await sleep(handle() * 2.5);
            const closed = await s.request({ type: 'conversation.close', conversationId, rating: 1 + Math.floor(random() * 5) });
            if (closed.type === 'ok' && closed.outcome === 'closed_by_user') stats.closedByUser++;
          })(),
        );
      };
      stats.requested++;
      const reply = await s.request({ type: 'chat.request', topic: pick(TOPICS), entry: pick(['omnia', 'cassetto', 'worker_area']), ...(role === 'worker' ? {} : { context: { matricola } }) });
      if (reply.type === 'error') {
        bump(stats.refused, String(reply.code));
        if (reply.offerTicket || reply.code === 'ticket_only') {
          const res = await fetch(`${o.base}/api/v1/tickets`, {
            method: 'POST',
            headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ subject: 'Richiesta di informazioni sul pagamento', category: 'payment', body: 'Chiedo di essere ricontattato sullo stato del pagamento.', ...(role === 'worker' ? {} : { matricola }) }),
          });
          if (res.status === 201) stats.ticketsInstead++;
        }
        return;
      }
      stats.joined++;
      if (givesUpAfter !== Infinity) {
        await sleep(givesUpAfter);
        if (!assigned) {
          const c = await s.request({ type: 'chat.cancel' });
          if (c.type === 'ok') stats.cancelled++;
        }
      }
    })().catch((err: Error) => bump(stats.errors, err.message.slice(0, 60))),
  );

  const progress = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.log(`  ${String(s).padStart(4)} s: ${stats.requested} asked, ${stats.assigned} assigned, ${stats.closedByAdvisor + stats.closedByUser + stats.escalated} closed, ${stats.messages} messages`);
  }, 15_000);
  await Promise.all(users);
  await sleep(Math.max(0, runMs - (Date.now() - started)));
  clearInterval(progress);
  await Promise.race([Promise.allSettled(pending), sleep(5_000)]);

  const line = (label: string, value: unknown) => console.log(`  ${label.padEnd(34)} ${String(value)}`);
  console.log(`\nSummary after ${Math.round((Date.now() - started) / 1000)} s`);
  line('chat requests', stats.requested);
  line('joined a queue', stats.joined);
  line('assigned to an advisor', stats.assigned);
  line('messages sent (acknowledged)', `${stats.messages} (${stats.acks})`);
  line('closed by the advisor', stats.closedByAdvisor);
  line('closed by the user', stats.closedByUser);
  line('escalated to Linea INPS tickets', stats.escalated);
  line('gave up while waiting', stats.cancelled);
  line('offered a ticket after waiting', stats.timedOut);
  line('refused a place', [...stats.refused].map(([k, v]) => `${k} ${v}`).join(', ') || 0);
  line('opened a ticket instead', stats.ticketsInstead);
  if (stats.errors.size) line('errors', [...stats.errors].map(([k, v]) => `${k} ×${v}`).join('; '));
  await compare(o.base, await token({ role: 'supervisor', sub: `sim-supervisor-${run}`, name: 'Simulazione' }));

  if (o.keep) {
    console.log('\n--keep: sockets stay open (users still waiting keep their place). Ctrl-C to end.');
    process.on('SIGINT', () => {
      for (const s of sockets) s.close();
      process.exit(0);
    });
    return;
  }
  for (const s of sockets) s.close();
  await sleep(200);
  process.exit(0);
}

/** The dashboard's live numbers next to /metrics, read at the same moment. */
async function compare(base: string, supervisorToken: string): Promise<void> {
  const [metricsText, liveRes] = await Promise.all([
    fetch(`${base}/metrics`, { headers: process.env.METRICS_TOKEN ? { authorization: `Bearer ${process.env.METRICS_TOKEN}` } : {} }).then(async (r) => {
      if (r.ok) return r.text();
      console.log(`\n/metrics answered ${r.status}: give this script the server's METRICS_TOKEN, or run it on the server's machine`);
      return '';
    }),
    fetch(`${base}/api/v1/dashboard/live`, { headers: { authorization: `Bearer ${supervisorToken}` } }),
  ]);
  const m = new Map<string, number>();
  for (const l of metricsText.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const at = l.lastIndexOf(' ');
    m.set(l.slice(0, at), Number(l.slice(at + 1)));
  }
  const sum = (prefix: string) => [...m].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
  if (liveRes.status !== 200) {
    console.log(`\nThe dashboard API answered ${liveRes.status}: is it wired into this server? (docs/dashboard.md)`);
    return;
  }
  const live = (await liveRes.json()) as {
    totals: { waiting: number; conversationsActive: number; advisors: Record<string, number>; occupancy: number; tickets: { open: number; inProgress: number; overdue: number } };
  };
  const rows: [string, number, number][] = [
    ['users waiting', live.totals.waiting, sum('infocig_queue_length{')],
    ['conversations active', live.totals.conversationsActive, m.get('infocig_conversations_active') ?? 0],
    ['advisors available', live.totals.advisors.available ?? 0, m.get('infocig_advisors{status="available"}') ?? 0],
    ['advisors away', live.totals.advisors.away ?? 0, m.get('infocig_advisors{status="away"}') ?? 0],
    ['advisors offline', live.totals.advisors.offline ?? 0, m.get('infocig_advisors{status="offline"}') ?? 0],
    ['occupancy', live.totals.occupancy, Math.round((m.get('infocig_advisor_occupancy_ratio') ?? 0) * 1000) / 1000],
    ['tickets open', live.totals.tickets.open, sum('infocig_tickets{') - [...m].filter(([k]) => /^infocig_tickets\{.*status="(in_progress|closed)"/.test(k)).reduce((n, [, v]) => n + v, 0)],
    ['tickets in progress', live.totals.tickets.inProgress, [...m].filter(([k]) => /^infocig_tickets\{.*status="in_progress"/.test(k)).reduce((n, [, v]) => n + v, 0)],
    ['tickets overdue', live.totals.tickets.overdue, sum('infocig_tickets_overdue{')],
  ];
  console.log('\nDashboard and /metrics, read at the same moment');
  console.log(`  ${'figure'.padEnd(24)} ${'dashboard'.padStart(10)} ${'/metrics'.padStart(10)}`);
  let same = 0;
  for (const [label, d, p] of rows) {
    const ok = Math.abs(d - p) < 0.0015;
    if (ok) same++;
    console.log(`  ${label.padEnd(24)} ${String(d).padStart(10)} ${String(p).padStart(10)}  ${ok ? 'same' : 'DIFFERENT (something changed between the two reads?)'}`);
  }
  console.log(`  ${same} of ${rows.length} the same.`);
}

main().catch((err: Error) => {
  console.error(`simulate-afternoon: ${err.message}`);
  process.exit(1);
});
