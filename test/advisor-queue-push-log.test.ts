/**
 * A failed `advisor.queue` push (server/advisor-statuses.ts) is logged at debug with the
 * advisor's staff id, and never thrown: the status change or welcome it follows stands.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AdvisorStatuses } from '../server/advisor-statuses.ts';
import type { ChatDeps } from '../server/chat-service.ts';
import type { Client } from '../server/client.ts';
import { loggerOptions } from '../server/logger.ts';

const ADVISOR = 'staff-AbCdEfGhIjKlMnOpQrStUv';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.secret.signature';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino(loggerOptions(level), stream), lines };
}

/** AdvisorStatuses over fakes whose router cannot push the queue (the routing state does not answer). */
function statuses(level = 'debug') {
  const { log, lines } = capture(level);
  const deps = {
    state: { setAdvisorStatus: async (_id: string, status: string) => ({ status, capacity: 3, conversations: [] }) },
    fanout: { toUser: () => {} },
    clock: { now: () => 0 },
    router: { tellAdvisorQueue: async () => Promise.reject(new Error('routing state did not answer')), dispatch: async () => {} },
    advisors: {},
    advisorGraceMs: 0,
    log,
  } as unknown as ChatDeps;
  const client = { userId: ADVISOR, identity: { role: 'advisor', sub: ADVISOR }, token: TOKEN } as unknown as Client;
  return { s: new AdvisorStatuses(deps), client, lines };
}

async function settled(lines: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 50 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 5));
}

test('the welcome’s advisor.queue push fails: one debug line with the advisor’s staff id and the error, no token, nothing thrown', async () => {
  const { s, client, lines } = statuses();
  await s.welcomed(client);
  assert.is(lines.length, 1, JSON.stringify(lines));
  const [line] = lines as [Record<string, unknown>];
  assert.is(line.level, 20, 'debug');
  assert.is(line.msg, 'advisor.queue not pushed');
  assert.is(line.advisorId, ADVISOR);
  assert.is((line.err as { message: string }).message, 'routing state did not answer');
  assert.not.ok(JSON.stringify(lines).includes(TOKEN));
});

test('a status change whose push fails still answers ok, and logs the failure at debug', async () => {
  const { s, client, lines } = statuses();
  assert.equal(await s.set(client, { type: 'advisor.status', status: 'available' }), { type: 'ok' });
  await settled(lines, 1);
  assert.equal(lines.map((l) => [l.level, l.msg, l.advisorId]), [[20, 'advisor.queue not pushed', ADVISOR]]);
});

test('at the default info level the failure writes nothing', async () => {
  const { s, client, lines } = statuses('info');
  await s.welcomed(client);
  assert.is(lines.length, 0);
});

test.run();
