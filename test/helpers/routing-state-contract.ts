/**
 * The behaviour every RoutingState must show (routing/routing-state.ts), as one uvu
 * suite run against each implementation. Each test gets a fresh, empty state from
 * `make()` and disposes of it at the end.
 *
 * Also here, shared by the routing-state test files: a synchronous Redis probe (so a
 * file can decide which suites to register without top-level await) and SCAN+DEL
 * of a key prefix.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AdvisorProfile, AdvisorSkills, QueueEntry, RoutingState } from '../../routing/routing-state.ts';

export type DisposableState = RoutingState & { dispose?(): Promise<void> };

export function sampleEntry(userId: string, o: Partial<QueueEntry> = {}): QueueEntry {
  return {
    userId,
    role: 'worker',
    name: `Name of ${userId}`,
    province: 'MI',
    audience: 'worker',
    topic: 'cigo',
    lang: 'it',
    entry: 'worker_area',
    context: {},
    priority: 0,
    since: 1_000,
    ...o,
  };
}

const national: AdvisorSkills = { audiences: [], topics: [], languages: [], provinces: [], regions: [] };

export function sampleProfile(id: string, capacity = 2, skills: Partial<AdvisorSkills> = {}): AdvisorProfile {
  return { id, name: `Advisor ${id}`, capacity, skills: { ...national, ...skills } };
}

const T0 = 1_700_000_000_000;

/** A test of `suite` that runs `body` against a fresh state, disposing of it even when the body fails. */
export function stateTest(test: ReturnType<typeof suite>, make: () => Promise<DisposableState>) {
  return (title: string, body: (s: RoutingState) => Promise<void>) =>
    test(title, async () => {
      const state = await make();
      try {
        await body(state);
      } finally {
        await state.dispose?.();
        await state.close();
      }
    });
}

