/** The `advisor.queue` push's pace, without a server: on change only, at most once per interval per advisor, the latest figures last. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../routing/clock.ts';
import type { MatchContext } from '../routing/matching.ts';
import { regionOf } from '../routing/provinces.ts';
import type { AdvisorState, QueueEntry, RoutingSnapshot } from '../routing/routing-state.ts';
import { AdvisorQueuePush } from '../server/advisor-queue-push.ts';
import type { Hub } from '../server/hub.ts';

const all = { audiences: [], topics: [], languages: [], provinces: [], regions: [] };
const advisor: AdvisorState = { id: 'adv', name: null, capacity: 1, skills: all, status: 'away', conversations: [], idleSince: 0 };
const clock = new ManualClock(1_000_000);
const ctx: MatchContext = { now: clock.now(), regionOf };

function waiting(...since: number[]): RoutingSnapshot {
  const entries = since.map((s, i): QueueEntry => ({ userId: `u${i}`, role: 'worker', name: 'Mario Rossi', province: 'MI', audience: 'worker', topic: 'cigo', lang: 'it', entry: 'other', context: {}, priority: 0, since: s, order: i }));
  return { queues: new Map([['MI:worker', entries]]), advisors: [advisor] };
}

function pushWith(sent: object[], minIntervalMs: number) {
  const hub = { isOnline: (id: string) => id === 'adv', toUser: (_id: string, f: object) => sent.push(f) } as unknown as Hub;
  return new AdvisorQueuePush({ hub, clock, minIntervalMs });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an advisor is told on change only, at most once per interval, and the latest figures at its end', async () => {
  const sent: object[] = [];
  const push = pushWith(sent, 150);
  push.push(waiting(), ctx);
  push.push(waiting(), ctx);
  assert.equal(sent, [{ type: 'advisor.queue', waiting: 0, longestWaitSeconds: null }], 'the same figures are not sent again');
  push.push(waiting(990_000), ctx);
  push.push(waiting(990_000, 995_000), ctx);
  assert.is(sent.length, 1, 'within the interval: held back');
  await sleep(250);
  assert.equal(sent.slice(1), [{ type: 'advisor.queue', waiting: 2, longestWaitSeconds: 10 }], 'once, with the latest count');
  push.sendNow(advisor, waiting(990_000, 995_000), ctx);
  assert.is(sent.length, 3, 'a hello or a status change is answered at once, interval or not');
  push.close();
});

test('figures that change and change back within the interval send nothing', async () => {
  const sent: object[] = [];
  const push = pushWith(sent, 100);
  push.push(waiting(990_000), ctx);
  push.push(waiting(990_000, 995_000), ctx);
  push.push(waiting(990_000), ctx);
  await sleep(180);
  assert.is(sent.length, 1);
  push.close();
});

test.run();
