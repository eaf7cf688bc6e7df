/**
 * Group commit of appends (server/group-commit.ts, server/chat-store-sql.ts):
 * the batcher on its own, then the SQL store on PGlite or, with DATABASE_URL, on
 * PostgreSQL — every invariant of a one-row-per-transaction append still holds
 * when hundreds of appends share a transaction. The last test prints an informal
 * throughput and latency comparison (the benchmark proper lives in bench/).
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { conversations, messages } from '../schema/tables.ts';
import type { NewMessage } from '../server/chat-store.ts';
import { createSqlChatStore, type SqlChatStore } from '../server/chat-store-sql.ts';
import type { Db } from '../server/db.ts';
import { AppError } from '../server/errors.ts';
import { GroupCommit, GroupCommitOverloaded, type Outcome } from '../server/group-commit.ts';
import { APPEND_BATCH } from '../server/chat-append-sql.ts';
import { sqlRunnerOf, type SqlRunner, type Statement } from '../server/sql-runner.ts';
import { newConversation } from './helpers/conversations.ts';
import { testDatabase, type TestDatabase } from './helpers/db.ts';

const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------------------------ */
/* The batcher alone                                                   */
/* ------------------------------------------------------------------ */

const unit = suite('GroupCommit (the batcher)');

/** A commit function that records its batches and waits for `release()` when gated. */
function recorder(gated = false) {
  const batches: number[][] = [];
  let open: () => void = () => {};
  let gate = gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  return {
    batches,
    release() {
      open();
      gate = Promise.resolve();
    },
    commit: async (items: number[]): Promise<Outcome<number>[]> => {
      batches.push(items);
      await gate;
      return items.map((n) => (n < 0 ? { ok: false, error: new Error(`refused ${n}`) } : { ok: true, value: n * 10 }));
    },
  };
}

unit('a lone item on an idle committer goes at once, even with a long maxWaitMs', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.commit, { maxRows: 100, maxWaitMs: 5_000 });
  const started = performance.now();
  assert.is(await gc.submit(1), 10);
  assert.ok(performance.now() - started < 100, 'no timer waited');
  await sleep(5);
  assert.is(await gc.submit(2), 20);
  assert.equal(r.batches, [[1], [2]]);
});

unit('items submitted in one turn share a batch; arrivals during a commit form the next one, in order', async () => {
  const r = recorder(true);
  const gc = new GroupCommit(r.commit, { maxRows: 100, maxWaitMs: 0 });
  const first = [1, 2, 3].map((n) => gc.submit(n));
  await sleep(5);
  const second = [4, 5].map((n) => gc.submit(n));
  await sleep(5);
  assert.equal(r.batches, [[1, 2, 3]], 'nothing else goes while a commit is in flight');
  r.release();
  assert.equal(await Promise.all([...first, ...second]), [10, 20, 30, 40, 50]);
  assert.equal(r.batches, [[1, 2, 3], [4, 5]]);
});

unit('a batch never exceeds maxRows; the rest follows in order', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.commit, { maxRows: 4, maxWaitMs: 0 });
  const all = await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i + 1)));
  assert.equal(all, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.equal(r.batches, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  assert.equal(gc.stats(), { batches: 3, items: 10, largestBatch: 4, queued: 0, inFlight: 0 });
});

unit('under load, maxWaitMs lets a batch fill; a full batch does not wait', async () => {
  const r = recorder(true);
  const gc = new GroupCommit(r.commit, { maxRows: 3, maxWaitMs: 40 });
  const p1 = gc.submit(1);
  await sleep(2);
  const p2 = gc.submit(2); // queued behind the commit in flight
  r.release();
  await p1;
  await sleep(10);
  assert.equal(r.batches, [[1]], 'the batch of one lingers for company');
  const p3 = gc.submit(3);
  await sleep(5);
  assert.equal(r.batches, [[1]]);
  const p4 = gc.submit(4);
  await Promise.all([p2, p3, p4]);
  assert.equal(r.batches, [[1], [2, 3, 4]], 'full at 3: gone without waiting the whole 40 ms');
});

