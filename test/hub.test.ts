/** The hub keeps one client per person without a Set, and a Set from the second socket on. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '../server/client.ts';
import { Hub } from '../server/hub.ts';

function fakeClient(userId: string): Client & { got: string[] } {
  const got: string[] = [];
  return { userId, got, sendText: (frame: string) => got.push(frame) } as unknown as Client & { got: string[] };
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

test.run();
