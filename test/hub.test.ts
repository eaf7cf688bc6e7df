/**
 * The hub keeps one client per person without a Set, and a Set from the second socket on;
 * and finds the sockets of those who may see a company's request by its matricola.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Identity } from '../server/auth.ts';
import type { Client } from '../server/client.ts';
import { Hub } from '../server/hub.ts';

function fakeClient(userId: string, claims: Partial<Identity> = {}): Client & { got: string[] } {
  const got: string[] = [];
  const identity: Identity = { sub: userId, role: 'worker', name: userId, province: 'MI', fiscalCode: null, matricola: null, matricole: [], sede: null, skills: [], lang: null, exp: 0, ...claims };
  return { userId, identity, got, sendText: (frame: string) => got.push(frame) } as unknown as Client & { got: string[] };
}

test('every socket of a person gets the frame, and only the last one to leave is reported as the last', () => {
  const hub = new Hub();
  const [a, b, c] = [fakeClient('u1'), fakeClient('u1'), fakeClient('u1')];
  const other = fakeClient('u2');
  hub.add(a);
  hub.add(a); // twice: still one socket
  hub.add(other);
  assert.is(hub.connections, 2);
  hub.add(b);
  hub.add(c);
  assert.is(hub.connections, 4);
  hub.toUserText('u1', 'f1');
  assert.equal([a.got, b.got, c.got, other.got], [['f1'], ['f1'], ['f1'], []]);
  assert.is(hub.remove(b), false);
  assert.is(hub.remove(a), false);
  hub.toUserText('u1', 'f2');
  assert.equal([a.got, b.got, c.got], [['f1'], ['f1'], ['f1', 'f2']]);
  assert.equal([...hub.clientsOf('u1')], [c]);
  assert.is(hub.remove(a), false, 'a socket that already left changes nothing');
  assert.is(hub.remove(c), true);
  assert.not.ok(hub.isOnline('u1'));
  assert.equal([...hub.clientsOf('u1')], []);
  assert.is(hub.remove(c), true, 'nobody left');
  assert.is(hub.connections, 1);
  assert.equal(hub.userIds(), ['u2']);
});

test('after a fan-out drop every followed conversation of every socket is read, a few at a time', async () => {
  const hub = new Hub();
  let running = 0;
  let most = 0;
  const read: string[] = [];
  const closed: string[] = [];
  const client = (userId: string, following: string[], failing = '') =>
    ({
      userId,
      identity: { sub: userId, role: 'worker', matricola: null, matricole: [] },
      following: () => following,
      close: () => closed.push(userId),
      catchUp: async (id: string) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        read.push(`${userId}:${id}`);
        if (id === failing) throw new Error('database away');
      },
    }) as unknown as Client;
  hub.add(client('u1', ['c1', 'c2', 'c3']));
  hub.add(client('u1', ['c1']));
  hub.add(client('u2', ['c4', 'c5', 'c6', 'c7'], 'c6'));
  hub.add(client('u3', []));
  assert.is(hub.catchUpAll(3), 8);
  for (let waited = 0; read.length < 8; waited += 5) {
    if (waited > 2000) assert.unreachable(`only ${read.length} of 8 read`);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(read.sort(), ['u1:c1', 'u1:c1', 'u1:c2', 'u1:c3', 'u2:c4', 'u2:c5', 'u2:c6', 'u2:c7']);
  assert.is(most, 3, 'never more reads at once than asked');
  assert.equal(closed, ['u2'], 'a socket whose read failed is closed; the others go on');
});

test("a ticket's update reaches here its owner and whoever holds its matricola and may read it, each socket once; a socket that left is no longer found by its matricola", () => {
  const hub = new Hub();
  const ticket = { userId: 'i-owner', matricola: 'M1', sede: 'SEDE-MI' };
  const owner = fakeClient('i-owner', { role: 'intermediary', matricole: ['M1', 'M1', 'M2'] });
  const [boss, bossPhone] = [fakeClient('e-1', { role: 'employer', matricola: 'M1', matricole: ['M1'] }), fakeClient('e-1', { role: 'employer', matricola: 'M1', matricole: ['M1'] })];
  const stranger = fakeClient('i-2', { role: 'intermediary', matricole: ['M2'] });
  const employee = fakeClient('w-1', { role: 'worker', matricola: 'M1', matricole: ['M1'] });
  const office = fakeClient('op-1', { role: 'office', sede: 'SEDE-MI', matricola: 'M1', matricole: ['M1'] });
  for (const c of [owner, boss, bossPhone, stranger, employee, office]) hub.add(c);

  hub.toTicketViewers(ticket, 't1');
  assert.equal([owner.got, boss.got, bossPhone.got], [['t1'], ['t1'], ['t1']]);
  assert.equal([stranger.got, employee.got, office.got], [[], [], []], 'a worker of the company and the office are not the company on the user side');

  hub.remove(owner);
  hub.remove(boss);
  hub.toTicketViewers(ticket, 't2');
  assert.equal([owner.got, boss.got, bossPhone.got], [['t1'], ['t1'], ['t1', 't2']]);
  assert.ok(hub.hasTicketViewers(ticket));
  hub.remove(bossPhone);
  assert.not.ok(hub.hasTicketViewers(ticket), 'nobody here holds M1 any more');
  assert.ok(hub.hasTicketViewers({ ...ticket, matricola: 'M2' }));
});

test.run();