unit('per-item refusals reject only their item; a failed commit rejects the whole batch', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.commit, { maxRows: 10, maxWaitMs: 0 });
  const results = await Promise.allSettled([1, -2, 3].map((n) => gc.submit(n)));
  assert.equal(results.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
  const boom = new Error('transaction failed');
  const failing = new GroupCommit<number, number>(async () => {
    throw boom;
  }, { maxRows: 10, maxWaitMs: 0 });
  const failed = await Promise.allSettled([1, 2, 3].map((n) => failing.submit(n)));
  assert.ok(failed.every((x) => x.status === 'rejected' && x.reason === boom));
});

unit('the queue is bounded: past maxQueued a submit is refused at once', async () => {
  const r = recorder(true);
  const gc = new GroupCommit(r.commit, { maxRows: 2, maxWaitMs: 0, maxQueued: 3 });
  const inFlight = gc.submit(1);
  await sleep(2);
  const queued = [2, 3, 4].map((n) => gc.submit(n));
  let refused: unknown;
  await gc.submit(5).catch((err) => (refused = err));
  assert.instance(refused, GroupCommitOverloaded);
  r.release();
  assert.equal(await Promise.all([inFlight, ...queued]), [10, 20, 30, 40]);
  await gc.idle();
});

unit('with several commits in flight a burst is split over the free slots; a lane waits for its batch, other lanes go past', async () => {
  // Items are [lane, n]; each batch waits for its own release.
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const gc = new GroupCommit<[string, number], string>(
    async (items) => {
      batches.push(items.map(([lane, n]) => `${lane}${n}`));
      await new Promise<void>((r) => gates.push(r));
      return items.map(([lane, n]) => ({ ok: true, value: `${lane}${n}` }));
    },
    { maxRows: 100, maxWaitMs: 0, maxInFlight: 3, laneOf: ([lane]) => lane },
  );
  const burst = (['a1', 'b1', 'c1', 'a2', 'd1', 'e1'] as const).map((x) => gc.submit([x.slice(0, 1), Number(x.slice(1))]));
  await sleep(5);
  assert.equal(batches, [['a1', 'a2'], ['b1', 'c1'], ['d1', 'e1']], 'three slots, split evenly by whole lanes');
  assert.is(gc.stats().inFlight, 3);
  gates.shift()!(); // a1, a2 committed
  await Promise.all([burst[0], burst[3]]);
  const later = [gc.submit(['a', 3]), gc.submit(['c', 2]), gc.submit(['f', 1])];
  await sleep(5);
  assert.equal(batches.at(-1), ['a3', 'f1'], 'c has a batch in flight: c2 waits, the others go past it');
  gates.shift()!(); // b1, c1 committed
  await sleep(5);
  assert.equal(batches.at(-1), ['c2'], 'its lane free again, c2 goes');
  while (gates.length) gates.shift()!();
  assert.equal(await Promise.all([...burst, ...later]), ['a1', 'b1', 'c1', 'a2', 'd1', 'e1', 'a3', 'c2', 'f1']);
  assert.throws(() => new GroupCommit(async () => [], { maxRows: 1, maxWaitMs: 0, maxInFlight: 2 }), RangeError, 'order needs lanes');
});

unit.run();

/* ------------------------------------------------------------------ */
/* The SQL store                                                       */
/* ------------------------------------------------------------------ */

const test = suite<{ database: TestDatabase }>(`group-committed SQL chat store (${kind})`);

test.before(async (ctx) => {
  ctx.database = await testDatabase();
});
test.after(async (ctx) => {
  await ctx.database?.cleanup();
});

