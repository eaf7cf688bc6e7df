/**
 * The chat client's cursor per conversation: the highest seq seen (sent back
 * as `hello.resume` after a reconnect), the seqs already emitted (so a message
 * the server or the network repeats is emitted once), the last known
 * conversation info and whether it is closed.
 *
 * Separate from chat-client.js because "once per (conversation, seq), nothing
 * missed on resume" is this bookkeeping alone; the client decides what to emit.
 * No DOM: it loads in Node as well as in the browser.
 */

/** At most this many conversations are resumed in one hello (the most recently followed). */
const RESUME_MAX = 50;

/** conversationId -> { lastSeq, seen: Set<number>, info, closed } */
export class Cursors extends Map {
  /** The cursor of `id`, created at `lastSeq` if this client did not follow it yet. */
  ensure(id, lastSeq) {
    let c = this.get(id);
    if (!c) this.set(id, (c = { lastSeq, seen: new Set(), info: { conversationId: id }, closed: false }));
    return c;
  }

  /** The `resume` list of a hello: every open conversation with its lastSeq. */
  resume() {
    const resume = [];
    for (const [conversationId, c] of this) if (!c.closed) resume.push({ conversationId, lastSeq: c.lastSeq });
    return resume.slice(-RESUME_MAX);
  }

  /** Records message `seq` of `id`; false when it was seen already. */
  accept(id, seq) {
    const c = this.ensure(id, 0);
    if (c.seen.has(seq)) return false;
    c.seen.add(seq);
    if (seq > c.lastSeq) c.lastSeq = seq;
    return true;
  }

  /** The server reset `id`: forget what was seen and follow it from `lastSeq`. */
  rewind(id, lastSeq) {
    const c = this.ensure(id, 0);
    c.seen.clear();
    c.lastSeq = typeof lastSeq === 'number' ? lastSeq : 0;
  }
}
