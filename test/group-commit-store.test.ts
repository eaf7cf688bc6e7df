/**
 * Group commit of appends in the SQL chat store (server/chat-store-sql.ts) on
 * PGlite or, with DATABASE_URL, on PostgreSQL: every invariant of a
 * one-row-per-transaction append still holds when hundreds of appends share a
 * transaction — seqs gap-free and in submit order, pipelined batches in
 * order, duplicates and closed conversations answered per item, racing nodes
 * storing each key once. The last test prints an informal throughput and
 * latency comparison (the benchmark proper lives in bench/).
 */
import { randomUUID } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { NewMessage } from '../server/chat-store.ts';
import { createSqlChatStore, type SqlChatStore } from '../server/chat-store-sql.ts';
import { sqlRunnerOf, type SqlRunner, type Statement } from '../server/sql-runner.ts';
import { codeOf, kind, lastSeqOf, msg, openConversations, rowsOf, sleep, storeSuite, userOf } from './helpers/append-store.ts';

const test = storeSuite('group-committed SQL chat store');

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
    [1, userOf(c!), 'old'],
    [2, userOf(c!), 'a'],
    [3, userOf(c!), 'dup'],
    [4, 'adv-1', 'dup'],
    [5, userOf(c!), 'b'],
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
