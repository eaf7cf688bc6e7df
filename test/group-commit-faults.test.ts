/**
 * Group commit of appends in the SQL chat store when something fails, on
 * PGlite or, with DATABASE_URL, on PostgreSQL: a batch whose statement or
 * answer is lost on the connection (nothing acknowledged, the retry stores
 * once), a message the database rejects (its batch survives), and a key
 * another node commits after the batch's snapshot or while it waits for the
 * conversation lock (rolled back and written one by one: no gap, no second row).
 */
import type pg from 'pg';
import * as assert from 'uvu/assert';
import { createSqlChatStore } from '../server/chat-store-sql.ts';
import { APPEND_BATCH } from '../server/chat-append-sql.ts';
import type { Db } from '../server/db.ts';
import { sqlRunnerOf, type SqlRunner, type Statement } from '../server/sql-runner.ts';
import { codeOf, kind, lastSeqOf, msg, openConversations, rowsOf, sleep, storeSuite, userOf } from './helpers/append-store.ts';

const test = storeSuite('group-committed SQL chat store, faults');

const lostConnection = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });

/** The real driver, except that the append statement fails like a lost connection while `fail()` says so: before it reached the server, or after it committed. */
function failingAppends(db: Db, fail: () => 'before' | 'after' | false): SqlRunner {
  const real = sqlRunnerOf(db);
  return {
    kind: real.kind,
    async rows<T>(statement: Statement, values: unknown[]): Promise<T[]> {
      const when = statement.name === APPEND_BATCH.name ? fail() : false;
      if (when === 'before') throw lostConnection();
      const rows = await real.rows<T>(statement, values);
      if (when === 'after') throw lostConnection();
      return rows;
    },
  };
}

test('a batch whose statement is lost on the way fails every item with store_unavailable and stores nothing; the retry stores once', async ({ database }) => {
  let failing: 'before' | false = false;
  const store = createSqlChatStore(database.db, { runner: failingAppends(database.db, () => failing), groupCommit: { maxInFlight: 1 } });
  const [c1, c2] = await openConversations(store, 2);
  await store.appendMessage(msg(c1!, 'ok-before'));
  failing = 'before';
  const batch = [msg(c1!, 'x1'), msg(c2!, 'x2'), msg(c1!, 'x3', 'adv-1'), msg(c1!, 'ok-before')];
  const outcomes = await Promise.all(batch.map((m) => codeOf(store.appendMessage(m))));
  assert.equal(outcomes, ['store_unavailable', 'store_unavailable', 'store_unavailable', 'store_unavailable']);
  assert.equal((await rowsOf(database.db, c1!)).map((r) => r.clientMsgId), ['ok-before'], 'nothing written');
  assert.equal(await rowsOf(database.db, c2!), []);
  assert.is(await lastSeqOf(database.db, c1!), 1, 'no seq taken');
  failing = false;
  const retried = await Promise.all(batch.map((m) => store.appendMessage(m)));
  assert.equal(retried.map((r) => [r.message.seq, r.duplicate]), [[2, false], [1, false], [3, false], [1, true]]);
  const again = await Promise.all(batch.map((m) => store.appendMessage(m)));
  assert.ok(again.every((r, i) => r.duplicate && r.message.seq === retried[i]!.message.seq));
  assert.equal((await rowsOf(database.db, c1!)).map((r) => r.seq), [1, 2, 3]);
});

test('a batch committed but whose answer is lost is not acknowledged; the retry answers duplicates with the committed seqs', async ({ database }) => {
  let failing: 'after' | false = false;
  const store = createSqlChatStore(database.db, { runner: failingAppends(database.db, () => failing), groupCommit: { maxInFlight: 1 } });
  const [c1, c2] = await openConversations(store, 2);
  failing = 'after';
  const batch = [msg(c1!, 'y1'), msg(c2!, 'y2'), msg(c1!, 'y3')];
  const outcomes = await Promise.all(batch.map((m) => codeOf(store.appendMessage(m))));
  assert.equal(outcomes, ['store_unavailable', 'store_unavailable', 'store_unavailable'], 'no ack without an answer');
  failing = false;
  const retried = await Promise.all(batch.map((m) => store.appendMessage(m)));
  assert.equal(retried.map((r) => [r.message.seq, r.duplicate]), [[1, true], [1, true], [2, true]]);
  assert.equal((await rowsOf(database.db, c1!)).map((r) => [r.seq, r.clientMsgId]), [[1, 'y1'], [2, 'y3']]);
  assert.is(await lastSeqOf(database.db, c1!), 2);
});