export function routingStateContract(name: string, make: () => Promise<DisposableState>): void {
  const test = suite(name);
  const it = stateTest(test, make);

  const userIds = async (s: RoutingState, key = 'MI:worker') => ((await s.snapshot()).queues.get(key) ?? []).map((e) => e.userId);
  const advisor = async (s: RoutingState, id: string) => (await s.snapshot()).advisors.find((a) => a.id === id);

  it('enqueue returns the stored entry with a strictly increasing order', async (s) => {
    const a = await s.enqueue(sampleEntry('u1', { context: { matricola: '1234567890' }, name: null }));
    const b = await s.enqueue(sampleEntry('u2'));
    assert.ok(a.ok && b.ok);
    if (!a.ok || !b.ok) return;
    assert.is(a.entry.userId, 'u1');
    assert.equal(a.entry.context, { matricola: '1234567890' });
    assert.is(a.entry.name, null);
    assert.type(a.entry.order, 'number');
    assert.ok(b.entry.order! > a.entry.order!);
    assert.equal(await s.waitingEntry('u1'), a.entry);
  });

  it('enqueue refuses a second entry for a waiting user with already_waiting and the first entry', async (s) => {
    const first = await s.enqueue(sampleEntry('u1', { topic: 'cigo' }));
    const again = await s.enqueue(sampleEntry('u1', { topic: 'fis', province: 'RM' }));
    assert.ok(first.ok);
    assert.equal(again, { ok: false, reason: 'already_waiting', entry: first.ok ? first.entry : null });
    assert.equal(await userIds(s), ['u1']);
    assert.is((await s.snapshot()).queues.has('RM:worker'), false);
  });

  it('enqueue refuses a user in a conversation with in_conversation and the conversation id', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'ok');
    assert.equal(await s.enqueue(sampleEntry('u1')), { ok: false, reason: 'in_conversation', conversationId: 'c1' });
    assert.is(await s.waitingEntry('u1'), null);
  });

  it('a queue is FIFO within a priority and serves higher priorities first', async (s) => {
    for (const [id, priority] of [['p0a', 0], ['p1a', 1], ['p0b', 0], ['p2', 2], ['p1b', 1], ['p0c', 0]] as const) {
      assert.ok((await s.enqueue(sampleEntry(id, { priority }))).ok);
    }
    assert.equal(await userIds(s), ['p2', 'p1a', 'p1b', 'p0a', 'p0b', 'p0c']);
  });

  it('each province and audience has its own queue', async (s) => {
    await s.enqueue(sampleEntry('w-mi'));
    await s.enqueue(sampleEntry('e-mi', { role: 'employer', audience: 'employer' }));
    await s.enqueue(sampleEntry('w-rm', { province: 'RM' }));
    await s.enqueue(sampleEntry('w-mi-2'));
    const snap = await s.snapshot();
    assert.equal([...snap.queues.keys()].sort(), ['MI:employer', 'MI:worker', 'RM:worker']);
    assert.equal(await userIds(s), ['w-mi', 'w-mi-2']);
    assert.equal(await userIds(s, 'RM:worker'), ['w-rm']);
  });

  it('cancel removes a waiting user and returns their entry; a second cancel returns null', async (s) => {
    await s.enqueue(sampleEntry('u1'));
    await s.enqueue(sampleEntry('u2'));
    const cancelled = await s.cancel('u1');
    assert.is(cancelled?.userId, 'u1');
    assert.is(await s.cancel('u1'), null);
    assert.is(await s.cancel('nobody'), null);
    assert.is(await s.waitingEntry('u1'), null);
    assert.equal(await userIds(s), ['u2']);
    assert.ok((await s.enqueue(sampleEntry('u1'))).ok, 'a cancelled user may ask again');
    assert.equal(await userIds(s), ['u2', 'u1']);
  });

  it('the last cancel of a queue removes the queue from the snapshot', async (s) => {
    await s.enqueue(sampleEntry('u1', { province: 'TO' }));
    await s.cancel('u1');
    assert.is((await s.snapshot()).queues.size, 0);
  });

  it('claim moves a waiting user into a conversation with the advisor in one step', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    await s.enqueue(sampleEntry('u2'));
    assert.is(await s.claim('u1', 'a1', 'c1', T0 + 5), 'ok');
    assert.is(await s.waitingEntry('u1'), null);
    assert.is(await s.conversationOf('u1'), 'c1');
    assert.is(await s.conversationOf('u2'), null);
    assert.equal(await userIds(s), ['u2']);
    const a1 = await advisor(s, 'a1');
    assert.equal(a1?.conversations, ['c1']);
    assert.is(a1?.idleSince, T0 + 5);
  });

  it('claim refuses a user who is not waiting (user_gone) and changes nothing', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    assert.is(await s.claim('nobody', 'a1', 'c1', T0), 'user_gone');
    await s.enqueue(sampleEntry('u1'));
    await s.cancel('u1');
    assert.is(await s.claim('u1', 'a1', 'c2', T0), 'user_gone');
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
    assert.is(await s.conversationOf('u1'), null);
  });

  it('claim refuses an unknown, away or offline advisor (advisor_unavailable) and leaves the user waiting', async (s) => {
    await s.enqueue(sampleEntry('u1'));
    assert.is(await s.claim('u1', 'ghost', 'c1', T0), 'advisor_unavailable');
    await s.upsertAdvisor(sampleProfile('away'), 'away', T0);
    await s.upsertAdvisor(sampleProfile('off'), 'offline', T0);
    assert.is(await s.claim('u1', 'away', 'c2', T0), 'advisor_unavailable');
    assert.is(await s.claim('u1', 'off', 'c3', T0), 'advisor_unavailable');
    await s.setAdvisorStatus('away', 'available', T0);
    await s.setAdvisorStatus('away', 'offline', T0);
    assert.is(await s.claim('u1', 'away', 'c4', T0), 'advisor_unavailable');
    assert.is((await s.waitingEntry('u1'))?.userId, 'u1');
    assert.equal(await userIds(s), ['u1']);
  });

  it('claim refuses a full advisor (advisor_full): capacity is never exceeded', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 2), 'available', T0);
    for (const u of ['u1', 'u2', 'u3']) await s.enqueue(sampleEntry(u));
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'ok');
    assert.is(await s.claim('u2', 'a1', 'c2', T0), 'ok');
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'advisor_full');
    assert.equal((await advisor(s, 'a1'))?.conversations, ['c1', 'c2']);
    assert.equal(await userIds(s), ['u3']);
    await s.release('c1', T0);
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'ok');
  });

  it('an advisor with capacity 0 takes nobody', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 0), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'advisor_full');
  });

  it('lowering capacity below the current load refuses claims until seats free up', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 3), 'available', T0);
    for (const u of ['u1', 'u2', 'u3']) await s.enqueue(sampleEntry(u));
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'ok');
    assert.is(await s.claim('u2', 'a1', 'c2', T0), 'ok');
    await s.upsertAdvisor(sampleProfile('a1', 1), 'available', T0);
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'advisor_full');
    await s.release('c1', T0);
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'advisor_full');
    await s.release('c2', T0);
    assert.is(await s.claim('u3', 'a1', 'c3', T0), 'ok');
  });

  it('release frees the seat and the user, and is idempotent', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 1), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    await s.enqueue(sampleEntry('u2'));
    await s.claim('u1', 'a1', 'c1', T0);
    await s.release('c1', T0 + 10);
    assert.is(await s.conversationOf('u1'), null);
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
    const before = await s.snapshot();
    await s.release('c1', T0 + 20);
    await s.release('never-existed', T0 + 20);
    assert.equal(await s.snapshot(), before);
    assert.ok((await s.enqueue(sampleEntry('u1'))).ok, 'a released user may ask again');
    assert.is(await s.claim('u2', 'a1', 'c2', T0), 'ok', 'the seat is free again');
  });

  it('idleSince becomes now on claim and when the last conversation is released', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 2), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    await s.enqueue(sampleEntry('u2'));
    await s.claim('u1', 'a1', 'c1', T0 + 1);
    await s.claim('u2', 'a1', 'c2', T0 + 2);
    assert.is((await advisor(s, 'a1'))?.idleSince, T0 + 2);
    await s.release('c1', T0 + 3);
    assert.is((await advisor(s, 'a1'))?.idleSince, T0 + 2, 'still busy with c2');
    assert.equal((await advisor(s, 'a1'))?.conversations, ['c2']);
    await s.release('c2', T0 + 4);
    assert.is((await advisor(s, 'a1'))?.idleSince, T0 + 4);
  });

  it('unclaim puts the user back at the head of the queue with priority ≥ 1, keeping since', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 1), 'available', T0);
    await s.enqueue(sampleEntry('u1', { since: 111 }));
    await s.enqueue(sampleEntry('u2', { since: 222 }));
    await s.enqueue(sampleEntry('u3', { since: 333 }));
    const entry = (await s.waitingEntry('u1'))!;
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'ok');
    await s.unclaim('c1', entry, T0 + 50);
    assert.equal(await userIds(s), ['u1', 'u2', 'u3']);
    const back = (await s.waitingEntry('u1'))!;
    assert.is(back.priority, 1);
    assert.is(back.since, 111);
    assert.is(back.topic, entry.topic);
    assert.ok(back.order! > entry.order!, 'a fresh arrival order');
    assert.is(await s.conversationOf('u1'), null);
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
    assert.is((await advisor(s, 'a1'))?.idleSince, T0 + 50);
  });

  it('unclaim keeps a higher priority and queues behind earlier put-back users of the same priority', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 3), 'available', T0);
    for (const u of ['u1', 'u2', 'u3', 'u4']) await s.enqueue(sampleEntry(u));
    const e1 = (await s.waitingEntry('u1'))!;
    const e2 = { ...(await s.waitingEntry('u2'))!, priority: 3 };
    const e3 = (await s.waitingEntry('u3'))!;
    await s.claim('u1', 'a1', 'c1', T0);
    await s.claim('u2', 'a1', 'c2', T0);
    await s.claim('u3', 'a1', 'c3', T0);
    await s.unclaim('c3', e3, T0);
    await s.unclaim('c1', e1, T0);
    await s.unclaim('c2', e2, T0);
    assert.equal(await userIds(s), ['u2', 'u3', 'u1', 'u4']);
    assert.is((await s.waitingEntry('u2'))?.priority, 3);
  });

  it('unclaim does not requeue a user who already waits or is in another conversation', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 3), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    const entry = (await s.waitingEntry('u1'))!;
    await s.claim('u1', 'a1', 'c1', T0);
    await s.unclaim('c1', entry, T0);
    await s.unclaim('c1', entry, T0); // again: the user already waits
    assert.equal(await userIds(s), ['u1']);
    await s.claim('u1', 'a1', 'c2', T0);
    await s.unclaim('c-unknown', entry, T0); // the user is in c2
    assert.equal(await userIds(s), []);
    assert.is(await s.conversationOf('u1'), 'c2');
  });

  it('upsertAdvisor registers an advisor and keeps held conversations and idleSince across an update', async (s) => {
    const created = await s.upsertAdvisor(sampleProfile('a1', 2), 'available', T0);
    assert.equal(created, { ...sampleProfile('a1', 2), status: 'available', conversations: [], idleSince: T0 });
    await s.enqueue(sampleEntry('u1'));
    await s.claim('u1', 'a1', 'c1', T0 + 1);
    const updated = await s.upsertAdvisor(sampleProfile('a1', 4, { audiences: ['employer'], languages: ['it', 'de'] }), 'away', T0 + 9);
    assert.equal(updated, {
      ...sampleProfile('a1', 4, { audiences: ['employer'], languages: ['it', 'de'] }),
      status: 'away',
      conversations: ['c1'],
      idleSince: T0 + 1,
    });
    assert.equal(await advisor(s, 'a1'), updated);
    await s.release('c1', T0 + 10);
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
  });

  it('setAdvisorStatus to available resets idleSince; staying available or going away does not', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'away', T0);
    const up = await s.setAdvisorStatus('a1', 'available', T0 + 10);
    assert.is(up?.status, 'available');
    assert.is(up?.idleSince, T0 + 10);
    assert.is((await s.setAdvisorStatus('a1', 'available', T0 + 20))?.idleSince, T0 + 10);
    assert.is((await s.setAdvisorStatus('a1', 'away', T0 + 30))?.idleSince, T0 + 10);
    assert.is((await s.setAdvisorStatus('a1', 'offline', T0 + 40))?.status, 'offline');
    assert.is((await s.setAdvisorStatus('a1', 'available', T0 + 50))?.idleSince, T0 + 50);
    assert.equal(await advisor(s, 'a1'), { ...sampleProfile('a1'), status: 'available', conversations: [], idleSince: T0 + 50 });
  });

  it('setAdvisorStatus of an unknown advisor returns null and registers nobody', async (s) => {
    assert.is(await s.setAdvisorStatus('ghost', 'available', T0), null);
    assert.equal((await s.snapshot()).advisors, []);
  });

  it('an advisor going away keeps their conversations and can still release them', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    await s.claim('u1', 'a1', 'c1', T0);
    assert.equal((await s.setAdvisorStatus('a1', 'away', T0))?.conversations, ['c1']);
    await s.release('c1', T0 + 1);
    assert.equal((await advisor(s, 'a1'))?.conversations, []);
  });

  it('snapshot lists every queue in serving order and every advisor with their state', async (s) => {
    await s.upsertAdvisor(sampleProfile('a2', 1, { provinces: ['RM'] }), 'away', T0);
    await s.upsertAdvisor(sampleProfile('a1', 2), 'available', T0);
    await s.enqueue(sampleEntry('m1'));
    await s.enqueue(sampleEntry('r1', { province: 'RM' }));
    await s.enqueue(sampleEntry('m2', { priority: 1 }));
    await s.enqueue(sampleEntry('m3'));
    await s.enqueue(sampleEntry('r2', { province: 'RM', priority: 1 }));
    await s.claim('m3', 'a1', 'c1', T0 + 1);
    const snap = await s.snapshot();
    assert.equal([...snap.queues.keys()].sort(), ['MI:worker', 'RM:worker']);
    assert.equal(snap.queues.get('MI:worker')!.map((e) => e.userId), ['m2', 'm1']);
    assert.equal(snap.queues.get('RM:worker')!.map((e) => e.userId), ['r2', 'r1']);
    for (const queue of snap.queues.values()) for (const e of queue) assert.equal(e, await s.waitingEntry(e.userId));
    const byId = new Map(snap.advisors.map((a) => [a.id, a]));
    assert.is(snap.advisors.length, 2);
    assert.equal(byId.get('a1'), { ...sampleProfile('a1', 2), status: 'available', conversations: ['c1'], idleSince: T0 + 1 });
    assert.equal(byId.get('a2'), { ...sampleProfile('a2', 1, { provinces: ['RM'] }), status: 'away', conversations: [], idleSince: T0 });
  });

  it('snapshot and results are copies: changing them does not change the state', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1'), 'available', T0);
    const r = await s.enqueue(sampleEntry('u1'));
    if (r.ok) r.entry.priority = 99;
    const snap = await s.snapshot();
    snap.queues.get('MI:worker')![0]!.userId = 'mallory';
    snap.queues.clear();
    snap.advisors[0]!.conversations.push('fake');
    snap.advisors[0]!.skills.languages.push('xx');
    snap.advisors[0]!.skills.audiences.length = 0;
    const again = await s.snapshot();
    assert.equal(again.queues.get('MI:worker')!.map((e) => [e.userId, e.priority]), [['u1', 0]]);
    assert.equal(again.advisors[0]!.conversations, []);
    assert.equal(again.advisors[0]!.skills, sampleProfile('a1').skills, 'skills as registered, whatever the last answer went through');
    assert.is(await s.claim('u1', 'a1', 'c1', T0), 'ok');
  });

  it('20 concurrent claims of one user by 20 advisors: exactly one succeeds', async (s) => {
    const advisors = Array.from({ length: 20 }, (_, i) => `a${i}`);
    for (const id of advisors) await s.upsertAdvisor(sampleProfile(id, 1), 'available', T0);
    await s.enqueue(sampleEntry('u1'));
    const results = await Promise.all(advisors.map((id, i) => s.claim('u1', id, `c${i}`, T0)));
    assert.is(results.filter((r) => r === 'ok').length, 1);
    assert.is(results.filter((r) => r === 'user_gone').length, 19);
    const snap = await s.snapshot();
    assert.is(snap.advisors.reduce((n, a) => n + a.conversations.length, 0), 1);
    const winner = snap.advisors.find((a) => a.conversations.length === 1)!;
    assert.is(await s.conversationOf('u1'), winner.conversations[0]);
    assert.is(snap.queues.size, 0);
  });

  it('20 concurrent claims on one advisor with capacity 3: exactly three succeed', async (s) => {
    await s.upsertAdvisor(sampleProfile('a1', 3), 'available', T0);
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    for (const u of users) await s.enqueue(sampleEntry(u));
    const results = await Promise.all(users.map((u, i) => s.claim(u, 'a1', `c${i}`, T0)));
    assert.is(results.filter((r) => r === 'ok').length, 3);
    assert.is(results.filter((r) => r === 'advisor_full').length, 17);
    const snap = await s.snapshot();
    assert.is(snap.advisors[0]!.conversations.length, 3);
    assert.is(snap.queues.get('MI:worker')!.length, 17);
    const inConversation = (await Promise.all(users.map((u) => s.conversationOf(u)))).filter(Boolean);
    assert.equal(inConversation.sort(), [...snap.advisors[0]!.conversations].sort());
  });

  it('20 concurrent enqueues of one user make one entry', async (s) => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.enqueue(sampleEntry('u1', { since: i }))));
    assert.is(results.filter((r) => r.ok).length, 1);
    assert.is(results.filter((r) => !r.ok && r.reason === 'already_waiting').length, 19);
    assert.equal(await userIds(s), ['u1']);
  });

  it('ping answers', async (s) => {
    await s.ping();
  });

  test.run();
}

/** SCAN + DEL of every key starting with `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

export const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Whether Redis at `url` answers PING within `ms`, checked synchronously (in a child
 * process) so a test file can choose its suites while it is being imported.
 */
export function redisAnswersSync(url: string, ms = 1_000): boolean {
  const probe = `
    import { Redis } from 'ioredis';
    const r = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: ${ms}, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    setTimeout(() => process.exit(1), ${ms}).unref();
    r.connect().then(() => r.ping()).then(() => process.exit(0), () => process.exit(1));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe, url], {
    cwd: root,
    stdio: 'ignore',
    timeout: ms + 5_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return result.status === 0;
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** The one line a file prints when its Redis suites cannot run. */
export function skipLine(url: string, what: string): string {
  return `# skipped: Redis not reachable at ${safeUrl(url)}; the Redis ${what} did not run`;
}
