/**
 * Whom an advisor may hand a chat to (routing/transfer.ts and GET
 * /api/v1/conversations/:id/transfer-targets): colleagues available now with a
 * free seat, never the advisor themselves; those whose skills fit the chat first,
 * then the emptiest; only the chat's own advisor may ask, and only while it is open.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { regionOf } from '../routing/provinces.ts';
import type { AdvisorState, QueueEntry } from '../routing/routing-state.ts';
import { transferTargets } from '../routing/transfer.ts';
import { newConversation } from './helpers/conversations.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const NATIONAL = { audiences: [], topics: [], languages: [], provinces: [], regions: [] };

function advisor(id: string, o: Partial<AdvisorState> = {}): AdvisorState {
  return { id, name: id.toUpperCase(), capacity: 3, skills: { ...NATIONAL }, status: 'available', conversations: [], idleSince: 0, ...o };
}

const chat: QueueEntry = {
  userId: 'usr-1', role: 'worker', name: 'Mario Rossi', province: 'MI', audience: 'worker', topic: 'cigo', lang: 'it', entry: 'omnia', context: {}, priority: 1, since: 0, conversationId: 'c-1',
  avoidAdvisor: 'adv-self',
};

test('available colleagues with a free seat only, never oneself; fitting ones first, then the emptiest, then by name', () => {
  const targets = transferTargets([
    advisor('adv-self'),
    advisor('adv-away', { status: 'away' }),
    advisor('adv-full', { conversations: ['a', 'b', 'c'] }),
    advisor('adv-roma', { skills: { ...NATIONAL, provinces: ['RM'] } }),
    advisor('adv-busy', { conversations: ['a', 'b'] }),
    advisor('adv-lombardia', { skills: { ...NATIONAL, regions: ['Lombardia'] } }),
    advisor('adv-english', { skills: { ...NATIONAL, languages: ['en'] } }),
    advisor('adv-free'),
  ], chat, 'adv-self', regionOf);
  assert.equal(targets.map((t) => [t.id, t.fits, t.capacity - t.load]), [
    ['adv-free', true, 3],
    ['adv-lombardia', true, 3],
    ['adv-busy', true, 1],
    ['adv-english', false, 3],
    ['adv-roma', false, 3],
  ]);
});

test('the one who is handing the chat on is not "avoided" for the others: avoidAdvisor only names them', () => {
  const [only] = transferTargets([advisor('adv-other')], { ...chat, avoidAdvisor: 'adv-other' }, 'adv-self', regionOf);
  assert.is(only?.fits, true);
});

let server: TestServer;

test('over HTTP: the chat’s own advisor gets the list; another advisor or the user get 404; a closed chat 409; no token 401', async () => {
  server = await startServer();
  try {
    const { services } = server;
    const now = Date.now();
    await services.state.upsertAdvisor({ id: 'adv-a', name: 'Anna', capacity: 3, skills: { ...NATIONAL } }, 'available', now);
    await services.state.upsertAdvisor({ id: 'adv-b', name: 'Bruno', capacity: 2, skills: { ...NATIONAL, provinces: ['MI'] } }, 'available', now);
    const conv = await services.store.createConversation(newConversation({ userId: 'usr-t', advisorId: 'adv-a', province: 'MI' }));
    const get = async (claims: Record<string, unknown> | null) => {
      const headers: Record<string, string> = claims ? { authorization: `Bearer ${await server.token(claims as never)}` } : {};
      const res = await fetch(`${server.url}/api/v1/conversations/${conv.id}/transfer-targets`, { headers });
      return { status: res.status, body: (await res.json()) as { items?: unknown[]; error?: { code: string } } };
    };
    const mine = await get({ role: 'advisor', sub: 'adv-a' });
    assert.is(mine.status, 200);
    assert.equal(mine.body.items, [{ id: 'adv-b', name: 'Bruno', load: 0, capacity: 2, fits: true }]);
    assert.is((await get({ role: 'advisor', sub: 'adv-b' })).body.error?.code, 'not_found');
    assert.is((await get({ role: 'worker', sub: 'usr-t', province: 'MI' })).status, 404);
    assert.is((await get(null)).status, 401);
    await services.store.closeConversation(conv.id, { outcome: 'resolved', rating: null, closedBy: 'adv-a', at: new Date() });
    const closed = await get({ role: 'advisor', sub: 'adv-a' });
    assert.equal([closed.status, closed.body.error?.code], [409, 'conversation_closed']);
  } finally {
    await server.close();
  }
});

test.run();
