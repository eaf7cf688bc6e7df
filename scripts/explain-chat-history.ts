/**
 * EXPLAIN ANALYZE of the "Chat precedenti" list (server/chat-history.ts) on
 * PostgreSQL, at a size where a wrong plan shows: 200,000 closed chats over 90
 * days, 50,000 people, 300 companies, one of them with ~6,000 chats. In a
 * throw-away database that it drops at the end.
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/test npx tsx scripts/explain-chat-history.ts [--without-index]
 * `--without-index` drops conversations_matricola_closed_idx first: the plan it saves.
 */
import { sql } from 'drizzle-orm';
import { previousChatsQuery } from '../server/chat-history.ts';
import { testDatabase } from '../test/helpers/db.ts';

if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL (PostgreSQL) is needed: the plan of interest is the server’s.');
  process.exit(64);
}
const database = await testDatabase();
const { db } = database;
try {
  // A company user (every 3rd chat) names one of 300 companies; company 0 is the big one (a third of them).
  await db.execute(sql`
    insert into conversations (id, user_id, user_role, province, audience, topic, entry, context, advisor_id, status, outcome, opened_at, closed_at, last_seq)
    select 'c' || i, 'u' || (i % 50000),
      case when i % 3 = 0 then 'intermediary' else 'worker' end, 'MI',
      case when i % 3 = 0 then 'intermediary' else 'worker' end, 'cigo', 'worker_area',
      case when i % 3 = 0 then jsonb_build_object('matricola', 'M' || case when i % 9 = 0 then 0 else i % 300 end) else '{}'::jsonb end,
      'adv' || (i % 200), 'closed', 'resolved',
      now() - (i % 90) * interval '1 day' - (i * 7 % 80000) * interval '1 second' - interval '1 hour',
      now() - (i % 90) * interval '1 day' - (i * 7 % 80000) * interval '1 second', 12
    from generate_series(1, 200000) i`);
  if (process.argv.includes('--without-index')) await db.execute(sql`drop index conversations_matricola_closed_idx`);
  await db.execute(sql`analyze conversations`);
  const since = new Date(Date.now() - 30 * 86_400_000);
  const cases = [
    { name: 'a worker', conv: { id: 'now', userId: 'u1', userRole: 'worker' as const }, matricola: null },
    { name: 'a consultant about the big company', conv: { id: 'now', userId: 'u3', userRole: 'intermediary' as const }, matricola: 'M0' },
    { name: 'a consultant about a small company', conv: { id: 'now', userId: 'u3', userRole: 'intermediary' as const }, matricola: 'M3' },
    { name: 'a consultant about a company with no chat yet', conv: { id: 'now', userId: 'u3', userRole: 'intermediary' as const }, matricola: 'M-new' },
  ];
  for (const c of cases) {
    const q = previousChatsQuery(db, c.conv, c.matricola, since).toSQL();
    const text = q.sql.replace(/\$(\d+)/g, (_, n) => literal(q.params[Number(n) - 1]));
    const plan = (await db.execute(sql.raw(`explain (analyze, buffers) ${text}`))) as unknown as { rows: { "QUERY PLAN": string }[] };
    console.log(`\n## ${c.name}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
} finally {
  await database.cleanup();
}

function literal(v: unknown): string {
  if (v instanceof Date) return `'${v.toISOString()}'::timestamptz`;
  if (typeof v === 'number') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}
