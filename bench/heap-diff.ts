/**
 * Where an idle signed-in connection's memory goes: one server (INFO CIG on
 * PostgreSQL + Redis, or with RAW=1 the raw ws relay), 100 warm-up connections,
 * a heap snapshot, N more (default 1,000), another snapshot; prints heap and RSS
 * per connection and the snapshot difference per connection by V8 type:name,
 * largest first. The snapshots stay in /tmp/infocig-heap-diff/ for DevTools.
 *
 *   npx tsx bench/heap-diff.ts            N=2000 npx tsx bench/heap-diff.ts     RAW=1 npx tsx bench/heap-diff.ts
 */
import { mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { ChatSocket } from './lib/chat-socket.ts';
import { redisPrefix, throwawayDatabase, deleteRedisKeys } from './lib/env.ts';
import { mapLimit, startInfoCig } from './lib/infocig.ts';
import { Inspector } from './lib/inspector.ts';
import { sleep, spawnNode } from './lib/proc.ts';

const N = Number(process.env.N ?? 1000);
const WARM = 100;
const raw = process.env.RAW === '1';
const DIR = '/tmp/infocig-heap-diff';
mkdirSync(DIR, { recursive: true });

/** Count and self size by `type:name` (strings lumped together: their names are their contents). */
function summarize(file: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const { nodes, strings } = snap;
  const nf = fields.length;
  const [ti, ni, si] = ['type', 'name', 'self_size'].map((k) => fields.indexOf(k)) as [number, number, number];
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < nodes.length; i += nf) {
    const type = types[nodes[i + ti]!]!;
    let name = strings[nodes[i + ni]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (name.length > 60) name = name.slice(0, 60);
    const key = `${type}:${name}`;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += nodes[i + si]!;
    out.set(key, e);
  }
  return out;
}

/** Forced GC, then the snapshot written by the server itself (no chunks over the inspector). */
async function snapshot(inspector: Inspector, file: string) {
  await inspector.settledMemory();
  await inspector.call('Runtime.evaluate', { expression: `process.getBuiltinModule('v8').writeHeapSnapshot(${JSON.stringify(file)})`, returnByValue: true });
  return inspector.settledMemory();
}

const sockets: ChatSocket[] = [];
let stop: () => Promise<void>;
let inspector: Inspector;
let open: (i: number) => Promise<ChatSocket>;
const db = raw ? null : await throwawayDatabase('hd');
const prefix = redisPrefix('hd' + Date.now(), 'hd');
if (raw) {
  const proc = spawnNode({ name: 'ws-relay-mem', script: 'bench/baselines/ws-relay.ts', nodeFlags: ['--inspect=127.0.0.1:0'] });
  const url = (await proc.waitFor(/ws-relay listening on (ws:\/\/\S+)/))[1]!;
  inspector = await Inspector.attach(proc);
  open = async (i) => (await ChatSocket.signIn(url, `u${i}`, { user: `u${i}`, conversations: [`conv-${i}`] }))[0];
  stop = () => proc.stop();
} else {
  const node = await startInfoCig({ name: 'infocig-hd', databaseUrl: db!.url, redisPrefix: prefix, inspect: true });
  inspector = await Inspector.attach(node.proc);
  const claims = Array.from({ length: WARM + N }, (_, i) => ({ role: 'worker', sub: `usr-hd-${i}`, province: 'MI', name: `Lavoratore ${i}` }));
  const tokens = await node.tokens(claims, 32);
  open = async (i) => (await ChatSocket.signIn(node.wsUrl, claims[i]!.sub, { token: tokens[i] }))[0];
  stop = () => node.stop();
}
try {
  await mapLimit(Array.from({ length: WARM }, (_, i) => i), 50, async (i) => sockets.push(await open(i)));
  await sleep(1000);
  const m0 = await snapshot(inspector, `${DIR}/a.heapsnapshot`);
  await mapLimit(Array.from({ length: N }, (_, i) => WARM + i), 100, async (i) => sockets.push(await open(i)));
  for (const s of sockets) {
    s.keep = false;
    s.frames.length = 0;
  }
  await sleep(2000);
  const m1 = await snapshot(inspector, `${DIR}/b.heapsnapshot`);
  const per = (d: number) => `${(d / N).toFixed(0)} B`;
  console.log(`per connection: heap ${per(m1.heapUsed - m0.heapUsed)}, RSS ${per(m1.rss - m0.rss)} (noisy), external ${per(m1.external + m1.arrayBuffers - m0.external - m0.arrayBuffers)}`);
  const a = summarize(`${DIR}/a.heapsnapshot`);
  const b = summarize(`${DIR}/b.heapsnapshot`);
  const rows = [...b].map(([k, v]) => {
    const o = a.get(k) ?? { count: 0, size: 0 };
    return { k, count: (v.count - o.count) / N, size: (v.size - o.size) / N };
  });
  rows.sort((x, y) => y.size - x.size);
  console.log(`snapshot difference per connection: ${rows.reduce((t, r) => t + r.size, 0).toFixed(0)} B`);
  for (const r of rows.slice(0, 45)) console.log(`${r.size.toFixed(1).padStart(8)} B  ${r.count.toFixed(2).padStart(6)}×  ${r.k}`);
} finally {
  inspector.close();
  for (const s of sockets) s.terminate();
  await stop();
  await db?.drop();
  await deleteRedisKeys(prefix).catch(() => {});
}
process.exit(0);
