/**
 * One signed-in WebSocket connection, and the per-conversation delivery cursor
 * that makes what it receives ordered and gap-free.
 *
 * For every conversation it follows, the client remembers the last `seq` it was
 * sent. A message at last+1 goes out; an older one is dropped (a duplicate from
 * another path); a newer one means something is missing, so the client holds it
 * and sends all in order once the gap is closed. This one mechanism serves live
 * delivery, resume and cross-node fan-out.
 *
 * A gap usually closes by itself within milliseconds: the two people of a chat are
 * often on two nodes, each publishing what it stored, so seq 8 from one node can
 * overtake seq 7 from the other. So the client first waits up to `gapWaitMs` for
 * the missing messages to arrive, and only then reads the gap from the database
 * (the source of truth), which is what it always did at once before: under load
 * that was a database read for most crossings (measured: ~8 % of a node's CPU
 * in the read and its query building at the maximum relay rate). A message really
 * lost (a pub/sub drop) reaches the socket `gapWaitMs` later, and in order.
 */
import type { WebSocket } from 'ws';
import type { Identity } from './auth.ts';
import type { StoredMessage } from './chat-store.ts';
import { CLOSE } from './ws-close-codes.ts';

export type GapReader = (conversationId: string, afterSeq: number) => Promise<StoredMessage[]>;

export interface MessageFrame {
  type: 'message';
  conversationId: string;
  seq: number;
  clientMsgId: string;
  from: { id: string; role: string };
  text: string;
  at: string;
}

/**
 * A stored message as sockets receive it: what the cursor needs (conversation, seq)
 * and the frame serialised once, written as the same string to every socket and
 * carried as it is between nodes.
 */
export interface Delivery {
  conversationId: string;
  seq: number;
  frame: string;
}

export function deliveryOf(m: StoredMessage): Delivery {
  return { conversationId: m.conversationId, seq: m.seq, frame: JSON.stringify(messageFrame(m)) };
}

export function messageFrame(m: StoredMessage): MessageFrame {
  return {
    type: 'message',
    conversationId: m.conversationId,
    seq: m.seq,
    clientMsgId: m.clientMsgId,
    from: { id: m.senderId, role: m.senderRole },
    text: m.text,
    at: m.at.toISOString(),
  };
}

interface Cursor {
  last: number;
  /** Set while there is a gap; messages past it wait here. */
  held: Delivery[] | null;
  /** While waiting for the gap to close by itself: the timer that reads it instead, and who to tell when it closed. */
  wait: { timer: NodeJS.Timeout; closed: () => void } | null;
}

/** How long a gap may close by itself before it is read from the database. */
export const GAP_WAIT_MS = 100;

export class Client {
  /** Made at the first follow: most idle sockets follow nothing, and an empty Map is ~180 B. */
  private cursors: Map<string, Cursor> | null = null;
  closed = false;
  /** Welcomed and counted as connected (sessions.ts): a sign-in failing after it leaves as a closed socket does. */
  welcomed = false;

  constructor(
    readonly sessionId: string,
    readonly identity: Identity,
    private readonly socket: WebSocket,
    private readonly readGap: GapReader,
    private readonly maxBufferedBytes: number,
    private readonly gapWaitMs = GAP_WAIT_MS,
  ) {}

  get userId(): string {
    return this.identity.sub;
  }

  send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  /** A frame already serialised (fan-out writes one string to every socket). */
  sendText(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.close(CLOSE.slowConsumer, 'slow_consumer');
      return;
    }
    this.cork();
    this.socket.send(text);
  }

  private corked = false;

  /**
   * Frames sent in the same tick (an ack, the message, a position…) leave in one write:
   * the TCP socket is corked until the next tick. Saves a syscall per frame under load.
   */
  private cork(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void; destroyed?: boolean } })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      if (!raw.destroyed) raw.uncork();
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  /** Starts following a conversation from `lastSeq` (0 for a new one). */
  follow(conversationId: string, lastSeq: number): void {
    const cursors = (this.cursors ??= new Map());
    if (!cursors.has(conversationId)) cursors.set(conversationId, { last: lastSeq, held: null, wait: null });
  }

  /** The conversations this socket follows. */
  following(): string[] {
    return this.cursors ? [...this.cursors.keys()] : [];
  }

  unfollow(conversationId: string): void {
    const cursor = this.cursors?.get(conversationId);
    if (cursor?.wait) clearTimeout(cursor.wait.timer);
    this.cursors?.delete(conversationId);
  }

  /**
   * Delivers a stored message in order. Past a gap it is held; the promise, if any,
   * settles when that gap is closed (by the missing messages, or by reading them).
   */
  deliver(message: Delivery): Promise<void> | undefined {
    const cursor = this.cursors?.get(message.conversationId);
    if (!cursor || this.closed) return;
    if (message.seq <= cursor.last) return;
    if (cursor.held) {
      cursor.held.push(message);
      if (cursor.wait) this.sendHeld(cursor);
      return;
    }
    if (message.seq === cursor.last + 1) {
      cursor.last = message.seq;
      this.sendText(message.frame);
      return;
    }
    // Not async: the in-order case above (every message under load) makes no promise.
    cursor.held = [message];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cursor.wait = null;
        if (this.closed) {
          cursor.held = null; // gone meanwhile: nobody to read for
          resolve();
          return;
        }
        this.fill(message.conversationId, cursor).then(resolve, reject);
      }, this.gapWaitMs);
      cursor.wait = { timer, closed: resolve };
    });
  }

  /** While waiting: sends what follows the cursor without a gap; when nothing is left held, the gap has closed. */
  private sendHeld(cursor: Cursor): void {
    const held = cursor.held!;
    held.sort((a, b) => a.seq - b.seq);
    let i = 0;
    for (; i < held.length && held[i]!.seq <= cursor.last + 1; i++) {
      if (held[i]!.seq !== cursor.last + 1) continue; // a duplicate
      cursor.last = held[i]!.seq;
      this.sendText(held[i]!.frame);
    }
    held.splice(0, i);
    if (held.length > 0) return;
    const wait = cursor.wait!;
    clearTimeout(wait.timer);
    cursor.wait = null;
    cursor.held = null;
    wait.closed();
  }

  /** Sends everything after the cursor from the database, then what was held meanwhile. */
  async catchUp(conversationId: string): Promise<void> {
    const cursor = this.cursors?.get(conversationId);
    if (!cursor || cursor.held) return;
    cursor.held = [];
    await this.fill(conversationId, cursor);
  }

  private async fill(conversationId: string, cursor: Cursor): Promise<void> {
    try {
      for (;;) {
        const batch = await this.readGap(conversationId, cursor.last);
        for (const m of batch) {
          if (m.seq !== cursor.last + 1) break;
          cursor.last = m.seq;
          this.sendText(deliveryOf(m).frame);
        }
        if (batch.length < 500) break;
      }
    } catch (err) {
      cursor.held = null; // the caller closes the socket: what was held goes with it
      throw err;
    }
    const held = cursor.held ?? [];
    cursor.held = null;
    held.sort((a, b) => a.seq - b.seq);
    // Held while reading: the next in line go out; one past a new gap waits again.
    for (const m of held) this.deliver(m)?.catch(() => this.close(CLOSE.internal, 'gap_unreadable'));
  }
}
