/** The matching policy as a pure function: no server, no timers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { advisorQueue, advisorQueues } from '../routing/advisor-queue.ts';
import { HandlingStats, waitInfos } from '../routing/eta.ts';
import { isEligible, longestWaitingLowestLoad, type MatchContext } from '../routing/matching.ts';
import { regionOf } from '../routing/provinces.ts';
import { queueKey, type AdvisorState, type QueueEntry, type RoutingSnapshot } from '../routing/routing-state.ts';

const ctx: MatchContext = { now: 0, regionOf };
const all = { audiences: [], topics: [], languages: [], provinces: [], regions: [] };

function advisor(id: string, over: Partial<AdvisorState> = {}): AdvisorState {
  return { id, name: id, capacity: 3, skills: { ...all }, status: 'available', conversations: [], idleSince: 0, ...over };
}

let order = 0;
function entry(userId: string, over: Partial<QueueEntry> = {}): QueueEntry {
  return { userId, role: 'worker', name: null, province: 'MI', audience: 'worker', topic: 'payment', lang: 'it', entry: 'omnia', context: {}, priority: 0, since: ++order, order, ...over };
}

function snapshot(entries: QueueEntry[], advisors: AdvisorState[]): RoutingSnapshot {
  const queues = new Map<string, QueueEntry[]>();
  for (const e of entries) {
    const key = queueKey(e.province, e.audience);
    queues.set(key, [...(queues.get(key) ?? []), e]);
  }
  return { queues, advisors };
}

test('the longest-waiting user goes first, across queues', () => {
  const a = entry('late', { province: 'RM', since: 50 });
  const b = entry('early', { province: 'MI', since: 10 });
  const proposals = longestWaitingLowestLoad(snapshot([a, b], [advisor('x', { capacity: 1 })]), ctx);
  assert.equal(proposals, [{ userId: 'early', advisorId: 'x' }]);
});

test('a user put back at the head (priority 1) goes before those who waited longer', () => {
  const proposals = longestWaitingLowestLoad(
    snapshot([entry('waiting', { since: 1 }), entry('dropped', { since: 99, priority: 1 })], [advisor('x', { capacity: 1 })]),
    ctx,
  );
  assert.is(proposals[0]!.userId, 'dropped');
});

test('each user goes to the eligible advisor with the lowest load, ties to the one idle longest', () => {
  const busy = advisor('busy', { conversations: ['c1', 'c2'] });
  const idleLong = advisor('idle-long', { idleSince: 5 });
  const idleShort = advisor('idle-short', { idleSince: 50 });
  const proposals = longestWaitingLowestLoad(snapshot([entry('u1'), entry('u2'), entry('u3')], [busy, idleShort, idleLong]), ctx);
  assert.equal(
    proposals.map((p) => p.advisorId),
    ['idle-long', 'idle-short', 'idle-long'],
  );
});

test('nobody is proposed beyond an advisor’s capacity, and away or offline advisors get nobody', () => {
  const users = Array.from({ length: 10 }, (_, i) => entry(`u${i}`));
  const proposals = longestWaitingLowestLoad(
    snapshot(users, [advisor('a', { capacity: 2, conversations: ['c'] }), advisor('away', { status: 'away' }), advisor('off', { status: 'offline' })]),
    ctx,
  );
  assert.equal(proposals, [{ userId: 'u0', advisorId: 'a' }]);
});

test('skills decide eligibility: audience, topic, language, provinces and regions', () => {
  const lombardWorkers = advisor('lw', { skills: { ...all, audiences: ['worker'], regions: ['Lombardia'] } });
  assert.ok(isEligible(lombardWorkers, entry('u', { province: 'BG' }), ctx));
  assert.not.ok(isEligible(lombardWorkers, entry('u', { province: 'RM' }), ctx));
  assert.not.ok(isEligible(lombardWorkers, entry('u', { audience: 'employer', role: 'employer' }), ctx));
  const english = advisor('en', { skills: { ...all, languages: ['en'] } });
  assert.not.ok(isEligible(english, entry('u'), ctx));
  assert.ok(isEligible(english, entry('u', { lang: 'en' }), ctx));
  const cigs = advisor('cigs', { skills: { ...all, topics: ['cigs'], provinces: ['NA'] } });
  assert.ok(isEligible(cigs, entry('u', { topic: 'cigs', province: 'NA' }), ctx));
  assert.not.ok(isEligible(cigs, entry('u', { topic: 'cigo', province: 'NA' }), ctx));
  // an ineligible first user does not block the next one
  const proposals = longestWaitingLowestLoad(snapshot([entry('rome', { province: 'RM' }), entry('bergamo', { province: 'BG' })], [lombardWorkers]), ctx);
  assert.equal(proposals, [{ userId: 'bergamo', advisorId: 'lw' }]);
});

test('territorial overflow: after a while advisors of the region may serve, later anyone in Italy', () => {
  const milan = advisor('mi-only', { skills: { ...all, provinces: ['MI'] } });
  const overflow = { regionAfterSeconds: 300, nationalAfterSeconds: 900 };
  const at = (seconds: number): MatchContext => ({ now: seconds * 1000, regionOf, overflow });
  const bergamo = entry('bg', { province: 'BG', since: 0 });
  const rome = entry('rm', { province: 'RM', since: 0 });
  assert.not.ok(isEligible(milan, bergamo, at(299)), 'Bergamo waits in its own queue at first');
  assert.ok(isEligible(milan, bergamo, at(300)), 'then Lombardy’s advisors may take it');
  assert.not.ok(isEligible(milan, rome, at(899)), 'Rome is not in Lombardy');
  assert.ok(isEligible(milan, rome, at(900)), 'after the national threshold anyone with the skills may');
  assert.not.ok(isEligible(milan, rome, { now: 10_000_000, regionOf }), 'no overflow without thresholds');
  const english = advisor('en-mi', { skills: { ...all, provinces: ['MI'], languages: ['en'] } });
  assert.not.ok(isEligible(english, rome, at(5000)), 'overflow never lifts the language, audience or topic');
});

test('language overflow: after languageAfterSeconds an advisor of another language may serve, one who speaks it still first', () => {
  const overflow = { regionAfterSeconds: 300, nationalAfterSeconds: 900, languageAfterSeconds: 300 };
  const at = (seconds: number): MatchContext => ({ now: seconds * 1000, regionOf, overflow });
  const italian = advisor('it-only', { skills: { ...all, languages: ['it'] } });
  const german = entry('bz', { province: 'BZ', lang: 'de', since: 0 });
  assert.not.ok(isEligible(italian, german, at(299)), 'at first only advisors who speak German');
  assert.ok(isEligible(italian, german, at(300)), 'then anyone with the skills');
  assert.ok(isEligible(advisor('any'), german, at(0)), 'an advisor who lists no language serves every one');
  assert.equal(longestWaitingLowestLoad(snapshot([german], [italian]), at(299)), [], 'nobody proposed before the threshold');
  assert.equal(longestWaitingLowestLoad(snapshot([german], [italian]), at(300)), [{ userId: 'bz', advisorId: 'it-only' }]);
  // After the threshold both may serve: the one who speaks German, even with more chats and idle for less time.
  const bilingual = advisor('de-it', { skills: { ...all, languages: ['de', 'it'] }, conversations: ['c1', 'c2'], idleSince: 99 });
  assert.equal(longestWaitingLowestLoad(snapshot([german], [italian, bilingual]), at(600)), [{ userId: 'bz', advisorId: 'de-it' }]);
  assert.equal(longestWaitingLowestLoad(snapshot([german], [bilingual, italian]), at(600)), [{ userId: 'bz', advisorId: 'de-it' }], 'whatever the order');
  const strict = { ...overflow, languageAfterSeconds: 86_400 };
  assert.not.ok(isEligible(italian, german, { now: 86_399_000, regionOf, overflow: strict }), '86400 keeps the language strict for a day');
});

test('an advisor to avoid (they transferred or did not answer) is never proposed for that user', () => {
  const proposals = longestWaitingLowestLoad(snapshot([entry('u', { avoidAdvisor: 'x' })], [advisor('x'), advisor('y', { idleSince: 99 })]), ctx);
  assert.equal(proposals, [{ userId: 'u', advisorId: 'y' }]);
});

test('waiting users are told their position in their queue and a wait that grows with it', () => {
  const infos = waitInfos(snapshot([entry('a'), entry('b'), entry('c'), entry('r', { province: 'RM' })], [advisor('x', { capacity: 2 })]), ctx, 300);
  assert.equal([infos.get('a')!.position, infos.get('b')!.position, infos.get('c')!.position, infos.get('r')!.position], [1, 2, 3, 1]);
  assert.ok(infos.get('a')!.etaSeconds < infos.get('c')!.etaSeconds);
  assert.is(infos.get('b')!.etaSeconds, 300, 'two seats of 300 s each: the second user waits one handling time');
});

test('with no available advisor able to serve the queue the wait is unknown, not position × handling time', () => {
  const away = advisor('x', { status: 'away' });
  const romeOnly = advisor('y', { skills: { ...advisor('y').skills, provinces: ['RM'] } });
  const infos = waitInfos(snapshot([entry('a'), entry('b'), entry('r', { province: 'RM' })], [away, romeOnly]), ctx, 300);
  assert.equal([infos.get('a'), infos.get('b')], [{ position: 1, etaSeconds: 300, etaKnown: false }, { position: 2, etaSeconds: 600, etaKnown: false }]);
  assert.is(infos.get('r')!.etaKnown, true, 'the queue someone can serve keeps its estimate');
});

test('handling times: the mean of the recent ones, a default before any, instant closes floored', () => {
  const stats = new HandlingStats(3, 300);
  assert.is(stats.mean(), 300);
  stats.add(100);
  stats.add(200);
  assert.is(stats.mean(), 150);
  stats.add(0.01);
  assert.is(stats.mean(), (100 + 200 + 30) / 3, 'a chat closed at once counts as 30 s');
  stats.add(600);
  assert.is(stats.mean(), (200 + 30 + 600) / 3, 'only the last three');
});

test('an advisor full or away counts the users they could serve (the same eligibility, overflow included), not the others', () => {
  const full = advisor('full', { status: 'away', capacity: 1, conversations: ['c'], skills: { ...all, audiences: ['worker'], provinces: ['MI'] } });
  const entries = [
    entry('mi', { since: 40_000 }),
    entry('employer', { audience: 'employer', since: 1_000 }),
    entry('avoided', { avoidAdvisor: 'full', since: 2_000 }),
    entry('bergamo', { province: 'BG', since: 100_000 }),
  ];
  const overflow = { regionAfterSeconds: 300, nationalAfterSeconds: 900 };
  assert.equal(advisorQueue(full, snapshot(entries, [full]), { ...ctx, now: 100_000, overflow }), { waiting: 1, oldestSince: 40_000 });
  // Bergamo is in Lombardia: after the region overflow it waits for them too.
  assert.equal(advisorQueue(full, snapshot(entries, [full]), { ...ctx, now: 400_000, overflow }), { waiting: 2, oldestSince: 40_000 });
  assert.equal(advisorQueue(full, snapshot([], [full]), ctx), { waiting: 0, oldestSince: null });
});

test('advisors counted together get what each would alone: the same skills share a count, one a user must avoid has their own', () => {
  const skills = { ...all, audiences: ['worker' as const] };
  const [a, b, avoided, other] = [advisor('a', { skills }), advisor('b', { skills: { ...skills } }), advisor('avoided', { skills }), advisor('other')];
  const snap = snapshot([entry('w1', { since: 5 }), entry('w2', { avoidAdvisor: 'avoided', since: 1 }), entry('e1', { audience: 'employer', since: 2 })], [a, b, avoided, other]);
  const together = advisorQueues([a, b, avoided, other], snap, ctx);
  for (const x of [a, b, avoided, other]) assert.equal(together.get(x.id), advisorQueue(x, snap, ctx), x.id);
  assert.equal([...together.values()].map((q) => q.waiting), [2, 2, 1, 3]);
});

test.run();
