/**
 * The pages' client reconnecting to a server that does not answer (widgets/lib/chat-connection.js),
 * without a browser or a server: a socket that closes as soon as it is made, the timers taken over so
 * each retry is run by the test, and Math.random at its top so each wait is its ceiling. Base 500 ms
 * doubling each try found a restarted server ~7 s after its restart; "no connection" was never told
 * apart from a retry due.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser module, no types
import { ChatConnection, DEFAULTS } from '../widgets/lib/chat-connection.js';

/** A socket whose connection is refused: it closes (1006) once the client has set its handlers. */
class RefusedSocket {
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onopen = null;
  onmessage = null;
  onerror = null;
  readyState = 0;
  constructor() {
    queueMicrotask(() => this.onclose?.({ code: 1006, reason: '' }));
  }
  close() {}
  send() {}
}

test('a retry comes within 0.3 s of a drop, each failed try raises the ceiling 1.6 times up to 15 s, and only 9 failures in a row count as no connection', async () => {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const realRandom = Math.random;
  const timers: { fn: () => void; ms: number }[] = [];
  globalThis.setTimeout = ((fn: () => void, ms: number) => timers.push({ fn, ms })) as unknown as typeof setTimeout;
  globalThis.clearTimeout = (() => {}) as typeof clearTimeout;
  Math.random = () => 1;
  const settle = () => new Promise<void>((r) => realSetTimeout(r, 0));
  try {
    const c = new ChatConnection({ baseUrl: 'http://127.0.0.1:1/', getToken: async () => 'token', WebSocket: RefusedSocket });
    const waits: number[] = [];
    const lost: boolean[] = [];
    c.on('retry', (r: { lost: boolean }) => lost.push(r.lost));
    c.connect();
    for (let i = 0; i < 14; i++) {
      await settle();
      // The retry is the last timer set; the others are the connect timeouts of sockets already gone.
      const retry = timers.filter((x) => x.ms !== DEFAULTS.connectTimeoutMs).pop()!;
      waits.push(Math.round(retry.ms));
      timers.length = 0;
      retry.fn();
    }
    assert.ok(waits[0]! <= 300, `the first retry within 0.3 s (${waits[0]} ms)`);
    for (let i = 1; i < waits.length; i++) {
      const expected = Math.min(15_000, waits[i - 1]! * 1.6);
      assert.ok(Math.abs(waits[i]! - expected) <= 1, `retry ${i + 1}: ${waits[i]} ms after ${waits[i - 1]} (${waits.join(', ')})`);
    }
    assert.is(waits.at(-1), 15_000, 'never more than 15 s');
    assert.equal(lost.slice(0, 8), Array(8).fill(false), 'reconnecting, not lost, for the first 8 failures');
    assert.equal(lost.slice(8), Array(lost.length - 8).fill(true), 'no connection from the 9th on');
    c.close();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    Math.random = realRandom;
  }
});

test.run();