test('a message the database rejects does not take its batch down: the others are stored', async ({ database }) => {
  const store = createSqlChatStore(database.db, { groupCommit: { maxInFlight: 1 } });
  const [c] = await openConversations(store, 1);
  const outcomes = await Promise.all([
    codeOf(store.appendMessage(msg(c!, 'fine-1'))),
    codeOf(store.appendMessage(msg(c!, 'poison', 'user-1', 'a NUL \u0000 byte PostgreSQL refuses in text'))),
    codeOf(store.appendMessage(msg(c!, 'fine-2'))),
  ]);
  assert.is(outcomes[0], 'resolved');
  assert.ok(outcomes[1]!.startsWith('raw:'), `the poison item fails on its own: ${outcomes[1]}`);
  assert.is(outcomes[2], 'resolved');
  assert.equal((await rowsOf(database.db, c!)).map((r) => [r.seq, r.clientMsgId]), [[1, 'fine-1'], [2, 'fine-2']]);
});

/**
 * The real driver, except that the append statement's look-up of stored keys finds
 * nothing: what a statement sees when another node committed the same key after
 * its snapshot was taken (the INSERT then meets the key in the unique index).
 */
async function blindDuplicateCheck(db: Db): Promise<SqlRunner> {
  const real = sqlRunnerOf(db);
  const [fn] = await real.rows<{ def: string }>({ name: 'def', text: "SELECT pg_get_functiondef('chat_append_batch'::regproc) AS def" }, []);
  const seeing = 'FROM messages m\n      WHERE m.conversation_id = i.conversation_id';
  assert.ok(fn!.def.includes(seeing), 'the look-up this test blinds is still in the function');
  const blindDef = fn!.def
    .replace('public.chat_append_batch(', 'public.chat_append_batch_blind(')
    .replace(seeing, 'FROM messages m\n      WHERE false AND m.conversation_id = i.conversation_id');
  await real.rows({ name: 'blind', text: blindDef }, []);
  assert.ok(APPEND_BATCH.text.includes('chat_append_batch('), 'the append statement calls the function');
  const blind: Statement = { name: `${APPEND_BATCH.name}_blind`, text: APPEND_BATCH.text.replace('chat_append_batch(', 'chat_append_batch_blind(') };
  return { kind: real.kind, rows: (statement, values) => real.rows(statement.name === APPEND_BATCH.name ? blind : statement, values) };
}

test('a batch that meets a key committed after its snapshot rolls back and writes one by one: no gap, no second row', async ({ database }) => {
  const store = createSqlChatStore(database.db, { runner: await blindDuplicateCheck(database.db), groupCommit: { maxInFlight: 1 } });
  const [c] = await openConversations(store, 1);
  await store.appendMessage(msg(c!, 'first'));
  const results = await Promise.all([store.appendMessage(msg(c!, 'second')), store.appendMessage(msg(c!, 'first')), store.appendMessage(msg(c!, 'third'))]);
  assert.equal(results.map((r) => [r.message.clientMsgId, r.message.seq, r.duplicate]), [['second', 2, false], ['first', 1, true], ['third', 3, false]]);
  assert.equal((await rowsOf(database.db, c!)).map((r) => [r.seq, r.clientMsgId]), [[1, 'first'], [2, 'second'], [3, 'third']]);
  assert.is(await lastSeqOf(database.db, c!), 3);
});

test('a key another node commits while the batch waits for the conversation lock is answered as its message: no gap, no second row', async ({ database }) => {
  if (kind !== 'postgres') return; // PGlite is one connection: no other writer can hold a lock meanwhile
  const store = createSqlChatStore(database.db, { groupCommit: { maxInFlight: 1 } });
  const [c] = await openConversations(store, 1);
  const pool = (database.db as unknown as { $client: pg.Pool }).$client;
  const nodeB = await pool.connect();
  try {
    await nodeB.query('BEGIN');
    await nodeB.query('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1', [c]);
    await nodeB.query("INSERT INTO messages (conversation_id, seq, sender_id, sender_role, client_msg_id, text) VALUES ($1, 1, $2, 'worker', 'k', 'via node B')", [c, userOf(c!)]);
    const results = Promise.all(['before', 'k', 'after'].map((id) => store.appendMessage(msg(c!, id))));
    // Our statement has its snapshot (without node B's row) once it waits for the row lock.
    for (let waited = 0; ; waited += 10) {
      const [row] = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rows;
      if (row!.n > 0) break;
      if (waited > 5_000) assert.unreachable('the batch never waited for the lock');
      await sleep(10);
    }
    await nodeB.query('COMMIT');
    assert.equal((await results).map((r) => [r.message.clientMsgId, r.message.seq, r.duplicate, r.message.text]), [
      ['before', 2, false, 'text before'],
      ['k', 1, true, 'via node B'],
      ['after', 3, false, 'text after'],
    ]);
  } finally {
    await nodeB.query('ROLLBACK').catch(() => {});
    nodeB.release();
  }
  assert.equal((await rowsOf(database.db, c!)).map((r) => [r.seq, r.clientMsgId]), [[1, 'k'], [2, 'before'], [3, 'after']]);
  assert.is(await lastSeqOf(database.db, c!), 3);
});

test.run();
