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

test.run();