function msg(conversationId: string, clientMsgId: string, senderId = 'user-1', text = `text ${clientMsgId}`): NewMessage {
  return { conversationId, senderId, senderRole: senderId.startsWith('adv') ? 'advisor' : 'worker', clientMsgId, text };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return err instanceof AppError ? err.code : `raw: ${(err as Error).message}`;
  }
}

async function rowsOf(db: Db, conversationId: string) {
  return db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.seq);
}

async function lastSeqOf(db: Db, conversationId: string): Promise<number> {
  const [row] = await db.select({ lastSeq: conversations.lastSeq }).from(conversations).where(eq(conversations.id, conversationId));
  return row!.lastSeq;
}

async function openConversations(store: SqlChatStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await store.createConversation(newConversation({ userName: null, advisorName: null, openedAt: new Date() }))).id);
  return ids;
}

test('500 concurrent appends over 20 conversations: seqs 1..n per conversation, no gap, in submit order', async ({ database }) => {
  const store = createSqlChatStore(database.db, { groupCommit: { maxRows: 64, maxWaitMs: 2 } });
  const ids = await openConversations(store, 20);
  const submitted: NewMessage[] = [];
  const pending: Promise<{ message: { seq: number }; duplicate: boolean }>[] = [];
  for (let i = 0; i < 500; i++) {
    const conversationId = ids[(i * 7) % 20]!;
    const sender = i % 3 === 0 ? 'adv-1' : 'user-1';
    const delay = i % 5 === 0 ? 0 : Math.floor(Math.random() * 15);
    pending.push(
      sleep(delay).then(() => {
        const input = msg(conversationId, `m${i}`, sender);
        submitted.push(input); // submit order, as the store sees it
        return store.appendMessage(input);
      }),
    );
  }
  const results = await Promise.all(pending);
  assert.ok(results.every((r) => !r.duplicate));
  for (const id of ids) {
    const rows = await rowsOf(database.db, id);
    assert.equal(rows.map((r) => r.seq), Array.from({ length: rows.length }, (_, i) => i + 1), 'gap-free from 1');
    assert.is(await lastSeqOf(database.db, id), rows.length);
    const order = submitted.filter((m) => m.conversationId === id).map((m) => m.clientMsgId);
    assert.equal(rows.map((r) => r.clientMsgId), order, 'seq order is submit order (so each sender’s order too)');
    const times = rows.map((r) => r.at.getTime());
    assert.equal(times, [...times].sort((a, b) => a - b), 'times never go back along seq');
  }
  const total = (await Promise.all(ids.map((id) => rowsOf(database.db, id)))).reduce((n, r) => n + r.length, 0);
  assert.is(total, 500);
  const stats = store.groupCommitStats()!;
  assert.is(stats.items, 500);
  assert.ok(stats.batches < 500 && stats.largestBatch > 1, `batched: ${JSON.stringify(stats)}`);
  assert.ok(stats.largestBatch <= 64);
});

test('with three batches in flight, each conversation’s pipelined messages get seqs in sending order, gap-free', async ({ database }) => {
  const real = sqlRunnerOf(database.db);
  let running = 0;
  let mostRunning = 0;
  const counting: SqlRunner = {
    kind: real.kind,
    async rows<T>(statement: Statement, values: unknown[]): Promise<T[]> {
      mostRunning = Math.max(mostRunning, ++running);
      try {
        return await real.rows<T>(statement, values);
      } finally {
        running--;
      }
    },
  };
  const store = createSqlChatStore(database.db, { runner: counting, groupCommit: { maxInFlight: 3 } });
  const ids = await openConversations(store, 5);
  const pending: Promise<unknown>[] = [];
  for (let wave = 0; wave < 8; wave++) {
    // Each wave: every conversation's socket sends 5 messages without waiting (a pipelined socket).
    for (let i = 0; i < 5; i++) for (const id of ids) pending.push(store.appendMessage(msg(id, `w${wave}-${i}`)));
    await sleep(1);
  }
  await Promise.all(pending);
  assert.ok(mostRunning > 1, `batches overlapped (${mostRunning} at most)`);
  for (const id of ids) {
    const rows = await rowsOf(database.db, id);
    assert.equal(rows.map((r) => r.seq), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal(rows.map((r) => r.clientMsgId), Array.from({ length: 40 }, (_, i) => `w${Math.floor(i / 5)}-${i % 5}`), 'sending order');
  }
});

test('duplicates inside one batch are stored once and all answered with the original seq', async ({ database }) => {
  const store = createSqlChatStore(database.db, { groupCommit: { maxInFlight: 1 } });
  const [c] = await openConversations(store, 1);
  const earlier = await store.appendMessage(msg(c!, 'old'));
  const before = store.groupCommitStats()!.batches;
  const results = await Promise.all([
    store.appendMessage(msg(c!, 'a')),
    store.appendMessage(msg(c!, 'dup', 'user-1', 'first text')),
    store.appendMessage(msg(c!, 'dup', 'user-1', 'retry text')),
    store.appendMessage(msg(c!, 'old')), // a retry of a message stored by an earlier batch
    store.appendMessage(msg(c!, 'dup', 'adv-1')), // same clientMsgId, another sender: another message
    store.appendMessage(msg(c!, 'dup', 'user-1')),
    store.appendMessage(msg(c!, 'b')),
  ]);
  assert.is(store.groupCommitStats()!.batches, before + 1, 'one batch');
  assert.equal(results.map((r) => [r.message.seq, r.duplicate]), [
    [2, false],
    [3, false],
    [3, true],
    [earlier.message.seq, true],
    [4, false],
    [3, true],
    [5, false],
  ]);
  assert.is(results[2]!.message.text, 'first text', 'the stored text, not the retry’s');
  const rows = await rowsOf(database.db, c!);
  assert.equal(rows.map((r) => [r.seq, r.senderId, r.clientMsgId]), [
    [1, 'user-1', 'old'],
    [2, 'user-1', 'a'],
    [3, 'user-1', 'dup'],
    [4, 'adv-1', 'dup'],
    [5, 'user-1', 'b'],
  ]);
  assert.is(await lastSeqOf(database.db, c!), 5);
});

test('a closed or unknown conversation in the middle of a batch is refused for its items only', async ({ database }) => {
  const store = createSqlChatStore(database.db, { groupCommit: { maxInFlight: 1 } });
  const [open1, closed, open2] = await openConversations(store, 3);
  const stored = await store.appendMessage(msg(closed!, 'before-close'));
  await store.closeConversation(closed!, { outcome: 'resolved', rating: null, closedBy: 'x', at: new Date() });
  const before = store.groupCommitStats()!.batches;
  const outcomes = await Promise.all([
    codeOf(store.appendMessage(msg(open1!, 'o1'))),
    codeOf(store.appendMessage(msg(closed!, 'late'))),
    codeOf(store.appendMessage(msg(open2!, 'o2'))),
    codeOf(store.appendMessage(msg(randomUUID(), 'ghost'))),
    codeOf(store.appendMessage(msg(closed!, 'late'))),
    store.appendMessage(msg(closed!, 'before-close')).then((r) => `dup ${r.message.seq} ${r.duplicate}`),
    codeOf(store.appendMessage(msg(open1!, 'o1-bis'))),
  ]);
  assert.is(store.groupCommitStats()!.batches, before + 1, 'one batch');
  assert.equal(outcomes, ['resolved', 'conversation_closed', 'resolved', 'not_found', 'conversation_closed', `dup ${stored.message.seq} true`, 'resolved']);
  assert.equal((await rowsOf(database.db, open1!)).map((r) => [r.seq, r.clientMsgId]), [[1, 'o1'], [2, 'o1-bis']]);
  assert.equal((await rowsOf(database.db, open2!)).map((r) => r.seq), [1]);
  assert.equal((await rowsOf(database.db, closed!)).map((r) => r.clientMsgId), ['before-close']);
  assert.is(await lastSeqOf(database.db, closed!), 1);
});

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
    await nodeB.query("INSERT INTO messages (conversation_id, seq, sender_id, sender_role, client_msg_id, text) VALUES ($1, 1, 'user-1', 'worker', 'k', 'via node B')", [c]);
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

test('batches racing on two nodes (and a one-row writer) store each clientMsgId once, with one seq for all answers', async ({ database }) => {
  const nodeA = createSqlChatStore(database.db, { groupCommit: { maxRows: 16, maxWaitMs: 1 } });
  const nodeB = createSqlChatStore(database.db, { groupCommit: { maxRows: 16, maxWaitMs: 1 } });
  const oneRow = createSqlChatStore(database.db, { groupCommit: false });
  const ids = await openConversations(nodeA, 4);
  const work: Promise<{ key: string; seq: number; duplicate: boolean }>[] = [];
  for (let i = 0; i < 60; i++) {
    const input = msg(ids[i % 4]!, `k${i}`, i % 2 ? 'adv-1' : 'user-1');
    for (const store of [nodeA, nodeB, ...(i % 3 === 0 ? [oneRow] : [])]) {
      work.push(
        sleep(Math.floor(Math.random() * 10))
          .then(() => store.appendMessage(input))
          .then((r) => ({ key: `${input.conversationId}/${input.clientMsgId}`, seq: r.message.seq, duplicate: r.duplicate })),
      );
    }
  }
  const results = await Promise.all(work);
  const byKey = new Map<string, typeof results>();
  for (const r of results) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  assert.is(byKey.size, 60);
  for (const [key, answers] of byKey) {
    assert.is(answers.filter((a) => !a.duplicate).length, 1, `${key}: stored once`);
    assert.is(new Set(answers.map((a) => a.seq)).size, 1, `${key}: one seq in every answer`);
  }
  for (const id of ids) {
    const rows = await rowsOf(database.db, id);
    assert.equal(rows.map((r) => r.seq), Array.from({ length: 15 }, (_, i) => i + 1));
  }
});

test('informal measurement: group commit vs one row per transaction (rows/s, commit latency)', async ({ database }) => {
  // Closed loop: each writer waits for its ack before the next append, as a socket does.
  const measure = async (label: string, store: SqlChatStore, writers: number, perWriter: number) => {
    const ids = await openConversations(store, writers / 2); // two participants per conversation
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const t0 = performance.now();
          await store.appendMessage(msg(ids[w % ids.length]!, `${label}-${writers}-${w}-${i}`, w < ids.length ? 'user-1' : 'adv-1'));
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    const stats = store.groupCommitStats();
    return {
      rowsPerSecond: Math.round((writers * perWriter) / seconds),
      line: `p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, mean batch ${stats ? (stats.items / stats.batches).toFixed(0) : '1'}`,
    };
  };
  await measure('warm-up', createSqlChatStore(database.db, { groupCommit: false }), 16, 5);
  for (const writers of [64, 256]) {
    const single = await measure('single', createSqlChatStore(database.db, { groupCommit: false }), writers, writers === 64 ? 20 : 8);
    const group = await measure('group', createSqlChatStore(database.db), writers, writers === 64 ? 40 : 16);
    console.log(`\n# measure (${kind}, ${writers} writers): single-row ${single.rowsPerSecond} rows/s, ${single.line}`);
    console.log(`# measure (${kind}, ${writers} writers): group      ${group.rowsPerSecond} rows/s, ${group.line}`);
    console.log(`# measure (${kind}, ${writers} writers): group commit / single-row = ${(group.rowsPerSecond / single.rowsPerSecond).toFixed(1)}x rows/s`);
    assert.ok(group.rowsPerSecond > 0 && single.rowsPerSecond > 0);
  }
});

test.run();
